"""Helpers shared by the tests: writing records in each format, running the real CLI."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from curate.disk.atomic import jsonl_bytes
from curate.generate.arrow import arrow_schema
from curate.schema.loader import load_schema

__all__ = [
    "frictionless_report",
    "run_cli",
    "write_csv",
    "write_dataset",
    "write_jsonl",
    "write_parquet",
]


def run_cli(
    *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real `curate` command in a child process (with `env` as its whole
    environment, if given)."""
    command = [sys.executable, "-c", "from curate.cli.app import main; main()", *args]
    return subprocess.run(
        command, capture_output=True, text=True, cwd=cwd, env=env, timeout=300, check=False
    )


def run_cli_in_terminal(*args: str, stdout: Path | None = None) -> tuple[int, str]:
    """The real `curate` command with a pseudo-terminal as its stderr, and as its stdout
    too unless `stdout` names a file to write it to: its exit code and everything the
    terminal got, control sequences included."""
    import os
    import pty

    terminal, child = pty.openpty()
    command = [sys.executable, "-c", "from curate.cli.app import main; main()", *args]
    with open(os.devnull if stdout is None else stdout, "wb") as file:
        process = subprocess.Popen(
            command,
            stdin=child,
            stdout=child if stdout is None else file,
            stderr=child,
            close_fds=True,
        )
    os.close(child)
    written = b""
    while True:
        try:
            data = os.read(terminal, 65536)
        except OSError:  # the child closed its end
            break
        if not data:
            break
        written += data
    os.close(terminal)
    return process.wait(timeout=300), written.decode("utf-8", "replace")


def frictionless_report(descriptor: Path) -> dict[str, Any]:
    """`frictionless validate --json` on a data package, run as its real command."""
    import json

    frictionless = Path(sys.executable).with_name("frictionless")
    result = subprocess.run(
        [str(frictionless), "validate", "--json", str(descriptor)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_bytes(jsonl_bytes(rows))
    return path


def write_dataset(directory: Path, dataset: dict[str, list[dict[str, Any]]]) -> list[Path]:
    """One JSONL file per non-empty table of `dataset`, named after the table."""
    directory.mkdir(parents=True, exist_ok=True)
    return [
        write_jsonl(directory / f"{name}.jsonl", rows) for name, rows in dataset.items() if rows
    ]


def write_parquet(path: Path, rows: list[dict[str, Any]], table: str) -> Path:
    """Rows as Parquet with the table's Arrow types, every column nullable (so a file may
    carry nulls where the schema requires values, as untrusted files do)."""
    schema = load_schema()
    exact = arrow_schema(schema, schema.table(table))
    loose = pa.schema([f.with_nullable(True) for f in exact], metadata=exact.metadata)
    pq.write_table(pa.Table.from_pylist(rows, schema=loose), path)
    return path


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_csv(
    path: Path, rows: list[dict[str, Any]], table: str, columns: list[str] | None = None
) -> Path:
    """Rows as CSV with a header of the table's fields (or of `columns`, which may miss
    fields or name unknown ones), values as text (any value goes)."""
    names = list(load_schema().table(table).field_names) if columns is None else columns
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for row in rows:
            writer.writerow([_cell(row.get(name)) for name in names])
    return path
