"""One enumeration of report codes: the published report schema and docs/validation.md come from
it, and every report curate emits conforms to that schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, settings

from curate.codes import CODES_DOC, REPORT_SCHEMA, Code, all_codes, codes_table, report_schema
from curate.report import CODES
from curate.schema.loader import load_schema
from curate.testing import strategies as cs
from curate.validation.api import validate
from tests.helpers import run_cli, write_csv, write_jsonl

SCHEMA = load_schema()
PUBLISHED = json.loads(REPORT_SCHEMA.read_text("utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(PUBLISHED)
VALIDATION_DOC = Path(__file__).resolve().parent.parent / "docs" / "validation.md"


def test_the_published_report_schema_is_generated_from_the_codes() -> None:
    assert report_schema(PUBLISHED) == PUBLISHED
    assert PUBLISHED["$defs"]["code"]["enum"] == [info.code for info in all_codes()]
    jsonschema.Draft202012Validator.check_schema(PUBLISHED)


def test_the_validation_doc_lists_every_code_from_the_enumeration() -> None:
    assert CODES_DOC == VALIDATION_DOC
    assert codes_table() in VALIDATION_DOC.read_text("utf-8")
    for info in all_codes():
        assert f"| `{info.code}` | {info.severity} |" in codes_table()


def test_codes_have_one_source() -> None:
    assert tuple(str(code) for code in Code) == CODES
    assert "text-control" in CODES
    rules = {rule.code for rule in SCHEMA.row_rules} | {r.code for r in SCHEMA.dataset_rules}
    assert rules <= {info.code for info in all_codes()}
    assert Code.TEXT_CONTROL.info.severity == "warning"


def _conforms(document: dict[str, Any]) -> None:
    errors = sorted(VALIDATOR.iter_errors(document), key=str)
    assert not errors, [e.message for e in errors]


def test_a_text_control_report_conforms_through_the_command(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "sources.csv",
        [{"source_id": "s1", "publisher": "Agency\u202e", "title": "t\x07"}],
        "sources",
    )
    result = run_cli("validate", "--format", "json", str(path))
    document = json.loads(result.stdout)
    assert "text-control" in document["counts"]
    _conforms(document)


def test_every_code_the_command_reports_conforms(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "events.jsonl",
        [{"event_id": "-x", "fatalities_best": "many", "colour": "red", "date_start": "x"}],
    )
    (tmp_path / "claims.jsonl").write_text('{"claim_id": 1, "claim_id": 2}\n{', "utf-8")
    for argument in (path, tmp_path / "claims.jsonl"):
        result = run_cli(
            "validate", "--format", "json", "--quarantine", str(tmp_path), str(argument)
        )
        assert result.returncode == 1, result.stderr
        _conforms(json.loads(result.stdout))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cs.invalid_rows("events") | cs.invalid_rows("claims") | cs.invalid_rows("sources"))
def test_reports_of_random_invalid_rows_conform(case: cs.InvalidCase) -> None:
    report = validate(case.rows, table=case.table)
    document = report.to_dict()
    _conforms(document)
    assert case.code in document["counts"]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cs.invalid_datasets())
def test_reports_of_random_invalid_datasets_conform(case: cs.InvalidDataset) -> None:
    document = validate(case.tables).to_dict()
    _conforms(document)
    assert case.code in document["counts"]
