"""One hierarchy of errors, each carrying the exit code the CLI maps it to.

Exit codes (DESIGN.md "Contracts"): 0 valid or done, 1 the data is invalid, 2 could not run.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "EXIT_CANNOT_RUN",
    "EXIT_INVALID",
    "EXIT_OK",
    "CurateError",
    "InputError",
    "InvalidDataError",
    "SchemaDefinitionError",
    "UnknownTableError",
    "not_written",
]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_CANNOT_RUN = 2


class CurateError(Exception):
    """Base of every error curate raises on purpose; `exit_code` is what the CLI returns."""

    exit_code: int = EXIT_CANNOT_RUN


class InputError(CurateError):
    """A path, file or option that curate cannot use (missing, unreadable, malformed)."""


class UnknownTableError(InputError):
    """A table name that the schema does not define."""

    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        super().__init__(f"unknown table {name!r}; the schema defines: {', '.join(known)}")
        self.name = name


class SchemaDefinitionError(CurateError):
    """The schema files themselves are inconsistent (a bug in schema/, not in the data)."""


class InvalidDataError(CurateError):
    """The data does not conform to the schema; a report says why."""

    exit_code = EXIT_INVALID


def not_written(path: Path, exc: OSError, outcome: str = "nothing was changed") -> InputError:
    """The error for a file that could not be written (a full disk, a read-only file
    system): which file, why, and what that left."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return InputError(f"cannot write {path}: {reason}; {outcome}")
