"""The locks of a dataset, both OS locks (`flock`, released when their holder dies, so
never stale).

- the writer lock (`dataset_lock`, on the lock file `.curate.lock`): one writer at a time,
  for its whole command; only its holder recovers (`curate.disk.journal.recover`), since
  a journal or temp file may belong to a writer at work. The lock file must be a regular
  file.
- the commit lock (`curate.disk.journal.commit_lock`, on the dataset directory itself,
  which needs no write permission): held exclusively while a journal exists (a commit, a
  recovery), and shared by readers (`reading`), who therefore see the state before a
  commit or after it, never between. A reader that finds an interrupted commit finishes
  it first when it can take the writer lock (otherwise the writer holding it does). A
  dataset that cannot be written (read-only, or another user's) is read under the shared
  lock all the same; if it holds an interrupted commit that cannot be finished, it is
  refused (exit 2).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import os
import stat
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from curate.disk.journal import (
    JOURNAL,
    JOURNAL_FILES,
    commit_lock,
    counted,
    dataset_key,
    has_leftovers,
    holds,
    recover,
)
from curate.errors import InputError

__all__ = [
    "LOCK",
    "STATE_FILES",
    "DatasetBusyError",
    "dataset_lock",
    "reading",
    "reading_stores",
    "reads_stores",
    "recover_if_idle",
]

LOCK = ".curate.lock"
STATE_FILES = (LOCK, *JOURNAL_FILES)
"""curate's own state files in a dataset (a dataset's .gitignore lists them)."""

_P = ParamSpec("_P")
_R = TypeVar("_R")
_writing: Counter[Path] = Counter()  # datasets whose writer lock this process holds


class DatasetBusyError(InputError):
    """Another process holds the dataset's writer lock."""


class _UnlockableError(InputError):
    """The writer lock cannot be taken at all (a read-only dataset, say)."""


def recover_if_idle(root: Path) -> None:
    """`recover` an interrupted commit, if the writer lock can be taken (a writer at work
    owns its journal and temp files; it finishes them itself), and if the dataset can be
    written at all. With neither a journal nor a temp file left, nothing is done (not
    even the lock file created): a reader or a dry run of a dataset in order writes
    nothing."""
    if not has_leftovers(root):
        return
    try:
        with dataset_lock(root):
            pass  # dataset_lock recovers once it holds the lock
    except (DatasetBusyError, _UnlockableError):
        return


def _open_lock_file(root: Path) -> int:
    """The writer lock's file, created if need be: a regular file, never a symlink,
    FIFO or device that a dataset might hold in its place."""
    path = root / LOCK
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise _UnlockableError(f"cannot lock {root}: {exc.strerror}") from None
    if mode is not None and not stat.S_ISREG(mode):
        raise InputError(
            f"cannot lock {root}: {path} is not a regular file (curate's lock file); remove it"
        )
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        descriptor = os.open(path, flags, 0o666)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"cannot lock {root}: {path} is a symlink; remove it") from None
        raise _UnlockableError(f"cannot lock {root}: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise InputError(f"cannot lock {root}: {path} is not a regular file; remove it")
    return descriptor


@contextlib.contextmanager
def dataset_lock(root: Path, *, wait: bool = False) -> Iterator[None]:
    """Hold the dataset's writer lock, then finish or discard what a crashed writer left
    (only the lock's holder may: a journal or temp file may belong to a writer at work).
    A second writer fails at once (or waits with `wait`)."""
    descriptor = _open_lock_file(root)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise DatasetBusyError(
                f"{root} is being changed by another curate command; try again when it "
                "finishes (the lock is released when that process ends, even if it crashed)"
            ) from None
        key = dataset_key(root)
        with counted(_writing, key):
            recover(root)
            yield
    finally:
        os.close(descriptor)  # releases the lock


def _finish_for_reader(root: Path) -> None:
    """A reader found an interrupted commit: finish it if the writer lock is free; if a
    writer holds it, give that writer a moment (it recovers first thing)."""
    try:
        with dataset_lock(root):
            pass
    except DatasetBusyError:
        time.sleep(0.02)
    except _UnlockableError as exc:
        raise InputError(
            f"{root} holds an interrupted commit ({JOURNAL}) that cannot be finished: "
            f"{exc}; run the command again once the dataset can be written"
        ) from None


@contextlib.contextmanager
def reading(root: Path) -> Iterator[None]:
    """Read the dataset at `root` in one state: hold the commit lock shared, after any
    interrupted commit is finished. A process that holds the writer lock reads its own
    dataset as it is."""
    key = dataset_key(root)
    own = holds(_writing, key)
    while True:
        with contextlib.ExitStack() as held:
            held.enter_context(commit_lock(root, exclusive=False))
            if own or not os.path.lexists(root / JOURNAL):
                yield
                return
        _finish_for_reader(root)


def _store_root(path: Path) -> Path | None:
    """The dataset whose store `path` is, or is part of (the dataset directory, its
    records/ or a records file), if any."""
    for candidate in (path, path.parent, path.parent.parent):
        if (candidate / "dataset.yaml").is_file() and (
            candidate == path or path.is_relative_to(candidate / "records")
        ):
            return candidate
    return None


@contextlib.contextmanager
def reading_stores(paths: Iterable[Path]) -> Iterator[None]:
    """`reading` every dataset that `paths` name or lie in (each once)."""
    roots = {dataset_key(root): root for root in map(_store_root, paths) if root is not None}
    with contextlib.ExitStack() as held:
        for key in sorted(roots):
            held.enter_context(reading(roots[key]))
        yield


def reads_stores(
    function: Callable[Concatenate[list[Path], _P], _R],
) -> Callable[Concatenate[Iterable[Path], _P], _R]:
    """`function(paths, ...)` run `reading_stores(paths)`: a function that reads files
    and dataset directories, made to read each dataset in one state."""

    @functools.wraps(function)
    def wrapper(paths: Iterable[Path], /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        listed = list(paths)
        with reading_stores(listed):
            return function(listed, *args, **kwargs)

    return wrapper
