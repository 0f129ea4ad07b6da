"""Events in words: unknown stays unknown, bounds are said as bounds."""

from __future__ import annotations

from typing import Any

import pytest

from curate.cli.events import casualties, claim_value


@pytest.mark.parametrize(
    ("low", "best", "high", "words"),
    [
        (None, None, None, "unknown"),
        (4, None, None, "at least 4"),
        (None, None, 9, "at most 9"),
        (3, None, 9, "between 3 and 9"),
        (None, 5, None, "5"),
        (3, 5, 9, "5 (from 3 to 9)"),
        (0, 0, 0, "0 (from 0 to 0)"),
    ],
)
def test_casualties_in_words(low: Any, best: Any, high: Any, words: str) -> None:
    assert casualties(low, best, high) == words


@pytest.mark.parametrize(
    ("qualifier", "low", "high", "text", "words"),
    [
        ("exact", 8.0, None, None, "8"),
        ("exact", 1234567.0, None, None, "1234567"),
        ("about", 2.5, None, None, "about 2.5"),
        ("at_least", 13.0, None, "more than 12 raids", "at least 13 (more than 12 raids)"),
        ("at_most", None, 5.0, None, "at most 5"),
        ("about", 12.0, None, None, "about 12"),
        ("between", 10.0, 15.0, None, "10 to 15"),
        ("unquantified", None, None, "dozens injured", "dozens injured"),
        ("unquantified", None, None, None, ""),
    ],
)
def test_claim_values_in_words(
    qualifier: str, low: Any, high: Any, text: str | None, words: str
) -> None:
    claim = {"qualifier": qualifier, "value_low": low, "value_high": high, "value_text": text}
    assert claim_value(claim) == words
