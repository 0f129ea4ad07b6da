"""The commands of `curate`, one module per command group; `curate.cli.app` registers them.

These modules (and `curate.cli.app`) do not use `from __future__ import annotations`:
typer reads every command's annotations when the command line starts, and as strings
each would be compiled again (about 0.1 s). Heavy libraries are imported inside the
commands, so that `--help` stays fast (tests/test_startup.py)."""
