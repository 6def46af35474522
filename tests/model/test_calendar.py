"""sim.model.calendar: engine days and calendar months."""

from __future__ import annotations

import datetime as dt

from sim.model.calendar import Calendar


def test_calendar_months_follow_the_calendar() -> None:
    cal = Calendar(dt.date(2026, 1, 1), 3)
    assert list(cal.month_start_days) == [0, 31, 59, 90]
    assert cal.month_labels() == ["2026-01", "2026-02", "2026-03"]
