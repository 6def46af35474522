"""Shared fixtures. No global seeding: every test passes its seeds explicitly.

The tiny scenario is built by ``builders`` (``make_scenario``, ``write_scenario``);
``defsim`` runs in this process through ``helpers.defsim``.
"""

from __future__ import annotations

import pytest
from builders import make_scenario

from sim.scenario.schema import Scenario


@pytest.fixture
def tiny() -> Scenario:
    return make_scenario()
