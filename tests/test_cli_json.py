"""`--format json` on every command that reports: through the real command line, each
run writes exactly one JSON document on stdout, valid against the schema shipped for
that command (curate/cli/schemas/, curate/report.schema.json for validate); an error is
the error document (error.schema.json) with the command's exit code, and one line on
stderr."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import referencing

from curate.cli.app import app
from curate.cli.documents import schema_path
from curate.cli.options import OutputFormat
from curate.schema.loader import default_schema_dir
from tests.helpers import run_cli
from tests.importing import acled_row, write_acled_csv

ROOT = Path(__file__).resolve().parent.parent
RAQQA = ROOT / "datasets" / "raqqa-airstrikes-2015"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "importers"

# (command path, the schema of its document, arguments after it, the exit code expected)
Case = tuple[str, str, tuple[str, ...], int]


def _cases(work: Path) -> dict[str, list[Case]]:
    """Commands in chains that run one after another; the chains run side by side."""
    fresh, raqqa, sample = work / "fresh", work / "raqqa", work / "sample"
    events = raqqa / "records" / "events.jsonl"
    event_id = json.loads(events.read_text("utf-8").splitlines()[0])["event_id"]
    inputs = tuple(str(sample / f"{name}.jsonl") for name in ("events", "claims", "sources"))
    release_dir = str(raqqa / "releases" / "1.1.0")
    shipped = str(default_schema_dir())
    into = str(work / "into")
    return {
        "an import into a dataset": [
            ("new", "new", (into,), 0),
            ("import acled", "import", (str(work / "two-sources.csv"), "--into", into), 0),
            # the event now rests on one source, its stored claims on two: refused
            ("import acled", "import", (str(work / "one-source.csv"), "--into", into), 1),
        ],
        "a new dataset": [
            ("new", "new", (str(fresh),), 0),
            ("new", "error", (str(fresh),), 2),
            ("ingest", "ingest", (str(fresh), *inputs, "--dry-run"), 0),
            ("ingest", "ingest", (str(fresh), *inputs), 0),
            ("ingest", "error", (str(work / "missing"), *inputs), 2),
            ("release", "release", (str(fresh), "--version", "1.0.0"), 0),
            ("release", "error", (str(fresh),), 2),
        ],
        "the shipped dataset": [
            ("verify", "verify", (release_dir,), 0),
            ("verify", "verify", (release_dir, "--digest", "sha256:" + "0" * 64), 1),
            ("verify", "error", (release_dir, "--digest", "md5:abc"), 2),
            ("diff", "diff", (str(raqqa / "releases" / "1.0.0"), release_dir), 0),
            ("diff", "error", (str(work / "missing"), release_dir), 2),
            ("replay", "replay", (str(raqqa),), 0),
            ("replay", "error", (str(work / "missing"),), 2),
            # last: the releases the commands above read stay as published
            ("retract", "retract", (str(raqqa), event_id, "--reason", "a duplicate"), 0),
            ("retract", "error", (str(raqqa), "no-such-event", "--reason", "x"), 2),
        ],
        "the rest": [
            ("validate", "validate", (str(sample),), 0),
            ("validate", "error", (str(work / "missing.jsonl"),), 2),
            ("schema sample", "validate", ("-o", "another-sample", "--seed", "3"), 0),
            ("schema sample", "error", ("-o", str(sample / "events.jsonl" / "inside")), 2),
            ("schema diff", "schema-diff", (shipped, shipped), 0),
            ("schema diff", "error", (shipped, str(work / "missing")), 2),
            ("import acled", "import", (str(FIXTURES / "acled-current.csv"), "-o", "acled"), 0),
            ("import acled", "error", (str(FIXTURES / "acled-current.csv"),), 2),
            ("import ucdp", "error", (str(FIXTURES / "GEDEvent_v24_1.geojson"),), 2),
            ("import ucdp", "import", (str(FIXTURES / "GEDEvent_v24_1.csv"), "-o", "ucdp"), 1),
        ],
    }


def _run_chain(cases: Sequence[Case], cwd: Path) -> list[tuple[Case, Any]]:
    # without FORCE_COLOR: a document is plain JSON whatever the environment asks for
    environment = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    results = []
    for case in cases:
        command, _, arguments, _ = case
        run = run_cli(*command.split(), *arguments, "--format", "json", cwd=cwd, env=environment)
        results.append((case, run))
    return results


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Case, Any]]:
    work = tmp_path_factory.mktemp("json")
    shutil.copytree(RAQQA, work / "raqqa")
    assert run_cli("schema", "sample", "-o", str(work / "sample")).returncode == 0
    row = acled_row()
    assert row["source"] == "SOHR; Reuters"
    write_acled_csv(work / "two-sources.csv", [row])
    write_acled_csv(work / "one-source.csv", [acled_row(source="SOHR")])
    chains = _cases(work)
    with ThreadPoolExecutor(max_workers=len(chains)) as pool:
        done = list(pool.map(lambda chain: _run_chain(chain, work), chains.values()))
    return [run for chain in done for run in chain]


def _retrieve(uri: str) -> referencing.Resource[Any]:
    path = Path(uri.removeprefix("file://"))
    return referencing.Resource.from_contents(json.loads(path.read_text("utf-8")))


def conforms(document: Any, schema: str) -> None:
    """`document` is valid against the shipped schema named `schema`, its `$ref`s to the
    schema files beside it resolved as files."""
    # attrs names the init argument of the field `_retrieve` `retrieve`; mypy misses it
    registry: referencing.Registry[Any] = referencing.Registry(retrieve=_retrieve)  # type: ignore[call-arg]
    validator = jsonschema.Draft202012Validator(
        {"$ref": schema_path(schema).as_uri()}, registry=registry
    )
    jsonschema.Draft202012Validator.check_schema(json.loads(schema_path(schema).read_text()))
    validator.validate(document)


def _id(case: Case) -> str:
    return f"{case[0]}-{case[1]}-{case[3]}"


def test_every_run_is_one_document_valid_against_its_schema(
    runs: list[tuple[Case, Any]],
) -> None:
    for case, result in runs:
        _, schema, _, expected = case
        assert result.returncode == expected, (case, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr, case
        document = json.loads(result.stdout)  # the whole of stdout: exactly one document
        assert isinstance(document, dict), case
        conforms(document, schema)


def test_an_error_is_a_document_with_the_exit_code_and_one_line_on_stderr(
    runs: list[tuple[Case, Any]],
) -> None:
    errors = [(case, result) for case, result in runs if case[1] == "error"]
    assert {case[0] for case, _ in errors} >= {"new", "ingest", "release", "verify", "diff"}
    for case, result in errors:
        document = json.loads(result.stdout)
        assert document["exit_code"] == result.returncode == 2, case
        assert result.stderr.splitlines() == [f"curate: {document['error']}"], case


def test_the_documents_say_what_happened(runs: list[tuple[Case, Any]]) -> None:
    documents = {
        (case[0], case[3], case[2][-1]): json.loads(result.stdout) for case, result in runs
    }
    dry = documents[("ingest", 0, "--dry-run")]
    assert dry["dry_run"] is True
    assert dry["accepted"] is True
    assert dry["written"] is False
    ingested = next(
        d
        for (c, code, _), d in documents.items()
        if c == "ingest" and code == 0 and not d["dry_run"]
    )
    assert ingested["written"] is True
    assert ingested["report"]["valid"] is True
    assert set(ingested["tables"]) == {"events", "claims", "sources"}
    retracted = documents[("retract", 0, "a duplicate")]
    assert retracted["revision"] >= 2
    released = documents[("release", 0, "1.0.0")]
    assert released["version"] == "1.0.0"
    assert released["previous"] is None
    assert released["digest"].startswith("sha256:")
    forged = documents[("verify", 1, "sha256:" + "0" * 64)]
    assert forged["ok"] is False
    assert forged["problems"]
    into = next(key[2] for key in documents if key[0] == "import acled" and key[2].endswith("into"))
    accepted = documents[("import acled", 0, into)]["ingest"]
    assert (accepted["accepted"], accepted["written"]) == (True, True)
    assert accepted["report"]["valid"] is True
    refused = documents[("import acled", 1, into)]["ingest"]
    assert (refused["accepted"], refused["written"]) == (False, False)
    assert refused["report"]["valid"] is False  # and why:
    assert set(refused["report"]["counts"]) == {"rule:source-count-matches"}
    assert refused["report"]["issues"][0]["value"] == "SYR1001"
    replays = [d for (c, code, _), d in documents.items() if c == "replay" and code == 0]
    assert replays[0]["identical"] is True
    assert replays[0]["versions"] == ["1.0.0", "1.1.0"]


def _commands_with_a_format_option() -> set[str]:
    """Every command of the app that takes `--format json`."""
    import typer.main

    found: set[str] = set()

    def walk(command: Any, path: tuple[str, ...]) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, (*path, name))
        for parameter in getattr(command, "params", []):
            if parameter.type_descriptor.annotation is OutputFormat:
                found.add(" ".join(path))

    walk(typer.main.get_command(app), ())
    return found


def test_every_command_with_format_json_is_covered(runs: list[tuple[Case, Any]]) -> None:
    covered = {case[0] for case, _ in runs}
    assert _commands_with_a_format_option() == covered
    assert "schema sample" in covered
    assert covered >= {
        "ingest",
        "release",
        "verify",
        "diff",
        "replay",
        "import acled",
        "import ucdp",
        "schema diff",
        "validate",
        "retract",
        "new",
    }


def test_a_usage_error_in_json_mode_is_a_document(tmp_path: Path) -> None:
    result = run_cli("validate", "--max-errors", "-1", "--format", "json", str(tmp_path))
    assert result.returncode == 2
    document = json.loads(result.stdout)
    conforms(document, "error")
    assert "--max-errors" in document["error"]
    assert result.stderr.splitlines() == [f"curate: {document['error']}"]


def test_a_multi_line_error_is_the_same_text_on_stderr_and_in_json(tmp_path: Path) -> None:
    from curate.markup import plain

    missing = tmp_path / "first line\nsecond line.jsonl"
    result = run_cli("validate", str(missing), "--format", "json")
    assert result.returncode == 2
    document = json.loads(result.stdout)
    conforms(document, "error")
    assert plain(str(missing)) in document["error"]  # every line of it, as stderr shows it
    assert result.stderr.splitlines() == [f"curate: {document['error']}"]
