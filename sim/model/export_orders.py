"""Export orders: where each one goes, and the totals of where they went.

An order asks the joint lines serving its market and sector first, in list
order; what they do not take goes to the sector's licensed firms through the
export book (largest free capacity first, split when one firm cannot take it
all); what neither takes is lost. A firm's export backlog grows by its share, and
what the backlog will earn by that share times the market's price premium.

Orders are most of a replication's events and change nothing but backlogs, so
the orders that fall between two clock events are handled by one compiled loop
(``receive_orders``), in time order, with the state they would have met one at
a time.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.compiled import compiled
from sim.model.export_book import BookState, expire, place
from sim.model.markets import JointState, take

__all__ = ["OrderStreams", "receive_orders"]

LOST_BELOW = 1e-12
"""A share of an order's size left over by the rounding of its split, not lost."""


class OrderStreams(NamedTuple):
    """Each (market, sector) stream of orders: ``t`` indexes streams."""

    market: np.ndarray
    """(t,) the market's index."""
    sector: np.ndarray
    window: np.ndarray
    """(t,) the index of the market's delivery window in the export book."""
    months: np.ndarray
    """(t,) the market's delivery window, in months."""
    premium: np.ndarray
    """(t,) 1 + the market's price premium."""


@compiled
def receive_orders(
    days: np.ndarray,
    sizes_usd: np.ndarray,
    stream: np.ndarray,
    start: int,
    stop: int,
    streams: OrderStreams,
    joint: JointState,
    book: BookState,
    exportable: np.ndarray,
    export_backlog_usd: np.ndarray,
    export_backlog_revenue_usd: np.ndarray,
    month_starts: np.ndarray,
    sector_totals: np.ndarray,
    market_totals: np.ndarray,
    placed_firm: np.ndarray,
    placed_usd: np.ndarray,
) -> tuple[int, float]:
    """Place orders ``start`` to ``stop`` (their day, size and stream); add up where they went.

    ``sector_totals`` and ``market_totals`` are (row, month, sector or market),
    rows as in ``OrderTally``. Returns, for the last order, how many firms took
    part (the first entries of ``placed_firm`` and ``placed_usd``) and what was lost.
    """
    months = month_starts.size - 1
    placed, lost = 0, 0.0
    for k in range(start, stop):
        day, size, t = days[k], sizes_usd[k], stream[k]
        sector, market = streams.sector[t], streams.market[t]
        month = min(np.searchsorted(month_starts, day, side="right") - 1, months - 1)
        joint_usd = take(joint, market, sector, size, day, streams.months[t])
        remaining = size - joint_usd
        accepted, placed = 0.0, 0
        if remaining > 0.0 and exportable[sector]:
            expire(book, day)  # licences that ended since the last order
            placed = place(book, sector, remaining, streams.window[t], placed_firm, placed_usd)
            for j in range(placed):
                firm, amount = placed_firm[j], placed_usd[j]
                export_backlog_usd[firm] += amount
                export_backlog_revenue_usd[firm] += amount * streams.premium[t]
                accepted += amount
        lost = remaining - accepted
        if lost <= LOST_BELOW * size:
            lost = 0.0
        sector_totals[0, month, sector] += size
        sector_totals[1, month, sector] += lost
        market_totals[0, month, market] += size
        market_totals[1, month, market] += joint_usd
        market_totals[2, month, market] += accepted
        market_totals[3, month, market] += lost
    return placed, lost
