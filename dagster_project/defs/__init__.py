"""Definitions grouped by concept; each folder adapts one domain package to Dagster."""
