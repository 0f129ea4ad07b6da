"""Run the real `curate` command and stop it at its N-th write, fsync or rename.

    python tests/crashpoints.py kill|oserror|readonly|pause N COUNT_FILE curate-args...

Every write to a file opened for writing, every `os.write`, `os.copy_file_range`,
`os.fsync`, `os.replace`, `os.rename`,
`Path.write_text`/`write_bytes` and Parquet file written counts as one step. At step N
the process kills itself with SIGKILL (`kill`: nothing is cleaned up, as in a power cut)
or that step raises `OSError`: ENOSPC (`oserror`: the disk is full) or EROFS
(`readonly`: the file system turned read-only), or the process pauses there (`pause`: it
creates COUNT_FILE.paused and waits until COUNT_FILE.go exists, so that another process
can look at the dataset in the middle of a write). Writes to curate's state directory
(store seals, which are best effort) are not steps. The number of steps
taken is written to COUNT_FILE as they happen, so the harness knows when N went past the
last step (the command then ran to the end).
"""

from __future__ import annotations

import errno
import os
import pathlib
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

_lock = threading.Lock()
_steps = 0


def _step(mode: str, target: int, count_file: str, what: str) -> None:
    global _steps
    with _lock:
        _steps += 1
        step = _steps
        with open(count_file, "w") as handle:  # the real open: not a counted step
            handle.write(str(step))
    if step == target:
        if mode == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        if mode == "pause":
            pathlib.Path(f"{count_file}.paused").touch()
            while not os.path.exists(f"{count_file}.go"):
                time.sleep(0.01)
            return
        if mode == "readonly":
            raise OSError(errno.EROFS, f"Read-only file system (injected at {what})")
        raise OSError(errno.ENOSPC, f"No space left on device (injected at {what})")


def _in_state_directory(args: tuple[Any, ...]) -> bool:
    """Whether a call works on curate's state directory (store seals, `curate.store.seal`):
    not the dataset, and best effort by design, so not a step. A file descriptor is
    named through /proc."""
    state = os.environ.get("XDG_STATE_HOME")
    if not state or not args:
        return False
    target = args[0]
    if isinstance(target, int):
        try:
            target = os.readlink(f"/proc/self/fd/{target}")
        except OSError:
            return False
    return isinstance(target, str | os.PathLike) and os.fspath(target).startswith(state)


def _counted(function: Callable[..., Any], hook: Callable[[str], None], what: str) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not _in_state_directory(args):
            hook(what)
        return function(*args, **kwargs)

    return wrapper


class _CountedWriter:
    """A file opened for writing whose every write is a step."""

    def __init__(self, handle: Any, hook: Callable[[str], None]) -> None:
        self._handle = handle
        self._hook = hook

    def write(self, data: Any) -> Any:
        self._hook(f"write to {self._handle.name}")
        return self._handle.write(data)

    def __enter__(self) -> _CountedWriter:
        self._handle.__enter__()
        return self

    def __exit__(self, *exc: object) -> Any:
        return self._handle.__exit__(*exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


def main() -> None:
    mode, target, count_file, *args = sys.argv[1:]

    def hook(what: str) -> None:
        _step(mode, int(target), count_file, what)

    for name in ("fsync", "replace", "rename", "write", "copy_file_range"):
        setattr(os, name, _counted(getattr(os, name), hook, f"os.{name}"))
    for name in ("write_text", "write_bytes"):
        setattr(pathlib.Path, name, _counted(getattr(pathlib.Path, name), hook, f"Path.{name}"))
    real_open = pathlib.Path.open

    def counted_open(self: pathlib.Path, mode: str = "r", *rest: Any, **kwargs: Any) -> Any:
        handle = real_open(self, mode, *rest, **kwargs)
        return _CountedWriter(handle, hook) if ("w" in mode or "a" in mode) else handle

    pathlib.Path.open = counted_open  # type: ignore[method-assign]
    import pyarrow.parquet as pq

    real_write_table = pq.write_table

    def write_table(table: Any, where: Any, *rest: Any, **kwargs: Any) -> Any:
        if isinstance(where, str | os.PathLike):  # a file, not a buffer in memory
            hook(f"the Parquet file {os.fspath(where)}")
        return real_write_table(table, where, *rest, **kwargs)

    pq.write_table = write_table
    sys.argv = ["curate", *args]
    from curate.cli.app import main as curate

    curate()


if __name__ == "__main__":
    main()
