"""The compiled month-end pass against the numpy expressions it stands for.

``sim/model/production.py`` writes the month's production and money firm by firm
so it can run as one compiled loop; its promise is that every figure is the one
numpy's element-wise expressions and ``np.bincount`` give, to the last bit, when a
firm's whole backlog is planned for the month (as it was before capacity calendars).
Hypothesis draws firm states, including firms that exited, empty backlogs and zero
capacity. The calendar's own rules (plans that spill over, earliest due first, late
deliveries) are checked by hand-worked months below, and the firm tally's queue length
over a whole run.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from builders import make_scenario
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim.model import production
from sim.model.firms import Firms, LicenceState, Status
from sim.model.model import IndustryModel
from sim.scenario.schema import Reinvestment

ACTIVE = Status.ACTIVE

SECTORS = 3
MONEY = st.floats(0.0, 1e9, allow_nan=False, allow_subnormal=False)
SHARE = st.floats(0.0, 1.0, allow_nan=False, allow_subnormal=False)


@st.composite
def firm_states(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(0, 40))

    def money() -> np.ndarray:
        # Zeros as often as not, of either sign: empty backlogs, firms without capacity.
        values = draw(hnp.arrays(np.float64, n, elements=MONEY))
        zero = np.where(draw(hnp.arrays(np.bool_, n)), 0.0, -0.0)
        return np.where(draw(hnp.arrays(np.bool_, n)), values, zero)

    return {
        "status": draw(hnp.arrays(np.int8, n, elements=st.integers(0, 3))),
        "capacity_usd": money(),
        "margin": draw(hnp.arrays(np.float64, n, elements=SHARE)),
        "fixed_cost_share": draw(hnp.arrays(np.float64, n, elements=SHARE)),
        "domestic_backlog_usd": money(),
        "export_backlog_usd": money(),
        "export_backlog_revenue_usd": money() * 1.3,
        "cash_usd": money() - money(),
        "sector": np.sort(draw(hnp.arrays(np.int64, n, elements=st.integers(0, SECTORS - 1)))),
        "idle_share": np.ones(n),
        "licence": draw(hnp.arrays(np.int8, n, elements=st.integers(0, 4))),
        "licence_until_day": draw(hnp.arrays(np.float64, n, elements=st.floats(0.0, 60.0))),
    }


PARAMETERS = st.tuples(SHARE, SHARE, SHARE, st.floats(0.0, 5.0), st.booleans())


def numpy_month_end(f: dict[str, Any], parameters: tuple[float, ...]) -> dict[str, Any]:
    """The month end as the engine's numpy code computed it (royalties aside)."""
    cap_share, levy_rate, reinvest_share, capacity_per_usd, paid_now = parameters
    capacity = np.where(f["status"] == ACTIVE, f["capacity_usd"], 0.0)
    domestic = np.minimum(f["domestic_backlog_usd"], capacity)
    room = np.minimum(cap_share * capacity, capacity - domestic)
    exported = np.minimum(f["export_backlog_usd"], room)
    share = np.divide(
        exported,
        f["export_backlog_usd"],
        out=np.zeros(exported.size),
        where=f["export_backlog_usd"] > 0,
    )
    revenue = share * f["export_backlog_revenue_usd"]
    f["domestic_backlog_usd"] -= domestic
    f["export_backlog_usd"] -= exported
    f["export_backlog_revenue_usd"] -= revenue
    levy = levy_rate * revenue
    profit = revenue - levy - (1.0 - f["margin"]) * exported
    reinvest = reinvest_share * np.maximum(profit, 0.0)
    f["cash_usd"] += profit - reinvest
    f["capacity_usd"] += reinvest * capacity_per_usd / 12.0
    f["cash_usd"] -= f["fixed_cost_share"] * np.where(f["status"] == ACTIVE, f["capacity_usd"], 0.0)
    earned = f["margin"] * domestic
    if paid_now:
        f["cash_usd"] += earned
    idle = capacity - domestic - exported
    f["idle_share"] = np.divide(idle, capacity, out=np.zeros(idle.size), where=capacity > 0)
    late = np.zeros(exported.size)  # all of it due this month: nothing is late
    fixed = f["fixed_cost_share"] * np.where(f["status"] == ACTIVE, f["capacity_usd"], 0.0)
    outside = np.zeros(exported.size)  # no outside investment
    slipped = f["domestic_backlog_usd"] + f["export_backlog_usd"]  # what the month left
    flows = (capacity, domestic, exported, revenue, levy, late, profit, reinvest, fixed, earned,
             outside, slipped)
    totals = [np.bincount(f["sector"], weights=v, minlength=SECTORS) for v in flows]
    return {**f, "earned": earned, "totals": np.array(totals)}


def as_firms(f: dict[str, Any]) -> Firms:
    """A ``Firms`` over the arrays of ``f`` (shared, not copied); fields it lacks are zeros."""
    n = f["status"].size
    named = {"monthly_capacity_usd": f["capacity_usd"]}
    zeros = {name: np.zeros(n) for name in Firms._fields}
    zeros["licence"] = np.zeros(n, dtype=np.int8)
    fields = {name: named.get(name, f.get(name, zeros[name])) for name in Firms._fields}
    fields["sector_first"] = np.zeros(SECTORS + 1, dtype=np.int64)
    fields["negative_months"] = np.zeros(n, dtype=np.int64)
    fields["renewing"] = np.zeros(n, dtype=np.bool_)
    for calendar in ("domestic_plan_usd", "export_plan_usd", "export_due_usd",
                     "restart_plan_usd", "capacity_plan_usd"):
        fields[calendar] = np.zeros((n, 2))
    fields["entry_month"] = np.full(n, -1, dtype=np.int64)
    fields["idle_history_usd"] = np.zeros((n, 0))
    fields["export_backlog_by_market_usd"] = np.zeros((n, 1))
    return Firms(**fields)


def compiled_month_end(f: dict[str, Any], parameters: tuple[float, ...]) -> dict[str, Any]:
    cap_share, levy_rate, reinvest_share, capacity_per_usd, paid_now = parameters
    firms = as_firms(f)
    # The whole backlog is this month's plan (month 0) and due by its end.
    firms.domestic_plan_usd[:, 0] = f["domestic_backlog_usd"]
    firms.export_plan_usd[:, 0] = f["export_backlog_usd"]
    firms.export_due_usd[:, 0] = f["export_backlog_usd"]
    reinvest = Reinvestment(export_levy=levy_rate, capacity_reinvest=reinvest_share,
                            capacity_per_usd=capacity_per_usd)
    output = production.produce(firms, 0, cap_share, reinvest)
    earned, totals = production.pay_costs(firms, output, SECTORS, bool(paid_now), 1.0)
    return {**f, "earned": earned, "totals": totals}


def _copy(f: dict[str, Any]) -> dict[str, Any]:
    return {name: value.copy() for name, value in f.items()}


@settings(max_examples=300, deadline=None)
@given(firm_states(), PARAMETERS)
def test_month_end_is_numpy_to_the_last_bit(firms: dict[str, Any], parameters: tuple) -> None:
    expected = numpy_month_end(_copy(firms), parameters)
    got = compiled_month_end(_copy(firms), parameters)
    for name, value in expected.items():
        # Same values (backlogs are clamped at zero, which may turn -0.0 into 0.0).
        assert np.array_equal(got[name], value), name


@settings(max_examples=200, deadline=None)
@given(firm_states(), st.floats(0.0, 60.0))
def test_firm_tally_counts_and_sums_as_bincount(firms: dict[str, Any], day: float) -> None:
    f = firms
    active = f["status"] == ACTIVE
    licensed = active & (f["licence"] == LicenceState.LICENSED) & (f["licence_until_day"] > day)
    waiting = active & (f["licence"] == LicenceState.QUEUED)
    by_status = np.bincount(f["sector"] * 4 + f["status"], minlength=4 * SECTORS)
    expected = [
        np.bincount(f["sector"], weights=np.where(active, f["cash_usd"], 0.0), minlength=SECTORS),
        np.bincount(f["sector"], weights=f["export_backlog_usd"], minlength=SECTORS),
        *by_status.reshape(SECTORS, 4).T,
        np.bincount(f["sector"][licensed], minlength=SECTORS),
        np.bincount(f["sector"][waiting], minlength=SECTORS),
        np.zeros(SECTORS),  # receivables of active firms (none drawn here)
        np.zeros(SECTORS),  # debt of active firms
        np.zeros(SECTORS),  # mothballed capacity of active firms
        np.zeros(SECTORS),  # active firms that have had a domestic order
    ]
    got = production.tally_firms(as_firms(f), SECTORS, day)
    assert got.shape == (len(production.FIRM_TOTALS), SECTORS)
    for name, row, want in zip(production.FIRM_TOTALS, got, expected, strict=True):
        assert np.array_equal(row, want), name


def test_an_exited_firm_produces_nothing_and_pays_no_fixed_cost() -> None:
    """A hand-worked month: one active firm, one bankrupt with backlog left on its books."""
    f = {
        "status": np.array([ACTIVE, 1], dtype=np.int8),
        "capacity_usd": np.array([100.0, 100.0]),
        "margin": np.array([0.2, 0.2]),
        "fixed_cost_share": np.array([0.1, 0.1]),
        "domestic_backlog_usd": np.array([60.0, 60.0]),
        "export_backlog_usd": np.array([50.0, 50.0]),
        "export_backlog_revenue_usd": np.array([60.0, 60.0]),
        "cash_usd": np.array([0.0, 0.0]),
        "sector": np.array([0, 0]),
        "idle_share": np.ones(2),
    }
    # cap_share 0.3: 60 domestic, then min(50, 0.3 * 100, 100 - 60) = 30 exported,
    # earning 30 / 50 of the revenue backlog: 36; levy 10%: 3.6; profit 36 - 3.6 - 0.8 * 30.
    got = compiled_month_end(f, (0.3, 0.1, 0.0, 0.0, True))
    assert got["domestic_backlog_usd"].tolist() == [0.0, 60.0]
    assert got["export_backlog_usd"].tolist() == [20.0, 50.0]
    np.testing.assert_allclose(got["export_backlog_revenue_usd"], [24.0, 60.0])
    np.testing.assert_allclose(got["cash_usd"], [36 - 3.6 - 24 - 10 + 0.2 * 60, 0.0])
    np.testing.assert_allclose(got["idle_share"], [0.1, 0.0])
    profit = 36 - 3.6 - 0.8 * 30
    np.testing.assert_allclose(
        got["totals"][:, 0],
        # the last row, what slipped: 20 of the active firm's exports, and all of the
        # exited firm's plans (an exit clears them; here they were left on purpose)
        [100.0, 60.0, 30.0, 36.0, 3.6, 0.0, profit, 0.0, 10.0, 12.0, 0.0, 20.0 + 110.0],
    )


def test_a_month_produces_its_plan_spills_the_rest_and_delivers_earliest_due_first() -> None:
    """One firm, capacity 10, cap 1: month 1 plans 4 domestic and 9 export; 6 of the
    export plan fit (10 - 4) and 3 spill to month 2. It owed 5 by the end of month 0
    (now late) and 20 by month 3: the 6 delivered pay the 5 late first, then 1."""
    f = {
        "status": np.array([ACTIVE], dtype=np.int8),
        "capacity_usd": np.array([10.0]),
        "margin": np.array([0.2]),
        "fixed_cost_share": np.array([0.0]),
        "domestic_backlog_usd": np.array([4.0]),
        "export_backlog_usd": np.array([25.0]),
        "export_backlog_revenue_usd": np.array([25.0]),
        "cash_usd": np.array([0.0]),
        "sector": np.array([0]),
        "idle_share": np.ones(1),
    }
    firms = as_firms(f)
    firms = firms._replace(
        domestic_plan_usd=np.zeros((1, 4)),
        export_plan_usd=np.zeros((1, 4)),
        export_due_usd=np.zeros((1, 4)),
        restart_plan_usd=np.zeros((1, 4)),
        capacity_plan_usd=np.zeros((1, 4)),
    )
    firms.domestic_plan_usd[0, 1] = 4.0
    firms.export_plan_usd[0, 1:3] = [9.0, 16.0]
    firms.export_due_usd[0, [0, 3]] = [5.0, 20.0]
    output = production.produce(firms, 1, 1.0, Reinvestment())
    assert (output.domestic_usd[0], output.export_usd[0], output.export_late_usd[0]) == (4, 6, 5)
    np.testing.assert_allclose(firms.export_plan_usd[0], [0.0, 0.0, 19.0, 0.0])
    np.testing.assert_allclose(firms.export_due_usd[0], [0.0, 0.0, 0.0, 19.0])
    assert firms.export_backlog_usd[0] == 19.0


def test_queue_length_counts_the_waiting_applications_of_active_firms_only() -> None:
    """Firms that exit while queued stay in the commission's queue until it reaches them;
    they are not waiting any more and must not be counted."""
    sc = make_scenario(
        **{
            "licensing.commission.decisions_per_meeting": 1,  # a long queue
            "licensing.apply_when_idle_share": 0.0,
            "procurement.budget_usd": 0.05e9,  # most firms run out of cash and exit
            "exits.grace_months": 1,
            "markets": {},
        }
    )
    model = IndustryModel(sc, 0, sc.seed)
    record = model.run()
    p = model.firms
    queued = p.licence == LicenceState.QUEUED
    assert (queued & (p.status != ACTIVE)).any(), "no exited firm left in the queue: no test"
    expected = np.bincount(p.sector[queued & (p.status == ACTIVE)], minlength=len(sc.sectors))
    np.testing.assert_array_equal(record.monthly["queue_length"][-1], expected)
