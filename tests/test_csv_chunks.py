"""The fast CSV reader cuts the file into chunks between records and reads each into one
reused buffer, which grows when a record is longer than it: whatever the chunk size (even
a byte), it reads the same records, numbered the same, as the exact reader."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.errors import InputError
from curate.readers.csv import CsvFastPathError, read_csv
from curate.readers.limits import Limits
from curate.schema.loader import load_schema

_cells = st.text(st.sampled_from('ab,"\n é🔥'), max_size=12)


def _read(path: Path, limits: Limits, *, exact: bool) -> tuple[pl.DataFrame, list[int]]:
    batches = list(read_csv(path, load_schema().table("events"), limits, exact=exact))
    frame = pl.concat([b.frame for b in batches])
    return frame, [n for b in batches for n in b.rows.to_list()]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_cells, _cells), min_size=1, max_size=8), st.integers(1, 64))
def test_any_chunk_size_reads_the_records_the_exact_reader_reads(
    records: list[tuple[str, str]], chunk_bytes: int
) -> None:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["event_id", "notes"])
    writer.writerows(records)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "events.csv"
        path.write_text(text.getvalue(), encoding="utf-8")
        limits = Limits(chunk_bytes=chunk_bytes)
        exact = _read(path, limits, exact=True)
        try:
            fast = _read(path, limits, exact=False)
        except CsvFastPathError:  # a record the fast reader hands over (a blank one)
            return
    assert fast[0].equals(exact[0])
    assert fast[1] == exact[1]


def test_a_quote_never_closed_is_left_to_the_exact_reader_before_the_buffer_grows(
    tmp_path: Path,
) -> None:
    """An opening quote that is never closed would make the rest of the file one record:
    the fast reader hands the file over as soon as that record is longer than its cells
    can be (not at the end of the file, with the whole file in its buffer), and the
    exact reader refuses the file (exit 2), as it did."""
    path = tmp_path / "events.csv"
    rest = "".join(f"e{i},plain note\n" for i in range(20_000))  # about 300 kB
    path.write_text(f'event_id,notes\ne0,"opened\n{rest}', encoding="utf-8")
    limits = Limits(chunk_bytes=1024, max_field_chars=100)  # records of at most ~1.6 kB
    table = load_schema().table("events")
    with pytest.raises(CsvFastPathError, match="longer than its cells can be"):
        list(read_csv(path, table, limits, exact=False))
    with pytest.raises(InputError, match="field larger than field limit"):
        list(read_csv(path, table, limits, exact=True))
