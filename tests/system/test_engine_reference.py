"""The engine gives the figures it gave before, for every shipped scenario.

``tests/data/engine_reference.json`` was written by ``tests/make_engine_reference.py``
on the numpy engine of commit ef15445, before its loops were compiled; a change to
the engine must leave every outcome of replications 0 and 1 of every shipped scenario
where it was. The tolerance (relative 1e-9) is far above a last-bit difference from
another CPU's numpy, and far below anything a change of logic would move. When a
change of results is intended, regenerate the file and say so in the commit.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import REPO
from make_engine_reference import REPLICATIONS

from sim import load_scenario
from sim.model import run_replication
from sim.run.outcomes import outcome_row

REFERENCE = json.loads((REPO / "tests" / "data" / "engine_reference.json").read_text())


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_shipped_scenarios_give_the_reference_outcomes(name: str) -> None:
    scenario = load_scenario(REPO / "scenarios" / name)
    expected = REFERENCE[name]
    for k in range(REPLICATIONS):
        record = run_replication(scenario, k)
        assert record.events == expected["events"][k]
        np.testing.assert_allclose(
            outcome_row(record), expected["outcomes"][k], rtol=1e-9, atol=1e-9, equal_nan=True
        )


def test_every_shipped_scenario_has_a_reference() -> None:
    assert sorted(REFERENCE) == sorted(p.name for p in (REPO / "scenarios").glob("*.yaml"))
