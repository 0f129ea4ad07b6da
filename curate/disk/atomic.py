"""Durable writes: the one place that syncs files and directories and puts files in place.

A file is written and fsynced under a temp name in its target's directory, then renamed
into place (`write_atomic`: replacing the target; `place_new`: never replacing one), and
the directory is fsynced so that the rename survives a crash. A crash at any moment leaves
either the old file or the new one, never a mix. The journal's commits
(`curate.disk.journal`) are built from the same pieces.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import orjson

__all__ = [
    "fsync_directory",
    "jsonl_bytes",
    "place_new",
    "rename_into_place",
    "sha256_file",
    "sync_file",
    "sync_written",
    "temp_beside",
    "write_atomic",
    "write_synced",
]


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def fsync_directory(directory: Path) -> None:
    """Make the renames and new names in `directory` durable."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def sync_file(handle: BinaryIO) -> None:
    """Flush `handle` and fsync its file, so that its bytes are on disk."""
    handle.flush()
    os.fsync(handle.fileno())


def sync_written(path: Path) -> None:
    """Fsync the file at `path`, written already (by a library that does not sync)."""
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def write_synced(path: Path, write: bytes | Callable[[BinaryIO], object]) -> None:
    """Create (or truncate) `path`, fill it with the bytes given or by `write(handle)`, and
    fsync it; on any failure the partial file is removed. The name is not made durable:
    the caller renames the file into place and fsyncs the directory."""
    try:
        with path.open("wb") as handle:
            if isinstance(write, bytes):
                handle.write(write)
            else:
                write(handle)
            sync_file(handle)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def temp_beside(target: Path, *, owner_only: bool = False) -> tuple[Path, BinaryIO]:
    """A new temp file in `target`'s directory, named after it, open for writing: with the
    mode of an ordinary new file, or readable by its owner only with `owner_only`."""
    descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    if not owner_only:
        os.fchmod(descriptor, 0o666 & ~_umask())  # not mkstemp's 0600
    return Path(name), os.fdopen(descriptor, "wb")


def rename_into_place(temp: Path, target: Path) -> None:
    """Rename `temp` over `target` (atomic on POSIX); the caller fsyncs the directory."""
    os.replace(temp, target)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically and durably (the directory must exist)."""
    temp, handle = temp_beside(path)
    try:
        with handle:
            handle.write(data)
            sync_file(handle)
        rename_into_place(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def place_new(temp: Path, target: Path) -> None:
    """Move the synced file `temp` to `target`, which must not exist: never replaced, even
    in a race (FileExistsError), then fsync the directory. `temp` must be in `target`'s
    directory. On any other failure nothing is left at `target`."""
    try:
        os.link(temp, target)
        linked = True
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        # A file system without hard links: claim the name, then fill it.
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        linked = False
    try:
        if linked:
            temp.unlink()
        else:
            rename_into_place(temp, target)
        fsync_directory(target.parent)
    except BaseException:
        target.unlink(missing_ok=True)  # the name was claimed here: nothing stays placed
        raise


def jsonl_bytes(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """Rows as JSON Lines: one object per line, keys in the order given, datetimes in UTC (Z)."""
    return b"".join(
        orjson.dumps(row, option=orjson.OPT_UTC_Z | orjson.OPT_APPEND_NEWLINE) for row in rows
    )


def sha256_file(path: Path) -> str:
    """The file's SHA-256 in lower-case hex, read a MiB at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
