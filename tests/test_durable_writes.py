"""One atomic write (`curate.disk.atomic`): files are synced, placed, and their directory
synced, so that a placement survives a crash; a quarantine's files included.

`os.fsync` is observed (each call is recorded, then made for real) to see which file or
directory each sync reaches, and what the directory held at that moment."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from curate.disk.atomic import place_new, temp_beside, write_atomic
from curate.validation.paths import validate_paths
from curate.validation.quarantine import write_quarantine
from tests.helpers import write_jsonl

Synced = list[tuple[Path, frozenset[str]]]


@pytest.fixture
def synced(monkeypatch: pytest.MonkeyPatch) -> Synced:
    """Every path fsynced from now on, with what it held then (for a directory)."""
    calls: Synced = []
    real: Callable[[int], None] = os.fsync

    def recording(descriptor: int) -> None:
        path = Path(os.readlink(f"/proc/self/fd/{descriptor}"))
        held = frozenset(os.listdir(path)) if path.is_dir() else frozenset()
        calls.append((path, held))
        real(descriptor)

    monkeypatch.setattr(os, "fsync", recording)
    return calls


def _directory_syncs(synced: Synced, directory: Path) -> list[frozenset[str]]:
    return [held for path, held in synced if path == directory.resolve()]


def test_the_quarantine_syncs_its_directory_once_its_files_are_in_place(
    tmp_path: Path, synced: Synced
) -> None:
    events = write_jsonl(tmp_path / "events.jsonl", [{"event_id": "not an event"}])
    run = validate_paths([events])
    assert not run.report.valid
    directory = tmp_path / "quarantine"
    (counts,) = write_quarantine(run, directory)
    assert counts.rejected == 1
    names = {"events.valid.jsonl", "events.rejected.jsonl"}
    syncs = _directory_syncs(synced, directory)
    assert syncs, "the quarantine directory was never fsynced"
    assert names <= syncs[-1]  # the last sync came after both files were placed
    assert set(os.listdir(directory)) == names  # no temp file is left


def test_place_new_syncs_the_file_then_its_directory_and_never_replaces(
    tmp_path: Path, synced: Synced
) -> None:
    target = tmp_path / "placed.jsonl"
    temp, handle = temp_beside(target)
    with handle:
        handle.write(b"new\n")
    place_new(temp, target)
    assert target.read_bytes() == b"new\n"
    assert not temp.exists()
    assert list(_directory_syncs(synced, tmp_path)) == [frozenset({target.name})]

    again, handle = temp_beside(target)
    with handle:
        handle.write(b"other\n")
    with pytest.raises(FileExistsError):
        place_new(again, target)
    assert target.read_bytes() == b"new\n"  # the file in place is untouched
    assert again.exists()  # the caller's to discard
    again.unlink()


def test_write_atomic_syncs_the_file_before_the_directory(tmp_path: Path, synced: Synced) -> None:
    target = tmp_path / "state.json"
    target.write_bytes(b"old")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    (file_sync, _), (directory_sync, held) = synced
    assert file_sync.parent == tmp_path.resolve()
    assert file_sync.name.endswith(".tmp")
    assert directory_sync == tmp_path.resolve()
    assert held == {"state.json"}
