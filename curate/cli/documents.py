"""The JSON documents the commands print with `--format json`, one builder per command
document, each built from the library's results. Each document has its JSON Schema in
curate/cli/schemas/ (the validation report's is curate/report.schema.json); `schema_path`
names it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from curate.interchange.summary import Imported
    from curate.release.build import ReleaseResult
    from curate.release.changes import TableDiff
    from curate.release.replay import Replay
    from curate.release.verify import Verification
    from curate.report import Report
    from curate.schema.evolution import SchemaDiff
    from curate.store.ingest import IngestResult
    from curate.validation.quarantine import QuarantineCounts

__all__ = [
    "diff_document",
    "import_document",
    "ingest_document",
    "ingest_tables",
    "new_document",
    "quarantine_document",
    "release_document",
    "replay_document",
    "retract_document",
    "schema_diff_document",
    "schema_path",
    "validate_document",
    "verify_document",
]

SCHEMAS = Path(__file__).resolve().parent / "schemas"


def schema_path(command: str) -> Path:
    """The JSON Schema of what `command` prints (`validate`, `ingest`, `schema-diff`,
    ..., or `error` for the document of an error)."""
    if command == "validate":
        return SCHEMAS.parent.parent / "report.schema.json"
    return SCHEMAS / f"{command}.schema.json"


def validate_document(
    report: Report, placed: Sequence[QuarantineCounts] | None = None
) -> dict[str, Any]:
    """`curate validate --format json` (and `curate schema sample`'s): the validation
    report, with where each input's rows went when they were put in a quarantine."""
    document = report.to_dict()
    if placed is not None:
        document["quarantine"] = quarantine_document(placed)
    return document


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


def import_document(
    imported: Imported, output: Path | None, ingested: IngestResult | None, into: Path | None
) -> dict[str, Any]:
    """`curate import acled|ucdp --format json`: the summary, where the records went, the
    rejected rows when there is no output directory to keep them, and with --into the
    ingest's document (its report says why a refused ingest was refused)."""
    import orjson

    from curate.interchange.output import rejected_lines

    document: dict[str, Any] = {
        "summary": imported.summary.to_dict(),
        "output": None if output is None else str(output),
    }
    if output is None:  # nowhere else to keep them
        document["rejected"] = [
            orjson.loads(line) for line in rejected_lines(imported).splitlines()
        ]
    if ingested is not None and into is not None:
        document["ingest"] = ingest_document(ingested, into, dry_run=False)
    return document


def new_document(dataset: Path, title: str | None) -> dict[str, Any]:
    """`curate new --format json`: the dataset created and its title."""
    return {"dataset": str(dataset), "title": title}


def retract_document(dataset: Path, event_id: str, reason: str, revision: int) -> dict[str, Any]:
    """`curate retract --format json`: the event retracted, why, and its new revision."""
    return {"dataset": str(dataset), "event_id": event_id, "reason": reason, "revision": revision}


def release_document(result: ReleaseResult) -> dict[str, Any]:
    """`curate release --format json`: the version, where, the one before, the digest and
    the record changes since it."""
    return {
        "version": result.version,
        "path": str(result.path),
        "previous": result.previous,
        "digest": result.digest,
        "changes": {name: diff.to_dict() for name, diff in result.changes.items()},
    }


def diff_document(diffs: Mapping[str, TableDiff]) -> dict[str, Any]:
    """`curate diff --format json`: the record changes of each table."""
    return {name: diff.to_dict() for name, diff in diffs.items()}


def verify_document(
    release: Path, result: Verification, expected: str | None, *, ok: bool
) -> dict[str, Any]:
    """`curate verify --format json`: the verdict, the digest computed and the one
    expected, the problems found."""
    return {
        "release": str(release),
        "ok": ok,
        "digest": result.digest,
        "expected_digest": expected,
        "problems": result.problems,
    }


def replay_document(dataset: Path, result: Replay) -> dict[str, Any]:
    """`curate replay --format json`: whether every release was rebuilt byte-identical."""
    return {
        "dataset": str(dataset),
        "identical": result.identical,
        "versions": result.versions,
        "differences": result.differences,
    }


def schema_diff_document(difference: SchemaDiff) -> dict[str, Any]:
    """`curate schema diff --format json`: the level of each change, and whether the new
    version number is raised enough."""
    return difference.to_dict()
