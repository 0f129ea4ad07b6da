"""Write an import: events, claims and sources as JSONL in store order, and its rejects.

The three tables are written as a dataset's store holds them (`curate.store.records`: keys in
schema order, rows sorted by primary key), ready for `curate ingest` or `curate
validate DIR`. `rejected.jsonl` holds one line per rejected row, `{"file", "row",
"reason", "message", "record"}` with the row as read (or `"raw"`, its text, for a
record that could not be parsed); it is always written, empty when nothing was
rejected, so that a directory never shows the rejects of an earlier import. The four
files replace their predecessors together (`curate.disk.journal`): an interrupted write
leaves the old files or the new ones.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

import orjson
import polars as pl

from curate.disk.journal import JOURNAL, Transaction, recover
from curate.errors import InputError
from curate.interchange.summary import Imported
from curate.schema.model import Schema
from curate.store.records import write_store_rows

__all__ = ["REJECTED", "rejected_lines", "write_imported"]

REJECTED = "rejected.jsonl"


def rejected_lines(imported: Imported) -> bytes:
    """The rejected rows as JSON Lines."""
    lines = []
    for row in imported.rejected.iter_rows(named=True):
        line = {k: row[k] for k in ("file", "row", "reason", "message")}
        if row["record"] is not None:
            line["record"] = orjson.loads(row["record"])
        if row["raw"] is not None:
            line["raw"] = row["raw"]
        lines.append(orjson.dumps(line, option=orjson.OPT_APPEND_NEWLINE))
    return b"".join(lines)


def _writer(frame: pl.DataFrame, table: str, schema: Schema) -> Callable[[BinaryIO], None]:
    """What fills a staged file with `frame` as the store holds it."""

    def write(handle: BinaryIO) -> None:
        write_store_rows(frame, table, schema, handle.write)

    return write


def write_imported(imported: Imported, directory: Path, schema: Schema) -> list[Path]:
    """Write the three tables and the rejects into `directory` (created if need be);
    returns the paths of the three tables."""
    transaction = Transaction(directory)
    paths = [directory / f"{name}.jsonl" for name in imported.tables]
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if (directory / JOURNAL).exists():  # an earlier write was interrupted
            recover(directory)
        # One thread per table: one is serialised while another goes to disk.
        with ThreadPoolExecutor(max_workers=len(paths)) as pool:
            staging = [
                pool.submit(transaction.stage_with, path, _writer(frame, name, schema))
                for path, (name, frame) in zip(paths, imported.tables.items(), strict=True)
            ]
            for future in staging:
                future.result()
        transaction.stage(directory / REJECTED, rejected_lines(imported))
        transaction.commit()
    except OSError as exc:
        transaction.abandon()
        raise InputError(f"cannot write to {directory}: {exc.strerror or exc}") from exc
    return paths
