"""What curate last found valid in a store, so that the next command need not check it again.

Checking a store of millions of records row by row before every ingest costs more than
the ingest itself. So whenever curate writes a store it has found valid as a whole (an
ingest, a retraction, a new dataset), it records a seal: the size of each records file
and the SHA-256 of each of its blocks, with the curate version and digests of curate's
code, of the schema and the versions of polars and pyarrow. The next command hashes
each file while polars parses it, and when every table matches the seal (and no file
was written to meanwhile) the parsed tables are used without the row checks; any
difference (a hand edit, a `git checkout`, another schema, another curate or polars)
means a full check, as before. Only files in exactly the form curate writes are sealed,
so that the lines of a sealed file can be spliced (`curate.store.splice`).

Seals live outside the dataset, in the user's state directory
(`$XDG_STATE_HOME/curate/seals/`, `~/.local/state` by default), one per dataset path. They
are never committed with the records, so a dataset that comes from elsewhere (a clone, a
pull request) is always checked in full the first time, and a seal cannot be forged by
whoever wrote the records. When that directory cannot be written, nothing is sealed and
every command checks in full.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from curate.schema.model import Schema

__all__ = [
    "PACKAGE",
    "BlockHasher",
    "Digest",
    "Stamp",
    "code_digest",
    "read_seal",
    "schema_digest",
    "seal_path",
    "write_seal",
]


BLOCK = 16 << 20


@dataclass(frozen=True)
class Digest:
    """A file's size and the SHA-256 of each of its 16 MiB blocks: a file of another
    size is not read at all, and a file rewritten from some offset on (new records
    after the stored ones) is hashed again only from there."""

    size: int
    blocks: tuple[str, ...]

    @classmethod
    def of_file(cls, path: Path, known: Sequence[str] = ()) -> Digest:
        """The file's digest, taking its first `len(known)` blocks as hashed already."""
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            blocks = list(known[: size // BLOCK])
            if size > len(blocks) * BLOCK:
                with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                    view = memoryview(mapped)
                    for start in range(len(blocks) * BLOCK, size, BLOCK):
                        blocks.append(hashlib.sha256(view[start : start + BLOCK]).hexdigest())
                    view.release()
        return cls(size, tuple(blocks))

    def unchanged_blocks(self, offset: int) -> tuple[str, ...]:
        """The hashes of the blocks that lie wholly before `offset`."""
        return self.blocks[: offset // BLOCK]


class BlockHasher:
    """A write callable that hashes what it is given in 16 MiB blocks: its `digest` is
    what `Digest.of_file` gives for a file of those bytes."""

    def __init__(self) -> None:
        self._blocks: list[str] = []
        self._hash = hashlib.sha256()
        self._filled = 0
        self._size = 0

    def __call__(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            take = min(len(view), BLOCK - self._filled)
            self._hash.update(view[:take])
            self._filled += take
            self._size += take
            view = view[take:]
            if self._filled == BLOCK:
                self._blocks.append(self._hash.hexdigest())
                self._hash, self._filled = hashlib.sha256(), 0

    def digest(self) -> Digest:
        last = [self._hash.hexdigest()] if self._filled else []
        return Digest(self._size, (*self._blocks, *last))


@dataclass(frozen=True)
class Stamp:
    """What the file system says of a file: a file whose device, inode, size, and
    modification and change times (ns) are unchanged has not been written to since."""

    device: int
    inode: int
    size: int
    modified_ns: int
    changed_ns: int

    @classmethod
    def of(cls, path: Path) -> Stamp | None:
        try:
            found = path.stat()
        except OSError:
            return None
        return cls(found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)


def seal_path(root: Path) -> Path:
    """Where the seal of the dataset at `root` is kept (deleting it is always safe)."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    key = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:32]
    return Path(state) / "curate" / "seals" / f"{key}.json"


def schema_digest(schema: Schema) -> str:
    """A digest of everything the schema checks (its repr is deterministic)."""
    return hashlib.sha256(repr(schema).encode()).hexdigest()


PACKAGE = Path(__file__).resolve().parent.parent
"""The installed package, whose every file the code digest covers."""


def _files(root: Path) -> list[tuple[str, Path]]:
    """Every file under `root` but bytecode caches, with its path relative to `root`
    (POSIX form), in that path's order."""
    found = [
        (path.relative_to(root).as_posix(), path)
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.relative_to(root).parts
    ]
    return sorted(found)


def code_digest(package: Path | None = None, schema_dir: Path | None = None) -> str:
    """A digest of every file of curate's package, subpackages and data files included,
    and of the schema files (`PACKAGE` and `default_schema_dir` unless given): other
    code or another schema may check otherwise."""
    from curate.schema.loader import default_schema_dir

    package = PACKAGE if package is None else package
    schema_dir = default_schema_dir() if schema_dir is None else schema_dir
    digest = hashlib.sha256()
    for part, root in (("package", package), ("schema", schema_dir)):
        for name, path in _files(root):
            content = path.read_bytes()
            digest.update(f"{part}/{name}\0{len(content)}\0".encode() + content)
    return digest.hexdigest()


def _checker_identity(schema: Schema) -> dict[str, str]:
    """What a seal vouches with (its `header`): the curate, the libraries and the code
    that found the tables valid, and the schema they were valid against."""
    from importlib.metadata import version

    from curate import __version__

    return {
        "curate": __version__,
        "polars": version("polars"),  # it parses sealed files; pyarrow reads unsealed ones
        "pyarrow": version("pyarrow"),
        "code": code_digest(),
        "schema": schema_digest(schema),
    }


def read_seal(root: Path, schema: Schema) -> dict[str, Digest] | None:
    """The digest of each table as last found valid against `schema` by this curate, or
    None when there is no usable seal."""
    try:
        seal = json.loads(seal_path(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(seal, dict) or seal.get("header") != _checker_identity(schema):
        return None
    tables = seal.get("tables")
    if not isinstance(tables, dict) or set(tables) != set(schema.table_names):
        return None
    try:
        return {
            name: Digest(int(d["size"]), tuple(str(b) for b in d["blocks"]))
            for name, d in tables.items()
        }
    except (KeyError, TypeError, ValueError):
        return None


def write_seal(root: Path, schema: Schema, digests: Mapping[str, Digest]) -> None:
    """Record that the store's tables with these digests are valid together.
    Best effort: a seal that cannot be written only means a full check next time."""
    from curate.disk.atomic import write_atomic

    path = seal_path(root)
    tables = {name: {"size": d.size, "blocks": d.blocks} for name, d in sorted(digests.items())}
    seal = {"header": _checker_identity(schema), "tables": tables}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(seal, indent=1).encode())
    except OSError:
        pass  # an older seal names other digests, so it cannot vouch for these files
