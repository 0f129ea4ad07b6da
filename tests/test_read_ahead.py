"""Reading ahead keeps the order, raises an error where it happened, holds one item in
flight and stops its thread when the reader stops early."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curate.readers.ahead import read_ahead


@given(st.lists(st.integers()))
def test_every_item_comes_in_order(items: list[int]) -> None:
    assert list(read_ahead(iter(items), "test")) == items


def test_an_error_is_raised_where_its_item_would_have_been() -> None:
    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise OSError("the file is damaged after row 2")

    reading = read_ahead(items(), "test")
    assert [next(reading), next(reading)] == [1, 2]
    with pytest.raises(OSError, match="after row 2"):
        next(reading)


def test_one_item_is_in_flight_and_it_is_made_in_another_thread() -> None:
    made: list[int] = []
    threads: set[str] = set()

    def items() -> Iterator[int]:
        for number in range(5):
            threads.add(threading.current_thread().name)
            made.append(number)
            yield number

    for taken in read_ahead(items(), "curate-test"):
        # Items up to the one after this are made; never two ahead.
        assert len(made) <= taken + 2
    assert made == [0, 1, 2, 3, 4]
    assert all(name.startswith("curate-test") for name in threads)


def test_stopping_early_closes_the_source() -> None:
    closed = threading.Event()

    def items() -> Iterator[int]:
        try:
            yield from range(1000)
        finally:
            closed.set()

    reading = read_ahead(items(), "test")
    assert next(reading) == 0
    reading.close()
    assert closed.is_set()
