"""`curate.validate`: the one entry point for frames, mappings of tables, files and
dataset directories, whichever engine checks them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Literal

import polars as pl

from curate.errors import InputError
from curate.report import Report
from curate.schema.loader import load_schema
from curate.schema.model import Schema
from curate.validation.across import finish_tables
from curate.validation.frames import Frame, in_memory_batches
from curate.validation.internal import ROW
from curate.validation.table import TableValidator

__all__ = ["Engine", "validate"]


Engine = Literal["polars", "pandera"]


def validate(
    data: Frame | Mapping[str, Frame],
    table: str | None = None,
    *,
    schema: Schema | None = None,
    max_issues: int | None = None,
    engine: Engine = "polars",
) -> Report:
    """Validate one table's frame (`table` names it), a mapping of table name to frame,
    or a file or dataset directory (a path: read in batches by
    `curate.validation.paths.validate_paths`).

    Rows of frames are numbered from 1 in the order given. With a mapping, foreign keys and
    the dataset rules are checked across the tables too."""
    schema = schema or load_schema()
    if isinstance(data, str | PurePath):
        from curate.validation.paths import validate_paths

        return validate_paths([Path(data)], table, schema=schema, max_issues=max_issues).report
    if isinstance(data, Mapping):
        inputs = {schema.table(name).name: given for name, given in data.items()}
    else:
        if table is None:
            raise InputError("name the table to validate (events, claims or sources)")
        inputs = {schema.table(table).name: data}
    if engine == "pandera":
        from curate.validation.pandera_engine import validate_with_pandera

        return validate_with_pandera(inputs, schema, max_issues)
    report = Report(max_issues=max_issues)
    validators = {name: TableValidator(schema, schema.table(name), report) for name in inputs}
    typed: dict[str, pl.DataFrame] = {}
    for name, given in inputs.items():
        for frame, prior, conformed in in_memory_batches(given, schema.table(name)):
            rows = pl.Series(ROW, range(1, frame.height + 1), dtype=pl.Int64)
            typed[name] = validators[name].feed(frame, rows, prior, conformed)
    finish_tables(validators, schema, report, typed)
    return report
