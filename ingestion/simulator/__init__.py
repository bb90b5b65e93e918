"""The simulated world: what a fleet of work phones and a lender's business systems deliver.

Planted with known parameters (a world file) so that every downstream number can be checked
against the truth written beside the raw captures in ``ground_truth/``.
"""
