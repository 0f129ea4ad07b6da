"""SOURCE_DATE_EPOCH has one reader (`curate.release.clock`): the same values are taken,
and any other refused with the same one line and exit 2, by `curate release` and
`curate import`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from curate.errors import EXIT_CANNOT_RUN, InputError
from curate.release.clock import SOURCE_DATE_EPOCH, reproducible_now
from tests.helpers import run_cli

FIXTURE = Path(__file__).parent / "fixtures" / "importers" / "acled-current.csv"
REFUSED = ["12x", "1.5", " 12", "12\n", "-1", "+12", "1_000", "\u0661\u0662", "9" * 20, "9" * 21]


@pytest.mark.parametrize("value", ["0", "1442448000", "1700000000"])
def test_a_whole_number_of_seconds_is_the_time(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SOURCE_DATE_EPOCH, value)
    assert reproducible_now() == dt.datetime.fromtimestamp(int(value), dt.UTC)


@pytest.mark.parametrize("value", [None, ""])
def test_unset_or_empty_is_now(value: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if value is None:
        monkeypatch.delenv(SOURCE_DATE_EPOCH, raising=False)
    else:
        monkeypatch.setenv(SOURCE_DATE_EPOCH, value)
    before = dt.datetime.now(dt.UTC)
    moment = reproducible_now()
    assert before <= moment <= dt.datetime.now(dt.UTC)
    assert moment.tzinfo is dt.UTC


def _refusal(value: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(SOURCE_DATE_EPOCH, value)
    with pytest.raises(InputError) as caught:
        reproducible_now()
    return str(caught.value)


@pytest.mark.parametrize("value", REFUSED)
def test_anything_else_is_refused_in_one_line(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    message = _refusal(value, monkeypatch)
    assert message.startswith(f"{SOURCE_DATE_EPOCH} must be a whole number of seconds")
    assert message.endswith(f"not {value!r}" if len(value) <= 40 else "...'")
    assert "\n" not in message


@pytest.mark.parametrize("value", ["12x", "-1", "9" * 21])
def test_release_and_import_refuse_alike(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = _refusal(value, monkeypatch)
    dataset = tmp_path / "demo"
    monkeypatch.delenv(SOURCE_DATE_EPOCH)
    assert run_cli("new", str(dataset)).returncode == 0
    monkeypatch.setenv(SOURCE_DATE_EPOCH, value)
    released = run_cli("release", str(dataset), "--version", "1.0.0")
    imported = run_cli("import", "acled", str(FIXTURE), "-o", str(tmp_path / "out"))
    into = run_cli("import", "acled", str(FIXTURE), "--into", str(dataset))
    for result in (released, imported, into):
        assert result.returncode == EXIT_CANNOT_RUN
        assert result.stderr == f"curate: {message}\n"
    assert not (dataset / "releases").exists() or not any((dataset / "releases").iterdir())
    assert not (tmp_path / "out").exists()
