"""The dataset store as a state machine: random sequences of ingests (valid batches,
batches with rejected rows, revisions), retractions, releases, verifications and
tampering, checked after every step against an in-memory model: the store equals the
model, every row ever submitted to an accepted ingest is in the store or in that
ingest's quarantine, every published release still verifies and its bytes never
change, and a tampered copy of a release never verifies."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from curate.errors import InputError
from curate.release.build import release
from curate.release.read import read_tables
from curate.release.verify import verify_release
from curate.schema.loader import load_schema
from curate.store.ingest import ingest
from curate.store.load import load_tables
from curate.store.records import new_dataset, open_store
from curate.store.retract import retract
from curate.testing import strategies as cs
from tests.helpers import write_dataset
from tests.summary import record_summary

SCHEMA = load_schema()
KEYS = {name: SCHEMA.table(name).primary_key[0] for name in SCHEMA.table_names}
REFERENCES = {"event_id", "source_id", "superseded_by", "claim_id"}
STEPS = {"count": 0}


def _prefixed(dataset: cs.Dataset, prefix: str) -> cs.Dataset:
    """The dataset with every id (keys and references) made unique to one batch."""
    return {
        name: [
            {
                k: (f"{prefix}{v}" if k in REFERENCES and v is not None else v)
                for k, v in row.items()
            }
            for row in rows
        ]
        for name, rows in dataset.items()
    }


def _plain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as JSON would carry them (dates as text), for comparing store and model."""
    return [orjson.loads(orjson.dumps(row, option=orjson.OPT_UTC_Z)) for row in rows]


class DatasetStore(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.work = Path(tempfile.mkdtemp(prefix="curate-state-"))
        self.root = self.work / "dataset"
        new_dataset(self.root)
        self.model: dict[str, dict[str, dict[str, Any]]] = {n: {} for n in SCHEMA.table_names}
        self.published: dict[str, dict[str, bytes]] = {}
        self.released_model: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
        self.changed_since_release = False
        self.batches = 0

    def teardown(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)

    def _batch_dir(self) -> Path:
        self.batches += 1
        return self.work / f"batch-{self.batches}"

    def _take(self, rows: dict[str, list[dict[str, Any]]]) -> None:
        """Rows the store accepted: new keys are added, changed ones revised."""
        for name, table_rows in rows.items():
            for row in _plain(table_rows):
                key = row[KEYS[name]]
                old = self.model[name].get(key)
                if old is not None and "revision" in row:
                    row["revision"] = old["revision"] + (
                        0 if {**old, "revision": 0} == {**row, "revision": 0} else 1
                    )
                if old != row:
                    self.changed_since_release = True
                self.model[name][key] = row

    @rule(dataset=cs.datasets(max_events=2, max_sources=2))
    def ingest_a_valid_batch(self, dataset: cs.Dataset) -> None:
        STEPS["count"] += 1
        batch = _prefixed(dataset, f"b{self.batches + 1}-")
        result = ingest(self.root, write_dataset(self._batch_dir(), batch))
        assert result.accepted, [i.message for i in result.report.issues]
        self._take(batch)

    @rule(case=cs.invalid_datasets())
    def ingest_a_batch_with_a_bad_row(self, case: cs.InvalidDataset) -> None:
        STEPS["count"] += 1
        batch = _prefixed(case.tables, f"b{self.batches + 1}-")
        directory = self._batch_dir()
        before = {n: dict(rows) for n, rows in self.model.items()}
        quarantine = directory / "quarantine"
        result = ingest(self.root, write_dataset(directory, batch), quarantine=quarantine)
        if not result.accepted:
            assert not quarantine.exists()
            assert self.model == before
            return
        kept: dict[str, list[dict[str, Any]]] = {}
        for placed in result.quarantine:
            rejected = [json.loads(line) for line in placed.rejected_file.read_text().splitlines()]
            valid = [json.loads(line) for line in placed.valid_file.read_text().splitlines()]
            assert placed.rows == len(valid) + len(rejected)
            kept[placed.path.stem] = valid
        for name, rows in batch.items():
            if rows and name not in kept:
                kept[name] = rows  # a file with no rejected row has no quarantine files
        self._take(kept)

    @precondition(lambda self: any(self.model["events"]))
    @rule(data=st.data())
    def revise_an_event(self, data: st.DataObject) -> None:
        STEPS["count"] += 1
        key = data.draw(st.sampled_from(sorted(self.model["events"])))
        event = dict(self.model["events"][key], notes=data.draw(st.sampled_from(["A", "B"])))
        result = ingest(self.root, write_dataset(self._batch_dir(), {"events": [event]}))
        assert result.accepted
        self._take({"events": [event]})

    @precondition(lambda self: any(e["status"] == "active" for e in self.model["events"].values()))
    @rule(data=st.data())
    def retract_an_event(self, data: st.DataObject) -> None:
        STEPS["count"] += 1
        active = sorted(k for k, e in self.model["events"].items() if e["status"] == "active")
        key = data.draw(st.sampled_from(active))
        revision = retract(self.root, key, "a duplicate")
        event = self.model["events"][key]
        assert revision == event["revision"] + 1
        notes = "Retracted: a duplicate"
        event.update(
            status="retracted",
            revision=revision,
            notes=f"{event['notes']} {notes}" if event["notes"] else notes,
        )
        self.changed_since_release = True

    @rule()
    def cut_a_release(self) -> None:
        STEPS["count"] += 1
        if self.published and not self.changed_since_release:
            with pytest.raises(InputError, match="nothing changed"):
                release(self.root, bump="auto", epoch=1_700_000_000)
            return
        if not any(self.model["events"]):
            return
        made = release(self.root, bump="auto", epoch=1_700_000_000)
        self.published[made.version] = {p.name: p.read_bytes() for p in made.path.iterdir()}
        self.released_model[made.version] = {n: dict(r) for n, r in self.model.items()}
        self.changed_since_release = False
        tables = read_tables(made.path, SCHEMA)
        for name, frame in tables.items():
            assert _plain(frame.to_dicts()) == [
                self.model[name][k] for k in sorted(self.model[name])
            ]

    @precondition(lambda self: bool(self.published))
    @rule(data=st.data())
    def tamper_with_a_copy(self, data: st.DataObject) -> None:
        STEPS["count"] += 1
        version = data.draw(st.sampled_from(sorted(self.published)))
        name = data.draw(st.sampled_from(sorted(self.published[version])))
        copy = self.work / f"tampered-{self.batches}" / version
        shutil.copytree(self.root / "releases" / version, copy)
        original = (copy / name).read_bytes()
        where = data.draw(st.integers(0, len(original) - 1))
        changed = bytearray(original)
        changed[where] ^= 1 << data.draw(st.integers(0, 7))
        (copy / name).write_bytes(bytes(changed))
        verification = verify_release(copy, schema=SCHEMA, revalidate=False)
        assert not verification.ok
        assert any(name in problem for problem in verification.problems)
        shutil.rmtree(copy.parent)

    @invariant()
    def the_store_equals_the_model(self) -> None:
        stored = load_tables(open_store(self.root), SCHEMA)
        for name, frame in stored.items():
            assert _plain(frame.to_dicts()) == [
                self.model[name][k] for k in sorted(self.model[name])
            ]

    @invariant()
    def published_releases_never_change_and_verify(self) -> None:
        for version, files in self.published.items():
            directory = self.root / "releases" / version
            assert {p.name: p.read_bytes() for p in directory.iterdir()} == files
            assert verify_release(directory, schema=SCHEMA).ok


DatasetStore.TestCase.settings = settings(max_examples=12, stateful_step_count=10, deadline=None)
TestDatasetStore = DatasetStore.TestCase


def test_the_state_machine_steps_are_counted() -> None:
    """Runs after the machine (file order): the steps it took go to docs/security.md."""
    record_summary("state_machine_steps", STEPS["count"])
