"""Input files: which format a file is read as (by its suffix), that it is a regular file,
and `read_batches`, which hands it to its format's reader."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

from curate.errors import InputError
from curate.readers.batch import Batch
from curate.readers.csv import read_csv
from curate.readers.jsonl import read_jsonl
from curate.readers.limits import Limits
from curate.readers.parquet import read_parquet
from curate.schema.model import Table

__all__ = ["INPUT_SUFFIXES", "detect_format", "read_batches", "require_file"]

INPUT_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
"""The suffixes of the files curate reads, each with its format."""


def detect_format(path: Path) -> str:
    """The input format from the file's extension."""
    suffix = path.suffix.lower()
    if suffix not in INPUT_SUFFIXES:
        raise InputError(f"{path}: unknown file type {suffix!r}; use .jsonl, .csv or .parquet")
    return INPUT_SUFFIXES[suffix]


def read_batches(
    path: Path, table: Table, limits: Limits | None = None, *, exact_csv: bool = False
) -> Iterator[Batch]:
    """Batches of `path`'s records; an unreadable file raises InputError (exit 2).

    CSV is read fast with pyarrow; where that reader meets a record it cannot number it
    raises `CsvFastPathError` and the caller starts again with `exact_csv=True`."""
    limits = limits or Limits()
    require_file(path)
    kind = detect_format(path)
    if kind == "jsonl":
        return read_jsonl(path, table, limits)
    if kind == "csv":
        return read_csv(path, table, limits, exact=exact_csv)
    return read_parquet(path, table, limits)


_NOT_REGULAR = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def require_file(path: Path) -> None:
    """Refuse (InputError) a path that is not a regular file (after symlinks): missing,
    or a directory, pipe, device or socket, which are never opened (a pipe would block
    until written to, a device may never end)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _NOT_REGULAR if test(mode)), "special")
        raise InputError(f"{path}: {kind}, not a regular file; curate reads only regular files")
