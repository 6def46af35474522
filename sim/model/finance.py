"""The money loop's royalties and exits (the month's sales and costs: ``production``).

A sale of value v (domestic prices) adds ``margin * v`` to the firm's cash when it
is paid; exports also earn the market's premium. Fixed costs are paid monthly.
A firm whose cash stays negative for ``grace_months`` month-ends exits.
"""

from __future__ import annotations

import numpy as np

from sim.model.producers import ACQUIRED, ACTIVE, BANKRUPT, MIGRATED, Producers
from sim.scenario.schema import Exits

__all__ = ["pay_royalties", "settle_exits"]


def pay_royalties(
    producers: Producers, active_capacity: np.ndarray, sector: int, amount_usd: float
) -> None:
    """Share a royalty among the sector's active firms in proportion to capacity."""
    where = producers.slices[sector]
    capacity = active_capacity[where]
    total = capacity.sum()
    if total > 0.0:
        producers.cash_usd[where] += amount_usd * capacity / total


def settle_exits(producers: Producers, spec: Exits, rng: np.random.Generator) -> np.ndarray:
    """Count month-ends of negative cash and let firms past their grace exit.

    Outcomes are drawn in firm order, one uniform draw per exiting firm. An acquired
    firm's capacity goes to the largest active firm of its sector (when there is none,
    the firm is bankrupt instead). Returns the ids of the firms that exited.
    """
    active = producers.status == ACTIVE
    negative = active & (producers.cash_usd < 0.0)
    producers.negative_months[:] = np.where(negative, producers.negative_months + 1, 0)
    leaving: np.ndarray = (active & (producers.negative_months >= spec.grace_months)).nonzero()[0]
    if leaving.size == 0:
        return leaving
    odds = spec.outcomes
    outcome = np.searchsorted(
        np.cumsum([odds.bankrupt, odds.migrated]), rng.random(leaving.size), side="right"
    )
    producers.status[leaving] = np.array([BANKRUPT, MIGRATED, ACQUIRED], dtype=np.int8)[outcome]
    acquired = leaving[producers.status[leaving] == ACQUIRED]
    if acquired.size:
        _hand_over(producers, acquired)
    producers.capacity_usd[leaving] = 0.0
    return leaving


def _hand_over(producers: Producers, acquired: np.ndarray) -> None:
    """Acquired firms' capacity goes, in firm order, to the largest active firm of the sector.

    The largest firm only grows as it takes firms over, so it buys all of its
    sector's acquired firms this month; with no active capacity left in the sector
    there is no buyer and the firms are bankrupt instead.
    """
    capacity = producers.active_capacity()
    sector_of = producers.sector[acquired]
    for sector in sorted(set(sector_of.tolist())):
        where = producers.slices[sector]
        firms = acquired[sector_of == sector]
        candidates = capacity[where]
        if candidates.size == 0 or candidates.max() <= 0.0:
            producers.status[firms] = BANKRUPT
            continue
        buyer = where.start + int(np.argmax(candidates))
        total = float(producers.capacity_usd[buyer])
        for taken in producers.capacity_usd[firms].tolist():  # one at a time, as they happen
            total += taken
        producers.capacity_usd[buyer] = total
