"""Firms that adapt (mothballing), enter, and invest with a build lag (issue 14).

Each mechanism against its closed form on a scenario built so that nothing else
moves: one sector without orders, or with a steady domestic order, and no exits.
Stochastic checks (entry) use fixed seeds and bounds from the Poisson variance and
the number of replications.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from builders import make_scenario

from sim.model import IndustryModel, run_replication
from sim.model.records import invariant_violations

CAPACITY = 1.2e9  # a year: 1e8 a month for the sector
SHARE = 0.05
ONE_FIRM: dict[str, Any] = {
    # One drone maker, rich enough never to exit, with no export channel.
    "sectors.uav.firms": 1,
    "sectors.uav.capacity_usd": CAPACITY,
    "sectors.uav.fixed_cost_share": SHARE,
    "sectors.uav.cash_months": 1000,
    "sectors.artillery.cash_months": 1000,
    "procurement.sector_shares": {"uav": 0.0, "artillery": 1.0},
    "licensing.opens": "2030-01-01",
    "markets": {},
    "reinvestment": {},
    "months": 12,
}
MOTHBALL = {"after_months": 3, "fixed_cost_floor": 0.3, "restart_months": 2}


def _uav(record: Any, name: str) -> np.ndarray:
    return np.asarray(record.monthly[name][:, 0])


def test_a_firm_without_orders_mothballs_after_the_delay_and_pays_the_floor() -> None:
    """Idle at the end of months 0, 1 and 2: its whole capacity is laid up, so from
    month 3 on it pays 0.3 of its fixed cost, exactly."""
    record = run_replication(make_scenario(**ONE_FIRM, mothballing=MOTHBALL), 0)
    full = SHARE * CAPACITY / 12
    np.testing.assert_allclose(_uav(record, "fixed_cost_usd")[:3], full, rtol=1e-12)
    np.testing.assert_allclose(_uav(record, "fixed_cost_usd")[3:], 0.3 * full, rtol=1e-12)
    np.testing.assert_allclose(_uav(record, "mothballed_usd")[2:], CAPACITY / 12, rtol=1e-12)
    assert invariant_violations(record) == []


def test_without_mothballing_the_same_firm_pays_its_full_fixed_cost() -> None:
    record = run_replication(make_scenario(**ONE_FIRM), 0)
    np.testing.assert_allclose(_uav(record, "fixed_cost_usd"), SHARE * CAPACITY / 12, rtol=1e-12)
    assert not _uav(record, "mothballed_usd").any()


def test_only_capacity_idle_throughout_the_delay_is_laid_up() -> None:
    """A steady order for 40% of capacity: 60% stays idle and is laid up after three
    months; the firm keeps producing its 40%."""
    budget = 0.4 * CAPACITY
    record = run_replication(make_scenario(**{
        **ONE_FIRM, "procurement.sector_shares": {"uav": 1.0, "artillery": 0.0},
        "procurement.budget_usd": budget}, mothballing=MOTHBALL), 0)
    full = SHARE * CAPACITY / 12
    np.testing.assert_allclose(_uav(record, "fixed_cost_usd")[3:], full * (1 - 0.7 * 0.6),
                               rtol=1e-9)
    np.testing.assert_allclose(_uav(record, "domestic_usd"), budget / 12, rtol=1e-9)
    assert invariant_violations(record) == []


def test_orders_beyond_the_available_capacity_restart_it_after_the_lag() -> None:
    """40% of capacity ordered for a year, then 70% (budget growth of 75%): 60% was laid
    up, so month 12 makes only 40% and restarts 30%, which produces from month
    12 + 1 + restart_months; meanwhile it pays its full fixed cost."""
    budget = 0.4 * CAPACITY
    record = run_replication(make_scenario(**{
        **ONE_FIRM, "months": 24, "procurement.sector_shares": {"uav": 1.0, "artillery": 0.0},
        "procurement.budget_usd": budget, "procurement.budget_growth": 0.75},
        mothballing=MOTHBALL), 0)
    month = CAPACITY / 12
    domestic = _uav(record, "domestic_usd")
    np.testing.assert_allclose(domestic[12:15], 0.4 * month, rtol=1e-9)  # restarting
    assert domestic[15] > 0.4 * month * (1 + 1e-6)  # restarted capacity produces
    np.testing.assert_allclose(_uav(record, "mothballed_usd")[12], 0.6 * month, rtol=1e-9)
    full = SHARE * month
    np.testing.assert_allclose(_uav(record, "fixed_cost_usd")[13], full * (1 - 0.7 * 0.3),
                               rtol=1e-9)
    assert invariant_violations(record) == []


ENTRY: dict[str, Any] = {
    "sectors.uav.firms": 200,
    "sectors.uav.entry_per_year": 150.0,
    "sectors.uav.cash_months": 1000,
    "sectors.artillery.cash_months": 1000,
    "licensing.opens": "2030-01-01",
    "markets": {},
    "months": 12,
}
REPLICATIONS = 40


def test_entry_follows_the_poisson_rate_without_exits() -> None:
    """Without exits a sector's count after t months is firms + N(t), N Poisson with mean
    entry_per_year x t / 12: over 40 replications the mean count at the end lies within
    four standard errors, sqrt(150 / 40), of 200 + 150."""
    scenario = make_scenario(**ENTRY)
    counts = np.array([
        _uav(run_replication(scenario, k), "firms_active")[-1] for k in range(REPLICATIONS)
    ])
    expected, se = 200 + 150.0, math.sqrt(150.0 / REPLICATIONS)
    assert abs(counts.mean() - expected) < 4 * se
    assert counts.var(ddof=1) == pytest.approx(150.0, rel=4 * math.sqrt(2 / (REPLICATIONS - 1)))


def test_entrants_join_in_their_month_with_their_cash_and_money_is_conserved() -> None:
    scenario = make_scenario(**ENTRY)
    model = IndustryModel(scenario, 0, scenario.seed)
    entrants = model.firms.entry_month >= 0
    record = model.run()
    entered = _uav(record, "firms_entered")
    assert entered.sum() == entrants.sum()
    by_month = np.bincount(model.firms.entry_month[entrants], minlength=12)
    np.testing.assert_array_equal(entered, by_month)
    assert record.firms_start[0] == 200
    assert invariant_violations(record) == []


def test_entrants_are_drawn_like_the_sectors_firms() -> None:
    """Entrants' mean size is the sector's mean firm size (lognormal factor of mean 1)."""
    scenario = make_scenario(**{**ENTRY, "sectors.uav.entry_per_year": 6000.0})
    firms = IndustryModel(scenario, 0, scenario.seed).firms
    entrants = firms.entry_month >= 0
    sigma = scenario.sectors["uav"].size_sigma
    mean = CAPACITY / 12 / 200
    rel_se = math.sqrt(math.exp(sigma**2) - 1) / math.sqrt(entrants.sum())
    assert firms.monthly_capacity_usd[entrants].mean() == pytest.approx(mean, rel=4 * rel_se)


def test_incumbents_are_the_same_with_or_without_entry() -> None:
    """Entrants draw from their own stream: common random numbers for the incumbents."""
    with_entry = IndustryModel(make_scenario(**ENTRY), 0, 1).firms
    without = IndustryModel(make_scenario(**{**ENTRY, "sectors.uav.entry_per_year": 0}), 0, 1).firms
    incumbents = with_entry.entry_month < 0
    np.testing.assert_array_equal(with_entry.monthly_capacity_usd[incumbents],
                                  without.monthly_capacity_usd)
    np.testing.assert_array_equal(with_entry.cash_usd[incumbents], without.cash_usd)


def test_reinvested_capacity_arrives_after_the_build_lag() -> None:
    """The same exporting scenario with build lag 0 and 4: invested in at the end of month
    m, capacity produces from month m + 1 at once, or from month m + 5 with the lag."""
    base = {"reinvestment": {"capacity_reinvest": 0.5, "outside_investment": 0.2}}
    instant = run_replication(make_scenario(**base), 0)
    lagged = run_replication(make_scenario(**{**base, "reinvestment.build_months": 4}), 0)
    invested = (instant.monthly["reinvested_usd"] + instant.monthly["outside_investment_usd"])
    first = int(np.flatnonzero(invested.sum(axis=1))[0])
    cap_instant = instant.monthly["capacity_usd"].sum(axis=1)
    cap_lagged = lagged.monthly["capacity_usd"].sum(axis=1)
    np.testing.assert_array_equal(cap_lagged[: first + 1], cap_instant[: first + 1])
    np.testing.assert_array_equal(cap_lagged[first + 1 : first + 5], cap_lagged[first])
    assert cap_lagged[first + 5] > cap_lagged[first]
    assert instant.monthly["outside_investment_usd"].sum() > 0
    assert invariant_violations(lagged) == []


def test_no_firm_enters_from_entry_until_and_earlier_entrants_are_the_same() -> None:
    cut = make_scenario(**{**ENTRY, "sectors.uav.entry_until": "2026-07-01"})
    full = IndustryModel(make_scenario(**ENTRY), 0, 1).firms
    firms = IndustryModel(cut, 0, 1).firms
    assert firms.entry_month.max() == 5  # January to June 2026
    before = full.entry_month[(full.entry_month >= 0) & (full.entry_month < 6)]
    kept = (full.entry_month >= 0) & (full.entry_month < 6)
    entrants = firms.entry_month >= 0
    np.testing.assert_array_equal(firms.entry_month[entrants], before)
    np.testing.assert_array_equal(firms.monthly_capacity_usd[entrants],
                                  full.monthly_capacity_usd[kept])
    np.testing.assert_array_equal(firms.cash_usd[entrants], full.cash_usd[kept])
