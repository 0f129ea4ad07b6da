"""The canonical schema as a typed model: its loader, dtypes, semver and evolution."""
