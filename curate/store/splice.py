"""Rewrite a records file by copying its unchanged lines and serialising only the new ones.

An ingest of 100k events into a store of a million changes a tenth of the file; turning
the other nine tenths back into JSON costs more than the rest of the ingest. When the
stored file's lines are the stored rows in key order, the new file is the old one with
each replacement put in its place: a new key between the stored keys around it, a
revised record over its old line. The unchanged runs are copied by the kernel
(`os.copy_file_range`, or read and written where it is missing). For a file curate
wrote, the bytes are exactly those of a full `write_store_rows` of the merged table
(tested).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import numpy as np
import polars as pl

from curate.schema.model import Schema
from curate.store.records import store_rows

__all__ = ["splice_rows"]

_CHUNK = 16 << 20
# copy_file_range cannot copy between these files: copy through memory instead.
_UNSUPPORTED = {errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL, errno.EBADF}


def _line_starts(descriptor: int, size: int) -> np.ndarray:
    """The offset where each line starts, and the file's size last (for a file that
    ends with a newline)."""
    starts = [np.zeros(1, dtype=np.int64)]
    for offset in range(0, size, _CHUNK):
        block = np.frombuffer(os.pread(descriptor, _CHUNK, offset), dtype=np.uint8)
        starts.append(np.flatnonzero(block == 10).astype(np.int64) + offset + 1)
    return np.concatenate(starts)


def _write(target: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(target, view) :]


def _copy(source: int, start: int, stop: int, target: int) -> None:
    """Append bytes [start, stop) of `source` to `target` (both file descriptors)."""
    while start < stop:
        try:
            copied = os.copy_file_range(source, target, stop - start, start)
        except AttributeError:  # not on this system
            copied = 0
        except OSError as error:
            if error.errno not in _UNSUPPORTED:
                raise
            copied = 0
        if copied == 0:
            block = os.pread(source, min(_CHUNK, stop - start), start)
            if not block:
                raise OSError(f"the records file ended at byte {start}, before {stop}")
            _write(target, block)
            copied = len(block)
        start += copied


def splice_rows(
    old: Path,
    stored_keys: pl.Series,
    replacements: pl.DataFrame,
    table: str,
    schema: Schema,
    target: int,
) -> int | None:
    """Write to the file descriptor `target` the lines of `old` (the rows whose keys are
    `stored_keys`, in that order) with `replacements` put in key order, a replacement
    whose key is stored taking that row's line. Returns the offset of the first byte
    that differs from `old`, or None, having written nothing, when the file's lines do
    not line up with `stored_keys` (the caller then writes the whole table)."""
    if len(schema.table(table).primary_key) != 1 or not stored_keys.is_sorted():
        return None
    lines = store_rows(replacements, table, schema).splitlines(keepends=True)
    keys = replacements.get_column(stored_keys.name).sort()
    positions = stored_keys.search_sorted(keys, side="left").to_numpy()
    count = stored_keys.len()
    with old.open("rb") as handle:
        source = handle.fileno()
        size = os.fstat(source).st_size
        if size and os.pread(source, 1, size - 1) != b"\n":
            return None  # a last line without its newline: nothing can follow it as is
        if (positions == count).all():  # the usual batch: every key after the stored ones
            _copy(source, 0, size, target)
            _write(target, b"".join(lines))
            return size
        starts = _line_starts(source, size)
        if len(starts) != count + 1:  # blank lines, or not this table's rows
            return None
        clipped = pl.Series(np.minimum(positions, count - 1))
        at_key = (stored_keys.gather(clipped) == keys) & (clipped == pl.Series(positions))
        replacing = at_key.to_numpy()
        cursor, pending = 0, list[bytes]()
        for line, position, replaces in zip(lines, positions, replacing, strict=True):
            start = int(starts[position])
            if start > cursor:
                if pending:
                    _write(target, b"".join(pending))
                    pending = []
                _copy(source, cursor, start, target)
            pending.append(line)
            cursor = int(starts[position + 1]) if replaces else start
        if pending:
            _write(target, b"".join(pending))
        _copy(source, cursor, size, target)
        return int(starts[positions.min()])
