"""Allocator tuning for the commands that hold whole tables in memory."""

from __future__ import annotations

import os

__all__ = ["return_freed_memory"]


def return_freed_memory() -> None:
    """For commands that hold whole tables, one after another: ask polars' allocator
    (jemalloc, which by default never returns "muzzy" pages) to give freed memory back at
    once, so that peak memory follows what is live. It costs streaming validation about
    15% of its speed and gains it nothing, so only these commands do it. Must run before
    polars is imported; a value the user set is kept (polars appends it to its own)."""
    os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")
