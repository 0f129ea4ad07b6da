"""The time curate stamps on what it makes: now, or SOURCE_DATE_EPOCH where it is set.

SOURCE_DATE_EPOCH (reproducible-builds.org) is the one clock a rebuild can repeat: a
release's `created` and an import's `extracted_at` both read it here, so that the same
value is accepted, or refused with the same message, by `curate release` and
`curate import`. It lives in `release` because a release is the build it was made for;
the importers (`curate.interchange`, the layer above) use it from here, and no lower
layer stamps a time.
"""

from __future__ import annotations

import datetime as dt
import os
import re

from curate.errors import InputError

__all__ = ["SOURCE_DATE_EPOCH", "reproducible_now"]

SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"
_SECONDS = re.compile(r"[0-9]{1,20}")  # ASCII digits only, as `date +%s` writes them


def reproducible_now() -> dt.datetime:
    """SOURCE_DATE_EPOCH (whole seconds since 1970, UTC) where it is set and not empty,
    else now; in UTC. Any other value is an InputError: one line, naming the value."""
    value = os.environ.get(SOURCE_DATE_EPOCH, "")
    if not value:
        return dt.datetime.now(dt.UTC)
    if _SECONDS.fullmatch(value) is not None:
        try:
            return dt.datetime.fromtimestamp(int(value), dt.UTC)
        except (ValueError, OverflowError, OSError):
            pass  # beyond the dates a datetime can hold
    shown = value if len(value) <= 40 else value[:37] + "..."
    raise InputError(
        f"{SOURCE_DATE_EPOCH} must be a whole number of seconds since 1970-01-01 UTC, not {shown!r}"
    )
