"""End to end: the real `curate` command line in a child process, from an unrelated cwd.

Each child runs `curate.cli.app.main` under this interpreter, so the tests see exactly what a
user sees: exit codes, stdout, stderr (one-line `curate: ...` messages, no tracebacks).
Outputs that several tests inspect are produced once per module, in parallel.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import frictionless
import jsonschema
import pytest
import yaml

from curate.schema.loader import default_schema_dir
from curate.schema.model import Schema
from tests.helpers import run_cli

TABLES = ("events", "claims", "sources")
EXPORT_TARGETS = ("pandera", "arrow", "jsonschema", "frictionless", "codebook")
SAMPLE_FILES = ["claims.jsonl", "events.jsonl", "sources.jsonl"]

# (format, table or None for all tables, --structured-output)
ExportKey = tuple[str, str | None, bool]
EXPORT_KEYS: list[ExportKey] = [
    *((fmt, table, False) for fmt in EXPORT_TARGETS for table in (*TABLES, None)),
    *(("jsonschema", table, True) for table in (*TABLES, None)),
]


# Rich output that does not depend on the terminal the tests run in.
ENV = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"} | {
    "COLUMNS": "200",
    "NO_COLOR": "1",
}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`curate ARGS` in a child process with `cwd` as its working directory."""
    return run_cli(*args, cwd=cwd, env=ENV)


def run_all(commands: Sequence[Sequence[str]], cwd: Path) -> list[subprocess.CompletedProcess[str]]:
    """Several independent commands at once (each is mostly interpreter start-up)."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda args: run(*args, cwd=cwd), commands))


def export_args(key: ExportKey) -> list[str]:
    fmt, table, structured = key
    args = ["schema", "export", "--target", fmt]
    if table is not None:
        args += ["--table", table]
    if structured:
        args.append("--structured-output")
    return args


def key_id(key: ExportKey) -> str:
    fmt, table, structured = key
    return f"{fmt}-{table or 'all'}" + ("-structured" if structured else "")


def assert_clean_failure(result: subprocess.CompletedProcess[str]) -> None:
    """Exit 2, nothing on stdout, and one line on stderr: `curate: ...`, no traceback."""
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("curate: ")


@pytest.fixture(scope="module")
def exports(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[ExportKey, subprocess.CompletedProcess[str]]:
    cwd = tmp_path_factory.mktemp("exports-cwd")
    results = run_all([export_args(key) for key in EXPORT_KEYS], cwd)
    assert list(cwd.iterdir()) == []  # stdout only: nothing written where it ran
    return dict(zip(EXPORT_KEYS, results, strict=True))


# --- help ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        (),
        ("validate",),
        ("schema",),
        ("schema", "export"),
        ("schema", "diff"),
        ("schema", "sample"),
    ],
    ids=lambda command: " ".join(command) or "curate",
)
def test_help_exits_0_and_names_the_command(command: tuple[str, ...], tmp_path: Path) -> None:
    result = run(*command, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "Usage:" in result.stdout
    if command:
        assert " ".join(command) in result.stdout
    else:
        assert "validate" in result.stdout
        assert "schema" in result.stdout


def test_the_console_script_runs(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "curate"
    if not script.exists():
        pytest.skip("the curate console script is not installed next to this interpreter")
    result = subprocess.run(
        [str(script), "schema", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=ENV,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "export" in result.stdout
    assert "diff" in result.stdout
    assert "sample" in result.stdout


# --- schema export ------------------------------------------------------------------------


@pytest.mark.parametrize("key", EXPORT_KEYS, ids=key_id)
def test_every_export_exits_0_from_an_unrelated_cwd(
    key: ExportKey, exports: dict[ExportKey, subprocess.CompletedProcess[str]]
) -> None:
    result = exports[key]
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("\n")
    assert result.stdout.strip()
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("structured", [False, True])
def test_jsonschema_export_is_a_valid_draft_2020_12_schema(
    structured: bool,
    exports: dict[ExportKey, subprocess.CompletedProcess[str]],
    schema: Schema,
) -> None:
    for name in TABLES:
        document = json.loads(exports[("jsonschema", name, structured)].stdout)
        jsonschema.Draft202012Validator.check_schema(document)
        assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        table = schema.table(name)
        assert list(document["properties"]) == list(table.field_names)
        expected = (
            list(table.field_names) if structured else [f.name for f in table.fields if f.required]
        )
        assert document["required"] == expected
        assert document["additionalProperties"] is False

    whole = json.loads(exports[("jsonschema", None, structured)].stdout)
    jsonschema.Draft202012Validator.check_schema(whole)
    assert whole["required"] == list(TABLES)
    assert list(whole["$defs"]) == list(TABLES)
    for name in TABLES:
        definition = whole["$defs"][name]
        assert list(definition["properties"]) == list(schema.table(name).field_names)
        if structured:
            assert definition["required"] == list(definition["properties"])


def test_structured_output_lists_every_property_as_required(
    exports: dict[ExportKey, subprocess.CompletedProcess[str]],
) -> None:
    for table in TABLES:
        document = json.loads(exports[("jsonschema", table, True)].stdout)
        assert document["required"] == list(document["properties"])
        relaxed = json.loads(exports[("jsonschema", table, False)].stdout)
        assert set(relaxed["required"]) < set(document["required"])  # each table has optionals


def test_frictionless_export_of_one_table_loads_in_frictionless(
    exports: dict[ExportKey, subprocess.CompletedProcess[str]], schema: Schema
) -> None:
    for name in TABLES:
        descriptor = json.loads(exports[("frictionless", name, False)].stdout)
        loaded = frictionless.Schema.from_descriptor(descriptor)
        table = schema.table(name)
        assert loaded.field_names == list(table.field_names)
        assert loaded.primary_key == list(table.primary_key)


def test_frictionless_export_of_all_tables_is_a_package_of_table_schemas(
    exports: dict[ExportKey, subprocess.CompletedProcess[str]], schema: Schema
) -> None:
    package = json.loads(exports[("frictionless", None, False)].stdout)
    assert package["profile"] == "tabular-data-package"
    assert package["curate:schema"] == {"name": schema.name, "version": schema.version}
    assert [resource["name"] for resource in package["resources"]] == list(TABLES)
    for resource in package["resources"]:
        assert resource["profile"] == "tabular-data-resource"
        loaded = frictionless.Schema.from_descriptor(resource["schema"])
        assert loaded.field_names == list(schema.table(resource["name"]).field_names)


def _arrow_blocks(text: str) -> dict[str, list[str]]:
    """Field names per table block of the arrow export."""
    blocks: dict[str, list[str]] = {}
    for block in text.strip("\n").split("\n\n"):
        header, *lines = block.split("\n")
        match = re.fullmatch(r"# (\w+) \(schema (\S+) (\S+)\)", header)
        assert match is not None, header
        blocks[match[1]] = [line.partition(": ")[0] for line in lines]
    return blocks


def test_arrow_export_names_every_field(
    exports: dict[ExportKey, subprocess.CompletedProcess[str]], schema: Schema
) -> None:
    for name in TABLES:
        blocks = _arrow_blocks(exports[("arrow", name, False)].stdout)
        assert blocks == {name: list(schema.table(name).field_names)}
    whole = _arrow_blocks(exports[("arrow", None, False)].stdout)
    assert whole == {name: list(schema.table(name).field_names) for name in TABLES}
    assert (
        "extracted_at: timestamp[us, tz=UTC] not null" in exports[("arrow", "events", False)].stdout
    )


def test_codebook_export_lists_every_field_and_rule(
    exports: dict[ExportKey, subprocess.CompletedProcess[str]], schema: Schema
) -> None:
    text = exports[("codebook", None, False)].stdout
    for table in schema.tables.values():
        assert f"## Table `{table.name}`" in text
        for name in table.field_names:
            assert f"| `{name}` |" in text, name
    codes = [rule.code for rule in schema.row_rules] + [r.code for r in schema.dataset_rules]
    assert len(codes) == 13
    for code in codes:
        assert f"| `{code}` |" in text, code


def test_codebook_export_of_one_table_has_only_that_table(
    exports: dict[ExportKey, subprocess.CompletedProcess[str]], schema: Schema
) -> None:
    text = exports[("codebook", "claims", False)].stdout
    assert re.findall(r"^## Table `(\w+)`$", text, flags=re.MULTILINE) == ["claims"]
    listed = re.findall(r"^\| `(rule:[\w-]+)` \|", text, flags=re.MULTILINE)
    assert listed == [rule.code for rule in schema.row_rules_for("claims")]


def test_pandera_export_is_pandera_yaml_per_table(
    exports: dict[ExportKey, subprocess.CompletedProcess[str]], schema: Schema
) -> None:
    for name in TABLES:
        document = yaml.safe_load(exports[("pandera", name, False)].stdout)
        assert document["name"] == name
        assert document["strict"] is True
        assert list(document["columns"]) == list(schema.table(name).field_names)
    headers = re.findall(
        r"^# (\w+) \(schema ", exports[("pandera", None, False)].stdout, flags=re.MULTILINE
    )
    assert headers == list(TABLES)


@pytest.mark.parametrize("fmt", EXPORT_TARGETS)
def test_output_file_holds_what_stdout_would(
    fmt: str, tmp_path: Path, exports: dict[ExportKey, subprocess.CompletedProcess[str]]
) -> None:
    target = tmp_path / f"export.{fmt}"
    result = run("schema", "export", "--target", fmt, "-o", str(target), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert f"wrote {target}" in result.stderr
    assert target.read_text(encoding="utf-8") == exports[(fmt, None, False)].stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temp file left


def test_output_into_a_missing_directory_is_a_one_line_error(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "codebook.md"
    result = run("schema", "export", "--target", "codebook", "-o", str(target), cwd=tmp_path)
    assert_clean_failure(result)
    assert str(target.parent) in result.stderr
    assert not target.parent.exists()


def test_the_export_targets_are_the_registrys() -> None:
    from curate.cli.commands.schema import ExportTarget
    from curate.generate.registry import TARGETS

    assert tuple(target.value for target in ExportTarget) == tuple(TARGETS) == EXPORT_TARGETS


def test_format_is_never_the_export_target(tmp_path: Path) -> None:
    """`--format`/`-f` is text|json on every command: `schema export` takes `--target`."""
    for flag in ("--format", "-f"):
        result = run("schema", "export", flag, "codebook", cwd=tmp_path)
        assert result.returncode == 2
        assert result.stdout == ""
        assert "No such option" in result.stderr
    as_json = run("schema", "export", "-f", "json", cwd=tmp_path)
    assert as_json.returncode == 2
    document = json.loads(as_json.stdout)  # JSON mode: the usage error as its document
    assert document["exit_code"] == 2
    assert "-f" in document["error"]


def test_unknown_format_exits_2(tmp_path: Path) -> None:
    result = run("schema", "export", "--target", "parquet", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "'--target'" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_table_exits_2_naming_the_known_tables(tmp_path: Path) -> None:
    result = run("schema", "export", "--target", "arrow", "--table", "actors", cwd=tmp_path)
    assert_clean_failure(result)
    assert "'actors'" in result.stderr
    assert "events, claims, sources" in result.stderr


@pytest.mark.parametrize("fmt", [f for f in EXPORT_TARGETS if f != "jsonschema"])
def test_structured_output_needs_the_jsonschema_format(fmt: str, tmp_path: Path) -> None:
    result = run("schema", "export", "--target", fmt, "--structured-output", cwd=tmp_path)
    assert_clean_failure(result)
    assert result.stderr == "curate: --structured-output applies to --target jsonschema only\n"


# --- schema diff --------------------------------------------------------------------------


def _copy_schema(target: Path, *, drop_quote: bool, version: str | None = None) -> Path:
    shutil.copytree(default_schema_dir(), target)
    if drop_quote:
        claims = target / "claims.yaml"
        text, count = re.subn(r"  - name: quote\n(?:    .*\n)+", "", claims.read_text("utf-8"))
        assert count == 1
        claims.write_text(text, encoding="utf-8")
    if version is not None:
        top = target / "schema.yaml"
        text, count = re.subn(
            r"^version: .*$", f"version: {version}", top.read_text("utf-8"), flags=re.MULTILINE
        )
        assert count == 1
        top.write_text(text, encoding="utf-8")
    return target


def test_diff_of_the_shipped_schema_with_itself_is_none(tmp_path: Path) -> None:
    shipped = str(default_schema_dir())
    text, as_json = run_all(
        [["schema", "diff", shipped, shipped], ["schema", "diff", shipped, shipped, "-f", "json"]],
        tmp_path,
    )
    assert text.returncode == 0, text.stderr
    assert as_json.returncode == 0, as_json.stderr
    document = json.loads(as_json.stdout)
    assert document["level"] == "none"
    assert document["changes"] == []
    assert document["version_bump_ok"] is True
    assert document["old_version"] == document["new_version"]


def test_a_removed_field_without_a_major_bump_exits_1(tmp_path: Path, schema: Schema) -> None:
    shipped = str(default_schema_dir())
    same_version = str(_copy_schema(tmp_path / "same", drop_quote=True))
    major = int(schema.version.split(".")[0])
    bumped = str(_copy_schema(tmp_path / "bumped", drop_quote=True, version=f"{major + 1}.0.0"))
    as_json, text, after_bump = run_all(
        [
            ["schema", "diff", shipped, same_version, "--format", "json"],
            ["schema", "diff", shipped, same_version],
            ["schema", "diff", shipped, bumped, "--format", "json"],
        ],
        tmp_path,
    )
    assert as_json.returncode == 1, as_json.stderr
    document = json.loads(as_json.stdout)
    assert document["level"] == "major"
    assert document["version_bump_ok"] is False
    assert document["changes"] == [
        {"level": "major", "where": "claims.quote", "what": "field removed"}
    ]

    assert text.returncode == 1, text.stderr
    assert "claims.quote" in text.stdout
    assert "Traceback" not in text.stderr

    assert after_bump.returncode == 0, after_bump.stderr
    bumped_document = json.loads(after_bump.stdout)
    assert bumped_document["level"] == "major"
    assert bumped_document["version_bump_ok"] is True
    assert bumped_document["new_version"] == f"{major + 1}.0.0"


def test_diff_with_a_missing_path_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-schema"
    result = run("schema", "diff", str(default_schema_dir()), str(missing), cwd=tmp_path)
    assert_clean_failure(result)
    assert str(missing) in result.stderr


# --- schema sample ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Seed 5 twice and seed 6 once, each into its own directory (relative to cwd)."""
    cwd = tmp_path_factory.mktemp("samples-cwd")
    runs = {"first": "5", "again": "5", "other": "6"}
    results = run_all(
        [["schema", "sample", "-o", name, "--seed", s] for name, s in runs.items()], cwd
    )
    return {"cwd": cwd, "results": dict(zip(runs, results, strict=True))}


def test_sample_writes_three_jsonl_files_in_schema_field_order(
    samples: dict[str, Any], schema: Schema
) -> None:
    cwd: Path = samples["cwd"]
    for name, result in samples["results"].items():
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        directory = cwd / name
        assert sorted(p.name for p in directory.iterdir()) == SAMPLE_FILES
    directory = cwd / "first"
    for table in TABLES:
        lines = (directory / f"{table}.jsonl").read_text(encoding="utf-8").splitlines()
        assert lines, table
        for line in lines:
            row = json.loads(line)
            assert isinstance(row, dict)
            assert list(row) == list(schema.table(table).field_names)


def test_sample_is_reproducible_by_seed(samples: dict[str, Any]) -> None:
    cwd: Path = samples["cwd"]

    def contents(name: str) -> list[bytes]:
        return [(cwd / name / file).read_bytes() for file in SAMPLE_FILES]

    assert contents("first") == contents("again")
    assert contents("first") != contents("other")
    assert (cwd / "first" / "events.jsonl").read_bytes() != (
        cwd / "other" / "events.jsonl"
    ).read_bytes()


def test_a_sample_passes_curate_validate(samples: dict[str, Any]) -> None:
    cwd: Path = samples["cwd"]
    result = run("validate", "first", "--format", "json", cwd=cwd)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["valid"] is True
    assert report["errors"] == 0
    written = {
        table: len((cwd / "first" / f"{table}.jsonl").read_bytes().splitlines()) for table in TABLES
    }
    assert report["rows"] == written
