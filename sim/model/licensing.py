"""The export-licence channel: applications, the commission's queue and its meetings.

From ``licensing.opens``, a firm of an exportable sector with enough idle capacity
prepares an application; once ready it joins the commission's queue. The
commission meets every ``meeting_every_days`` from the day licensing opens; it does
not meet inside a pause, and meets the day after a pause ends, restarting its
rhythm from there. At a meeting it decides the front of the queue, first come,
first served, renewals of licences ahead of new applications. A licence lasts
``licence_months``; a refused firm may apply again after ``reapply_after_days``.
With ``licensing.renewal``, a licensed firm asks to renew ``lead_days`` before its
licence ends; a renewal approved before the end extends the licence from its end
day, without a gap. Contracts a firm accepted stay deliverable after its licence
ends: the licence gates new orders, not production.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from sim.compiled import entry
from sim.model.calendar import DAYS_PER_MONTH, Calendar
from sim.model.export_book import ExportBook
from sim.model.firms import ACTIVE, LICENSED, NONE, PREPARING, QUEUED, REFUSED, Firms
from sim.model.recorder import Recorder
from sim.scenario.schema import Licensing

__all__ = [
    "Commission",
    "decide_applications",
    "expire_licences",
    "meeting_days",
    "open_applications",
    "request_renewals",
    "submit_applications",
]


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
    renewals: deque[tuple[int, float]] = field(default_factory=deque)
    """Renewal requests, decided before the queue of new applications."""

    @classmethod
    def for_sectors(cls, spec: Licensing, sector_names: tuple[str, ...]) -> Commission:
        """The commission with each sector's approval rate (else the ``default`` rate)."""
        rates = spec.approval_rate
        default = rates.get("default", 0.0)
        return cls(spec, np.array([rates.get(name, default) for name in sector_names]))

    @property
    def licence_days(self) -> float:
        """How long a licence lasts: ``licence_months`` of 365.25 / 12 days, in whole days."""
        return round(self.spec.licence_months * DAYS_PER_MONTH)

    def submit(self, firms: np.ndarray, day: float) -> None:
        """``firms`` join the back of the queue, in the order given, submitted on ``day``."""
        self.queue.extend(zip(firms.tolist(), itertools.repeat(day)))

    def next_batch(
        self, still_eligible: np.ndarray
    ) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        """Take up to one meeting's worth of requests, renewals first, then new
        applications, skipping firms that exited. Returns (renewals, applications)."""
        limit = self.spec.commission.decisions_per_meeting
        batches: tuple[list[tuple[int, float]], list[tuple[int, float]]] = ([], [])
        taken = 0
        for queue, batch in zip((self.renewals, self.queue), batches, strict=True):
            while queue and taken < limit:
                firm, submitted = queue.popleft()
                if still_eligible[firm]:
                    batch.append((firm, submitted))
                    taken += 1
        return batches

    def approve(self, sectors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Independent decisions, one uniform draw per application, in queue order."""
        return np.asarray(rng.random(sectors.size) < self.approval_by_sector[sectors])


def expire_licences(firms: Firms, day: float, recorder: Recorder) -> None:
    """Licences whose end day is on or before ``day`` end: the firm holds none again."""
    expired = _expire(firms, day)
    if recorder.tracing:
        active = expired[firms.status[expired] == ACTIVE]
        recorder.trace_firms(day, active, "licence_expired", "none")


# The monthly passes over every firm below are compiled: as numpy they were a dozen
# calls on a thousand firms each, for a few comparisons a firm.


@entry
def _expire(firms: Firms, day: float) -> np.ndarray:
    expired = np.zeros(firms.status.size, dtype=np.bool_)
    for f in range(firms.status.size):
        if firms.licence[f] == LICENSED and firms.licence_until_day[f] <= day:
            firms.licence[f] = NONE
            expired[f] = True
    return np.flatnonzero(expired)


def open_applications(
    spec: Licensing, firms: Firms, exportable: np.ndarray, opens_day: int, month: int, day: float
) -> tuple[np.ndarray, float] | None:
    """Firms with enough idle capacity start preparing an application.

    Once licensing has opened, every active firm of an exportable sector with no
    licence (or refused, and past its re-application day) whose idle share exceeds
    ``apply_when_idle_share`` starts preparing. Returns those firms and the day
    their files are ready, ``preparation_days`` later (in the first month, if
    licensing opened before the start, counted from the opening day); None when
    no firm starts.
    """
    if opens_day > day:
        return None
    starting = _starting(firms, exportable, spec.apply_when_idle_share, day)
    if starting.size == 0:
        return None
    firms.licence[starting] = PREPARING
    started = opens_day if month == 0 and opens_day < day else day
    return starting, max(day, started + spec.preparation_days)


@entry
def _starting(firms: Firms, exportable: np.ndarray, idle_share: float, day: float) -> np.ndarray:
    """Active firms of exportable sectors, without a licence (or refused) and past their
    re-application day, not renewing, idle above ``idle_share``."""
    starting = np.zeros(firms.status.size, dtype=np.bool_)
    for f in range(firms.status.size):
        licence, due = firms.licence[f], firms.reapply_day[f] <= day
        may_apply = (licence == NONE and due and not firms.renewing[f]) or (
            licence == REFUSED and due)
        starting[f] = (firms.status[f] == ACTIVE and exportable[firms.sector[f]] and may_apply
                       and firms.idle_share[f] > idle_share)
    return np.flatnonzero(starting)


def submit_applications(
    commission: Commission,
    firms: Firms,
    preparing: np.ndarray,
    day: float,
    rng: np.random.Generator,
    recorder: Recorder,
) -> None:
    """Prepared files enter the queue: the firms still active and still preparing, in a
    random order (the ``applications`` stream); each counts in ``applications``."""
    ready = preparing[
        (firms.status[preparing] == ACTIVE)
        & (firms.licence[preparing] == PREPARING)
    ]
    ready = ready[rng.permutation(ready.size)]
    firms.licence[ready] = QUEUED
    firms.submitted_day[ready] = day
    commission.submit(ready, day)
    sectors = len(recorder.record.sector_names)
    recorder.add(
        "applications", recorder.month_of(day), np.bincount(firms.sector[ready], minlength=sectors)
    )
    recorder.trace_firms(day, ready, "application_submitted", "queued")


def decide_applications(
    commission: Commission,
    firms: Firms,
    day: float,
    rng: np.random.Generator,
    book: ExportBook,
    recorder: Recorder,
) -> None:
    """At a meeting, the commission decides up to ``decisions_per_meeting`` applications
    from the front of the queue (those of firms that exited are dropped and do not
    count), each approved with its sector's approval rate (the ``commission`` stream).

    An approved firm is licensed for ``licence_months`` and joins the export book;
    a refused firm may apply again ``reapply_after_days`` later. The days from
    entering the queue to the decision are recorded for every decision
    (``mean_days_to_decision``) and for licences (``mean_days_to_licence``).
    """
    renewals, batch = commission.next_batch(firms.status == ACTIVE)
    if renewals:
        _decide_renewals(commission, firms, renewals, day, rng, book, recorder)
    if not batch:
        return
    decided = np.array([f for f, _ in batch], dtype=np.int64)
    approved = commission.approve(firms.sector[decided], rng)
    granted, refused = decided[approved], decided[~approved]
    firms.licence[granted] = LICENSED
    firms.licence_until_day[granted] = day + commission.licence_days
    book.admit(firms, granted)
    firms.licence[refused] = REFUSED
    firms.reapply_day[refused] = day + commission.spec.reapply_after_days
    month, sectors = recorder.month_of(day), len(recorder.record.sector_names)
    granted_sector = firms.sector[granted]
    recorder.add("licences_granted", month, np.bincount(granted_sector, minlength=sectors))
    recorder.add(
        "days_to_licence_sum",
        month,
        np.bincount(granted_sector, weights=day - firms.submitted_day[granted], minlength=sectors),
    )
    _record_decisions(firms, decided, approved, day - firms.submitted_day[decided], day,
                      ("licence_granted", "licence_refused", "refused"), recorder)


def request_renewals(
    commission: Commission, firms: Firms, day: float, until_day: float, recorder: Recorder
) -> None:
    """Licensed active firms whose licence ends within ``lead_days`` of ``until_day`` (the
    end of this month) ask to renew it, today; a firm refused a renewal asks again only
    after ``reapply_after_days``."""
    renewal = commission.spec.renewal
    if renewal is None:
        return
    asking = _asking(firms, renewal.lead_days, day, until_day)
    firms.renewing[asking] = True
    commission.renewals.extend((int(f), day) for f in asking.tolist())
    recorder.trace_firms(day, asking, "renewal_requested", "renewing")


@entry
def _asking(firms: Firms, lead_days: int, day: float, until_day: float) -> np.ndarray:
    """Active licensed firms not renewing yet, past their re-application day, whose
    licence ends within ``lead_days`` of ``until_day``."""
    asking = np.zeros(firms.status.size, dtype=np.bool_)
    for f in range(firms.status.size):
        asking[f] = (firms.status[f] == ACTIVE and firms.licence[f] == LICENSED
                     and not firms.renewing[f] and firms.reapply_day[f] <= day
                     and firms.licence_until_day[f] - lead_days < until_day)
    return np.flatnonzero(asking)


def _decide_renewals(
    commission: Commission,
    firms: Firms,
    renewals: list[tuple[int, float]],
    day: float,
    rng: np.random.Generator,
    book: ExportBook,
    recorder: Recorder,
) -> None:
    """Renewals are approved with ``renewal.approval_rate``; an approved licence runs on from
    its end day (from today, if it has already ended); a refused one ends as it would have,
    and the firm may apply anew ``reapply_after_days`` later."""
    assert commission.spec.renewal is not None
    decided = np.array([f for f, _ in renewals], dtype=np.int64)
    approved = rng.random(decided.size) < commission.spec.renewal.approval_rate
    firms.renewing[decided] = False
    renewed, refused = decided[approved], decided[~approved]
    lapsed = firms.licence[renewed] != LICENSED
    start = np.where(lapsed, day, firms.licence_until_day[renewed])
    firms.licence[renewed] = LICENSED
    firms.licence_until_day[renewed] = start + commission.licence_days
    firms.reapply_day[refused] = day + commission.spec.reapply_after_days
    book.licences_renewed()
    asked = np.array([d for _, d in renewals])
    _record_decisions(firms, decided, approved, day - asked, day,
                      ("licence_renewed", "renewal_refused", "expiring"), recorder)


def _record_decisions(
    firms: Firms,
    decided: np.ndarray,
    approved: np.ndarray,
    waited_days: np.ndarray,
    day: float,
    names: tuple[str, str, str],
    recorder: Recorder,
) -> None:
    """Count the decisions and the days they waited; trace each as (approved kind,
    refused kind, refused state), the approved state being ``licensed``."""
    month, sectors = recorder.month_of(day), len(recorder.record.sector_names)
    sector = firms.sector[decided]
    recorder.add("decisions", month, np.bincount(sector, minlength=sectors))
    recorder.add(
        "days_to_decision_sum", month, np.bincount(sector, weights=waited_days, minlength=sectors)
    )
    if recorder.tracing:
        yes, no, refused = names
        recorder.trace_firms(
            day,
            decided,
            [yes if ok else no for ok in approved.tolist()],
            ["licensed" if ok else refused for ok in approved.tolist()],
        )
