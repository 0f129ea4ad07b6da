"""Which layout of a dataset's export a file has, told from its header.

Each layout names the columns it must have; the most specific layout whose columns are
all present wins. A header that fits none is refused (exit 2) with the columns that the
closest layout lacks, so the user sees what to fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from curate.errors import InputError

__all__ = ["Layout", "UnknownLayoutError", "detect_layout"]


@dataclass(frozen=True)
class Layout:
    """A known export layout: its name, what it is, and the columns it must have."""

    name: str
    description: str
    required: frozenset[str]


class UnknownLayoutError(InputError):
    """A header that fits no known layout (exit 2)."""


def detect_layout(
    header: Sequence[str], layouts: Sequence[Layout], path: Path, what: str
) -> Layout:
    """The layout of a file with this (normalised) header, or UnknownLayoutError naming the
    columns that the closest layout lacks."""
    present = set(header)
    fitting = [layout for layout in layouts if layout.required <= present]
    if fitting:
        return max(fitting, key=lambda layout: len(layout.required))
    closest = min(layouts, key=lambda layout: len(layout.required - present))
    missing = sorted(closest.required - present)
    raise UnknownLayoutError(
        f"{path}: not a known {what} layout; the closest, {closest.name}, "
        f"lacks the columns: {', '.join(missing)}"
    )
