"""Public Hypothesis strategies for conflict-event records, and reproducible samples."""
