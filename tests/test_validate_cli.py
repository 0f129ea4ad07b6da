"""`curate validate` end to end: the real CLI in a child process, on crafted files."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.helpers import run_cli, write_jsonl

SOURCE = {"source_id": "s1", "publisher": "Reuters", "url": "https://uk.reuters.com/article/x"}
CLAIM = {
    "claim_id": "c1",
    "event_id": "e1",
    "source_id": "s1",
    "claimant": "Raqqa activists",
    "claimant_type": "local_activist",
    "partisan": False,
    "subject": "strike_count",
    "qualifier": "at_least",
    "value_low": 11,
    "hedge": "reported",
    "adopted": True,
}
EVENT = {
    "event_id": "e1",
    "revision": 1,
    "status": "active",
    "date_start": "2015-09-17",
    "date_end": "2015-09-17",
    "date_precision": "day",
    "country_iso3": "SYR",
    "geo_precision": "locality",
    "event_type": "Explosions/Remote violence",
    "sub_event_type": "Air/drone strike",
    "actor1": "Military Forces of Syria",
    "actor1_type": "state_forces",
    "attribution": "alleged",
    "confidence": 0.7,
    "source_count": 1,
    "extraction_method": "manual",
    "extractor": "curator",
    "extracted_at": "2026-11-25T09:00:00Z",
}

REPORT_SCHEMA = json.loads((resources.files("curate") / "report.schema.json").read_text("utf-8"))


def _report(result: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(result.stdout)
    Draft202012Validator(REPORT_SCHEMA).validate(document)
    return document


def _event(**changes: Any) -> dict[str, Any]:
    return {**EVENT, **changes}


CASES: list[tuple[str, str, list[Any], str | None]] = [
    ("required", "events.jsonl", [_event(actor1=None)], "actor1"),
    ("type-error", "events.jsonl", [_event(revision="two")], "revision"),
    ("enum", "events.jsonl", [_event(country_iso3="SYRIA")], "country_iso3"),
    ("pattern", "sources.jsonl", [{**SOURCE, "url": "ftp://example.org"}], "url"),
    ("range", "events.jsonl", [_event(confidence=1.5)], "confidence"),
    ("unique", "sources.jsonl", [SOURCE, SOURCE], "source_id"),
    ("unknown-field", "sources.jsonl", [{**SOURCE, "author": "x"}], "author"),
    ("rule:date-order", "events.jsonl", [_event(date_end="2015-09-16")], "date_start,date_end"),
    ("rule:claim-qualifier-values", "claims.jsonl", [{**CLAIM, "qualifier": "between"}], None),
]


@pytest.mark.parametrize(("code", "name", "rows", "field"), CASES, ids=[c[0] for c in CASES])
def test_each_code_from_a_crafted_file(
    tmp_path: Path, code: str, name: str, rows: list[Any], field: str | None
) -> None:
    path = write_jsonl(tmp_path / name, rows)
    result = run_cli("validate", str(path), "--format", "json")
    assert result.returncode == 1, result.stderr
    document = _report(result)
    found = [i for i in document["issues"] if i["code"] == code]
    assert found, document["issues"]
    assert found[0]["path"] == str(path)
    if field is not None:
        assert found[0]["field"] == field
    expected_rows = {None} if code == "unknown-field" else set(range(1, len(rows) + 1))
    assert {i["row"] for i in found} == expected_rows


def test_parse_error_and_foreign_key_in_a_dataset_directory(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "events.jsonl", [EVENT])
    write_jsonl(tmp_path / "sources.jsonl", [SOURCE])
    (tmp_path / "claims.jsonl").write_text(
        json.dumps({**CLAIM, "source_id": "s2"}) + "\n{not json\n", encoding="utf-8"
    )
    result = run_cli("validate", str(tmp_path), "--format", "json")
    assert result.returncode == 1
    document = _report(result)
    located = {(i["code"], i["table"], i["row"]) for i in document["issues"]}
    assert ("foreign-key", "claims", 1) in located
    assert ("parse-error", "claims", 2) in located
    assert document["rows"] == {"events": 1, "claims": 2, "sources": 1}


def test_three_valid_and_two_invalid_events_with_quarantine(tmp_path: Path) -> None:
    rows = [
        _event(event_id="e1"),
        _event(event_id="e2", fatalities_low=5, fatalities_best=3),
        _event(event_id="e3"),
        _event(event_id="e4", event_type="Airstrike"),
        _event(event_id="e5"),
    ]
    path = write_jsonl(tmp_path / "events.jsonl", rows)
    result = run_cli("validate", str(path), "--quarantine", str(tmp_path / "q"), "--format", "json")
    assert result.returncode == 1
    document = _report(result)
    errors = sorted((i["row"], i["code"]) for i in document["issues"] if i["severity"] == "error")
    assert errors == [
        (2, "rule:fatalities-order"),
        (4, "enum"),
        (4, "rule:sub-event-type-in-event-type"),
    ]
    (placed,) = document["quarantine"]
    assert (placed["rows"], placed["valid"], placed["rejected"]) == (5, 3, 2)
    valid = (tmp_path / "q" / "events.valid.jsonl").read_text("utf-8").splitlines()
    rejected = [
        json.loads(line)
        for line in (tmp_path / "q" / "events.rejected.jsonl").read_text("utf-8").splitlines()
    ]
    assert [json.loads(line)["event_id"] for line in valid] == ["e1", "e3", "e5"]
    assert [(r["row"], r["codes"]) for r in rejected] == [
        (2, ["rule:fatalities-order"]),
        (4, ["enum", "rule:sub-event-type-in-event-type"]),
    ]
    text = run_cli("validate", str(path), "--quarantine", str(tmp_path / "q2"))
    assert "5 rows in = 3 valid" in text.stdout
    assert "+ 2 rejected" in text.stdout


def test_valid_input_exits_zero_and_warnings_fail_only_with_strict(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "events.jsonl", [_event(confidence=0.9)])
    relaxed = run_cli("validate", str(path), "--format", "json")
    assert relaxed.returncode == 0
    assert _report(relaxed)["counts"] == {
        "rule:high-confidence-single-source": {"severity": "warning", "count": 1}
    }
    assert run_cli("validate", str(path), "--strict").returncode == 1


def test_max_errors_bounds_the_list_not_the_counting(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "events.jsonl", [_event(event_id=f"e{i}", confidence=2.0) for i in range(30)]
    )
    document = _report(run_cli("validate", str(path), "--format", "json", "--max-errors", "5"))
    assert len(document["issues"]) == 5
    assert document["counts"]["range"]["count"] == 30
    assert document["truncated"] is True


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["missing.jsonl"], "no such file"),
        (["notes.txt"], "unknown file type"),
        (["records.jsonl"], "cannot tell which table"),
        (["events.jsonl", "--table", "battles"], "unknown table"),
    ],
)
def test_cannot_run_exits_two_with_one_line(
    tmp_path: Path, arguments: list[str], message: str
) -> None:
    for name in ("notes.txt", "records.jsonl", "events.jsonl"):
        (tmp_path / name).write_text("{}\n", encoding="utf-8")
    result = run_cli("validate", *arguments, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
