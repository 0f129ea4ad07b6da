"""Reading ahead: the next batch of a file is read in a second thread while the caller
checks the current one.

Decoding a file (pyarrow's Parquet and CSV readers) and checking a batch (polars) both
release the GIL, so on two cores the two overlap. One item is in flight at a time, so
memory stays bounded by two batches.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar, cast

__all__ = ["read_ahead"]

T = TypeVar("T")

_END = object()


def read_ahead(items: Iterator[T], name: str) -> Generator[T, None, None]:
    """The items of `items` in order, each next one made in a second thread (named
    `name`) while the caller works on the current one. An error raised making an item
    is raised here, where that item would have been; closing this iterator early stops
    the thread and closes `items`."""
    with ThreadPoolExecutor(1, thread_name_prefix=name) as pool:
        pending = pool.submit(next, items, _END)
        try:
            while True:
                item = pending.result()
                if item is _END:
                    return
                pending = pool.submit(next, items, _END)
                yield cast(T, item)
        finally:
            pending.cancel()
            pool.shutdown(wait=True)  # no item is being made when `items` is closed
            close = getattr(items, "close", None)
            if close is not None:
                close()
