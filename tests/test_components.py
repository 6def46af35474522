"""Unit tests of the engine's pieces, each against a hand-worked answer."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from builders import make_scenario

from sim.model.calendar import Calendar
from sim.model.finance import settle_exits
from sim.model.licensing import meeting_days
from sim.model.markets import split_order
from sim.model.procurement import Budget, allocate
from sim.model.producers import ACQUIRED, ACTIVE, BANKRUPT, Producers
from sim.schema import ExitOutcomes, Exits

RNG = np.random.default_rng(0)


def test_pro_rata_gives_every_firm_the_same_share_of_its_free_capacity() -> None:
    free = np.array([10.0, 30.0, 60.0])
    np.testing.assert_allclose(allocate(50.0, free, "pro_rata", free, RNG), [5.0, 15.0, 30.0])


def test_largest_first_fills_the_biggest_firms_first() -> None:
    free = np.array([10.0, 30.0, 60.0])
    np.testing.assert_allclose(allocate(70.0, free, "largest_first", free, RNG), [0.0, 10.0, 60.0])


def test_random_order_places_the_whole_amount_within_capacity() -> None:
    free = np.array([10.0, 30.0, 60.0, 5.0])
    orders = allocate(42.0, free, "random", free, np.random.default_rng(3))
    assert orders.sum() == pytest.approx(42.0)
    assert (orders <= free).all() and (orders >= 0).all()
    assert np.count_nonzero((orders > 0) & (orders < free)) <= 1


def test_allocation_never_exceeds_free_capacity() -> None:
    free = np.array([1.0, 2.0])
    for rule in ("pro_rata", "largest_first", "random"):
        np.testing.assert_allclose(allocate(100.0, free, rule, free, RNG), free)


def _dense(size: float, free: list[float]) -> np.ndarray:
    positions, amounts = split_order(size, np.array(free))
    dense = np.zeros(len(free))
    dense[positions] = amounts
    return dense


def test_order_goes_whole_to_the_firm_with_most_free_capacity() -> None:
    np.testing.assert_allclose(_dense(20.0, [5.0, 25.0, 21.0]), [0.0, 20.0, 0.0])


def test_order_too_big_for_one_firm_is_split_largest_first_and_the_rest_lost() -> None:
    np.testing.assert_allclose(_dense(40.0, [5.0, 25.0, 12.0, 0.0]), [3.0, 25.0, 12.0, 0.0])
    np.testing.assert_allclose(_dense(30.0, [5.0, 25.0, 12.0]), [0.0, 25.0, 5.0])
    assert 100.0 - _dense(100.0, [5.0, 25.0, 12.0]).sum() == pytest.approx(58.0)
    assert _dense(10.0, [0.0, 0.0]).sum() == 0.0


def test_meetings_skip_pauses_and_resume_the_day_after() -> None:
    sc = make_scenario(
        **{
            "licensing.opens": "2025-11-01",
            "licensing.commission": {
                "meeting_every_days": 30,
                "decisions_per_meeting": 5,
                "pauses": [{"start": "2025-06-01", "end": "2026-02-11"}],
            },
        }
    )
    assert sc.licensing is not None
    days = meeting_days(sc.licensing, Calendar(sc.start, sc.months))
    assert days[:3] == [42, 72, 102]  # 2026-02-12, then every 30 days
    assert all(d < 365 for d in days)


def test_calendar_months_follow_the_calendar() -> None:
    cal = Calendar(dt.date(2026, 1, 1), 3)
    assert list(cal.month_start_days) == [0, 31, 59, 90]
    assert cal.month_labels() == ["2026-01", "2026-02", "2026-03"]


def test_budget_grows_per_year_and_quarterly_tranches_pay_a_quarter() -> None:
    sc = make_scenario(**{"procurement.budget_growth": 0.1, "procurement.tranche": "quarterly"})
    budget = Budget(sc.procurement, sc.sector_names)
    assert [budget.tranche_due(m) for m in range(4)] == [True, False, False, True]
    assert budget.tranche_usd(0) == pytest.approx(0.9e9 / 4)
    assert budget.tranche_usd(12) == pytest.approx(0.9e9 * 1.1 / 4)


def test_firm_sizes_sum_to_sector_capacity() -> None:
    sc = make_scenario()
    firms = Producers.draw(sc, 1, 0)
    assert firms.capacity_usd[firms.slices[0]].sum() == pytest.approx(1.2e9 / 12)
    assert firms.capacity_usd[firms.slices[1]].sum() == pytest.approx(0.6e9 / 12)


def test_exit_after_grace_and_acquired_capacity_goes_to_the_largest_firm() -> None:
    firms = Producers.draw(make_scenario(), 1, 0)
    where = firms.slices[0]
    largest = where.start + int(np.argmax(firms.capacity_usd[where]))
    poor = where.start if largest != where.start else where.start + 1
    total = firms.capacity_usd[where].sum()
    firms.cash_usd[poor] = -1.0
    rule = Exits(grace_months=2, outcomes=ExitOutcomes(bankrupt=0.0, migrated=0.0, acquired=1.0))
    assert settle_exits(firms, rule, RNG).size == 0
    assert list(settle_exits(firms, rule, RNG)) == [poor]
    assert firms.status[poor] == ACQUIRED and firms.capacity_usd[poor] == 0.0
    assert firms.capacity_usd[where].sum() == pytest.approx(total)
    assert firms.status[largest] == ACTIVE


def test_exit_outcomes_follow_their_probabilities() -> None:
    firms = Producers.draw(
        make_scenario(**{"sectors.uav.firms": 3000, "sectors.uav.capacity_usd": 3e9}), 1, 0
    )
    firms.cash_usd[:] = -1.0
    rule = Exits(grace_months=1, outcomes=ExitOutcomes(bankrupt=0.5, migrated=0.3, acquired=0.2))
    settle_exits(firms, rule, np.random.default_rng(8))
    n = firms.count
    bankrupt = np.mean(firms.status == BANKRUPT)
    # Acquisitions fall back to bankrupt once no firm of the sector is active.
    assert 0.5 - 4 * np.sqrt(0.25 / n) < bankrupt
    assert (firms.status != ACTIVE).all()
