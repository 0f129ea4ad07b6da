"""The validation report: a returned object with stable codes, never printed by the library.

Codes (DESIGN.md "Validation report"): one enumeration, `curate.codes`, with each
code's default severity and meaning; `rule:<id>` for each rule of schema/rules.yaml.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from curate.codes import Code
from curate.schema.model import Severity

__all__ = ["CODES", "MAX_VALUE_LENGTH", "Issue", "Report", "truncate"]

CODES: tuple[str, ...] = tuple(str(code) for code in Code)
"""The codes that do not come from a rule (`curate.codes`); rules add `rule:<id>`."""

MAX_VALUE_LENGTH = 200


def truncate(value: object) -> str | None:
    """The offending value as short text for a report (None stays None)."""
    if value is None:
        return None
    text = str(value)
    if len(text) > MAX_VALUE_LENGTH:
        return text[: MAX_VALUE_LENGTH - 1] + "…"
    return text


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem: what (code), how bad, where (table, 1-based row, field; the input file
    when there is one) and why."""

    code: str
    severity: Severity
    table: str
    row: int | None
    field: str | None
    value: str | None
    message: str
    path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    """Issues found, with totals per code that `max_issues` never truncates."""

    max_issues: int | None = None
    issues: list[Issue] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    severities: dict[str, Severity] = field(default_factory=dict)
    rows: Counter[str] = field(default_factory=Counter)

    rejected: Counter[str] = field(default_factory=Counter)
    rows_by_path: Counter[str] = field(default_factory=Counter)

    @property
    def room(self) -> int:
        """How many more issues the report keeps (all are counted regardless)."""
        if self.max_issues is None:
            return 2**62
        return max(self.max_issues - len(self.issues), 0)

    def add(self, issue: Issue) -> None:
        self.tally(issue.code, issue.severity, 1, [issue])

    def extend(self, issues: Iterable[Issue]) -> None:
        for issue in issues:
            self.add(issue)

    def tally(
        self, code: str, severity: Severity, count: int, issues: Iterable[Issue] = ()
    ) -> None:
        """Count `count` problems of one code, keeping as many of `issues` as there is room."""
        if count <= 0:
            return
        self.counts[code] += count
        self.severities.setdefault(code, severity)
        room = self.room
        if room:
            self.issues.extend(itertools.islice(issues, room))

    def count_rows(self, table: str, n: int, path: str | None = None) -> None:
        self.rows[table] += n
        if path is not None:
            self.rows_by_path[path] += n

    @property
    def error_count(self) -> int:
        return sum(n for code, n in self.counts.items() if self.severities[code] == "error")

    @property
    def warning_count(self) -> int:
        return sum(n for code, n in self.counts.items() if self.severities[code] == "warning")

    @property
    def valid(self) -> bool:
        """True when there is no error; warnings alone leave the data valid."""
        return self.error_count == 0

    def codes(self) -> set[str]:
        return set(self.counts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "errors": self.error_count,
            "warnings": self.warning_count,
            "rows": dict(self.rows),
            "rejected_rows": dict(self.rejected),
            "counts": {
                code: {"severity": self.severities[code], "count": n}
                for code, n in sorted(self.counts.items())
            },
            "issues": [issue.to_dict() for issue in self.issues],
            "truncated": len(self.issues) < sum(self.counts.values()),
        }
