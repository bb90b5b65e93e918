"""Data contracts: one Open Data Contract Standard (v3) file per raw feed in ``data_contracts/``."""
