"""Reproducible sample datasets drawn from the public Hypothesis strategies."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, given, seed, settings

from curate.schema.model import Schema
from curate.testing.strategies import Dataset, datasets

__all__ = ["sample_dataset"]


def sample_dataset(schema: Schema, *, seed_value: int = 0, max_events: int = 4) -> Dataset:
    """One consistent dataset, the same for the same seed and curate version: the largest
    of the first few that Hypothesis draws (its first draws are deliberately small)."""
    drawn: list[Dataset] = []

    @seed(seed_value)
    @settings(
        database=None,
        max_examples=25,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(datasets(schema, max_events=max_events))
    def draw(dataset: Dataset) -> None:
        drawn.append(dataset)

    draw()
    return max(drawn, key=lambda dataset: sum(len(rows) for rows in dataset.values()))
