"""The package's public surface: lazy, and `curate.validate` is the function."""

from __future__ import annotations

import subprocess
import sys

import polars as pl

import curate
import curate.validation.api


def test_validate_is_the_function_even_after_the_engine_module_is_imported() -> None:
    report = curate.validate(
        pl.DataFrame({"source_id": ["s1"], "publisher": ["Reuters"]}), "sources"
    )
    assert report.valid
    assert callable(curate.validate)


def test_importing_curate_loads_no_heavy_library() -> None:
    probe = (
        "import sys, curate, curate.cli.app; "
        "print(sorted(m for m in ('polars', 'pandera', 'pyarrow', 'pandas') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
