"""Semantic versions, as curate writes them: the one parser of `MAJOR.MINOR.PATCH`.

A schema's version, a release's version and a release directory's name are all spelled
the same canonical way: three decimal numbers without leading zeros, and nothing else
(no `v` prefix, no pre-release or build suffix, no whitespace). Everything that reads or
matches a version uses this module, so that what one command writes another accepts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from curate.errors import CurateError, InputError

__all__ = ["FORM", "PATTERN", "Version", "is_version", "parse", "sorted_versions"]

_NUMBER = r"(?:0|[1-9][0-9]*)"
PATTERN = rf"{_NUMBER}\.{_NUMBER}\.{_NUMBER}"
"""A canonical version as a regular expression without anchors (to build others from)."""
FORM = "MAJOR.MINOR.PATCH"
"""How a version is spelled, for messages."""

_CANONICAL = re.compile(PATTERN)


class Version(NamedTuple):
    """A parsed version; tuples order as versions do (1.10.0 after 1.9.0)."""

    major: int
    minor: int
    patch: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def is_version(value: object) -> bool:
    """Whether `value` is a version spelled canonically (a str, the whole of it)."""
    # fullmatch: `$` would also accept a trailing newline.
    return isinstance(value, str) and _CANONICAL.fullmatch(value) is not None


def parse(text: object, *, what: str = "version", error: type[CurateError] = InputError) -> Version:
    """The version `text` spells; anything else raises `error` naming it as `what`."""
    if not isinstance(text, str) or not is_version(text):
        raise error(f"{what} {text!r} is not of the form {FORM} (semver, no prefix or suffix)")
    major, minor, patch = (int(part) for part in text.split("."))
    return Version(major, minor, patch)


def sorted_versions(texts: Iterable[str]) -> list[str]:
    """Versions oldest first (by number, not as text); a non-version raises InputError."""
    return sorted(texts, key=parse)
