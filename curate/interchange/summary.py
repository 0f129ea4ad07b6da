"""What an import did: rows read, events written, rows merged, warned and rejected.

Every row read is accounted for: rows read = events written + rows merged into another
row's event + rows rejected (each with its reason). Warnings do not remove a row; they
say what a person should look at.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import polars as pl

__all__ = ["ImportSummary", "Imported", "reason_counts"]


@dataclass(frozen=True)
class ImportSummary:
    """The counts of one import and the layout found in each file."""

    dataset: str
    extractor: str
    layouts: dict[str, str]
    rows_read: int
    events_written: int
    merged: int
    rejected: int
    warned: int
    claims_written: int
    sources_written: int
    rejected_reasons: dict[str, int] = field(default_factory=dict)
    warning_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        """Whether rows read = events written + rows merged + rows rejected."""
        return self.rows_read == self.events_written + self.merged + self.rejected

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "balanced": self.balanced}


@dataclass(frozen=True)
class Imported:
    """The records of an import, as typed polars frames in the schema's field order, the
    rejected rows (file, row, reason, message, and the record as JSON or its raw text)
    and the summary."""

    events: pl.DataFrame
    claims: pl.DataFrame
    sources: pl.DataFrame
    rejected: pl.DataFrame
    summary: ImportSummary

    @property
    def tables(self) -> dict[str, pl.DataFrame]:
        """The three tables by name, as `curate.validate` and the store take them."""
        return {"events": self.events, "claims": self.claims, "sources": self.sources}


def reason_counts(reasons: pl.Series) -> dict[str, int]:
    """How many times each reason occurs, most frequent first."""
    counted = reasons.drop_nulls().rename("reason").value_counts(name="n")
    ordered = counted.sort(["n", "reason"], descending=[True, False])
    return {str(reason): int(n) for reason, n in ordered.iter_rows()}
