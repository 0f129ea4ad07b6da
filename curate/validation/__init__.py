"""Validation: typed batches, one polars pass of checks, keys across batches and tables."""
