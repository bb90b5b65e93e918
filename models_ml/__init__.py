"""Models on the warehouse: one subpackage per model, versioned artifacts via ``registry``."""
