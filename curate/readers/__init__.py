"""Readers of untrusted input files, in batches, so memory does not grow with the file:
one module per format (`jsonl`, `csv`, `parquet`), chosen by `files.read_batches` from
the file's suffix; `batch` says what each reader yields, `limits` the bounds they apply."""
