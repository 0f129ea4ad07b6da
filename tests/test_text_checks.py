"""The engine's fast test for invisible and bidirectional control characters gives the
verdict of the check's own expression (the one the pandera reference engine runs)."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from curate.generate.checks import TEXT_CONTROLS, text_controls_absent

# Text drawn from everything Unicode has (controls, format characters, separators,
# non-ASCII letters, emoji), mostly printable ASCII as free text mostly is.
# Every character the check looks for, and its neighbours on either side.
_EDGES = (
    [chr(c) for c in range(0xA0)]
    + [
        chr(c)
        for first, last in ((0x61B, 0x61D), (0x200A, 0x2010), (0x2027, 0x202F), (0x205F, 0x206A))
        for c in range(first, last + 1)
    ]
    + ["\ufefe", "\ufeff", "\uff00", "é", "م", "🔥"]
)
_TEXT = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
    st.text(alphabet=st.sampled_from(_EDGES), max_size=12),
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


@given(_CELLS)
def test_long_text_gets_the_same_verdict(cells: list[str | None]) -> None:
    """Long free text takes the split search (ASCII classes, then non-ASCII rows)."""
    padded = [None if cell is None else f"{cell} {'long note ' * 10}" for cell in cells]
    column = pl.Series("notes", padded, dtype=pl.String)
    assert text_controls_absent(column).to_list() == _expected(column)


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
    for padding in ("", " and a long remark" * 8):  # the short and the split search
        cells = [None if c is None else c + padding for c in plain + controls]
        column = pl.Series("notes", cells, dtype=pl.String)
        expected = [True] * len(plain) + [False] * len(controls)
        assert text_controls_absent(column).to_list() == expected
