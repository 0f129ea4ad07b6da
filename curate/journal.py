"""Atomic replacement of several files at once, and a lock per dataset.

`Transaction` writes every new file beside its target as a temp file (fsynced), then
writes a journal naming each (temp, target) pair, atomically, and only then renames the
temp files into place and removes the journal. `recover` finishes an interrupted commit
(roll forward when the journal exists) and removes stray temp files (roll back when it
does not). A crash at any moment therefore leaves the old files or the new ones, never a
mix, once `recover` has run; every command that touches a store runs it first.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from curate.errors import InputError

__all__ = ["JOURNAL", "Transaction", "dataset_lock", "recover", "recover_if_idle"]

JOURNAL = ".curate-journal.json"
_TEMP = ".curate-tmp-"
_LOCK = ".curate.lock"


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_synced(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


class Transaction:
    """New contents for files under one root directory, committed all at once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._staged: dict[Path, Path] = {}
        self._temp_directories: list[Path] = []

    def stage(self, target: Path, data: bytes) -> None:
        """Write `data` to a synced temp file that will replace `target` on commit."""
        self.stage_with(target, lambda handle: handle.write(data))

    def stage_with(self, target: Path, write: Callable[[BinaryIO], object]) -> None:
        """Like `stage`, with `write` filling the temp file (for large contents)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f"{_TEMP}{secrets.token_hex(6)}-{target.name}")
        try:
            with temp.open("wb") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        self._staged[target] = temp

    def temp_directory(self, parent: Path, label: str) -> Path:
        """A new temp directory in `parent`, to fill and then `stage_directory`."""
        directory = parent / f"{_TEMP}{label}-{secrets.token_hex(6)}"
        directory.mkdir()
        self._temp_directories.append(directory)
        return directory

    def stage_directory(self, target: Path, filled: Path) -> None:
        """A filled temp directory (from `temp_directory`) that becomes `target` (which
        must not exist) on commit; its files must already be synced."""
        _fsync_directory(filled)
        self._staged[target] = filled

    def commit(self) -> None:
        """Record the journal, then rename every staged file into place."""
        if not self._staged:
            return
        lost = [str(temp) for temp in self._staged.values() if not temp.exists()]
        if lost:
            raise OSError(f"staged files disappeared before the commit: {', '.join(lost)}")
        entries = [
            [str(temp.relative_to(self.root)), str(target.relative_to(self.root))]
            for target, temp in self._staged.items()
        ]
        journal = self.root / JOURNAL
        temp_journal = self.root / f"{_TEMP}{JOURNAL}"
        _write_synced(temp_journal, json.dumps(entries).encode())
        os.replace(temp_journal, journal)
        _fsync_directory(self.root)
        _roll_forward(self.root, entries)

    def abandon(self) -> None:
        """Remove the staged temp files; the targets are untouched."""
        for temp in self._staged.values():
            if temp.is_dir():
                shutil.rmtree(temp, ignore_errors=True)
            else:
                temp.unlink(missing_ok=True)
        for directory in self._temp_directories:
            shutil.rmtree(directory, ignore_errors=True)
        self._staged.clear()
        self._temp_directories.clear()


def _roll_forward(root: Path, entries: list[list[str]]) -> None:
    directories = set()
    for temp_name, target_name in entries:
        temp, target = root / temp_name, root / target_name
        if temp.exists():
            os.replace(temp, target)
        directories.add(target.parent)
    for directory in directories:
        _fsync_directory(directory)
    (root / JOURNAL).unlink(missing_ok=True)
    _fsync_directory(root)


def recover(root: Path) -> None:
    """Finish a commit that a crash interrupted, and remove temp files left behind."""
    journal = root / JOURNAL
    if journal.exists():
        try:
            entries = json.loads(journal.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(
                f"{journal} is unreadable ({exc}); restore the dataset from git"
            ) from exc
        _roll_forward(root, entries)
    for stray in sorted(root.rglob(f"{_TEMP}*")):
        if stray.is_symlink() or stray.is_file():
            stray.unlink()
        elif stray.is_dir():  # a release that was being built
            shutil.rmtree(stray)


def recover_if_idle(root: Path) -> None:
    """`recover`, if no other process holds the dataset's lock (a writer at work owns its
    journal and temp files; it finishes them itself)."""
    try:
        with dataset_lock(root):
            pass  # dataset_lock recovers once it holds the lock
    except InputError:
        return


@contextlib.contextmanager
def dataset_lock(root: Path, *, wait: bool = False) -> Iterator[None]:
    """Hold the dataset's lock, then finish or discard what a crashed writer left (only
    the lock's holder may: a journal or temp file may belong to a writer at work). A
    second writer fails at once (or waits with `wait`)."""
    path = root / _LOCK
    try:
        handle = path.open("a+")
    except OSError as exc:
        raise InputError(f"cannot lock {root}: {exc.strerror}") from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise InputError(
                f"{root} is being changed by another curate command; try again when it "
                "finishes (the lock is released when that process ends, even if it crashed)"
            ) from None
        try:
            recover(root)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
