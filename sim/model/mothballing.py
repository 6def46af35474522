"""Mothballing: idle capacity laid up to cut its fixed cost, and restarted for orders.

At each month's end, after production and its money, every active firm records the
capacity it had available and left idle that month. Capacity idle at each of the
last ``after_months`` month-ends is mothballed, except what the firm's calendar
needs in the coming ``restart_months + 1`` months: it can no longer produce and
costs ``fixed_cost_floor`` of its fixed cost. When the calendar of the coming
months needs more than the capacity still available, the firm restarts mothballed
capacity, as much as is needed: it pays its full fixed cost at once and produces
again after ``restart_months`` whole months (0: the next month). A tranche takes
capacity in use first and mothballed capacity only for what that cannot take
(``procurement``); an export contract counts on mothballed capacity only from the
month a restart decided now would be ready (``export_book``). A restart that still
comes too late shows as late work, never as an order refused.

Mothballed capacity still counts as capacity, and so in the surplus: laying it up
changes what a firm pays, not what the industry could make.
"""

from __future__ import annotations

from sim.compiled import entry
from sim.model.firms import ACTIVE, Firms
from sim.model.production import Output
from sim.scenario.schema import Mothballing

__all__ = ["lay_up_and_restart"]

def lay_up_and_restart(firms: Firms, output: Output, month: int, spec: Mothballing) -> None:
    """Record each active firm's idle capacity, mothball what stayed idle for
    ``after_months`` and is not needed soon, and restart what the coming months need."""
    _lay_up_and_restart(firms, output, month, spec.restart_months)


@entry
def _lay_up_and_restart(firms: Firms, output: Output, month: int, restart_months: int) -> None:
    history = firms.idle_history_usd.shape[1]
    last = firms.domestic_plan_usd.shape[1] - 1
    slot = month % history
    for i in range(firms.status.size):
        if firms.status[i] != ACTIVE:
            continue
        laid_up = firms.mothballed_usd[i] + firms.restarting_usd[i]
        idle = output.capacity_usd[i] - laid_up - output.domestic_usd[i] - output.export_usd[i]
        firms.idle_history_usd[i, slot] = idle if idle > 0.0 else 0.0
        # What this month's plan asked for, and what the coming months' plans ask for.
        need = output.domestic_usd[i] + output.export_usd[i] + output.slipped_usd[i]
        for m in range(month + 1, min(month + 2 + restart_months, last + 1)):
            planned = firms.domestic_plan_usd[i, m] + firms.export_plan_usd[i, m]
            need = planned if planned > need else need
        available = firms.monthly_capacity_usd[i] - laid_up
        if need > available:
            back = need - available
            back = back if back < firms.mothballed_usd[i] else firms.mothballed_usd[i]
            if back <= 0.0:
                continue
            firms.mothballed_usd[i] -= back
            ready = month + 1 + restart_months
            if restart_months > 0 and ready <= last:
                firms.restarting_usd[i] += back
                firms.restart_plan_usd[i, ready] += back
            continue
        idle_throughout = firms.idle_history_usd[i, 0]
        for k in range(1, history):
            v = firms.idle_history_usd[i, k]
            idle_throughout = v if v < idle_throughout else idle_throughout
        spare = available - need
        lay = idle_throughout if idle_throughout < spare else spare
        if lay <= 0.0:
            continue
        firms.mothballed_usd[i] += lay
        for k in range(history):
            firms.idle_history_usd[i, k] -= lay
