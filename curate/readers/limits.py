"""The bounds applied to untrusted input files, each configurable (`Limits`)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Limits"]


@dataclass(frozen=True)
class Limits:
    """Bounds applied to untrusted input; each is configurable."""

    batch_rows: int = 100_000
    max_line_bytes: int = 1 << 20
    max_row_group_bytes: int = 1 << 30
    chunk_bytes: int = 32 << 20
    max_rows: int = 1 << 40
    # A Parquet file is read in batches that span row groups, so time grows with rows, not
    # with row groups; each row group still costs its metadata, so more than this many
    # are refused (exit 2) before any is read.
    max_row_groups: int = 100_000
    max_field_chars: int = 131_072
    # A table has a few dozen fields: a CSV header, or the objects of a JSONL file
    # together, naming more columns than this are refused (exit 2) before the records are
    # checked; a JSONL line holding more keys is a parse error of its own.
    max_columns: int = 1_000
    # JSON values nested deeper than this (the line's object is level 1) are a parse
    # error of their line.
    max_depth: int = 64
