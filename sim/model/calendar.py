"""Simulation time: days from the start of the simulation, reported per calendar month.

A scenario with ``warm_up_months`` starts simulating that many months before its
``start`` and reports from ``start`` on (``simulation_calendar``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

__all__ = ["DAYS_PER_MONTH", "Calendar", "simulation_calendar"]

DAYS_PER_MONTH = 365.25 / 12
"""Length of a month for durations given in months (licences, delivery windows)."""


@dataclass(frozen=True)
class Calendar:
    """Maps dates to engine days (the one time unit inside the engine) and months."""

    start: dt.date
    months: int

    @property
    def month_start_days(self) -> np.ndarray:
        """Day on which each calendar month begins; the last entry is the horizon."""
        return np.array([self.day_of(self.month_date(m)) for m in range(self.months + 1)])

    @property
    def horizon_days(self) -> int:
        """Day the simulation ends: the first day after its last month."""
        return self.day_of(self.month_date(self.months))

    def month_date(self, month: int) -> dt.date:
        """First day of month ``month`` (0 = the start month)."""
        total = self.start.month - 1 + month
        return self.start.replace(year=self.start.year + total // 12, month=total % 12 + 1, day=1)

    def day_of(self, date: dt.date) -> int:
        """Days from the start to ``date`` (negative before the start)."""
        return (date - self.start).days

    def month_labels(self) -> list[str]:
        """``YYYY-MM`` of each month, in order."""
        return [self.month_date(m).strftime("%Y-%m") for m in range(self.months)]


def simulation_calendar(scenario: Scenario) -> Calendar:
    """The simulated months: ``warm_up_months`` before the scenario's start, then its
    ``months``."""
    start = Calendar(scenario.start, 0).month_date(-scenario.warm_up_months)
    return Calendar(start, scenario.warm_up_months + scenario.months)
