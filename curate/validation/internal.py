"""The internal columns of validation: each row's number in its input and the index of
the file it came from. They stay inside validation: the store, the release and the
quarantine get clean tables."""

from __future__ import annotations

__all__ = ["FILE", "ROW"]


ROW = "__row"


FILE = "__file"
