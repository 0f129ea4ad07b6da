"""Atomic replacement of several files at once: a dataset's commits and their recovery.

`Transaction` writes every new file beside its target as a temp file (fsynced), then
writes a journal naming each (temp, target) pair, atomically, and only then renames the
temp files into place and removes the journal. `recover` finishes an interrupted commit
(roll forward when the journal exists) and removes stray temp files (roll back when it
does not). A crash at any moment therefore leaves the old files or the new ones, never a
mix, once `recover` has run; every command that touches a store runs it first (holding the
writer lock, `curate.disk.locks.dataset_lock`).

Whatever is in a dataset directory may come from anyone (a clone, an archive): a journal
is acted on only when every entry pairs a temp file of curate's own form with a file
curate writes, beside it, inside the dataset; otherwise it is refused whole and nothing
is touched. Temp files are swept only where curate stages them, following no symlink.

The commit lock (a `flock` on the dataset directory itself, which needs no write
permission) is held exclusively while a journal exists (a commit, a recovery), and shared
by readers (`curate.disk.locks.reading`), who therefore see the state before a commit or
after it, never between. The writer lock and reading are in `curate.disk.locks`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import stat
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from curate.disk.atomic import fsync_directory, rename_into_place, write_synced
from curate.errors import InputError
from curate.schema import semver
from curate.schema.smallfiles import read_bounded

__all__ = [
    "JOURNAL",
    "JOURNAL_FILES",
    "RELEASE_DIRECTORY",
    "Transaction",
    "commit_lock",
    "dataset_key",
    "has_leftovers",
    "recover",
]

JOURNAL = ".curate-journal.json"
_TEMP = ".curate-tmp-"
JOURNAL_FILES = (JOURNAL, f"{_TEMP}*")
"""The journal and the temp files of a commit, as names and patterns in a dataset."""

_MAX_JOURNAL_BYTES = 1 << 20
_TEMP_FILE = re.compile(r"\.curate-tmp-[0-9a-f]{12}-(?P<target>.+)")
_TEMP_DIRECTORY = re.compile(r"\.curate-tmp-[a-z]+-[0-9a-f]{12}")
# The files curate stages: a dataset's own files and records files (`curate.store.records`), an
# import's output files (`curate.interchange.output`); and the directories: a release.
_FILE_TARGETS = re.compile(
    r"dataset\.yaml|CHANGELOG\.md|\.gitignore|(?:records/)?[a-z][a-z0-9_]*\.jsonl"
)
RELEASE_DIRECTORY = re.compile(rf"releases/{semver.PATTERN}")
"""The one kind of directory a commit may place: a release, `releases/X.Y.Z`."""
_STAGING_DIRECTORIES = (".", "records", "releases")  # where temp files can be left

_state = threading.Lock()
_readers: Counter[Path] = Counter()  # datasets whose commit lock this process shares


@contextlib.contextmanager
def counted(counts: Counter[Path], key: Path) -> Iterator[None]:
    """`key` counted in `counts` while the block runs: which datasets' locks this process
    holds (threads share the counters, so they change under one lock)."""
    with _state:
        counts[key] += 1
    try:
        yield
    finally:
        with _state:
            counts[key] -= 1


def holds(counts: Counter[Path], key: Path) -> bool:
    """Whether `counted` has `key` in `counts` now."""
    with _state:
        return counts[key] > 0


def dataset_key(root: Path) -> Path:
    """The dataset at `root` as one path, however it is named (for per-dataset state)."""
    return root.resolve()


@contextlib.contextmanager
def commit_lock(root: Path, *, exclusive: bool) -> Iterator[None]:
    """The commit lock: a `flock` on the dataset directory itself, exclusive for a commit
    or a recovery, shared for a read."""
    key = dataset_key(root)
    if exclusive and _readers[key]:
        raise RuntimeError(f"a commit to {root} inside a read of it would wait for itself")
    try:
        descriptor = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise InputError(f"cannot open {root}: {exc.strerror}") from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        if exclusive:
            yield
            return
        with counted(_readers, key):
            yield
    finally:
        os.close(descriptor)  # releases the lock


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
        write_synced(temp, write)
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
        fsync_directory(filled)
        self._staged[target] = filled

    def commit(self) -> None:
        """Record the journal, then rename every staged file into place (holding the
        commit lock, so that no reader sees the files between)."""
        if not self._staged:
            return
        lost = [str(temp) for temp in self._staged.values() if not temp.exists()]
        if lost:
            raise OSError(f"staged files disappeared before the commit: {', '.join(lost)}")
        entries = [
            [str(temp.relative_to(self.root)), str(target.relative_to(self.root))]
            for target, temp in self._staged.items()
        ]
        # What recovery would accept, or a crash here would leave a journal it refuses.
        try:
            checked = _checked_entries(self.root, entries, self.root / JOURNAL)
        except _RefusedJournalError as exc:
            self.abandon()
            raise InputError(
                f"cannot write into {self.root}: {exc.why}; nothing was changed"
            ) from None
        with commit_lock(self.root, exclusive=True):
            journal = self.root / JOURNAL
            temp_journal = self.root / f"{_TEMP}{JOURNAL}"
            write_synced(temp_journal, json.dumps(entries).encode())
            rename_into_place(temp_journal, journal)
            fsync_directory(self.root)
            _roll_forward(self.root, checked)

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


class _RefusedJournalError(InputError):
    """A journal, or a commit's entries, that curate would not act on."""

    def __init__(self, journal: Path, why: str) -> None:
        super().__init__(
            f"{journal} is not a journal of curate's own ({why}); nothing was changed. "
            "Remove it, or restore the dataset from git"
        )
        self.why = why


def _refusal(journal: Path, why: str) -> InputError:
    return _RefusedJournalError(journal, why)


def _plain_relative(name: str) -> PurePosixPath | None:
    """`name` as a relative path of plain parts (no `..`, `.`, empty part, backslash,
    NUL or absolute start), or None."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return None
    path = PurePosixPath(name)
    if str(path) != name or any(part in ("", ".", "..") for part in path.parts):
        return None
    return path


def _checked_entries(root: Path, raw: object, journal: Path) -> list[tuple[Path, Path]]:
    """The journal's (temp, target) pairs, once every one is known to be curate's own:
    `raw` is a list of [temp, target] pairs of relative paths inside `root`, each temp a
    temp file of curate's form (`.curate-tmp-<12 hex>-<target's name>`) beside a file
    curate writes, or a temp directory of curate's form beside a release. Anything
    else refuses the whole journal (InputError)."""
    if not isinstance(raw, list) or not raw:
        raise _refusal(journal, "not a list of [temp, target] pairs")
    base = dataset_key(root)
    checked: list[tuple[Path, Path]] = []
    for entry in raw:
        if not (
            isinstance(entry, list) and len(entry) == 2 and all(isinstance(p, str) for p in entry)
        ):
            raise _refusal(journal, f"an entry is not a [temp, target] pair: {entry!r:.80}")
        temp_name, target_name = entry
        temp_path, target_path = _plain_relative(temp_name), _plain_relative(target_name)
        if temp_path is None or target_path is None:
            raise _refusal(journal, f"a path is not a plain relative path: {entry!r:.120}")
        if temp_path.parent != target_path.parent:
            raise _refusal(journal, f"{temp_name!r} is not beside {target_name!r}")
        directory = RELEASE_DIRECTORY.fullmatch(target_name) is not None
        if directory:
            own = _TEMP_DIRECTORY.fullmatch(temp_path.name) is not None
        else:
            match = _TEMP_FILE.fullmatch(temp_path.name)
            own = match is not None and match["target"] == target_path.name
            if _FILE_TARGETS.fullmatch(target_name) is None:
                raise _refusal(journal, f"curate never writes {target_name!r}")
        if not own:
            raise _refusal(journal, f"{temp_name!r} is not a temp name of curate's")
        parent = (root / target_path.parent).resolve()
        if parent != base and base not in parent.parents:
            raise _refusal(journal, f"{target_name!r} leads out of the dataset")
        temp, target = root / temp_name, root / target_name
        _check_kinds(temp, target, directory, journal)
        checked.append((temp, target))
    if len({target for _, target in checked}) != len(checked):
        raise _refusal(journal, "a target is named twice")
    return checked


def _check_kinds(temp: Path, target: Path, directory: bool, journal: Path) -> None:
    """A temp (if still there) and its target are of the kind curate stages: a regular
    file, or a directory for a release; neither a symlink. A temp file is curate's own
    only with one link (a hard link would put a file from elsewhere in the dataset), and
    a temp release directory only holds such files. A release already in place is never
    replaced."""
    for path in (temp, target):
        try:
            found = path.lstat()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise _refusal(journal, f"{path.name!r}: {exc.strerror}") from None
        kind_ok = stat.S_ISDIR(found.st_mode) if directory else stat.S_ISREG(found.st_mode)
        if not kind_ok:
            expected = "a directory" if directory else "a regular file"
            raise _refusal(journal, f"{path.name!r} is not {expected}")
        if path == temp and not directory and found.st_nlink != 1:
            raise _refusal(journal, f"{path.name!r} has other hard links")
    if directory and os.path.lexists(temp):
        _check_staged_release(temp, journal)
        if os.path.lexists(target):
            raise _refusal(journal, f"release {target.name} exists already")


def _check_staged_release(directory: Path, journal: Path) -> None:
    """A temp release directory holds only what curate writes there: regular files of
    one link each (no symlink, subdirectory, device or hard link)."""
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                found = entry.stat(follow_symlinks=False)
                if not stat.S_ISREG(found.st_mode) or found.st_nlink != 1:
                    raise _refusal(
                        journal,
                        f"{directory.name}/{entry.name!r} is not a file curate staged "
                        "(a symlink, a directory, a special or hard-linked file)",
                    )
    except OSError as exc:
        raise _refusal(journal, f"{directory.name!r}: {exc.strerror}") from None


def _read_journal(root: Path) -> list[tuple[Path, Path]] | None:
    """The checked entries of the dataset's journal, or None when there is none."""
    journal = root / JOURNAL
    if not os.path.lexists(journal):
        return None
    try:
        raw = json.loads(read_bounded(journal, _MAX_JOURNAL_BYTES, follow_symlinks=False))
    except OSError as exc:
        raise _refusal(journal, f"unreadable: {exc.strerror}") from None
    except ValueError:
        raise _refusal(journal, "not JSON") from None
    return _checked_entries(root, raw, journal)


def _roll_forward(root: Path, entries: list[tuple[Path, Path]]) -> None:
    directories = set()
    for temp, target in entries:
        if os.path.lexists(temp):
            rename_into_place(temp, target)
        directories.add(target.parent)
    for directory in directories:
        fsync_directory(directory)
    (root / JOURNAL).unlink(missing_ok=True)
    fsync_directory(root)


def _strays(root: Path) -> list[Path]:
    """The temp files and directories left where curate stages them (never following a
    symlink, never outside the dataset)."""
    base = dataset_key(root)
    strays: list[Path] = []
    for name in _STAGING_DIRECTORIES:
        directory = root / name
        if directory.is_symlink() or not directory.is_dir():
            continue
        if directory.resolve() != base and base not in directory.resolve().parents:
            continue
        with os.scandir(directory) as found:
            strays += sorted(Path(entry.path) for entry in found if entry.name.startswith(_TEMP))
    return strays


def _sweep(root: Path) -> None:
    """Remove the temp files and directories that a crash left (`_strays`)."""
    for stray in _strays(root):
        if stray.is_dir() and not stray.is_symlink():  # a release that was being built
            shutil.rmtree(stray)
        else:
            stray.unlink(missing_ok=True)


def recover(root: Path) -> None:
    """Finish a commit that a crash interrupted, and remove temp files left behind. A
    journal that is not curate's own is refused whole (InputError), touching nothing."""
    with commit_lock(root, exclusive=True):
        entries = _read_journal(root)
        try:
            if entries is not None:
                _roll_forward(root, entries)
            _sweep(root)
        except OSError as exc:
            raise InputError(
                f"cannot finish the interrupted commit in {root}: {exc.strerror or exc}"
                f"{f' ({exc.filename})' if exc.filename else ''}; run the command again "
                "once the dataset can be written"
            ) from None


def has_leftovers(root: Path) -> bool:
    """Whether a journal or a temp file of a commit is left in the dataset at `root`."""
    return os.path.lexists(root / JOURNAL) or bool(_strays(root))
