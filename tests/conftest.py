"""Shared fixtures and the Hypothesis profiles: `dev` (quick, the default) and `ci`."""

from __future__ import annotations

import os
import tempfile

import pytest
from hypothesis import HealthCheck, settings

from curate.schema.loader import load_schema
from curate.schema.model import Schema

# Store seals (curate.store.seal) go to a state directory of the test run's own, never the
# user's; the CLI run as a subprocess inherits it.
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="curate-test-state-")

settings.register_profile(
    "dev", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def schema() -> Schema:
    return load_schema()
