"""A month's production and its money, every firm in one compiled pass.

At the end of each month every active firm produces what its capacity calendar
schedules for the month, up to its capacity: domestic first, then exports up to
``cap_share`` of capacity. What the month could not produce moves to the next
month. Exports are delivered against what the firm owes, earliest due first; a
delivery after the end of the month it was due in is late (``export_late_usd``).
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

from typing import NamedTuple

import numpy as np

from sim.compiled import compiled, entry
from sim.model.firms import Firms, LicenceState, Status
from sim.model.records import STATUS_FIELDS
from sim.scenario.schema import Reinvestment

__all__ = ["FIRM_TOTALS", "MONTH_TOTALS", "Output", "pay_costs", "produce", "tally_firms"]

MONTH_TOTALS = (
    "capacity_usd",
    "domestic_usd",
    "export_usd",
    "export_revenue_usd",
    "levy_usd",
    "export_late_usd",
    "export_profit_usd",
    "reinvested_usd",
    "fixed_cost_usd",
    "domestic_margin_usd",
    "outside_investment_usd",
    "slipped_usd",
)
"""Rows of ``pay_costs``'s per-sector totals, in the order of ``Output``'s fields."""

FIRM_TOTALS = (
    "cash_usd",
    "export_backlog_usd",
    *STATUS_FIELDS,
    "licences_active",
    "queue_length",
    "receivable_usd",
    "debt_usd",
    "mothballed_usd",
    "firms_with_domestic_orders",
)
"""Rows of ``tally_firms``'s per-sector totals."""

DUST_USD = 1e-3
"""Less than this left of an obligation after its month is rounding, not late work."""

_ACTIVE = int(Status.ACTIVE)
_LICENSED, _QUEUED = int(LicenceState.LICENSED), int(LicenceState.QUEUED)
_STATUS_ROW = FIRM_TOTALS.index(STATUS_FIELDS[0])
"""Firm counts by status fill rows ``_STATUS_ROW + code``."""
_LICENCES_ROW, _QUEUE_ROW = FIRM_TOTALS.index("licences_active"), FIRM_TOTALS.index("queue_length")
_RECEIVABLE_ROW, _DEBT_ROW = FIRM_TOTALS.index("receivable_usd"), FIRM_TOTALS.index("debt_usd")
_MOTHBALLED_ROW = FIRM_TOTALS.index("mothballed_usd")
_ORDERED_ROW = FIRM_TOTALS.index("firms_with_domestic_orders")
_ENTRANT = int(Status.ENTRANT)
assert [int(code) for code in Status if code != Status.ENTRANT] == list(range(len(STATUS_FIELDS)))


class Output(NamedTuple):
    """A month's production per firm (monthly USD at domestic prices, revenue at export
    prices); fields in the order of ``MONTH_TOTALS``."""

    capacity_usd: np.ndarray
    """Capacity the firm started the month with (0 once exited)."""
    domestic_usd: np.ndarray
    export_usd: np.ndarray
    export_revenue_usd: np.ndarray
    levy_usd: np.ndarray
    export_late_usd: np.ndarray
    """Exports delivered after the end of the month they were due in."""
    export_profit_usd: np.ndarray
    """Export revenue less levy and variable cost, credited to cash."""
    reinvested_usd: np.ndarray
    """The part of a positive export profit taken out of cash into capacity."""
    fixed_cost_usd: np.ndarray
    domestic_margin_usd: np.ndarray
    """Margin earned on domestic production: paid now or later."""
    outside_investment_usd: np.ndarray
    """Invested from outside the firm, attracted by its export revenue (not cash)."""
    slipped_usd: np.ndarray
    """Production planned for the month that it could not make: it moves to the next month."""

    @classmethod
    def empty(cls, firms: int) -> Output:
        """Unfilled arrays for ``firms`` firms; the compiled loop writes every entry."""
        return cls(*(np.empty(firms) for _ in MONTH_TOTALS))


@compiled
def _min(a: float, b: float) -> float:
    return a if a < b else b  # np.minimum, NaN aside (none here): ties give b, as -0.0 vs 0.0


@compiled
def _max(a: float, b: float) -> float:
    return a if a > b else b  # np.maximum


def produce(firms: Firms, month: int, cap_share: float, reinvest: Reinvestment) -> Output:
    """Deliver the month's orders, book export profit, invest: capacity built or restarted
    for this month joins first; each active firm then produces domestic = min(domestic
    plan of the month, available capacity), then exports = min(export plan of the
    month, ``cap_share`` x capacity, available - domestic), where available capacity
    is capacity less what is mothballed or restarting; what is left of the month's
    plans moves to the next month. Export profit (revenue - levy - variable cost)
    goes to cash at once, less the ``capacity_reinvest`` share of a positive profit;
    that share and ``outside_investment`` x revenue become capacity after
    ``build_months``."""
    output = Output.empty(firms.size)
    _produce(firms, output, month, cap_share, reinvest.export_levy, reinvest.capacity_reinvest,
             reinvest.capacity_per_usd, reinvest.outside_investment, reinvest.build_months)
    return output


@entry
def _produce(
    firms: Firms,
    output: Output,
    month: int,
    cap_share: float,
    export_levy: float,
    capacity_reinvest: float,
    capacity_per_usd: float,
    outside_investment: float,
    build_months: int,
) -> None:
    last = firms.domestic_plan_usd.shape[1] - 1
    for i in range(firms.status.size):
        active = firms.status[i] == _ACTIVE
        if active:
            firms.monthly_capacity_usd[i] += firms.capacity_plan_usd[i, month]
            back = firms.restart_plan_usd[i, month]
            firms.restarting_usd[i] = _max(firms.restarting_usd[i] - back, 0.0)
        firms.capacity_plan_usd[i, month] = 0.0
        firms.restart_plan_usd[i, month] = 0.0
        c = firms.monthly_capacity_usd[i] if active else 0.0
        available = c - firms.mothballed_usd[i] - firms.restarting_usd[i] if active else 0.0
        d = _min(firms.domestic_plan_usd[i, month], available)
        backlog = firms.export_backlog_usd[i]
        x = _min(firms.export_plan_usd[i, month], _min(cap_share * c, available - d))
        x = _max(x, 0.0)
        r = (x / backlog if backlog > 0.0 else 0.0) * firms.export_backlog_revenue_usd[i]
        late = 0.0
        if x > 0.0:
            late = _deliver(by_market_usd=firms.export_backlog_by_market_usd,
                            due_usd=firms.export_due_usd, i=i, month=month, exported=x,
                            backlog=backlog)
        slipped_d = firms.domestic_plan_usd[i, month] - d
        slipped_x = firms.export_plan_usd[i, month] - x
        output.slipped_usd[i] = slipped_d + slipped_x
        if month < last:
            firms.domestic_plan_usd[i, month + 1] += slipped_d
            firms.export_plan_usd[i, month + 1] += slipped_x
        firms.domestic_plan_usd[i, month] = 0.0
        firms.export_plan_usd[i, month] = 0.0
        firms.domestic_backlog_usd[i] = _max(firms.domestic_backlog_usd[i] - d, 0.0)
        firms.export_backlog_usd[i] = _max(backlog - x, 0.0)
        firms.export_backlog_revenue_usd[i] = _max(firms.export_backlog_revenue_usd[i] - r, 0.0)
        owed = export_levy * r
        profit = r - owed - (1.0 - firms.margin[i]) * x
        reinvest = capacity_reinvest * _max(profit, 0.0)
        outside = outside_investment * r
        firms.cash_usd[i] += profit - reinvest
        added = (reinvest + outside) * capacity_per_usd / 12.0
        if build_months == 0:
            firms.monthly_capacity_usd[i] += added
        elif month + 1 + build_months <= last:
            firms.capacity_plan_usd[i, month + 1 + build_months] += added
        output.export_profit_usd[i], output.reinvested_usd[i] = profit, reinvest
        output.outside_investment_usd[i] = outside
        output.capacity_usd[i], output.domestic_usd[i], output.export_usd[i] = c, d, x
        output.export_revenue_usd[i], output.levy_usd[i] = r, owed
        output.export_late_usd[i] = late


@compiled
def _deliver(
    by_market_usd: np.ndarray,
    due_usd: np.ndarray,
    i: int,
    month: int,
    exported: float,
    backlog: float,
) -> float:
    """Deliver ``exported`` against firm ``i``'s obligations (``Firms.export_due_usd``),
    earliest due first, and against each market's share of its backlog
    (``Firms.export_backlog_by_market_usd``); returns what was delivered late. It takes
    the two arrays, not ``Firms``: see ``sim.compiled``."""
    for j in range(by_market_usd.shape[1] if backlog > 0.0 else 0):
        share = by_market_usd[i, j] / backlog
        left_j = by_market_usd[i, j] - exported * share
        by_market_usd[i, j] = _max(left_j, 0.0)
    late, left = 0.0, exported
    for due in range(due_usd.shape[1]):
        owed = due_usd[i, due]
        if due < month and owed < DUST_USD:
            due_usd[i, due] = 0.0  # what rounding left of an obligation met
        elif owed > 0.0:
            taken = _min(owed, left)
            due_usd[i, due] = owed - taken
            if due < month:
                late += taken
            left -= taken
            if left <= 0.0:
                break
    return late


def overdue_usd(firms: Firms, month: int, sectors: int) -> np.ndarray:
    """Per sector: export work due by the end of ``month`` or earlier and not delivered,
    obligations with less than ``DUST_USD`` left not counted.

    Few firms owe anything overdue, so only their rows are summed, and only they are
    added up per sector, in firm order: the others would add zeros. Each row is
    summed as numpy sums a row of the whole calendar (pairwise), so totals do not
    depend on which other firms owe.
    """
    owing = _owing(firms.export_due_usd, month)
    if owing.size == 0:
        return np.zeros(sectors)
    past_due = firms.export_due_usd[owing, : month + 1]
    overdue = np.where(past_due >= DUST_USD, past_due, 0.0).sum(axis=1)
    return np.bincount(firms.sector[owing], weights=overdue, minlength=sectors)


@entry
def _owing(due_usd: np.ndarray, month: int) -> np.ndarray:
    """Firms with at least ``DUST_USD`` due in a month up to ``month``."""
    found = np.zeros(due_usd.shape[0], dtype=np.bool_)
    for i in range(due_usd.shape[0]):
        for m in range(month + 1):
            if due_usd[i, m] >= DUST_USD:
                found[i] = True
                break
    return np.flatnonzero(found)


@entry
def pay_costs(
    firms: Firms, output: Output, sectors: int, paid_now: bool, floor: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pay fixed costs, earn the domestic margin, set idle shares; total the month per sector.

    Fixed cost is ``fixed_cost_share`` of the capacity after reinvestment, mothballed
    capacity counted at ``floor`` of it (``mothballing.fixed_cost_floor``). The
    domestic margin goes to cash when ``paid_now``, else it is returned for a later
    payment. A firm's idle share is (capacity - domestic - exports) / capacity.
    Returns the margin earned per firm and the ``MONTH_TOTALS`` x sector totals.
    """
    n = firms.status.size
    earned = output.domestic_margin_usd
    totals = np.zeros((len(MONTH_TOTALS), sectors))
    for i in range(n):
        active = firms.status[i] == _ACTIVE
        output.fixed_cost_usd[i] = firms.fixed_cost_share[i] * (
            firms.monthly_capacity_usd[i] - (1.0 - floor) * firms.mothballed_usd[i]
            if active else 0.0
        )
        firms.cash_usd[i] -= output.fixed_cost_usd[i]
        earned[i] = firms.margin[i] * output.domestic_usd[i]
        if paid_now:
            firms.cash_usd[i] += earned[i]
        c = output.capacity_usd[i]
        firms.idle_share[i] = (
            (c - output.domestic_usd[i] - output.export_usd[i]) / c if c > 0.0 else 0.0
        )
        s = firms.sector[i]
        for row in range(len(MONTH_TOTALS)):
            totals[row, s] += output[row][i]
    return earned, totals


@entry
def tally_firms(firms: Firms, sectors: int, day: float) -> np.ndarray:
    """``FIRM_TOTALS`` x sector: cash of active firms, export backlog, firms by status,
    valid licences and waiting applications.

    An application of a firm that exited is not waiting, though the commission
    only drops it from its queue when it reaches it.
    """
    totals = np.zeros((len(FIRM_TOTALS), sectors))
    for i in range(firms.status.size):
        s = firms.sector[i]
        active = firms.status[i] == _ACTIVE
        totals[0, s] += firms.cash_usd[i] if active else 0.0
        totals[1, s] += firms.export_backlog_usd[i]
        if firms.status[i] != _ENTRANT:
            totals[_STATUS_ROW + firms.status[i], s] += 1.0
        if active and firms.licence[i] == _LICENSED and firms.licence_until_day[i] > day:
            totals[_LICENCES_ROW, s] += 1.0
        elif active and firms.licence[i] == _QUEUED:
            totals[_QUEUE_ROW, s] += 1.0
        if active:
            totals[_RECEIVABLE_ROW, s] += firms.receivable_usd[i]
            totals[_DEBT_ROW, s] += firms.debt_usd[i]
            totals[_MOTHBALLED_ROW, s] += firms.mothballed_usd[i] + firms.restarting_usd[i]
            if firms.domestic_orders_usd[i] > 0.0:
                totals[_ORDERED_ROW, s] += 1.0
    return totals
