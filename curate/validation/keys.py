"""Primary keys across batches and files: the keys a table keeps for later checks,
exact and letter-case conflicts, and the `unique` issues they give."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from curate.report import Issue, Report, truncate
from curate.schema.model import Table
from curate.validation.internal import FILE, ROW

__all__ = ["Keys", "case_conflicts", "report_key_conflicts"]


def shown_key(record: Mapping[str, Any], names: Sequence[str]) -> str | None:
    return truncate(",".join(str(record[name]) for name in names))


@dataclass(frozen=True)
class Keys:
    """A table's distinct primary-key values, and its rows holding foreign-key values
    (the foreign-key fields with __row and __file), for the checks across tables."""

    primary: pl.DataFrame
    references: Mapping[str, pl.DataFrame]

    @classmethod
    def of(cls, typed: pl.DataFrame, table: Table, primary: pl.DataFrame | None = None) -> Keys:
        """The keys of a whole typed table that carries __row and __file (the primary
        keys of `primary` instead, when only some rows' references are to be checked)."""
        fields = {c for fk in table.foreign_keys for c in fk.fields}
        references = typed.select(*sorted(fields), ROW, FILE) if fields else pl.DataFrame()
        return cls(
            (typed if primary is None else primary).select(table.primary_key), {"": references}
        )


def repeated_positions(hashes: pl.Series) -> pl.Series:
    """Positions of the hashes that occur more than once. Sorting needs a copy of the
    hashes; `is_duplicated` would build a hash table several times their size."""
    ordered = hashes.sort()
    repeated = ordered.filter(ordered == ordered.shift(1)).unique()
    if repeated.is_empty():
        return pl.Series(dtype=pl.UInt32)
    return hashes.is_in(repeated.implode()).arg_true()


def report_key_conflicts(
    report: Report,
    table: Table,
    conflicting: pl.DataFrame,
    message: str,
    paths: Sequence[str | None] = (None,),
) -> None:
    """`unique` errors for rows (__file, __row, key fields) whose keys conflict."""
    primary = table.primary_key
    name = ",".join(primary)
    issues = (
        Issue(
            "unique",
            "error",
            table.name,
            record[ROW],
            name,
            shown_key(record, primary),
            message,
            paths[record[FILE]],
        )
        for record in conflicting.head(report.room).iter_rows(named=True)
    )
    report.tally("unique", "error", conflicting.height, issues)


def case_conflicts(typed: pl.DataFrame, table: Table) -> pl.DataFrame:
    """The rows of a whole table (with __row and __file) whose primary key differs from
    another row's only in letter case (exactly equal keys are not looked for here)."""
    candidates = repeated_positions(typed.select(key_hash(table)).to_series())
    values = typed[candidates]
    folded = values.select(pl.struct(folded_key(table)).is_duplicated()).to_series()
    exact = values.select(pl.struct(table.primary_key).is_duplicated()).to_series()
    return values.filter(folded & ~exact).select(FILE, ROW, *table.primary_key).sort(FILE, ROW)


def folded_key(table: Table) -> list[pl.Expr]:
    """The primary key with text in lower case: keys equal this way are one key to a
    person (and to a case-insensitive file system), so they must not both exist."""
    return [
        pl.col(name).str.to_lowercase() if table.field(name).type == "string" else pl.col(name)
        for name in table.primary_key
    ]


def key_hash(table: Table) -> pl.Expr:
    """A 64-bit hash of the case-folded primary key (nulls hash alike; candidates are
    compared exactly)."""
    folded = folded_key(table)
    return folded[0].hash(seed=0) if len(folded) == 1 else pl.struct(folded).hash(seed=0)
