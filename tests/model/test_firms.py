"""sim.model.firms: the firms drawn for a replication."""

from __future__ import annotations

import pytest
from builders import make_scenario

from sim.model.firms import draw_firms
from sim.rng import Streams


def test_firm_sizes_sum_to_sector_capacity() -> None:
    sc = make_scenario()
    firms = draw_firms(sc, Streams(1, 0))
    assert firms.monthly_capacity_usd[firms.of_sector(0)].sum() == pytest.approx(1.2e9 / 12)
    assert firms.monthly_capacity_usd[firms.of_sector(1)].sum() == pytest.approx(0.6e9 / 12)
