"""The engine's fast test for invisible and bidirectional control characters gives the
verdict of the check's own expression (the one the pandera reference engine runs)."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from curate.generate.checks import TEXT_CONTROLS, text_controls_absent

# Text drawn from everything Unicode has (controls, format characters, separators,
# non-ASCII letters, emoji), mostly printable ASCII as free text mostly is.
_TEXT = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40),
    st.sampled_from(["\u200b", "\u061c", "\ufeff", "\x85", "\x7f", "\t", "\n", "\u2069"]),
)
_CELLS = st.lists(st.none() | _TEXT, max_size=30)


def _expected(column: pl.Series) -> list[bool]:
    return (column.is_null() | ~column.str.contains(TEXT_CONTROLS)).to_list()


@given(_CELLS)
def test_the_fast_test_agrees_with_the_expression(cells: list[str | None]) -> None:
    column = pl.Series("notes", cells, dtype=pl.String)
    assert text_controls_absent(column).to_list() == _expected(column)


@given(_CELLS, _CELLS, st.integers(0, 10))
def test_chunked_and_sliced_columns_get_the_same_verdict(
    first: list[str | None], second: list[str | None], offset: int
) -> None:
    chunked = pl.concat(
        [pl.Series("notes", first, dtype=pl.String), pl.Series("notes", second, dtype=pl.String)],
        rechunk=False,
    ).slice(offset)
    assert text_controls_absent(chunked).to_list() == _expected(chunked)


def test_each_kind_of_control_is_found_among_plain_rows() -> None:
    controls = [
        "a\x00b",
        "tab\tthen\x1b",
        "del\x7f",
        "c1\x85",
        "alm\u061c",
        "zw\u200b",
        "ls\u2028",
        "rlo\u202e",
        "wj\u2060",
        "fsi\u2068",
        "bom\ufeff",
    ]
    plain = ["plain text", "é accented", "مدنيين", "tab\tand\nnewline", "🔥 emoji", None]
    column = pl.Series("notes", plain + controls, dtype=pl.String)
    assert text_controls_absent(column).to_list() == [True] * len(plain) + [False] * len(controls)
