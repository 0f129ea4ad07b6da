"""A dataset's own state files are hostile: journals, temp files, the lock, dataset.yaml
and schema files that anyone may ship inside a dataset. And readers see one state.

Every hostile journal is refused whole by every command (exit 2, one line naming the
journal) and nothing inside or outside the dataset changes; curate's own interrupted
commits are still finished, by readers too. A reader running while a real writer is
paused at each of its writes reports exactly the old state or the new one. A read-only
dataset can be read and dry-run ingested. Malformed, oversized and alias-bomb YAML is
refused quickly, naming the file. The number of hostile cases is recorded for docs/security.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from curate.disk import journal
from curate.disk.journal import JOURNAL, Transaction
from curate.disk.locks import LOCK, STATE_FILES, reading
from curate.errors import CurateError, InputError
from curate.release.build import release
from curate.schema.loader import default_schema_dir, load_schema
from curate.store.ingest import ingest
from curate.store.load import load_tables
from curate.store.records import Store, new_dataset, open_store
from curate.testing.samples import sample_dataset
from tests.helpers import run_cli, write_dataset
from tests.summary import record_summary

SCHEMA = load_schema()
SCHEMA_DIR = default_schema_dir()
HARNESS = Path(__file__).with_name("crashpoints.py")
HEX = "0123456789ab"
_cases_run: set[str] = set()


def _tree(path: Path) -> dict[str, Any]:
    """Everything under `path` as it is on disk, symlinks not followed."""
    found: dict[str, Any] = {}
    for entry in sorted(path.rglob("*")):
        name = str(entry.relative_to(path))
        if entry.is_symlink():
            found[name] = ("link", os.readlink(entry))
        elif entry.is_file():
            found[name] = entry.read_bytes()
        elif entry.is_dir():
            found[name] = "dir"
        else:
            found[name] = "special"
    found.pop(LOCK, None)  # created by the first command to lock the dataset
    return found


def _refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit 2, one line on stderr naming `words`, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert "unexpected error" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A dataset with records and a release, and a batch of revisions for it."""
    base = tmp_path_factory.mktemp("journal")
    root = base / "template" / "sample"
    new_dataset(root)
    dataset = sample_dataset(SCHEMA, seed_value=7)
    for event in dataset["events"]:
        event.update(status="active", superseded_by=None)
    # The batch adds an event and its claims: a state between two renames is invalid.
    held = dataset["events"][-1]["event_id"]
    first = {
        "events": dataset["events"][:-1],
        "claims": [c for c in dataset["claims"] if c["event_id"] != held],
        "sources": dataset["sources"],
    }
    assert ingest(root, write_dataset(base / "first", first)).accepted
    release(root, version="1.0.0", epoch=1_700_000_000)
    revised = {
        "events": [dict(e, notes="Read again: the figures stand.") for e in dataset["events"]],
        "claims": [dict(c, quote="A quote, read again.") for c in dataset["claims"]],
    }
    return {
        "root": root,
        "batch": write_dataset(base / "batch", revised),
        "event": dataset["events"][0]["event_id"],
    }


@pytest.fixture
def dataset(template: dict[str, Any], tmp_path: Path) -> Path:
    root = tmp_path / "datasets" / "sample"
    shutil.copytree(template["root"], root, symlinks=True)
    return root


def _journal(entries: object) -> Callable[[Path, Path], None]:
    def write(root: Path, _: Path) -> None:
        (root / JOURNAL).write_text(json.dumps(entries), encoding="utf-8")

    return write


def _temp(name: str) -> str:
    return f".curate-tmp-{HEX}-{name}"


def _with_file(path: str, entries: object, *, link_to_outside: bool = False) -> Callable[..., None]:
    """A journal, and a file (or a symlink to the outside directory) at `path`."""

    def write(root: Path, outside: Path) -> None:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if link_to_outside:
            target.symlink_to(outside / "victim")
        else:
            target.write_text("{}\n", encoding="utf-8")
        _journal(entries)(root, outside)

    return write


def _absolute(root: Path, outside: Path) -> None:
    """Absolute paths (of the test's own directory: never of the system's files)."""
    _journal([[str(outside / "victim"), str(outside / "moved")]])(root, outside)


def _records_link(root: Path, outside: Path) -> None:
    """records/ is a symlink out of the dataset; the journal names a records file."""
    shutil.rmtree(root / "records")
    (outside / "records").mkdir()
    (outside / "records" / _temp("events.jsonl")).write_text("{}\n", encoding="utf-8")
    (root / "records").symlink_to(outside / "records")
    _journal([[f"records/{_temp('events.jsonl')}", "records/events.jsonl"]])(root, outside)


def _hard_link(root: Path, outside: Path) -> None:
    """A temp file of curate's name that is a hard link to a file outside the dataset:
    recovery would put that file into the store."""
    temp = f"records/{_temp('events.jsonl')}"
    os.link(outside / "victim", root / temp)
    _journal([[temp, "records/events.jsonl"]])(root, outside)


def _release_holding(kind: str) -> Callable[[Path, Path], None]:
    """A temp release directory holding a symlink out, a hard link or a subdirectory."""

    def write(root: Path, outside: Path) -> None:
        temp = "releases/.curate-tmp-release-0123456789ab"
        (root / temp).mkdir(parents=True)
        (root / temp / "CHANGES.md").write_text("# Changes\n", encoding="utf-8")
        inside = root / temp / "SHA256SUMS"
        if kind == "symlink":
            inside.symlink_to(outside / "victim")
        elif kind == "hard link":
            os.link(outside / "victim", inside)
        else:
            inside.mkdir()
        _journal([[temp, "releases/2.0.0"]])(root, outside)

    return write


def _special_journal(kind: str) -> Callable[[Path, Path], None]:
    def write(root: Path, outside: Path) -> None:
        path = root / JOURNAL
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "directory":
            path.mkdir()
        elif kind == "symlink":
            good = [[f"records/{_temp('events.jsonl')}", "records/events.jsonl"]]
            (outside / "journal.json").write_text(json.dumps(good), encoding="utf-8")
            path.symlink_to(outside / "journal.json")
        elif kind == "huge":
            path.write_text("[" + " " * (2 << 20) + "]", encoding="utf-8")
        else:
            path.write_bytes(b"\xff\xfe not json")

    return write


HOSTILE_JOURNALS: dict[str, Callable[[Path, Path], None]] = {
    "absolute paths": _absolute,
    "dot-dot temp": _journal([["../outside/victim", "records/events.jsonl"]]),
    "dot-dot target": _journal([[_temp("victim"), "../outside/victim"]]),
    "dot-dot inside": _journal([[f"records/../{_temp('events.jsonl')}", "records/events.jsonl"]]),
    "backslashes": _journal([["records\\..\\..\\outside\\victim", "records/events.jsonl"]]),
    "NUL byte": _journal([[f"records/{_temp('events.jsonl')}\x00", "records/events.jsonl"]]),
    "not a temp name": _with_file(
        "records/evil.jsonl", [["records/evil.jsonl", "records/e.jsonl"]]
    ),
    "temp of another target": _journal(
        [[f"records/{_temp('claims.jsonl')}", "records/events.jsonl"]]
    ),
    "temp in another directory": _journal([[_temp("events.jsonl"), "records/events.jsonl"]]),
    "not a file curate writes": _with_file(_temp(".bashrc"), [[_temp(".bashrc"), ".bashrc"]]),
    "a seal-like target": _journal([[_temp("seal.json"), "state/seal.json"]]),
    "short hex": _journal([["records/.curate-tmp-abc-events.jsonl", "records/events.jsonl"]]),
    "temp is a symlink out": _with_file(
        f"records/{_temp('events.jsonl')}",
        [[f"records/{_temp('events.jsonl')}", "records/events.jsonl"]],
        link_to_outside=True,
    ),
    "temp is a directory": _with_file(
        f"records/{_temp('events.jsonl')}/x",
        [[f"records/{_temp('events.jsonl')}", "records/events.jsonl"]],
    ),
    "release over a release": _with_file(
        "releases/.curate-tmp-release-0123456789ab/x",
        [["releases/.curate-tmp-release-0123456789ab", "releases/1.0.0"]],
    ),
    "release from a file": _with_file(
        "releases/.curate-tmp-release-0123456789ab",
        [["releases/.curate-tmp-release-0123456789ab", "releases/2.0.0"]],
    ),
    "a target twice": _journal(
        [
            [f"records/{_temp('events.jsonl')}", "records/events.jsonl"],
            [f"records/.curate-tmp-{'f' * 12}-events.jsonl", "records/events.jsonl"],
        ]
    ),
    "records is a symlink out": _records_link,
    "temp is a hard link from outside": _hard_link,
    "release temp holding a symlink out": _release_holding("symlink"),
    "release temp holding a hard link": _release_holding("hard link"),
    "release temp holding a directory": _release_holding("directory"),
    "not a list": _journal({"records/events.jsonl": "x"}),
    "empty list": _journal([]),
    "a triple": _journal([[_temp("events.jsonl"), "events.jsonl", "x"]]),
    "numbers": _journal([[1, 2]]),
    "not JSON": _special_journal("bytes"),
    "journal is a FIFO": _special_journal("fifo"),
    "journal is a directory": _special_journal("directory"),
    "journal is a symlink": _special_journal("symlink"),
    "journal over 1 MiB": _special_journal("huge"),
}


def _hostile(name: str, root: Path, outside: Path) -> None:
    outside.mkdir(exist_ok=True)
    (outside / "victim").write_text("precious\n", encoding="utf-8")
    HOSTILE_JOURNALS[name](root, outside)
    _cases_run.add(f"journal: {name}")


@pytest.mark.parametrize("name", sorted(HOSTILE_JOURNALS))
def test_a_hostile_journal_is_refused_whole_and_nothing_moves(
    name: str, dataset: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    _hostile(name, dataset, outside)
    before, elsewhere = _tree(dataset), _tree(outside)
    _refused(run_cli("show", str(dataset)), JOURNAL)
    with pytest.raises(InputError, match="not a journal of curate's own"):
        open_store(dataset)
    with pytest.raises(InputError, match="not a journal of curate's own"), reading(dataset):
        pass
    assert _tree(dataset) == before
    assert _tree(outside) == elsewhere


COMMANDS: dict[str, Callable[[Path, dict[str, Any]], list[str]]] = {
    "validate": lambda root, _: ["validate", str(root)],
    "show": lambda root, _: ["show", str(root)],
    "diff": lambda root, _: ["diff", str(root / "releases" / "1.0.0"), str(root)],
    "export acled": lambda root, _: ["export", "acled", str(root)],
    "ingest": lambda root, t: ["ingest", str(root), *map(str, t["batch"])],
    "ingest --dry-run": lambda root, t: ["ingest", str(root), *map(str, t["batch"]), "--dry-run"],
    "retract": lambda root, t: ["retract", str(root), t["event"], "--reason", "a test"],
    "release": lambda root, _: ["release", str(root), "--bump", "auto"],
    "replay": lambda root, _: ["replay", str(root)],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_refuses_a_journal_that_points_outside(
    command: str, dataset: Path, template: dict[str, Any], tmp_path: Path
) -> None:
    """Found by the hostile tester: show, diff, export, ingest, release and retract all
    moved files named by a shipped journal."""
    outside = tmp_path / "outside"
    _hostile("dot-dot temp", dataset, outside)
    before, elsewhere = _tree(dataset), _tree(outside)
    _refused(run_cli(*COMMANDS[command](dataset, template)), JOURNAL)
    assert _tree(dataset) == before
    assert _tree(outside) == elsewhere


def _interrupted(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, bytes]:
    """A commit of curate's own stopped between its journal and its renames (of a
    records file, unchanged in content, and of CHANGELOG.md); returns the changelog and
    its new bytes."""
    changelog = root / "CHANGELOG.md"
    new = changelog.read_bytes() + b"\nA line of an interrupted commit.\n"
    transaction = Transaction(root)
    events = root / "records" / "events.jsonl"
    transaction.stage(events, events.read_bytes())
    transaction.stage(changelog, new)

    def crash(*_: object) -> None:
        raise RuntimeError("killed between the journal and the renames")

    with monkeypatch.context() as patch:
        patch.setattr(journal, "_roll_forward", crash)
        with pytest.raises(RuntimeError):
            transaction.commit()
    assert (root / JOURNAL).exists()
    assert changelog.read_bytes() != new
    return changelog, new


@pytest.mark.parametrize("command", ["validate", "show", "export acled", "ingest --dry-run"])
def test_a_reader_finishes_an_interrupted_commit_of_curates_own(
    command: str, dataset: Path, template: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`curate validate DATASET` used to read the half-committed files as they were."""
    changelog, new = _interrupted(dataset, monkeypatch)
    result = run_cli(*COMMANDS[command](dataset, template))
    assert result.returncode == 0, result.stderr
    assert not (dataset / JOURNAL).exists()
    assert changelog.read_bytes() == new
    assert not list(dataset.rglob(".curate-tmp-*"))


def test_the_api_readers_finish_an_interrupted_commit(
    dataset: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from curate.validation.paths import validate_paths

    changelog, new = _interrupted(dataset, monkeypatch)
    assert validate_paths([dataset / "records"]).report.valid
    assert not (dataset / JOURNAL).exists()
    assert changelog.read_bytes() == new
    _interrupted(dataset, monkeypatch)
    # A store opened before the crash: its first read finishes the commit.
    assert not load_tables(Store(dataset, {}), SCHEMA)["events"].is_empty()
    assert not (dataset / JOURNAL).exists()


def test_the_sweep_follows_no_symlink_and_stays_in_the_dataset(
    dataset: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    (outside / ".curate-tmp-release-0123456789ab").mkdir(parents=True)
    (outside / ".curate-tmp-release-0123456789ab" / "keep").write_text("x", encoding="utf-8")
    (outside / _temp("events.jsonl")).write_text("x", encoding="utf-8")
    # Temp-named symlinks to directories and files outside, where curate stages files.
    (dataset / "records" / _temp("claims.jsonl")).symlink_to(outside)
    (dataset / "releases" / ".curate-tmp-release-fedcba987654").symlink_to(
        outside / ".curate-tmp-release-0123456789ab"
    )
    (dataset / _temp("dataset.yaml")).symlink_to(outside / _temp("events.jsonl"))
    # A directory of the dataset that curate never stages in, linked out.
    (dataset / "inputs").symlink_to(outside)
    elsewhere = _tree(outside)
    assert run_cli("retract", str(dataset), _first_event(dataset), "--reason", "x").returncode == 0
    assert _tree(outside) == elsewhere
    assert not [p for p in dataset.iterdir() if p.name.startswith(".curate-tmp-")]
    assert not [p for p in (dataset / "records").iterdir() if p.name.startswith(".curate-tmp")]
    _cases_run.add("sweep: temp-named symlinks out of the dataset")


def test_a_write_through_a_symlink_out_of_the_dataset_is_refused(
    dataset: Path, template: dict[str, Any], tmp_path: Path
) -> None:
    """records/ linked out of the dataset: the commit is refused and its temp files go."""
    outside = tmp_path / "outside"
    shutil.move(dataset / "records", outside)
    (dataset / "records").symlink_to(outside)
    elsewhere = _tree(outside)
    _refused(run_cli(*COMMANDS["ingest"](dataset, template)), "leads out of the dataset")
    assert _tree(outside) == elsewhere
    _cases_run.add("write: records linked out of the dataset")


def _first_event(root: Path) -> str:
    return str(load_tables(open_store(root), SCHEMA)["events"]["event_id"][0])


@pytest.mark.parametrize("kind", ["symlink", "fifo", "directory"])
def test_a_lock_file_that_is_not_a_regular_file_is_refused(
    kind: str, dataset: Path, template: dict[str, Any], tmp_path: Path
) -> None:
    """A shipped `.curate.lock` symlink made curate create (and lock) a file anywhere."""
    lock = dataset / LOCK
    lock.unlink(missing_ok=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    if kind == "symlink":
        lock.symlink_to(outside / "created-by-curate")
    elif kind == "fifo":
        os.mkfifo(lock)
    else:
        lock.mkdir()
    result = run_cli(*COMMANDS["ingest"](dataset, template))
    _refused(result, str(lock))
    assert not (outside / "created-by-curate").exists()
    _cases_run.add(f"lock file: {kind}")


def test_new_writes_a_gitignore_for_curates_state_files(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    assert run_cli("new", str(root)).returncode == 0
    ignored = (root / ".gitignore").read_text("utf-8").splitlines()
    assert set(STATE_FILES) <= set(ignored)
    git = shutil.which("git")
    if git is None:
        return
    subprocess.run([git, "init", "-q", str(root)], check=True)
    (root / JOURNAL).write_text("[]", encoding="utf-8")
    (root / "records" / _temp("events.jsonl")).write_text("", encoding="utf-8")
    status = subprocess.run(
        [git, "-C", str(root), "status", "--porcelain", "--untracked-files=all"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert ".curate" not in status, status


def test_new_on_a_file_is_a_clear_refusal(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file", encoding="utf-8")
    _refused(run_cli("new", str(tmp_path / "taken")), "not a directory")
    _refused(run_cli("new", str(tmp_path / "taken" / "below")), "taken")
    assert (tmp_path / "taken").read_text("utf-8") == "a file"
    _cases_run.add("new on a file")


# A reader and a real writer at once ---------------------------------------------------


def _reader_output(root: Path, command: list[str]) -> tuple[int, str]:
    result = run_cli(*command)
    return result.returncode, result.stdout


# The real CLI, imported first, run once the file named by its first argument exists.
_READER = """
import os, sys, time
from curate.cli.app import main
import curate.interchange.acled.exporter, curate.validation.paths, curate.store.load, polars
start = sys.argv.pop(1)
while not os.path.exists(start):
    time.sleep(0.005)
main()
"""
READERS: dict[str, Callable[[Path], list[str]]] = {
    "validate": lambda root: ["validate", str(root), "--format", "json"],
    "export acled": lambda root: ["export", "acled", str(root)],
}


def test_a_reader_sees_the_old_state_or_the_new_never_a_writer_at_work(
    template: dict[str, Any], tmp_path: Path
) -> None:
    """A real `curate ingest` is paused at each of its writes, fsyncs and renames
    (tests/crashpoints.py) while `curate validate DATASET` or `curate export acled`
    reads the dataset: the reader reports exactly what it reports of the old state or
    of the new, and exits 0. Lock-free readers used to report bogus errors here."""
    root = tmp_path / "shared" / "sample"  # one path, so reports compare byte for byte
    count = tmp_path / "count"
    writer_args = ["ingest", str(root), *map(str, template["batch"])]

    def fresh() -> None:
        if root.exists():
            shutil.rmtree(root)
        shutil.copytree(template["root"], root)

    fresh()
    old = {name: _reader_output(root, make(root)) for name, make in READERS.items()}
    done = subprocess.run(
        [sys.executable, str(HARNESS), "pause", "100000", str(count), *writer_args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    new = {name: _reader_output(root, make(root)) for name, make in READERS.items()}
    assert all(old[name] != new[name] for name in READERS)
    total = int(count.read_text())
    seen = set()
    for step in range(1, total + 1):
        fresh()
        for marker in (Path(f"{count}.paused"), Path(f"{count}.go")):
            marker.unlink(missing_ok=True)
        writer = subprocess.Popen(
            [sys.executable, str(HARNESS), "pause", str(step), str(count), *writer_args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        name = sorted(READERS)[step % len(READERS)]
        start = Path(f"{count}.read")
        start.unlink(missing_ok=True)
        reader = subprocess.Popen(
            [sys.executable, "-c", _READER, str(start), *READERS[name](root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _wait_for(Path(f"{count}.paused"), writer)
            start.touch()  # the reader, started up meanwhile, reads now
            with contextlib.suppress(subprocess.TimeoutExpired):
                reader.wait(timeout=2)  # a reader that is not blocked is done by now
            Path(f"{count}.go").touch()  # let the writer finish
            out, err = reader.communicate(timeout=120)
            assert writer.wait(timeout=120) == 0, writer.stderr.read() if writer.stderr else ""
        finally:
            for process in (writer, reader):
                if process.poll() is None:
                    process.kill()
        outcome = (reader.returncode, out)
        assert outcome in (old[name], new[name]), (step, name, err[-2000:])
        seen.add("old" if outcome == old[name] else "new")
    assert seen == {"old", "new"}
    record_summary("concurrent_read_steps", total)


def _wait_for(marker: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.01)


# A read-only dataset --------------------------------------------------------------------


def _as_reader_only(command: list[str]) -> list[str]:
    """`command` run by someone who cannot write the dataset: with its write permission
    removed, and, for root (who ignores permissions), without the capabilities that
    override them."""
    if os.geteuid() != 0:
        return command
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: a read-only dataset cannot be made")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", *command]


@contextlib.contextmanager
def _read_only(root: Path) -> Iterator[None]:
    modes = {path: path.stat().st_mode for path in [root, *root.rglob("*")]}
    for path in modes:
        path.chmod(modes[path] & ~0o222)
    try:
        yield
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


def _run_as_reader(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from curate.cli.app import main; main()", *args]
    return subprocess.run(
        _as_reader_only(command), capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.parametrize("lock_file", [True, False])
def test_a_read_only_dataset_is_read_and_dry_run_ingested(
    lock_file: bool, dataset: Path, template: dict[str, Any]
) -> None:
    """`ingest --dry-run` failed creating the lock file of a read-only dataset."""
    if not lock_file:
        (dataset / LOCK).unlink(missing_ok=True)
    before = _tree(dataset)
    with _read_only(dataset):
        dry = _run_as_reader(*COMMANDS["ingest --dry-run"](dataset, template))
        assert dry.returncode == 0, dry.stderr
        assert "revised" in dry.stdout
        for command in ("show", "validate", "export acled"):
            result = _run_as_reader(*COMMANDS[command](dataset, template))
            assert result.returncode == 0, (command, result.stderr)
        _refused(_run_as_reader(*COMMANDS["ingest"](dataset, template)), "cannot lock")
    assert _tree(dataset) == before


def _listing(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under `root` (the lock file too) with its size and modification time."""
    return {
        str(p.relative_to(root)): (p.lstat().st_size, p.lstat().st_mtime_ns)
        for p in [root, *root.rglob("*")]
    }


def test_a_dry_run_and_the_readers_write_nothing_not_even_the_lock_file(
    dataset: Path, template: dict[str, Any]
) -> None:
    """`ingest --dry-run`, show and validate created the writer's lock file (opening a
    store took the writer lock to look for an interrupted commit)."""
    (dataset / LOCK).unlink(missing_ok=True)
    before = _listing(dataset)
    for command in ("ingest --dry-run", "show", "validate", "diff"):
        result = run_cli(*COMMANDS[command](dataset, template))
        assert result.returncode in (0, 1), (command, result.stderr)
        assert _listing(dataset) == before, command
    assert not (dataset / LOCK).exists()


def test_a_read_only_dataset_with_an_interrupted_commit_is_refused(
    dataset: Path, template: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """It cannot be finished, and reading it as it is could mix two states."""
    _interrupted(dataset, monkeypatch)
    before = _tree(dataset)
    with _read_only(dataset):
        for command in ("show", "validate", "ingest --dry-run"):
            result = _run_as_reader(*COMMANDS[command](dataset, template))
            _refused(result, "interrupted commit", JOURNAL)
    assert _tree(dataset) == before
    assert run_cli("validate", str(dataset)).returncode == 0  # writable again: finished
    assert not (dataset / JOURNAL).exists()


# dataset.yaml and schema files ----------------------------------------------------------

BOMB = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]"
            for p, n in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)
MALFORMED_YAML = {
    "bad YAML": "name: [unclosed\n",
    "a list": "- name\n- title\n",
    "a scalar": "just text\n",
    "nothing": "",
    "alias bomb": BOMB + "\n",
    "a merge key": "base: &b {name: x}\nother:\n  <<: *b\n",
    "over 1 MiB": "description: " + "x" * (1 << 20) + "\n",
    "not UTF-8": "title: caf\udce9\n",
    "a number key": "1: one\n",
}
MALFORMED_METADATA = {
    "citation NaN": "citation: .nan\n",
    "citation a number": "citation: 2015\n",
    "title a list": "title: [a, b]\n",
    "licenses a number": "licenses: 5\n",
    "licenses of numbers": "licenses: [1, 2]\n",
    "maintainers a mapping": "maintainers: {name: x}\n",
    "schema a list": "schema: [x]\n",
}


def _write_text(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8", "surrogateescape"))


@pytest.mark.parametrize("name", sorted(MALFORMED_YAML) + sorted(MALFORMED_METADATA))
def test_a_malformed_dataset_yaml_is_a_clear_refusal(
    name: str, dataset: Path, template: dict[str, Any]
) -> None:
    text = MALFORMED_YAML[name] if name in MALFORMED_YAML else MALFORMED_METADATA[name]
    yaml_path = dataset / "dataset.yaml"
    if name in MALFORMED_METADATA:
        text = yaml_path.read_text("utf-8") + text  # the later key wins in YAML
    _write_text(yaml_path, text)
    for command in ("show", "release"):
        started = time.monotonic()
        _refused(run_cli(*COMMANDS[command](dataset, template)), "dataset.yaml")
        assert time.monotonic() - started < 30
    with pytest.raises(CurateError, match=r"dataset\.yaml"):
        open_store(dataset)
    assert not (dataset / "releases" / "1.1.0").exists()
    _cases_run.add(f"dataset.yaml: {name}")


@pytest.mark.parametrize("name", [*sorted(MALFORMED_YAML), "tables a number", "fields a string"])
def test_a_malformed_schema_file_is_a_clear_refusal(name: str, tmp_path: Path) -> None:
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema)
    top = schema / "schema.yaml"
    if name == "tables a number":
        _write_text(top, top.read_text("utf-8").replace("tables:", "tables: 5\nunused:"))
        where = top
    elif name == "fields a string":
        events = schema / "events.yaml"
        _write_text(events, events.read_text("utf-8").replace("fields:", "fields: x\nunused:"))
        where = events
    else:
        _write_text(top, MALFORMED_YAML[name])
        where = top
    started = time.monotonic()
    _refused(run_cli("schema", "diff", str(SCHEMA_DIR), str(schema)), str(where))
    assert time.monotonic() - started < 30
    with pytest.raises(CurateError, match=str(where)):
        load_schema(schema)
    _cases_run.add(f"schema file: {name}")


def test_the_shipped_schema_and_a_new_dataset_load_under_the_limits(tmp_path: Path) -> None:
    assert load_schema(SCHEMA_DIR).tables.keys() == SCHEMA.tables.keys()
    root = tmp_path / "fresh"
    new_dataset(root, title="A title")
    assert open_store(root).metadata["title"] == "A title"


def test_zz_record_the_hostile_state_cases() -> None:
    """Runs last in this module: the hostile dataset-state cases exercised here."""
    if _cases_run:
        record_summary("hostile_journal", len(_cases_run))
