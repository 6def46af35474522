"""Free export capacity: what a firm's capacity calendar leaves for exports, per month
and over a delivery window.

An export order that arrives in month M asks for delivery within the market's
``delivery_months``: production at the ends of months M+1 to M+k. A licensed
firm's free capacity for that window is the sum, over those months, of

    room(m) = max(min(cap_share * capacity - export plan(m),
                      capacity - domestic plan(m) - export plan(m)), 0)

where capacity is what the firm has in use (mothballed and restarting capacity
count only from the month a restart decided now would be ready). The export book
(``export_book``) keeps firms sorted by it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.compiled import compiled
from sim.model.firms import Status

__all__ = ["Calendars", "room", "window_frees"]

_ACTIVE = int(Status.ACTIVE)


class Calendars(NamedTuple):
    """The arrays of ``Firms`` that a firm's free export capacity is computed from (the
    same arrays, not copies): a structure of six rather than ``Firms``' 37, because
    a compiled helper called once per order counts a reference to each array it takes
    (see ``sim.compiled``)."""

    capacity_usd: np.ndarray
    status: np.ndarray
    laid_up_usd: np.ndarray
    restarting_usd: np.ndarray
    domestic_plan_usd: np.ndarray
    export_plan_usd: np.ndarray


@compiled
def room(
    capacity: float,
    laid_up_usd: float,
    restarting_usd: float,
    domestic_usd: float,
    export_usd: float,
    month: int,
    cap_share: float,
    ready: int,
) -> float:
    """What a firm's calendar leaves free for exports in ``month``, from its capacity (0
    unless active), mothballed and restarting capacity, and the month's plans: capacity
    in use, and mothballed capacity only from month ``ready`` on (when a restart
    decided at the end of the month orders arrive in would be ready; -1: none is
    needed). It takes the firm's numbers, not ``Firms`` (see ``sim.compiled``):
    callers name them."""
    c = capacity
    if month < ready:
        c = c - laid_up_usd - restarting_usd
    room = min(cap_share * c - export_usd, c - domestic_usd - export_usd)
    return room if room > 0.0 else 0.0


@compiled
def window_frees(
    cal: Calendars,
    which: np.ndarray,
    start: int,
    months: np.ndarray,
    cap_share: float,
    ready: int,
    free: np.ndarray,
) -> None:
    """The free capacity of firms ``which`` in every window, into ``free[:, f]``: the sum
    of ``room`` over the window's ``months[w]`` months from ``start`` (M+1).

    One pass over the longest window's months: windows are sorted by length and all
    start in month M+1, so each window's sum is a prefix of the same running sum.
    Every firm of a rebuild, an order or a meeting's licences in one call: called
    once per firm, it cost more than its sums (see ``sim.compiled``).
    """
    if months.size == 0:  # no market: no window
        return
    for f in which:
        c = cal.capacity_usd[f] if cal.status[f] == _ACTIVE else 0.0
        total, w = 0.0, 0
        for m in range(start, start + months[months.size - 1]):
            total += room(capacity=c, laid_up_usd=cal.laid_up_usd[f],
                           restarting_usd=cal.restarting_usd[f],
                           domestic_usd=cal.domestic_plan_usd[f, m],
                           export_usd=cal.export_plan_usd[f, m], month=m, cap_share=cap_share,
                           ready=ready)
            while w < months.size and m == start + months[w] - 1:
                free[w, f] = total
                w += 1
