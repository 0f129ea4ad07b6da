"""Immutable, reproducible, semver'd releases of a dataset, and their verification."""
