"""Property tests that tie the schema, its exports and the strategies together.

What one export accepts, all accept: every valid generated row passes pandera (polars and
pandas), the JSON Schema and frictionless; every labelled invalid row is rejected with its
code; Parquet written with the Arrow schema reads back without type drift.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from frictionless import validate
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from curate.disk.atomic import jsonl_bytes
from curate.generate.arrow import arrow_schema
from curate.generate.frictionless import package_fragment
from curate.generate.jsonschema import table_json_schema
from curate.generate.pandera import (
    code_of_check,
    pandera_pandas_schema,
    pandera_polars_schema,
)
from curate.readers.rows import rows_to_frame
from curate.schema.dtypes import POLARS_TYPES
from curate.schema.loader import load_schema
from curate.schema.model import Schema
from curate.testing import strategies as cs
from curate.validation.api import validate as curate_validate

SCHEMA = load_schema()
TABLES = SCHEMA.table_names
any_table = st.sampled_from(TABLES)


def _typed_frame(rows: list[cs.Row], table: str) -> pl.DataFrame:
    frame, issues = rows_to_frame(rows, SCHEMA.table(table))
    assert issues == []
    return frame


def _as_json(rows: list[cs.Row]) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in jsonl_bytes(rows).splitlines()]


def _validator(table: str) -> Draft202012Validator:
    return Draft202012Validator(
        table_json_schema(SCHEMA, SCHEMA.table(table)), format_checker=FormatChecker()
    )


def _distinct_rows(table: str) -> st.SearchStrategy[list[cs.Row]]:
    """One to five valid rows of `table` with distinct primary keys."""
    key = SCHEMA.table(table).primary_key[0]
    return st.lists(cs.rows(table), min_size=1, max_size=5, unique_by=lambda r: str(r[key]).lower())


@given(st.data())
def test_valid_rows_pass_pandera_polars(data: st.DataObject) -> None:
    table = data.draw(any_table)
    rows = data.draw(_distinct_rows(table))
    typed = _typed_frame(rows, table)
    pandera_polars_schema(SCHEMA, SCHEMA.table(table)).validate(typed, lazy=True)


@given(st.data())
def test_valid_rows_pass_pandera_pandas(data: st.DataObject) -> None:
    table = data.draw(any_table)
    rows = data.draw(_distinct_rows(table))
    arrow = pa.Table.from_pylist(rows, schema=arrow_schema(SCHEMA, SCHEMA.table(table)))
    frame = arrow.to_pandas(types_mapper=pd.ArrowDtype)
    pandera_pandas_schema(SCHEMA, SCHEMA.table(table)).validate(frame, lazy=True)


@given(st.data())
def test_valid_rows_pass_the_json_schema(data: st.DataObject) -> None:
    table = data.draw(any_table)
    row = data.draw(cs.rows(table))
    errors = list(_validator(table).iter_errors(_as_json([row])[0]))
    assert errors == []


@given(cs.datasets())
def test_valid_datasets_pass_curate_validate(dataset: dict[str, list[cs.Row]]) -> None:
    report = curate_validate(dataset)
    assert report.valid, report.issues[:3]
    assert set(report.codes()) <= {
        "rule:high-confidence-single-source",
        "rule:partisan-only-casualties",
    }


@given(cs.invalid_rows("events") | cs.invalid_rows("claims") | cs.invalid_rows("sources"))
def test_invalid_rows_are_caught_with_their_code(case: cs.InvalidCase) -> None:
    report = curate_validate(case.rows, case.table)
    flagged = {(issue.row, issue.field) for issue in report.issues if issue.code == case.code}
    assert flagged, f"{case.code} not reported; got {sorted(report.codes())}"
    assert case.index + 1 in {row for row, _ in flagged}
    if case.field is not None and case.code != "unique":
        assert (case.index + 1, case.field) in flagged


@given(cs.invalid_rows("events") | cs.invalid_rows("claims") | cs.invalid_rows("sources"))
def test_pandera_itself_rejects_invalid_rows_with_their_code(case: cs.InvalidCase) -> None:
    """Straight through the generated pandera-polars schema, without curate's reader."""
    from pandera.errors import SchemaErrors

    table = SCHEMA.table(case.table)
    if case.code == "type-error":
        assert case.field is not None
        frame = pl.DataFrame(
            [
                pl.Series(
                    f.name, [None if r[f.name] is None else str(r[f.name]) for r in case.rows]
                )
                if f.name == case.field
                else pl.Series(f.name, [r[f.name] for r in case.rows], dtype=POLARS_TYPES[f.type])
                for f in table.fields
            ]
        )
    elif case.code == "rule:high-confidence-single-source":
        return  # a warning: pandera carries only the error rules
    else:
        frame = pl.DataFrame(
            [
                pl.Series(
                    f.name, [r[f.name] for r in case.rows], dtype=POLARS_TYPES[f.type], strict=False
                )
                for f in table.fields
            ]
        )
    with pytest.raises(SchemaErrors) as caught:
        pandera_polars_schema(SCHEMA, table).validate(frame, lazy=True)
    codes = {code_of_check(str(check)) for check in caught.value.failure_cases["check"]}
    assert case.code in codes


@given(cs.invalid_datasets())
def test_invalid_datasets_are_caught_with_their_code(case: cs.InvalidDataset) -> None:
    report = curate_validate(case.tables)
    rows = {i.row for i in report.issues if i.code == case.code and i.table == case.table}
    assert case.index + 1 in rows, (case.mutation, sorted(report.codes()))


def _field_level_codes(rows: list[cs.Row], table: str) -> set[str]:
    report = curate_validate(rows, table)
    return {
        c
        for c in report.codes()
        if report.severities[c] == "error" and not c.startswith("rule:") and c != "unique"
    }


def _representable_in_json(row: cs.Row) -> bool:
    return not any(isinstance(v, float) and not math.isfinite(v) for v in row.values())


@given(st.data())
def test_json_schema_and_pandera_agree(data: st.DataObject) -> None:
    """On a mix of valid rows and field-level mutations, both accept or both reject."""
    table = data.draw(any_table)
    if data.draw(st.booleans()):
        row = data.draw(cs.rows(table))
    else:
        case = data.draw(
            cs.invalid_rows(table).filter(
                lambda c: not c.code.startswith("rule:") and c.code != "unique"
            )
        )
        row = case.rows[case.index]
    if not _representable_in_json(row):
        return  # NaN and infinity cannot be written as JSON; the reader refuses them
    json_valid = _validator(table).is_valid(_as_json([row])[0])
    assert json_valid == (not _field_level_codes([row], table))


@given(cs.datasets())
def test_parquet_round_trip_keeps_types_and_values(dataset: dict[str, list[cs.Row]]) -> None:
    for name, rows in dataset.items():
        schema = arrow_schema(SCHEMA, SCHEMA.table(name))
        table = pa.Table.from_pylist(rows, schema=schema)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd")
        back = pq.read_table(pa.BufferReader(sink.getvalue()))
        assert back.schema.equals(schema, check_metadata=True)
        assert back.to_pylist() == rows
        polars_back = pl.read_parquet(sink.getvalue().to_pybytes())
        assert dict(polars_back.schema) == {
            f.name: POLARS_TYPES[f.type] for f in SCHEMA.table(name).fields
        }


def _write_package(dataset: dict[str, list[cs.Row]], directory: Path, schema: Schema) -> Path:
    descriptor = package_fragment(schema)
    descriptor["name"] = "generated"
    for resource in descriptor["resources"]:
        name = resource["name"]
        frame, _ = rows_to_frame(dataset[name], schema.table(name))
        frame.with_columns(pl.col(pl.Datetime).dt.strftime("%Y-%m-%dT%H:%M:%S%.fZ")).write_csv(
            directory / f"{name}.csv"
        )
        resource["path"] = f"{name}.csv"
    path = directory / "datapackage.json"
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    return path


@given(dataset=cs.datasets())
def test_frictionless_accepts_generated_datasets(
    dataset: dict[str, list[cs.Row]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    directory = tmp_path_factory.mktemp("package")
    report = validate(str(_write_package(dataset, directory, SCHEMA)))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]


def _verdicts(
    report: Any,
) -> tuple[dict[str, int], dict[str, int], set[tuple[str, str, int | None]]]:
    return (
        dict(report.counts),
        dict(report.rejected),
        {(i.code, i.table, i.row) for i in report.issues},
    )


@pytest.mark.parametrize("field", ["latitude", "longitude", "confidence"])
@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_a_non_finite_bounded_number_is_one_range_error_in_both_engines(
    field: str, value: float
) -> None:
    """Found by Hypothesis: pandera's bounds check reported NaN a second time."""
    record = orjson.loads(
        Path("datasets/raqqa-airstrikes-2015/records/events.jsonl").read_bytes().splitlines()[0]
    )
    record[field] = value
    fast = curate_validate([record], "events")
    reference = curate_validate([record], "events", engine="pandera")
    assert fast.counts == {"range": 1}
    assert _verdicts(fast) == _verdicts(reference)


@given(st.data())
def test_the_single_pass_engine_agrees_with_pandera(data: st.DataObject) -> None:
    """Same codes, counts, rows and rejected rows from both engines on any generated mix."""
    choice = data.draw(st.sampled_from(["rows", "dataset"]))
    if choice == "dataset":
        given_data: Any = data.draw(
            cs.invalid_datasets()
            | cs.datasets().map(lambda d: cs.InvalidDataset(d, "events", 0, ""))
        )
        fast = curate_validate(given_data.tables)
        reference = curate_validate(given_data.tables, engine="pandera")
    else:
        table = data.draw(any_table)
        case = data.draw(cs.invalid_rows(table))
        fast = curate_validate(case.rows, table)
        reference = curate_validate(case.rows, table, engine="pandera")
    assert _verdicts(fast) == _verdicts(reference)


def test_a_required_cell_of_the_wrong_type_is_a_type_error_only() -> None:
    """Found by the ci profile: a reader's type error must not also count as missing."""
    row = {
        "claim_id": "c1",
        "event_id": "e1",
        "source_id": "s1",
        "claimant": "Raqqa activists",
        "claimant_type": "local_activist",
        "partisan": "perhaps",
        "subject": "occurrence",
        "qualifier": "unquantified",
        "hedge": "reported",
        "adopted": False,
    }
    for engine in ("polars", "pandera"):
        report = curate_validate([row], "claims", engine=engine)
        assert [(i.code, i.row, i.field) for i in report.issues] == [("type-error", 1, "partisan")]
