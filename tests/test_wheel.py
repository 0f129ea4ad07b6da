"""The built wheel carries schema/ and works from an unrelated directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout (no network: hatchling is a dev dependency)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("curate-*.whl")
    target = out / "unpacked"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def test_wheel_carries_every_schema_file(unpacked_wheel: Path) -> None:
    shipped = {
        p.relative_to(unpacked_wheel / "curate" / "_schema")
        for p in (unpacked_wheel / "curate" / "_schema").rglob("*.yaml")
    }
    in_checkout = {p.relative_to(ROOT / "schema") for p in (ROOT / "schema").rglob("*.yaml")}
    assert shipped == in_checkout
    assert not (unpacked_wheel / "schema").exists()


def test_installed_wheel_exports_from_an_unrelated_directory(
    unpacked_wheel: Path, tmp_path: Path
) -> None:
    environment = {**os.environ, "PYTHONPATH": str(unpacked_wheel)}
    probe = (
        "import curate, curate.schema.loader as s; "
        "print(curate.__file__); print(s.default_schema_dir())"
    )
    where = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    module_file, schema_dir = where.stdout.split()
    assert Path(module_file).is_relative_to(unpacked_wheel)
    assert Path(schema_dir) == unpacked_wheel / "curate" / "_schema"
    for format in ("pandera", "arrow", "jsonschema", "frictionless", "codebook"):
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "from curate.cli.app import main; main()",
                "schema",
                "export",
                "--target",
                format,
                "--table",
                "events",
            ],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        assert "event_id" in result.stdout
        if format == "jsonschema":
            assert json.loads(result.stdout)["properties"]["event_id"]["type"] == "string"


def test_wheel_ships_py_typed_and_the_command_line_schemas(unpacked_wheel: Path) -> None:
    """Type checkers read curate's hints (PEP 561), and every JSON document the command
    line writes has its schema in the installed package."""
    assert (unpacked_wheel / "curate" / "py.typed").is_file()
    shipped = {p.name for p in (unpacked_wheel / "curate" / "cli" / "schemas").glob("*.json")}
    in_checkout = {p.name for p in (ROOT / "curate" / "cli" / "schemas").glob("*.json")}
    assert shipped == in_checkout
    assert "error.schema.json" in shipped
    assert (unpacked_wheel / "curate" / "report.schema.json").is_file()
