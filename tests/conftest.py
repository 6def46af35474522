"""Shared fixtures. No global seeding: every test passes its seeds explicitly."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from builders import make_scenario

from sim.scenario.schema import Scenario

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def tiny() -> Scenario:
    return make_scenario()


@pytest.fixture
def repo() -> Path:
    return REPO
