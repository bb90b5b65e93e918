"""Audio for simulated calls: speech synthesised offline from the call scripts."""
