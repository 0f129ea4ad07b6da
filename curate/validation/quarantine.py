"""Sort validated input rows into valid and rejected files, losing none.

For each input file `NAME.EXT`, `NAME.valid.jsonl` receives the rows that passed and
`NAME.rejected.jsonl` the rows that did not, each as `{"row", "codes", "record"}` (or
`"raw"`, the text as read, for a record that could not be parsed), with
`"input_problems"` too when the input as a whole is at fault (a missing or unknown
column rejects every row of it). When two inputs share a `NAME`, every input's files are
numbered by its place among the inputs instead (`1-NAME`, `2-NAME`, ...). A file already
in the directory is never overwritten. JSONL rows are copied verbatim. Rows in = rows
valid + rows rejected, always: the lines are counted back from the files written before
they are put in place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from curate.disk.atomic import place_new, sync_file, temp_beside
from curate.errors import CurateError, InputError, not_written
from curate.readers.files import read_batches
from curate.readers.jsonl import jsonl_lines
from curate.readers.limits import Limits
from curate.validation.internal import FILE, ROW
from curate.validation.paths import Input, ValidationRun

_NOTHING = "no quarantine file was written and nothing was changed"

__all__ = [
    "QuarantineCounts",
    "lines_on_disk",
    "quarantine_names",
    "remove_quarantine",
    "write_quarantine",
]


@dataclass(frozen=True)
class QuarantineCounts:
    """Where one input's rows went (`valid` and `rejected` as counted on disk)."""

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


def lines_on_disk(path: Path) -> int:
    """The number of lines in the file at `path`, read back from the file system."""
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 24):
            count += chunk.count(b"\n")
    return count


def quarantine_names(inputs: Sequence[Input]) -> list[str]:
    """Per input, the name its quarantine files start with: the file's name up to its
    first dot, or, when two inputs would share one (case aside), every input's place
    among the inputs before it (`1-sources`, `2-sources`): distinct, and the same for
    the same inputs."""
    stems = [item.path.name.lstrip(".").split(".")[0] or "input" for item in inputs]
    if len({stem.casefold() for stem in stems}) == len(stems):
        return stems
    width = len(str(len(stems)))
    return [f"{index:0{width}d}-{stem}" for index, stem in enumerate(stems, start=1)]


def _codes_by_row(run: ValidationRun, position: int) -> dict[int, list[str]]:
    validator = run.validators[run.inputs[position].table]
    codes = validator.rejected_codes().filter(pl.col(FILE) == run.file_index(position))
    return dict(
        zip(codes.get_column(ROW).to_list(), codes.get_column("codes").to_list(), strict=True)
    )


def _input_problems(run: ValidationRun, position: int) -> list[str]:
    """What is wrong with the input as a whole, as text."""
    validator = run.validators[run.inputs[position].table]
    found = validator.input_problems.get(run.file_index(position), [])
    return [f"{issue.code}: {issue.message}" for issue in found]


def _sorted_rows(run: ValidationRun, position: int, limits: Limits) -> Iterator[tuple[bool, bytes]]:
    """(valid?, JSON line) for every row of the input, in input order."""
    item = run.inputs[position]
    codes = _codes_by_row(run, position)
    problems = _input_problems(run, position)
    extra = {"input_problems": problems} if problems else {}
    if item.path.suffix.lower() in (".jsonl", ".ndjson"):
        for number, line in jsonl_lines(item.path, limits):
            found = codes.get(number)
            if found is None and line is not None:
                yield True, line + b"\n"
            else:
                raw = None if line is None else line.decode("utf-8", "replace")
                rejected = {"row": number, "codes": found or ["parse-error"], **extra}
                yield False, _line({**rejected, "raw": raw})
        return
    table = run.validators[item.table].table
    for batch in read_batches(item.path, table, limits, exact_csv=item.exact_csv):
        for number, raw in batch.unparsed.items():
            found = codes.get(number, ["parse-error"])
            yield False, _line({"row": number, "codes": found, **extra, "raw": raw})
        numbers = batch.rows.to_list()
        for number, record in zip(numbers, batch.frame.iter_rows(named=True), strict=True):
            found = codes.get(number)
            if found is None:
                yield True, _line(record)
            else:
                yield False, _line({"row": number, "codes": found, **extra, "record": record})


class _Output:
    """A temp file in the quarantine directory that becomes `target`; an error while
    writing it names `target`."""

    def __init__(self, target: Path) -> None:
        self.target = target
        try:
            self.temp, self._handle = temp_beside(target, owner_only=True)
        except OSError as exc:
            raise not_written(target, exc, _NOTHING) from exc

    def write(self, line: bytes) -> None:
        try:
            self._handle.write(line)
        except OSError as exc:
            raise not_written(self.target, exc, _NOTHING) from exc

    def finish(self) -> None:
        """Flush, sync and close the temp file."""
        try:
            sync_file(self._handle)
            self._handle.close()
        except OSError as exc:
            raise not_written(self.target, exc, _NOTHING) from exc

    def discard(self) -> None:
        """Close and remove the temp file (the target is left as it is)."""
        with contextlib.suppress(OSError):
            self._handle.close()
        self.temp.unlink(missing_ok=True)


def _exists_already(path: Path) -> InputError:
    return InputError(
        f"{path} exists already: quarantine files are never overwritten; "
        "remove it or choose another quarantine directory"
    )


def _write_one(
    run: ValidationRun, position: int, directory: Path, name: str, limits: Limits
) -> QuarantineCounts:
    """Write one input's two files, count their lines back, and put them in place."""
    item = run.inputs[position]
    outputs: list[_Output] = []
    placed: list[Path] = []
    try:
        for kind in ("valid", "rejected"):
            outputs.append(_Output(directory / f"{name}.{kind}.jsonl"))
        valid_output, rejected_output = outputs
        for is_valid, line in _sorted_rows(run, position, limits):
            (valid_output if is_valid else rejected_output).write(line)
        for output in outputs:
            output.finish()
        rows = run.rows_of(position)
        valid, rejected = (lines_on_disk(output.temp) for output in outputs)
        if valid + rejected != rows:
            raise CurateError(
                f"{item.path}: {rows} rows read but {valid} valid and {rejected} rejected "
                f"written; {_NOTHING}"
            )
        for output in outputs:
            try:
                place_new(output.temp, output.target)  # never replaced, even in a race
            except FileExistsError:
                raise _exists_already(output.target) from None
            except OSError as exc:
                raise not_written(output.target, exc, _NOTHING) from exc
            placed.append(output.target)
    except BaseException:
        for output in outputs:
            output.discard()
        for target in placed:
            target.unlink(missing_ok=True)
        raise
    return QuarantineCounts(
        item.path, rows, valid, rejected, valid_output.target, rejected_output.target
    )


def remove_quarantine(placed: Sequence[QuarantineCounts]) -> None:
    """Remove quarantine files this process wrote (when what they belong to failed)."""
    for counts in placed:
        counts.valid_file.unlink(missing_ok=True)
        counts.rejected_file.unlink(missing_ok=True)


def write_quarantine(
    run: ValidationRun, directory: Path, limits: Limits | None = None
) -> list[QuarantineCounts]:
    """Write each input's valid and rejected rows into `directory` (created if needed).
    Nothing is left in it when any input's files cannot be written."""
    limits = limits or Limits()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create quarantine directory {directory}: {exc.strerror}") from exc
    names = quarantine_names(run.inputs)
    for name in names:  # refuse before anything is written
        for kind in ("valid", "rejected"):
            if (directory / f"{name}.{kind}.jsonl").exists():
                raise _exists_already(directory / f"{name}.{kind}.jsonl")
    results: list[QuarantineCounts] = []
    try:
        for position, name in enumerate(names):
            results.append(_write_one(run, position, directory, name, limits))
    except BaseException:
        remove_quarantine(results)
        raise
    return results
