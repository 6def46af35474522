"""sim.model.markets: order arrivals are the draws a clock taking one at a time would take."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from builders import make_scenario

from sim.model.calendar import Calendar
from sim.model.markets import ExportMarket, order_arrivals


def _arrivals_one_draw_at_a_time(
    market: ExportMarket, sector: str, rng: np.random.Generator, horizon: float
) -> list[tuple[float, float]]:
    """The definition: a clock adding one exponential gap at a time, one size per order."""
    orders, now = [], 0.0 + market.opens_day
    while now < horizon:
        rate = market.orders_per_day(sector, now)
        end = min(market.next_rate_change(now), horizon)
        while rate > 0:
            gap = float(rng.standard_exponential()) / rate
            if now + gap >= end:
                break
            now += gap
            orders.append((now, float(rng.standard_exponential()) * market.spec.order_usd))
        if end >= horizon:
            break
        now += end - now
    return orders


@pytest.mark.parametrize(
    ("opens", "centres", "demand"),
    [
        ("2026-01-01", "2026-05-10", 0.4e9),  # the rate steps up while the market is open
        ("2026-03-01", "2026-01-01", 0.4e9),  # centres open before the market
        ("2026-02-01", None, 0.4e9),
        ("2026-02-01", "2026-06-01", 5e9),  # thousands of orders: many blocks of draws
        ("2026-02-01", "2026-06-01", 1e6),  # a rate so low there may be no order at all
    ],
)
def test_order_arrivals_are_the_draws_a_clock_would_take_one_at_a_time(
    opens: str, centres: str | None, demand: float
) -> None:
    changes: dict[str, Any] = {
        "markets.north.opens": opens,
        "markets.north.demand_usd": {"uav": demand},
    }
    if centres:
        changes["export_centres"] = {"count": 10, "opens": centres, "demand_uplift": 0.05}
    sc = make_scenario(**changes)
    calendar = Calendar(sc.start, sc.months)
    (market,) = ExportMarket.build(sc, calendar)
    horizon = float(calendar.month_start_days[-1])
    days, sizes = order_arrivals(market, "uav", np.random.default_rng(9), horizon)
    expected = _arrivals_one_draw_at_a_time(market, "uav", np.random.default_rng(9), horizon)
    assert list(zip(days.tolist(), sizes.tolist(), strict=True)) == expected
    assert (np.diff(days) > 0).all() and (days < horizon).all()
