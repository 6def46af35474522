"""sim.model.exits: when a firm exits, what becomes of it and of its capacity."""

from __future__ import annotations

import numpy as np
import pytest
from builders import make_scenario

from sim.model.exits import settle_exits
from sim.model.firms import Status, draw_firms
from sim.rng import Streams
from sim.scenario.schema import ExitOutcomes, Exits

RNG = np.random.default_rng(0)
ACTIVE, BANKRUPT, ACQUIRED = Status.ACTIVE, Status.BANKRUPT, Status.ACQUIRED


def test_exit_after_grace_and_acquired_capacity_goes_to_the_largest_firm() -> None:
    firms = draw_firms(make_scenario(), Streams(1, 0))
    where = firms.of_sector(0)
    largest = where.start + int(np.argmax(firms.monthly_capacity_usd[where]))
    poor = where.start if largest != where.start else where.start + 1
    total = firms.monthly_capacity_usd[where].sum()
    firms.cash_usd[poor] = -1e6
    rule = Exits(grace_months=2, outcomes=ExitOutcomes(bankrupt=0.0, migrated=0.0, acquired=1.0))
    assert settle_exits(firms, rule, RNG)[0].size == 0
    leaving, buyer = settle_exits(firms, rule, RNG)
    assert list(leaving) == [poor] and list(buyer) == [largest]
    assert firms.status[poor] == ACQUIRED and firms.monthly_capacity_usd[poor] == 0.0
    assert firms.monthly_capacity_usd[where].sum() == pytest.approx(total)
    assert firms.status[largest] == ACTIVE


def test_exit_outcomes_follow_their_probabilities() -> None:
    firms = draw_firms(
        make_scenario(**{"sectors.uav.firms": 3000, "sectors.uav.capacity_usd": 3e9}), Streams(1, 0)
    )
    firms.cash_usd[:] = -1e6
    rule = Exits(grace_months=1, outcomes=ExitOutcomes(bankrupt=0.5, migrated=0.3, acquired=0.2))
    settle_exits(firms, rule, np.random.default_rng(8))
    n = firms.size
    bankrupt = np.mean(firms.status == BANKRUPT)
    # Acquisitions fall back to bankrupt once no firm of the sector is active.
    assert 0.5 - 4 * np.sqrt(0.25 / n) < bankrupt
    assert (firms.status != ACTIVE).all()
