"""Write a store's changed tables: stage their new records files beside the old ones
(spliced when the store is trusted: unchanged lines copied, only the new rows
serialised), then put them in place together, only if every records file is still the
one loaded (a hand edit meanwhile stops the command), and seal the store. Ingest and
retract both write through here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import polars as pl

from curate.disk.journal import JOURNAL, Transaction
from curate.errors import CurateError, not_written
from curate.schema.model import Schema
from curate.store.load import (
    StoredTables,
    changed_while_running,
    check_unchanged,
    commit_outcome,
    seal_store,
    stamps_of,
)
from curate.store.records import Store, write_store_rows
from curate.store.seal import BlockHasher, Digest, Stamp
from curate.store.splice import splice_rows
from curate.validation.quarantine import (
    QuarantineCounts,
    lines_on_disk,
    remove_quarantine,
)

__all__ = ["StagedFiles", "UpsertedTable", "commit_staged", "stage_tables"]


@dataclass(frozen=True)
class UpsertedTable:
    """A table after an upsert, and the rows that are new or replace a stored one."""

    table: pl.DataFrame
    replacements: pl.DataFrame


def _unchanged_since_loaded(path: Path, stamp: Stamp | None) -> None:
    """Refuse to splice a records file that something other than curate wrote to since
    it was loaded: its lines are no longer the ones checked."""
    if Stamp.of(path) != stamp:
        raise changed_while_running(path, "ingesting into")


def _check_lines(path: Path, expected: int, target: Path) -> None:
    """A staged records file must hold one line per record of its table, counted on disk."""
    found = lines_on_disk(path)
    if found != expected:
        raise CurateError(
            f"{target}: {expected} records to be written but {found} lines staged; "
            "nothing was changed"
        )


@dataclass
class StagedFiles:
    """New records files written beside the old ones, not yet committed."""

    transaction: Transaction
    digests: dict[str, Digest]


def stage_tables(
    store: Store, loaded: StoredTables, merged: Mapping[str, UpsertedTable], schema: Schema
) -> StagedFiles:
    """Write the `merged` tables' new records files as temp files (`curate.disk.journal`). A
    trusted file is spliced (its unchanged lines copied, only the replacements
    serialised); other files are written whole. Each file is written by its own thread,
    so one table is serialised while another goes to disk."""
    staged = StagedFiles(Transaction(store.root), {})

    def stage(name: str) -> None:
        table = merged[name]
        path = store.table_path(name)
        key = schema.table(name).primary_key[0]

        def write(handle: BinaryIO) -> None:
            first_change = None
            if loaded.trusted:
                _unchanged_since_loaded(path, loaded.stamps[name])
                stored = loaded.tables[name].get_column(key)
                handle.flush()
                first_change = splice_rows(
                    path, stored, table.replacements, name, schema, handle.fileno()
                )
                _unchanged_since_loaded(path, loaded.stamps[name])
            if first_change is None:
                hasher = BlockHasher()

                def both(data: bytes) -> None:
                    handle.write(data)
                    hasher(data)

                write_store_rows(table.table, name, schema, both)
                staged.digests[name] = hasher.digest()
            else:
                handle.flush()
                known = loaded.digests[name].unchanged_blocks(first_change)
                staged.digests[name] = Digest.of_file(Path(handle.name), known)
            handle.flush()
            _check_lines(Path(handle.name), table.table.height, path)

        try:
            staged.transaction.stage_with(path, write)
        except OSError as exc:
            raise not_written(path, exc) from exc

    try:
        with ThreadPoolExecutor(max_workers=max(len(merged), 1)) as pool:
            for future in [pool.submit(stage, name) for name in merged]:
                future.result()
    except BaseException:
        staged.transaction.abandon()
        raise
    return staged


def commit_staged(
    store: Store,
    schema: Schema,
    loaded: StoredTables,
    staged: StagedFiles,
    placed: Sequence[QuarantineCounts] = (),
    doing: str = "ingesting into",
) -> None:
    """Put the staged files in place together, if every records file is still the one
    loaded, then seal the store. When nothing could be committed, the staged files and
    the quarantine files `placed` for this write are removed."""
    try:
        check_unchanged(store, schema, loaded.stamps, doing)
    except BaseException:
        staged.transaction.abandon()
        remove_quarantine(placed)
        raise
    try:
        staged.transaction.commit()
    except BaseException as exc:
        # Once the journal is written, the staged files are the commit's: keep them.
        changed = (store.root / JOURNAL).exists() or stamps_of(store, schema) != loaded.stamps
        if not changed:
            staged.transaction.abandon()
            remove_quarantine(placed)
        if isinstance(exc, OSError):
            where = Path(exc.filename) if isinstance(exc.filename, str) else store.records
            raise not_written(where, exc, commit_outcome(changed)) from exc
        raise
    seal_store(store, schema, loaded, staged.digests)
