"""A month's production and its money, every firm in one compiled pass.

At the end of each month every active firm produces up to its capacity:
domestic backlog first, then export backlog up to ``cap_share`` of capacity.
Exports earn their revenue (premiums included) less the levy and the variable
cost, ``(1 - margin)`` of their value; a share of any profit is reinvested in
capacity. Then fixed costs, ``fixed_cost_share`` of the capacity after
reinvestment, are paid, and domestic output earns its margin, now or after the
payment delay.

Each step is written firm by firm as the element-wise numpy expression it
stands for, with the same operations in the same order, and sums per sector
add firms in id order as ``np.bincount`` does: the figures are the ones the
numpy version gave, to the last bit. Royalties from joint lines, paid between
the two passes, are shares of a sector's total capacity, a numpy sum.
"""

from __future__ import annotations

import numpy as np

from sim.compiled import compiled
from sim.model.producers import ACQUIRED, ACTIVE, BANKRUPT, MIGRATED, Licence
from sim.model.records import STATUS_FIELDS

assert (ACTIVE, BANKRUPT, MIGRATED, ACQUIRED) == (0, 1, 2, 3)  # tally_firms counts by code

__all__ = ["FIRM_TOTALS", "MONTH_TOTALS", "pay_costs", "produce", "tally_firms"]

MONTH_TOTALS = ("capacity_usd", "domestic_usd", "export_usd", "export_revenue_usd", "levy_usd")
"""Rows of ``pay_costs``'s per-sector totals."""

FIRM_TOTALS = ("cash_usd", "export_backlog_usd", *STATUS_FIELDS, "licences_active", "queue_length")
"""Rows of ``tally_firms``'s per-sector totals."""

_LICENSED, _QUEUED = Licence.LICENSED, Licence.QUEUED  # plain ints, constants to numba


@compiled
def _min(a: float, b: float) -> float:
    return a if a < b else b  # np.minimum, NaN aside (none here): ties give b, as -0.0 vs 0.0


@compiled
def _max(a: float, b: float) -> float:
    return a if a > b else b  # np.maximum


@compiled
def produce(
    status: np.ndarray,
    capacity_usd: np.ndarray,
    margin: np.ndarray,
    domestic_backlog_usd: np.ndarray,
    export_backlog_usd: np.ndarray,
    export_backlog_revenue_usd: np.ndarray,
    cash_usd: np.ndarray,
    cap_share: float,
    export_levy: float,
    capacity_reinvest: float,
    capacity_per_usd: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Deliver the month's orders, book export profit, reinvest; backlogs, cash, capacity change.

    Returns per firm: active capacity the month started with, domestic and export
    output, export revenue and levy.
    """
    n = status.size
    capacity, domestic, exported = np.empty(n), np.empty(n), np.empty(n)
    revenue, levy = np.empty(n), np.empty(n)
    for i in range(n):
        c = capacity_usd[i] if status[i] == ACTIVE else 0.0
        d = _min(domestic_backlog_usd[i], c)
        backlog = export_backlog_usd[i]
        x = _min(backlog, _min(cap_share * c, c - d))
        r = (x / backlog if backlog > 0.0 else 0.0) * export_backlog_revenue_usd[i]
        domestic_backlog_usd[i] -= d
        export_backlog_usd[i] -= x
        export_backlog_revenue_usd[i] -= r
        owed = export_levy * r
        profit = r - owed - (1.0 - margin[i]) * x
        reinvest = capacity_reinvest * _max(profit, 0.0)
        cash_usd[i] += profit - reinvest
        capacity_usd[i] += reinvest * capacity_per_usd / 12.0
        capacity[i], domestic[i], exported[i], revenue[i], levy[i] = c, d, x, r, owed
    return capacity, domestic, exported, revenue, levy


@compiled
def pay_costs(
    status: np.ndarray,
    capacity_usd: np.ndarray,
    fixed_cost_share: np.ndarray,
    margin: np.ndarray,
    cash_usd: np.ndarray,
    sector: np.ndarray,
    sectors: int,
    capacity: np.ndarray,
    domestic: np.ndarray,
    exported: np.ndarray,
    revenue: np.ndarray,
    levy: np.ndarray,
    paid_now: bool,
    idle_share: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Pay fixed costs, earn the domestic margin, set idle shares; total the month per sector.

    ``capacity`` to ``levy`` are ``produce``'s results. The domestic margin goes
    to cash when ``paid_now``, else it is returned for a later payment. Returns
    the margin earned per firm and the ``MONTH_TOTALS`` x sector totals.
    """
    n = status.size
    earned = np.empty(n)
    totals = np.zeros((len(MONTH_TOTALS), sectors))
    for i in range(n):
        cash_usd[i] -= fixed_cost_share[i] * (capacity_usd[i] if status[i] == ACTIVE else 0.0)
        earned[i] = margin[i] * domestic[i]
        if paid_now:
            cash_usd[i] += earned[i]
        c = capacity[i]
        idle_share[i] = (c - domestic[i] - exported[i]) / c if c > 0.0 else 0.0
        s = sector[i]
        totals[0, s] += c
        totals[1, s] += domestic[i]
        totals[2, s] += exported[i]
        totals[3, s] += revenue[i]
        totals[4, s] += levy[i]
    return earned, totals


@compiled
def tally_firms(
    status: np.ndarray,
    cash_usd: np.ndarray,
    export_backlog_usd: np.ndarray,
    licence: np.ndarray,
    licence_until_day: np.ndarray,
    sector: np.ndarray,
    sectors: int,
    day: float,
) -> np.ndarray:
    """``FIRM_TOTALS`` x sector: cash of active firms, export backlog, firms by status,
    valid licences and waiting applications.

    An application of a firm that exited is not waiting, though the commission
    only drops it from its queue when it reaches it.
    """
    totals = np.zeros((len(FIRM_TOTALS), sectors))
    for i in range(status.size):
        s = sector[i]
        active = status[i] == ACTIVE
        totals[0, s] += cash_usd[i] if active else 0.0
        totals[1, s] += export_backlog_usd[i]
        totals[2 + status[i], s] += 1.0  # status codes run ACTIVE, BANKRUPT, MIGRATED, ACQUIRED
        if active and licence[i] == _LICENSED and licence_until_day[i] > day:
            totals[6, s] += 1.0
        elif active and licence[i] == _QUEUED:
            totals[7, s] += 1.0
    return totals
