"""A store's tables loaded for a command: trusted when sealed, otherwise checked in full.

`load_store` reads each records file once. When every file's bytes still hash to the
store's seal (`curate.store.seal`), they are parsed without the row checks; otherwise the
store is validated as `curate validate` would (errors only) and must be valid. Either
way each file's `Stamp` is taken before it is read, and a file written to while it is
loaded is refused; a command that writes calls `check_unchanged` just before its commit,
so that what it replaces is what it checked (a hand edit meanwhile stops it). After a
write, `seal_store` records the new state, so that the next command can trust it.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from curate.disk.locks import reading
from curate.errors import InputError, InvalidDataError
from curate.report import Report
from curate.schema.model import Schema
from curate.store.records import Store, empty_table, parse_store_rows, write_store_rows
from curate.store.seal import BlockHasher, Digest, Stamp, read_seal, write_seal
from curate.validation.paths import validate_paths

__all__ = [
    "StoredTables",
    "changed_while_running",
    "check_unchanged",
    "commit_outcome",
    "invalid_store",
    "load_store",
    "load_tables",
    "seal_store",
    "stamps_of",
]


@dataclass(frozen=True)
class StoredTables:
    """The typed tables; the digest of each records file as loaded; each file's stamp
    then (None for a file that did not exist); and whether they were trusted from the
    seal (then the files are curate's own: valid together, in the exact form
    `write_store_rows` gives, and parsed exactly by `parse_store_rows`)."""

    tables: dict[str, pl.DataFrame]
    digests: dict[str, Digest]
    stamps: dict[str, Stamp | None]
    trusted: bool


def invalid_store(store: Store, report: Report) -> InvalidDataError:
    """The error for a store that does not validate (it must be repaired by hand)."""
    return InvalidDataError(
        f"the store in {store.records} is invalid ({report.error_count} errors); "
        f"run `curate validate {store.records}` and repair it first"
    )


def changed_while_running(path: Path, doing: str = "reading") -> InputError:
    """The error for a records file that something other than curate wrote to while a
    command was `doing` it ("ingesting into", say)."""
    return InputError(
        f"{path} changed while curate was {doing} it; nothing was written. Run the command again."
    )


def commit_outcome(changed: bool) -> str:
    """What a write that failed during its commit left: nothing, or a journal that the
    next command completes (`curate.disk.journal`)."""
    if changed:
        return "the write is recorded and the next curate command on this dataset completes it"
    return "nothing was changed"


def stamps_of(store: Store, schema: Schema) -> dict[str, Stamp | None]:
    """Each records file's stamp now (None for a table that has no file)."""
    return {name: Stamp.of(store.table_path(name)) for name in schema.table_names}


def check_unchanged(
    store: Store, schema: Schema, stamps: Mapping[str, Stamp | None], doing: str = "writing to"
) -> None:
    """Refuse to go on when any records file is no longer the one whose stamp was taken
    (`stamps_of`, or `StoredTables.stamps`): written to, replaced, created or removed
    since. The stamp is taken before a file is read and hashed, and the kernel sets a
    file's change time on every write, so an unchanged stamp means the bytes read are
    still the file's. A command that writes from what it read (ingest, retract,
    release) calls this just before its commit, under the dataset's lock."""
    for name, stamp in stamps_of(store, schema).items():
        if stamp != stamps.get(name):
            raise changed_while_running(store.table_path(name), doing)


def _read_trusted(store: Store, schema: Schema, seal: Mapping[str, Digest]) -> StoredTables | None:
    """The sealed tables, or None as soon as a file differs from the seal. Each file is
    hashed by a second thread while polars parses it; a file written to meanwhile (its
    stamp changed), or whose bytes prove not to be the sealed ones, is not trusted."""
    paths = {name: store.table_path(name) for name in schema.table_names}
    stamps = {name: Stamp.of(path) for name, path in paths.items()}
    if any(stamp is None or stamp.size != seal[n].size for n, stamp in stamps.items()):
        return None
    tables = {}
    with ThreadPoolExecutor(max_workers=1) as hasher:
        for name, path in paths.items():
            digest = hasher.submit(Digest.of_file, path)
            try:
                frame: pl.DataFrame | None = parse_store_rows(path, name, schema)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException:  # not the sealed bytes (polars may even panic on them)
                frame = None
            try:
                if digest.result() != seal[name] or frame is None:
                    return None
            except OSError:
                return None
            if Stamp.of(path) != stamps[name]:
                return None
            tables[name] = frame
    return StoredTables(tables, dict(seal), stamps, trusted=True)


def _digests(store: Store, schema: Schema) -> dict[str, Digest]:
    paths = {name: store.table_path(name) for name in schema.table_names}
    return {name: Digest.of_file(path) for name, path in paths.items() if path.is_file()}


def load_store(store: Store, schema: Schema, *, across_tables: bool = True) -> StoredTables:
    """The stored tables, typed; the store must be valid (with `across_tables=False`, a
    store that is not sealed is checked row by row and in its keys only: the caller
    checks the rest). Read in one state, never during a commit (`curate.disk.journal`)."""
    with reading(store.root):
        return _load_store(store, schema, across_tables=across_tables)


def _load_store(store: Store, schema: Schema, *, across_tables: bool) -> StoredTables:
    seal = read_seal(store.root, schema)
    trusted = _read_trusted(store, schema, seal) if seal is not None else None
    if trusted is not None:
        return trusted
    stamps = stamps_of(store, schema)  # before anything is read
    digests = _digests(store, schema)  # before the check: a seal only vouches for these
    run = validate_paths(
        [store.records],
        schema=schema,
        max_issues=20,
        keep_tables=True,
        across_tables=across_tables,
        errors_only=True,
    )
    if not run.report.valid:
        raise invalid_store(store, run.report)
    for name, stamp in stamps_of(store, schema).items():
        if stamp != stamps[name]:  # the bytes checked may not be those hashed
            raise changed_while_running(store.table_path(name))
    found = run.tables()
    tables = {
        name: found[name] if name in found else empty_table(name, schema)
        for name in schema.table_names
    }
    return StoredTables(tables, digests, stamps, trusted=False)


def load_tables(
    store: Store, schema: Schema, *, across_tables: bool = True
) -> dict[str, pl.DataFrame]:
    """`load_store`'s tables."""
    return load_store(store, schema, across_tables=across_tables).tables


def _in_curate_form(store: Store, schema: Schema, name: str, loaded: StoredTables) -> bool:
    """Whether the table's file still has the bytes it was checked with, and they are
    exactly what `write_store_rows` gives for the checked table (true of every file
    curate writes; a file edited by hand may differ in spacing, order or line ends, and
    then its lines cannot be spliced)."""
    canonical = BlockHasher()
    write_store_rows(loaded.tables[name], name, schema, canonical)
    checked = loaded.digests.get(name)
    return canonical.digest() == checked and Digest.of_file(store.table_path(name)) == checked


def seal_store(
    store: Store, schema: Schema, loaded: StoredTables, written: Mapping[str, Digest]
) -> None:
    """After a write of the tables in `written` (their new digests) to a store that is
    now valid as a whole, seal it. The other tables keep their digest when they were
    trusted, or when they are in curate's form, and only while their stamp is the one
    loaded; otherwise nothing is sealed and the next command checks the store in full.
    Best effort: a seal that cannot be made only costs the next command a full check."""
    try:
        digests = dict(written)
        for name in schema.table_names:
            if name in digests:
                continue
            if Stamp.of(store.table_path(name)) != loaded.stamps.get(name):
                return
            if not loaded.trusted and not _in_curate_form(store, schema, name, loaded):
                return
            digests[name] = loaded.digests[name]
        write_seal(store.root, schema, digests)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # an error here must not undo a committed write
        return
