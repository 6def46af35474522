"""Shared fixtures. No global seeding: every test passes its seeds explicitly."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from builders import make_scenario  # noqa: E402

from sim.schema import Scenario  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def tiny() -> Scenario:
    return make_scenario()


@pytest.fixture
def repo() -> Path:
    return REPO
