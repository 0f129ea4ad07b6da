"""The JSON documents the commands print with `--format json`, built from the library's
results. Each has its JSON Schema in curate/cli/schemas/ (the validation report's is
curate/report.schema.json); `schema_path` names it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from curate.store.ingest import IngestResult
    from curate.validation.quarantine import QuarantineCounts

__all__ = ["ingest_document", "ingest_tables", "quarantine_document", "schema_path"]

SCHEMAS = Path(__file__).resolve().parent / "schemas"


def schema_path(command: str) -> Path:
    """The JSON Schema of what `command` prints (`validate`, `ingest`, `schema-diff`,
    ..., or `error` for the document of an error)."""
    if command == "validate":
        return SCHEMAS.parent.parent / "report.schema.json"
    return SCHEMAS / f"{command}.schema.json"


def quarantine_document(placed: Sequence[QuarantineCounts]) -> list[dict[str, Any]]:
    """Where each input's rows went: rows = valid + rejected."""
    return [
        {
            "path": str(c.path),
            "rows": c.rows,
            "valid": c.valid,
            "rejected": c.rejected,
            "valid_file": str(c.valid_file),
            "rejected_file": str(c.rejected_file),
        }
        for c in placed
    ]


def ingest_tables(result: IngestResult) -> dict[str, dict[str, int]]:
    """What an ingest did to each table, counted."""
    return {
        name: {
            "added": len(c.added),
            "revised": len(c.revised),
            "unchanged": c.unchanged,
            "reextracted": c.reextracted,
            "rejected": c.rejected,
        }
        for name, c in result.changes.items()
    }


def ingest_document(result: IngestResult, dataset: Path, *, dry_run: bool) -> dict[str, Any]:
    """`curate ingest --format json`: the verdict, the counts per table, the quarantine
    and the validation report."""
    return {
        "dataset": str(dataset),
        "dry_run": dry_run,
        "accepted": result.accepted,
        "written": result.written,
        "tables": ingest_tables(result),
        "quarantine": quarantine_document(result.quarantine),
        "report": result.report.to_dict(),
    }
