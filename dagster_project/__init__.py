"""Dagster definitions: the arrows between the product's stages."""
