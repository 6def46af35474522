"""Firm finance (issue 14): dispersed starting cash, exits decided without float dust,
receivables in the solvency test, credit, and money conserved to the cent.

Deterministic: fixed seeds; bounds come from closed forms (the lognormal CDF) and the
binomial noise of the number of firms.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from builders import make_scenario
from scipy import stats

from sim.model import IndustryModel, run_replication
from sim.model.records import invariant_violations
from sim.run.outcomes import outcome_columns, outcome_row

FIRMS = 200
NO_ORDERS: dict[str, Any] = {
    # Drone makers with neither a domestic order nor an export channel.
    "sectors.uav.firms": FIRMS,
    "sectors.uav.cash_months": 6,
    "procurement.sector_shares": {"uav": 0.0, "artillery": 1.0},
    "licensing.opens": "2030-01-01",
    "markets": {},
    "reinvestment": {},
    "exits.grace_months": 1,
    "months": 12,
}


def _exits_per_month(record: Any, sector: int = 0) -> np.ndarray:
    m = record.monthly
    exited = m["firms_bankrupt"] + m["firms_migrated"] + m["firms_acquired"]
    return np.diff(exited[:, sector], prepend=0.0)


def test_firms_without_orders_exit_exactly_when_their_cash_runs_out() -> None:
    """Six months of cash, one month of grace: every firm's cash is exactly 0 after six
    month-ends (float rounding aside, which must not decide) and negative after the
    seventh, so all 200 exit at month index 6, none a month early."""
    exits = _exits_per_month(run_replication(make_scenario(**NO_ORDERS), 0))
    assert exits[:6].sum() == 0
    assert exits[6] == FIRMS


@pytest.mark.parametrize("sigma", [0.3, 0.6])
def test_dispersed_cash_spreads_the_exits_over_months(sigma: float) -> None:
    """With lognormal cash (mean 6 months, ``cash_sigma``), firm i exits at month index
    floor(X_i). The share of the survivors leaving in month k is at most the lognormal
    hazard (F(k+1) - F(k)) / (1 - F(k)), plus four binomial standard errors."""
    record = run_replication(make_scenario(**{**NO_ORDERS, "sectors.uav.cash_sigma": sigma}), 0)
    exits = _exits_per_month(record)
    cash = stats.lognorm(s=sigma, scale=6 * math.exp(-sigma**2 / 2))
    survivors = FIRMS - np.concatenate(([0.0], np.cumsum(exits)[:-1]))
    for k in range(12):
        if survivors[k] < 20:
            break
        hazard = (cash.cdf(k + 1) - cash.cdf(k)) / (1 - cash.cdf(k))
        bound = hazard + 4 * math.sqrt(hazard * (1 - hazard) / survivors[k]) + 1 / survivors[k]
        assert exits[k] / survivors[k] <= bound, k
    assert np.count_nonzero(exits) >= 4  # over several months, not one
    assert exits.max() < 0.6 * FIRMS


def test_mean_preserving_cash_dispersion_keeps_the_sectors_cash() -> None:
    def cash(sigma: float) -> float:
        scenario = make_scenario(**{**NO_ORDERS, "sectors.uav.firms": 5000,
                                    "sectors.uav.cash_sigma": sigma})
        firms = IndustryModel(scenario, 0, 1).firms
        return float(firms.cash_usd[firms.of_sector(0)].sum())

    assert cash(0.8) == pytest.approx(cash(0.0), rel=4 * math.sqrt(math.exp(0.64) - 1) / 70)


def test_a_receivable_keeps_a_firm_solvent_until_it_is_paid() -> None:
    """Cash that is negative only because the state pays 90 days late is not insolvency."""
    scenario = make_scenario(**{
        **NO_ORDERS,
        "procurement.sector_shares": {"uav": 1.0, "artillery": 0.0},
        "procurement.budget_usd": 1.2e9,  # every firm fully booked
        "procurement.payment_delay_days": 90,
        "sectors.uav.cash_months": 0,
    })
    record = run_replication(scenario, 0)
    assert _exits_per_month(record).sum() == 0
    assert (record.monthly["cash_usd"][:2, 0] < 0).all()  # in the red while it waits


CREDIT = {"credit": {"order_book_share": 0.5, "annual_rate": 0.12}}


@pytest.mark.parametrize("changes", [{}, CREDIT, {**CREDIT, "exits.grace_months": 1}])
def test_money_is_conserved_every_month(changes: dict[str, Any]) -> None:
    """The active firms' cash moves by its flows in and out, to a cent per $1B, every
    month, with payment delays, royalties, reinvestment, credit and exits."""
    scenario = make_scenario(**{
        "joint_production": [{"partner": "x", "sector": "uav", "start": "2026-02-01",
                              "capacity_usd": 0.2e9, "royalty": 0.1, "serves": "north"}],
        "procurement.budget_usd": 0.5e9,
        "procurement.payment_delay_days": 60,
        "sectors.uav.cash_months": 0.5,
        **changes,
    })
    for k in range(4):
        record = run_replication(scenario, k)
        assert invariant_violations(record) == []
        m = record.monthly
        if "credit" in changes:
            assert m["credit_drawn_usd"].sum() > 0, "no credit drawn: the test would prove nothing"


def test_credit_that_raises_exports_raises_the_absorption_of_the_initial_surplus() -> None:
    """Paired (common random numbers): credit keeps exporters alive, exports rise, and the
    share of the starting surplus they absorb rises with them."""
    base = make_scenario(**{"procurement.budget_usd": 0.3e9, "exits.grace_months": 1,
                            "sectors.uav.cash_months": 1, "procurement.payment_delay_days": 60})
    with_credit = base.model_copy(update={"credit": make_scenario(**CREDIT).credit})
    columns = outcome_columns(base.sector_names)

    def outcomes(scenario: Any) -> dict[str, np.ndarray]:
        rows = np.array([outcome_row(run_replication(scenario, k)) for k in range(10)])
        return {name: rows[:, i] for i, name in enumerate(columns)}

    before, after = outcomes(base), outcomes(with_credit)
    for name in ("export_usd", "absorption_of_initial_surplus"):
        gain = after[name] - before[name]
        se = gain.std(ddof=1) / math.sqrt(gain.size)
        assert gain.mean() > 3 * se and gain.mean() > 0, name
