"""sim.model.licensing: the commission's meeting days around its pauses."""

from __future__ import annotations

from builders import make_scenario

from sim.model.calendar import Calendar
from sim.model.licensing import meeting_days


def test_meetings_skip_pauses_and_resume_the_day_after() -> None:
    sc = make_scenario(
        **{
            "licensing.opens": "2025-11-01",
            "licensing.commission": {
                "meeting_every_days": 30,
                "decisions_per_meeting": 5,
                "pauses": [{"start": "2025-06-01", "end": "2026-02-11"}],
            },
        }
    )
    assert sc.licensing is not None
    days = meeting_days(sc.licensing, Calendar(sc.start, sc.months))
    assert days[:3] == [42, 72, 102]  # 2026-02-12, then every 30 days
    assert all(d < 365 for d in days)
