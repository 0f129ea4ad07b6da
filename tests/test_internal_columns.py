"""Validation's internal columns (`__row`, `__file`) stay inside curate.validation: no
other module imports them, and the tables validation hands on (to the store, a release, an
ingest) carry none."""

from __future__ import annotations

import ast
import copy
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq
import pytest

from curate.release.build import release
from curate.release.package import table_file
from curate.schema.loader import load_schema
from curate.store.ingest import ingest
from curate.store.load import load_tables
from curate.store.records import new_dataset, open_store
from curate.store.seal import seal_path
from curate.testing.samples import sample_dataset
from curate.validation.internal import FILE, ROW
from curate.validation.paths import validate_paths
from tests.helpers import write_dataset
from tests.imports import PACKAGE, imports_in

INTERNAL = "curate.validation.internal"
SCHEMA = load_schema()


def _importers_of_internal() -> list[str]:
    """`path:line` of every import of curate.validation.internal outside curate/validation."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "validation":
            continue
        package = ".".join(["curate", *relative.parent.parts])
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [
            f"{relative}:{line}" for name, line, _ in imports_in(tree, package) if name == INTERNAL
        ]
    return found


def test_no_module_outside_validation_imports_the_internal_columns() -> None:
    assert _importers_of_internal() == []


def test_no_module_outside_validation_names_the_internal_columns() -> None:
    """Nor spells their names: a column of its own named alike (an importer's row
    numbers) could be taken for validation's, or validation's for it."""
    names = {ROW, FILE}
    spelled = [
        f"{path.relative_to(PACKAGE)}:{node.lineno}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).parts[0] != "validation"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value in names
    ]
    assert spelled == []


@pytest.mark.parametrize(
    "source",
    [
        "from curate.validation.internal import ROW",
        "import curate.validation.internal",
        "from curate.validation import internal",
        "def f() -> None:\n    from ..validation.internal import FILE",
    ],
)
def test_the_import_scan_sees_every_form_of_import(source: str) -> None:
    """The scan is not vacuous: it finds each form an import can take (as in curate.store)."""
    modules = {name for name, _, _ in imports_in(ast.parse(source), "curate.store")}
    assert INTERNAL in modules


def _internal(columns: list[str]) -> list[str]:
    return [name for name in columns if name.startswith("__")]


@pytest.fixture(scope="module")
def sample() -> dict[str, list[dict[str, Any]]]:
    dataset = sample_dataset(SCHEMA, seed_value=5)
    dataset["events"][0].update(status="active", superseded_by=None)
    return dataset


def test_validation_hands_on_clean_tables(
    tmp_path: Path, sample: dict[str, list[dict[str, Any]]]
) -> None:
    inputs = write_dataset(tmp_path / "in", copy.deepcopy(sample))
    handed: dict[str, pl.DataFrame] = {}
    run = validate_paths(
        inputs, keep_tables=True, each_table=lambda name, frame: handed.update({name: frame})
    )
    assert run.report.valid
    tables = run.tables()
    assert set(tables) == set(handed) == set(SCHEMA.table_names)
    for name in SCHEMA.table_names:
        assert tables[name].height == handed[name].height == len(sample[name])
        for frame in (tables[name], handed[name], run.accepted(name)):
            assert _internal(frame.columns) == [], name
            assert frame.columns == list(SCHEMA.table(name).field_names)
    assert [run.accepted_of(p) for p in range(len(run.inputs))] == [
        len(sample[item.table]) for item in run.inputs
    ]


def test_the_store_and_a_release_get_no_internal_column(
    tmp_path: Path, sample: dict[str, list[dict[str, Any]]]
) -> None:
    root = tmp_path / "dataset"
    new_dataset(root)
    assert ingest(root, write_dataset(tmp_path / "in", copy.deepcopy(sample))).written
    seal_path(root).unlink()  # loaded through validation, not vouched for by the seal
    for name, frame in load_tables(open_store(root), SCHEMA).items():
        assert _internal(frame.columns) == [], name
    built = release(root, version="1.0.0", epoch=0)
    for name in SCHEMA.table_names:
        written = pq.read_schema(built.path / table_file(name)).names
        assert written == list(SCHEMA.table(name).field_names), name
