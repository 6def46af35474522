"""Entry: new firms join their sector at the start of the month drawn for them.

Entrants are drawn with the population (``firms.draw_firms``): the number entering
a sector in each month is Poisson with mean ``entry_per_year / 12``, and each
entrant holds a slot of its sector from the start, with status ``ENTRANT``. At
the start of its month, before the tranche, an entrant becomes active with its
capacity and cash, no orders and no licence: from then on it is a firm like any
other. Its cash enters the industry's money as ``cash_at_entry_usd``.
"""

from __future__ import annotations

import numpy as np

from sim.model.firms import ACTIVE, ENTRANT, Firms
from sim.model.recorder import Recorder

__all__ = ["enter_firms"]


def enter_firms(firms: Firms, month: int, day: float, recorder: Recorder) -> np.ndarray:
    """Entrants whose month has come become active and are recorded; returns their ids."""
    entering: np.ndarray = np.flatnonzero((firms.status == ENTRANT) & (firms.entry_month == month))
    if entering.size == 0:
        return entering
    firms.status[entering] = ACTIVE
    sectors, sector = len(recorder.record.sector_names), firms.sector[entering]
    recorder.add("firms_entered", month, np.bincount(sector, minlength=sectors).astype(float))
    cash = np.bincount(sector, weights=firms.cash_usd[entering], minlength=sectors)
    recorder.add("cash_at_entry_usd", month, cash)
    recorder.trace_firms(day, entering, "entry", "active", firms.monthly_capacity_usd[entering])
    return entering
