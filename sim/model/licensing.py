"""The export-licence channel: applications, the commission's queue and its meetings.

Applications are decided first come, first served. The commission meets every
``meeting_every_days`` from the day licensing opens; it does not meet inside a
pause, and meets the day after a pause ends, restarting its rhythm from there.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from sim.model.calendar import DAYS_PER_MONTH, Calendar
from sim.scenario.schema import Licensing

__all__ = ["Commission", "meeting_days"]


def meeting_days(spec: Licensing, calendar: Calendar) -> list[int]:
    """Days (from the start) of every meeting inside the horizon."""
    opens = calendar.day_of(spec.opens)
    every = spec.commission.meeting_every_days
    pauses = [(calendar.day_of(p.start), calendar.day_of(p.end)) for p in spec.commission.pauses]
    days: list[int] = []
    day = opens + every
    while day < calendar.horizon_days:
        inside = next(((s, e) for s, e in pauses if s <= day <= e), None)
        if inside is not None:
            day = inside[1] + 1
            continue
        if day >= 0:
            days.append(day)
        day += every
    return days


@dataclass
class Commission:
    """The queue of submitted applications and the rule that decides them."""

    spec: Licensing
    approval_by_sector: np.ndarray
    queue: deque[tuple[int, float]] = field(default_factory=deque)

    @classmethod
    def for_sectors(cls, spec: Licensing, sector_names: tuple[str, ...]) -> Commission:
        rates = spec.approval_rate
        default = rates.get("default", 0.0)
        return cls(spec, np.array([rates.get(name, default) for name in sector_names]))

    @property
    def licence_days(self) -> float:
        return round(self.spec.licence_months * DAYS_PER_MONTH)

    def submit(self, firms: np.ndarray, day: float) -> None:
        self.queue.extend(zip(firms.tolist(), itertools.repeat(day)))

    def next_batch(self, still_eligible: np.ndarray) -> list[tuple[int, float]]:
        """Take up to one meeting's worth of applications, skipping firms that exited."""
        batch: list[tuple[int, float]] = []
        while self.queue and len(batch) < self.spec.commission.decisions_per_meeting:
            firm, submitted = self.queue.popleft()
            if still_eligible[firm]:
                batch.append((firm, submitted))
        return batch

    def approve(self, sectors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Independent decisions, one uniform draw per application, in queue order."""
        return np.asarray(rng.random(sectors.size) < self.approval_by_sector[sectors])
