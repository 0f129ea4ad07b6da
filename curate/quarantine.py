"""Sort validated input rows into valid and rejected files, losing none.

For each input file `NAME.EXT`, `NAME.valid.jsonl` receives the rows that passed and
`NAME.rejected.jsonl` the rows that did not, each as `{"row", "codes", "record"}` (or
`"raw"`, the text as read, for a record that could not be parsed). JSONL rows are copied
verbatim. Rows in = rows valid + rows rejected, always: the counts are checked before the
files are put in place.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson
import polars as pl

from curate.errors import CurateError, InputError
from curate.files import Input, ValidationRun
from curate.readers import Limits, jsonl_lines, read_batches
from curate.validation import FILE, ROW

__all__ = ["QuarantineCounts", "write_quarantine"]


@dataclass(frozen=True)
class QuarantineCounts:
    """Where one input's rows went."""

    path: Path
    rows: int
    valid: int
    rejected: int
    valid_file: Path
    rejected_file: Path


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _line(document: Any) -> bytes:
    return orjson.dumps(
        document, default=_json_default, option=orjson.OPT_APPEND_NEWLINE | orjson.OPT_UTC_Z
    )


def _codes_by_row(run: ValidationRun, item: Input) -> dict[int, list[str]]:
    validator = run.validators[item.table]
    index = [i for i in run.inputs if i.table == item.table].index(item)
    codes = validator.rejected_codes().filter(pl.col(FILE) == index)
    return dict(
        zip(codes.get_column(ROW).to_list(), codes.get_column("codes").to_list(), strict=True)
    )


def _sorted_rows(item: Input, run: ValidationRun, limits: Limits) -> Iterator[tuple[bool, bytes]]:
    """(valid?, JSON line) for every row of the input, in input order."""
    codes = _codes_by_row(run, item)
    if item.path.suffix.lower() in (".jsonl", ".ndjson"):
        for number, line in jsonl_lines(item.path, limits):
            found = codes.get(number)
            if found is None and line is not None:
                yield True, line + b"\n"
            else:
                raw = None if line is None else line.decode("utf-8", "replace")
                yield False, _line({"row": number, "codes": found or ["parse-error"], "raw": raw})
        return
    table = run.validators[item.table].table
    for batch in read_batches(item.path, table, limits, exact_csv=item.exact_csv):
        for number, raw in batch.unparsed.items():
            yield (
                False,
                _line({"row": number, "codes": codes.get(number, ["parse-error"]), "raw": raw}),
            )
        numbers = batch.rows.to_list()
        for number, record in zip(numbers, batch.frame.iter_rows(named=True), strict=True):
            found = codes.get(number)
            if found is None:
                yield True, _line(record)
            else:
                yield False, _line({"row": number, "codes": found, "record": record})


def _temp(directory: Path, name: str) -> tuple[IO[bytes], Path]:
    descriptor, temp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    return os.fdopen(descriptor, "wb"), Path(temp_name)


def write_quarantine(
    run: ValidationRun, directory: Path, limits: Limits | None = None
) -> list[QuarantineCounts]:
    """Write each input's valid and rejected rows into `directory` (created if needed)."""
    limits = limits or Limits()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create quarantine directory {directory}: {exc.strerror}") from exc
    results = []
    for item in run.inputs:
        stem = item.path.name.split(".")[0]
        valid_path = directory / f"{stem}.valid.jsonl"
        rejected_path = directory / f"{stem}.rejected.jsonl"
        valid_handle, valid_temp = _temp(directory, valid_path.name)
        rejected_handle, rejected_temp = _temp(directory, rejected_path.name)
        counts = [0, 0]
        try:
            with valid_handle, rejected_handle:
                for is_valid, line in _sorted_rows(item, run, limits):
                    (valid_handle if is_valid else rejected_handle).write(line)
                    counts[0 if is_valid else 1] += 1
                for handle in (valid_handle, rejected_handle):
                    handle.flush()
                    os.fsync(handle.fileno())
            rows = run.report.rows_by_path.get(str(item.path), 0)
            if counts[0] + counts[1] != rows:
                raise CurateError(
                    f"{item.path}: {rows} rows read but {counts[0]} valid and "
                    f"{counts[1]} rejected; quarantine not written"
                )
            os.replace(valid_temp, valid_path)
            os.replace(rejected_temp, rejected_path)
        except BaseException:
            valid_temp.unlink(missing_ok=True)
            rejected_temp.unlink(missing_ok=True)
            raise
        results.append(
            QuarantineCounts(item.path, rows, counts[0], counts[1], valid_path, rejected_path)
        )
    return results
