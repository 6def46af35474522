"""Firm exits: who leaves the industry, how, and what leaves with them.

A firm whose cash and receivables together are negative at ``grace_months``
consecutive month-ends exits ("negative" beyond a millionth of its monthly fixed
cost: float rounding of equal payments never decides an exit).
How it exits is drawn per exiting firm, in firm order, from the ``exits`` stream:
bankrupt (its capacity is gone), migrated (its capacity leaves the country) or
acquired (its capacity goes to the largest active firm of its sector, mothballed
capacity staying mothballed; bankrupt when there is none). Capacity a firm had
under construction is abandoned with it. An exiting firm's contracts are
cancelled: its domestic backlog is counted as unspent budget, its export backlog
as unmet export demand (``unmet_cancelled_usd``, and ``lost_usd`` of the markets
that ordered it), and an application it had in the commission's queue lapses
(``applications_lapsed``).
"""

from __future__ import annotations

import numpy as np

from sim.compiled import entry
from sim.model.finance import Receivables
from sim.model.firms import ACQUIRED, ACTIVE, BANKRUPT, MIGRATED, QUEUED, Firms, Status
from sim.model.recorder import Recorder
from sim.scenario.schema import Exits

__all__ = ["SOLVENCY_DUST", "exit_firms", "settle_exits"]

SOLVENCY_DUST = 1e-6
"""Cash below zero by less than this share of a month's fixed cost is rounding, not debt."""

_STATE_NAMES = {
    Status.BANKRUPT: "bankrupt",
    Status.MIGRATED: "migrated",
    Status.ACQUIRED: "acquired",
}


_LEAVING_ROWS = (
    "cash_at_exit_usd",
    "debt_at_exit_usd",
    "unspent_budget_usd",
    "unmet_export_demand_usd",
    "unmet_cancelled_usd",
    "export_cancelled_usd",
)
"""What leaves with exiting firms: their cash and debt, their domestic backlog (unspent
budget) and their export backlog (unmet and cancelled export demand)."""


def exit_firms(
    firms: Firms,
    spec: Exits,
    rng: np.random.Generator,
    receivables: Receivables,
    month: int,
    day: float,
    recorder: Recorder,
) -> np.ndarray:
    """Firms past their grace exit; their contracts are cancelled and counted as unspent
    budget and unmet export demand, their queued applications as lapsed, their
    receivables pass to the acquirer or are written off, and their cash and debt leave
    with them. Returns the firms that exited."""
    leaving, buyer = settle_exits(firms, spec, rng)
    if leaving.size == 0:
        return leaving
    receivables.settle_exits(firms, leaving, buyer, month, recorder)
    sectors = len(recorder.record.sector_names)
    cash, debt, domestic, exports = _leaving_totals(firms, leaving, sectors)
    recorder.add_rows(_LEAVING_ROWS, month, np.stack([cash, debt, domestic, exports, exports,
                                                       exports]))
    recorder.add_market("lost_usd", month, firms.export_backlog_by_market_usd[leaving].sum(axis=0))
    queued = leaving[(firms.licence[leaving] == QUEUED) | firms.renewing[leaving]]
    recorder.add("applications_lapsed", month, np.bincount(firms.sector[queued], minlength=sectors))
    _clear(firms, leaving)
    if recorder.tracing:
        states = [_STATE_NAMES[Status(code)] for code in firms.status[leaving].tolist()]
        recorder.trace_firms(day, leaving, "exit", states)
    return leaving


@entry
def _leaving_totals(firms: Firms, leaving: np.ndarray, sectors: int) -> np.ndarray:
    """Per sector: the leaving firms' cash, debt, domestic and export backlogs, added in
    firm order (as ``np.bincount`` adds)."""
    totals = np.zeros((4, sectors))
    for f in leaving:
        s = firms.sector[f]
        totals[0, s] += firms.cash_usd[f]
        totals[1, s] += firms.debt_usd[f]
        totals[2, s] += firms.domestic_backlog_usd[f]
        totals[3, s] += firms.export_backlog_usd[f]
    return totals


@entry
def _clear(firms: Firms, leaving: np.ndarray) -> None:
    """Exiting firms' debt, contracts, calendars and capacity plans are gone with them."""
    for f in leaving:
        firms.debt_usd[f] = 0.0
        firms.domestic_backlog_usd[f] = 0.0
        firms.export_backlog_usd[f] = 0.0
        firms.export_backlog_revenue_usd[f] = 0.0
        firms.mothballed_usd[f] = 0.0
        firms.restarting_usd[f] = 0.0
        for rows in (firms.domestic_plan_usd, firms.export_plan_usd, firms.export_due_usd,
                     firms.restart_plan_usd, firms.capacity_plan_usd):
            rows[f, :] = 0.0
        firms.export_backlog_by_market_usd[f, :] = 0.0
        firms.idle_history_usd[f, :] = 0.0


def settle_exits(
    firms: Firms, spec: Exits, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Count month-ends of negative cash and receivables and let firms past their grace exit.

    Outcomes are drawn in firm order, one uniform draw per exiting firm. Returns
    the ids of the firms that exited, and for each its acquirer (-1: none).
    """
    leaving = _past_grace(firms, spec.grace_months)
    buyer = np.full(leaving.size, -1, dtype=np.int64)
    if leaving.size == 0:
        return leaving, buyer
    odds = spec.outcomes
    outcome = np.searchsorted(
        np.cumsum([odds.bankrupt, odds.migrated]), rng.random(leaving.size), side="right"
    )
    exits = np.array([BANKRUPT, MIGRATED, ACQUIRED], dtype=np.int8)
    firms.status[leaving] = exits[outcome]
    acquired = leaving[firms.status[leaving] == ACQUIRED]
    if acquired.size:
        buyers = _hand_over(firms, acquired)
        buyer[np.searchsorted(leaving, acquired)] = buyers
    firms.monthly_capacity_usd[leaving] = 0.0
    return leaving, buyer


@entry
def _past_grace(firms: Firms, grace_months: int) -> np.ndarray:
    """Count each active firm's consecutive month-ends with cash and receivables below
    zero (beyond ``SOLVENCY_DUST`` of its fixed cost); the firms at ``grace_months``."""
    past = np.zeros(firms.status.size, dtype=np.bool_)
    for i in range(firms.status.size):
        active = firms.status[i] == ACTIVE
        dust = SOLVENCY_DUST * firms.fixed_cost_share[i] * firms.monthly_capacity_usd[i]
        negative = active and firms.cash_usd[i] + firms.receivable_usd[i] < -dust
        firms.negative_months[i] = firms.negative_months[i] + 1 if negative else 0
        past[i] = active and firms.negative_months[i] >= grace_months
    return np.flatnonzero(past)


def _hand_over(firms: Firms, acquired: np.ndarray) -> np.ndarray:
    """Acquired firms' capacity goes, in firm order, to the largest active firm of the sector.

    The largest firm only grows as it takes firms over, so it buys all of its
    sector's acquired firms this month; with no active capacity left in the sector
    there is no buyer and the firms are bankrupt instead. Returns each acquired firm's
    buyer (-1: none, bankrupt).
    """
    buyers = np.full(acquired.size, -1, dtype=np.int64)
    capacity = firms.active_capacity()
    sector_of = firms.sector[acquired]
    for sector in sorted(set(sector_of.tolist())):
        where = firms.of_sector(sector)
        taken_over = acquired[sector_of == sector]
        candidates = capacity[where]
        if candidates.size == 0 or candidates.max() <= 0.0:
            firms.status[taken_over] = BANKRUPT
            continue
        buyer = where.start + int(np.argmax(candidates))
        buyers[sector_of == sector] = buyer
        total = float(firms.monthly_capacity_usd[buyer])
        for taken in firms.monthly_capacity_usd[taken_over].tolist():  # one at a time
            total += taken
        firms.monthly_capacity_usd[buyer] = total
        laid_up = firms.mothballed_usd[taken_over] + firms.restarting_usd[taken_over]
        if laid_up.any():
            firms.mothballed_usd[buyer] += laid_up.sum()
    return buyers
