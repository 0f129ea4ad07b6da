"""Replay a dataset's curation: rebuild every release from its reviewed inputs, byte for byte.

A dataset that keeps the inputs of each release in `inputs/<version>/` can be rebuilt by
anyone: in a fresh directory, with the dataset's own `dataset.yaml`, the inputs of each
release are ingested in version order and the release is cut again, dated as the
published one (its `created`). Every file must come out byte-identical to the published
release; any difference is reported by file. Only published releases that verify are
replayed: one that does not is refused, named, before anything is rebuilt.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from curate.errors import InputError
from curate.release.build import release
from curate.release.verify import require_verified
from curate.release.versions import release_versions
from curate.schema.loader import load_schema
from curate.schema.model import Schema
from curate.store.ingest import ingest
from curate.store.records import Store, new_dataset, open_store

__all__ = ["Replay", "replay"]


@dataclass
class Replay:
    """The releases rebuilt, and every file that came out different."""

    versions: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not self.differences


def _inputs(store: Store, version: str) -> list[Path]:
    directory = store.root / "inputs" / version
    files = sorted(p for p in directory.glob("*") if p.is_file()) if directory.is_dir() else []
    if not files:
        raise InputError(
            f"{directory}: no inputs for release {version}; replay needs the reviewed "
            "inputs of every release in inputs/<version>/"
        )
    return files


def _epoch(release_dir: Path) -> int:
    """The published release's `created`, in seconds since 1970 (UTC)."""
    stamp = str(_package(release_dir).get("created", ""))
    try:
        created = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{release_dir}/datapackage.json: no readable `created`") from None
    return int(created.timestamp())


def _package(release_dir: Path) -> dict[str, object]:
    try:
        document = json.loads((release_dir / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return document if isinstance(document, dict) else {}


def _compare(published: Path, rebuilt: Path) -> list[str]:
    names = sorted({p.name for p in published.iterdir()} | {p.name for p in rebuilt.iterdir()})
    differences = []
    for name in names:
        old, new = published / name, rebuilt / name
        if not old.is_file() or not new.is_file():
            differences.append(f"{published.name}/{name}: present in only one of the two")
        elif old.read_bytes() != new.read_bytes():
            differences.append(f"{published.name}/{name}: differs from the rebuilt file")
    then, now = _package(published), _package(rebuilt)
    writer = "curate:pyarrow"
    if differences and then.get(writer) != now.get(writer):
        same = then.get("curate:content_hash") == now.get("curate:content_hash")
        differences.append(
            f"{published.name}: published with pyarrow {then.get(writer)}, rebuilt with "
            f"pyarrow {now.get(writer)}; the records are "
            + ("identical (same content hash)" if same else "different (content hash differs)")
        )
    return differences


def replay(
    dataset: Path,
    *,
    into: Path | None = None,
    schema: Schema | None = None,
    progress: Callable[[str], None] | None = None,
) -> Replay:
    """Rebuild every release of `dataset` from `inputs/` (in `into`, or a temp directory
    removed afterwards) and compare them with the published ones. `progress`, if given,
    is told each stage as it starts."""
    stage = progress or (lambda _: None)
    schema = schema or load_schema()
    store = open_store(dataset)
    versions = release_versions(store, schema)
    if not versions:
        raise InputError(f"{dataset}: no release to replay")
    for version in versions:
        stage(f"replaying: verifying the published release {version}")
        require_verified(store.releases / version, schema)
    plan = [(version, _inputs(store, version)) for version in versions]
    work = Path(tempfile.mkdtemp(prefix="curate-replay-")) if into is None else into
    try:
        rebuilt = work / store.root.resolve().name
        new_dataset(rebuilt, schema=schema)
        shutil.copyfile(store.root / "dataset.yaml", rebuilt / "dataset.yaml")
        result = Replay()
        for version, inputs in plan:
            stage(f"replaying {version}: ingesting inputs/{version}/")
            outcome = ingest(rebuilt, inputs, schema=schema)
            if not outcome.accepted:
                raise InputError(
                    f"the inputs of {version} no longer validate "
                    f"({outcome.report.error_count} errors); run `curate validate` on them"
                )
            published = store.releases / version
            stage(f"replaying {version}: releasing and comparing")
            release(rebuilt, version=version, schema=schema, epoch=_epoch(published))
            result.versions.append(version)
            result.differences += _compare(published, rebuilt / "releases" / version)
        return result
    finally:
        if into is None:
            shutil.rmtree(work, ignore_errors=True)
