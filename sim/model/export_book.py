"""Free export capacity of licensed firms, kept sorted for placing export orders.

An export order that arrives in month M asks for delivery within the market's
``delivery_months``: production at the ends of months M+1 to M+k, due by the end
of month M+k. A licensed firm's free capacity for that window is the sum, over
those months, of what its capacity calendar leaves free for exports
(``export_room``). The order goes to the firm with most free capacity; when one firm cannot take it
all, it is split, largest free capacity first, over at most ``max_suppliers``
firms; what they cannot take is lost. A firm that takes a share books it into its
calendar, earliest months first, and owes it by the end of month M+k.

Orders are the model's most frequent event and each touches only a few firms, so
the book keeps, per delivery window, each sector's firms with free capacity in a
sorted run of an array, updated in place (a binary search and a shift per firm
touched), instead of re-deriving and re-sorting the sector on every order.
Licences granted at a meeting and licences that end are also applied in place, and
renewals that move licences' end days only re-sort the end days (``licences_renewed``).
Anything else that sets free capacity (a new month, domestic plans, firm status,
month-end production) makes the book stale (``invalidate``); the next order finds
it rebuilt from the firms, all sectors at once (``up_to_date``).

The book's state is a tuple of arrays (``BookState``) so that compiled loops,
here and in ``export_orders``, can work on it directly.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.compiled import compiled, entry
from sim.model.export_room import Calendars, window_frees
from sim.model.export_room import room as month_room
from sim.model.firms import Firms, LicenceState, Status
from sim.model.sorted_runs import Runs, insert, move, remove, stable_argsort

__all__ = ["MIN_FREE_USD", "BookState", "ExportBook", "expire", "place"]

_ACTIVE, _LICENSED = int(Status.ACTIVE), int(LicenceState.LICENSED)

MIN_FREE_USD = 0.01
"""Free capacity below a cent is rounding left by earlier splits, not room for an order."""


class BookState(NamedTuple):
    """The book as arrays; ``w`` indexes delivery windows, ``s`` sectors, ``f`` firms.

    Sector s's firms with free capacity in window w sit in
    ``negative_free[w, first[s] : first[s] + listed[w, s]]`` (and ``firm`` alongside),
    sorted by (-free, firm id): a sector never has more of them than it has firms.
    """

    months: np.ndarray
    """(w,) the window's length in months."""
    first: np.ndarray
    """(s + 1,) the sector's first firm id; firms of a sector are contiguous."""
    sector: np.ndarray
    """(f,) each firm's sector."""
    negative_free: np.ndarray
    """(w, f) sort keys: minus the free capacity."""
    firm: np.ndarray
    """(w, f) the firm of each sort key."""
    listed: np.ndarray
    """(w, s) firms with free capacity."""
    free: np.ndarray
    """(w, f) free capacity of each firm, where ``booked``."""
    booked: np.ndarray
    """(w, f) whether the firm has free capacity in the window."""
    rated: np.ndarray
    """(f,) whether the firm holds a licence in the book (and so one expiry entry)."""
    licensed: np.ndarray
    """(s,) firms of the sector holding a licence in the book."""
    unlicensed_free: np.ndarray
    """(w, s) free capacity of the sector's active firms without a licence: what licences
    would have let them take (unlicensed firms take no orders, so it changes only as
    licences start and end)."""
    expiry_day: np.ndarray
    """Licence end days of licensed firms, soonest first (ties by firm id),
    from ``cursor[0]`` to ``cursor[1]``."""
    expiry_firm: np.ndarray
    cursor: np.ndarray
    """(2,) first and one-past-last live entry of ``expiry_day``."""
    month: np.ndarray
    """(1,) the month orders arrive in: windows start the month after."""
    cap_share: np.ndarray
    """(1,) the licence's ceiling on the share of capacity that goes to exports."""
    restart_months: np.ndarray
    """(1,) months mothballed capacity takes to restart (-1: no mothballing): an order
    of month M counts on it only from month M + 1 + ``restart_months``."""
    exportable: np.ndarray
    """(s,) whether the sector may export: the book holds no firm of another sector, and
    does not sum their free capacity (they take no export orders, licensed or not)."""
    runs: Runs
    """``negative_free``, ``firm``, ``listed`` and ``first`` as the sorted runs they are."""
    calendars: Calendars
    """The firms' arrays that free capacity is computed from."""


class ExportBook:
    """Firms with free export capacity, per sector and delivery window, largest first.

    Ties in free capacity go to the lower firm id, so placement depends on nothing
    but the state.
    """

    def __init__(
        self,
        firms: Firms,
        sectors: int,
        windows: tuple[int, ...],
        cap_share: float,
        restart_months: int = -1,
        exportable: np.ndarray | None = None,
    ) -> None:
        """An empty book (no licences) for ``firms``; ``windows`` are the delivery windows,
        in months, that orders may ask for; ``exportable`` per sector (default: all)."""
        self.windows = tuple(sorted(set(windows)))
        n, w = firms.size, len(self.windows)
        first, negative_free = firms.sector_first.copy(), np.empty((w, n))
        firm, listed = np.empty((w, n), dtype=np.int64), np.zeros((w, sectors), dtype=np.int64)
        self.state = BookState(
            months=np.array(self.windows, dtype=np.int64),
            first=first,
            sector=firms.sector,
            negative_free=negative_free,
            firm=firm,
            listed=listed,
            free=np.empty((w, n)),
            booked=np.zeros((w, n), dtype=np.bool_),
            rated=np.zeros(n, dtype=np.bool_),
            licensed=np.zeros(sectors, dtype=np.int64),
            unlicensed_free=np.zeros((w, sectors)),
            expiry_day=np.empty(n),
            expiry_firm=np.empty(n, dtype=np.int64),
            cursor=np.zeros(2, dtype=np.int64),
            month=np.zeros(1, dtype=np.int64),
            cap_share=np.array([cap_share]),
            restart_months=np.array([restart_months], dtype=np.int64),
            exportable=(
                np.ones(sectors, dtype=np.bool_) if exportable is None
                else np.asarray(exportable, dtype=np.bool_)
            ),
            runs=Runs(negative_free, firm, listed, first),
            calendars=Calendars(
                firms.monthly_capacity_usd, firms.status, firms.mothballed_usd,
                firms.restarting_usd, firms.domestic_plan_usd, firms.export_plan_usd,
            ),
        )
        self.placed_firm = np.empty(n, dtype=np.int64)
        self.placed_usd = np.empty(n)
        """Who took how much of the last order placed (the first entries)."""
        self._stale = True
        self._renewed = False

    def invalidate(self) -> None:
        """Free capacity changed outside the book: rebuild it before the next order."""
        self._stale = True

    def licences_renewed(self) -> None:
        """Licences' end days moved (renewals): before the next order, the book takes them
        up as a rebuild would, without computing free capacity again (``_refresh``)."""
        self._renewed = True

    def up_to_date(self, firms: Firms, month: int, day: float) -> ExportBook:
        """The book for orders of ``month`` on ``day``: rebuilt from ``firms`` if stale."""
        if self._stale or (self._renewed and not _refresh(self.state, firms, day)):
            self.state.month[0] = month
            _build(self.state, firms, day)
        self._stale = self._renewed = False
        return self

    @property
    def next_expiry(self) -> float:
        """The first day a licence in the book has ended: call ``expire`` from then on."""
        head, tail = self.state.cursor
        return float(self.state.expiry_day[head]) if head < tail else float("inf")

    def window(self, months: int) -> int:
        """Index of the delivery window of ``months`` months."""
        return self.windows.index(months)

    def free_usd(self, sector: int, months: int) -> dict[int, float]:
        """Free capacity of the sector's firms that have some, for a window of ``months``."""
        b, w = self.state, self.window(months)
        run = slice(b.first[sector], b.first[sector] + b.listed[w, sector])
        return dict(zip(b.firm[w, run].tolist(), (-b.negative_free[w, run]).tolist(), strict=True))

    def place(
        self, firms: Firms, sector: int, size_usd: float, months: int, max_suppliers: int
    ) -> list[tuple[int, float]]:
        """Place an order; returns (firm, amount) for each firm taking part.

        The amounts sum to what was placed; the rest of ``size_usd`` is lost. Each
        firm books its amount into its calendar (``Firms.export_plan_usd``) and owes
        it by the window's last month (``Firms.export_due_usd``).
        """
        n = place(
            self.state,
            firms,
            sector,
            size_usd,
            self.window(months),
            max_suppliers,
            self.placed_firm,
            self.placed_usd,
        )
        return list(zip(self.placed_firm[:n].tolist(), self.placed_usd[:n].tolist(), strict=True))

    def expire(self, day: float) -> None:
        """Licences that end on or before ``day`` take their firms' free capacity with them."""
        expire(self.state, day)

    def admit(self, firms: Firms, granted: np.ndarray) -> None:
        """Newly licensed firms (not in the book until now) join it.

        A stale book is left alone: its rebuild will find them licensed.
        """
        if self._stale:
            return
        _admit(self.state, firms, granted)


@compiled
def _ready(b: BookState) -> int:
    """The first month an order of this month may count on mothballed capacity: when a
    restart decided at the month's end would be ready (-1: no mothballing)."""
    restart = b.restart_months[0]
    return b.month[0] + 1 + restart if restart >= 0 else -1


@compiled
def _fill_frees(b: BookState, which: np.ndarray) -> None:
    """``window_frees`` of firms ``which``, for orders of the book's month."""
    window_frees(b.calendars, which, b.month[0] + 1, b.months, b.cap_share[0], _ready(b), b.free)


@compiled
def place(
    b: BookState,
    firms: Firms,
    sector: int,
    size_usd: float,
    w: int,
    max_suppliers: int,
    placed_firm: np.ndarray,
    placed_usd: np.ndarray,
) -> int:
    """Place an order of window ``w`` with at most ``max_suppliers`` firms; the first n
    (returned) entries of ``placed_firm`` and ``placed_usd`` say who takes how much.

    A firm left without free capacity in a window never regains it before the
    book is rebuilt (free capacity only falls in between), so it is dropped.
    """
    n, remaining = 0, size_usd
    start = b.first[sector]
    for k in range(start, start + min(b.listed[w, sector], max_suppliers)):
        amount = min(-b.negative_free[w, k], remaining)
        placed_firm[n], placed_usd[n] = b.firm[w, k], amount
        n += 1
        remaining -= amount
        if remaining <= 0.0:
            break
    first_month = b.month[0] + 1
    due = first_month + b.months[w] - 1
    before = b.free[:, placed_firm[:n]].copy()  # each firm's keys in the runs, until moved
    for j in range(n):
        firm, amount = placed_firm[j], placed_usd[j]
        left = amount
        c = firms.monthly_capacity_usd[firm] if firms.status[firm] == _ACTIVE else 0.0
        for m in range(first_month, due + 1):  # earliest months first
            room = month_room(capacity=c, laid_up_usd=firms.mothballed_usd[firm],
                         restarting_usd=firms.restarting_usd[firm],
                         domestic_usd=firms.domestic_plan_usd[firm, m],
                         export_usd=firms.export_plan_usd[firm, m], month=m,
                         cap_share=b.cap_share[0], ready=_ready(b))
            take = min(room, left)
            firms.export_plan_usd[firm, m] += take
            left -= take
        firms.export_plan_usd[firm, due] += left  # rounding dust of the split, if any
        firms.export_due_usd[firm, due] += amount
    # Each firm's free capacity depends on its own calendar only, so all are computed
    # after all have booked; each firm then moves down its runs to its new place (the
    # runs hold the same entries, sorted, as after a removal and an insertion).
    _fill_frees(b, placed_firm[:n])
    for j in range(n):
        firm = placed_firm[j]
        for v in range(b.months.size):
            if not b.booked[v, firm]:
                continue
            if b.free[v, firm] > MIN_FREE_USD:
                move(b.runs, v, sector, -before[v, j],
                      -b.free[v, firm], firm)
            else:
                remove(b.runs, v, sector, -before[v, j],
                        firm)
                b.booked[v, firm] = False
    return n


@entry
def _build(b: BookState, firms: Firms, day: float) -> None:
    # Firms are visited in id order and sorted stably, so equal keys stay in id order.
    b.booked[:] = False
    active = np.zeros(firms.status.size, dtype=np.bool_)
    for f in range(firms.status.size):
        active[f] = _active(firms.status[f], b.exportable[b.sector[f]])
        b.rated[f] = active[f] and _licensed(firms.licence[f], firms.licence_until_day[f], day)
    _fill_frees(b, np.flatnonzero(active))
    _count(b, firms)
    for w in range(b.months.size):
        for s in range(b.listed.shape[1]):
            start = end = b.first[s]
            for f in range(b.first[s], b.first[s + 1]):
                if b.rated[f] and b.free[w, f] > MIN_FREE_USD:
                    b.booked[w, f] = True
                    b.negative_free[w, end], b.firm[w, end] = -b.free[w, f], f
                    end += 1
            b.listed[w, s] = end - start
            order = stable_argsort(b.negative_free[w, start:end])
            b.negative_free[w, start:end] = b.negative_free[w, start:end][order]
            b.firm[w, start:end] = b.firm[w, start:end][order]
    _sort_expiries(b, firms)


@entry
def _refresh(b: BookState, firms: Firms, day: float) -> bool:
    """Take up licences' new end days as ``_build`` on ``day`` would, when no firm joins
    the book: those whose licence has ended leave it, the counts and the end days are
    made again. Free capacity is not computed again: no calendar changed since the
    book was built (anything that changes one makes the book stale), so each firm's
    is what a rebuild would find, and the runs are those a rebuild would sort.
    Returns False, having changed nothing, when a firm would join (a lapsed licence
    renewed): the book must be built."""
    rated = np.empty(firms.status.size, dtype=np.bool_)
    for f in range(firms.status.size):
        rated[f] = _active(firms.status[f], b.exportable[b.sector[f]]) and _licensed(
            firms.licence[f], firms.licence_until_day[f], day)
        if rated[f] and not b.rated[f]:
            return False
    for f in range(firms.status.size):
        if b.rated[f] and not rated[f]:
            b.rated[f] = False
            for w in range(b.months.size):
                if b.booked[w, f]:
                    b.booked[w, f] = False
                    remove(b.runs, w, b.sector[f], -b.free[w, f], f)
    _count(b, firms)
    _sort_expiries(b, firms)
    return True


@compiled
def _active(status: int, exportable: bool) -> bool:
    """Whether a firm is active in a sector that may export: it has free capacity. It
    takes the firm's numbers, not ``Firms`` (see ``sim.compiled``)."""
    return status == _ACTIVE and exportable


@compiled
def _licensed(licence: int, until_day: float, day: float) -> bool:
    """Whether a firm holds a licence valid on ``day``."""
    return licence == _LICENSED and until_day > day


@compiled
def _count(b: BookState, firms: Firms) -> None:
    """Licensed firms per sector, and the free capacity of active firms without a
    licence, summed in firm order."""
    b.licensed[:] = 0
    b.unlicensed_free[:] = 0.0
    for f in range(firms.status.size):
        if b.rated[f]:
            b.licensed[b.sector[f]] += 1
        elif _active(firms.status[f], b.exportable[b.sector[f]]):
            for w in range(b.months.size):
                b.unlicensed_free[w, b.sector[f]] += b.free[w, f]


@compiled
def _sort_expiries(b: BookState, firms: Firms) -> None:
    """The end days of the licences in the book, soonest first, ties by firm id."""
    rated = np.flatnonzero(b.rated)
    until = firms.licence_until_day[rated]
    order = np.argsort(until, kind="mergesort")  # a meeting's licences end together
    b.expiry_day[: rated.size] = until[order]
    b.expiry_firm[: rated.size] = rated[order]
    b.cursor[0], b.cursor[1] = 0, rated.size


@compiled
def expire(b: BookState, day: float) -> None:
    """Licences that end on or before ``day`` take their firms' free capacity with them."""
    while b.cursor[0] < b.cursor[1] and b.expiry_day[b.cursor[0]] <= day:
        firm = b.expiry_firm[b.cursor[0]]
        b.cursor[0] += 1
        b.rated[firm] = False
        b.licensed[b.sector[firm]] -= 1
        for w in range(b.months.size):
            if b.booked[w, firm]:
                b.booked[w, firm] = False
                remove(b.runs, w, b.sector[firm],
                        -b.free[w, firm], firm)
                b.unlicensed_free[w, b.sector[firm]] += b.free[w, firm]


@entry
def _admit(b: BookState, firms: Firms, granted: np.ndarray) -> None:
    for j in range(granted.size):
        if b.rated[granted[j]]:
            raise ValueError("a firm admitted to the export book is in it already")
        b.rated[granted[j]] = True
    _fill_frees(b, granted)
    for j in range(granted.size):
        firm = granted[j]
        b.licensed[b.sector[firm]] += 1
        for w in range(b.months.size):
            value = b.free[w, firm]
            b.unlicensed_free[w, b.sector[firm]] = max(
                b.unlicensed_free[w, b.sector[firm]] - value, 0.0
            )
            if value > MIN_FREE_USD:
                b.booked[w, firm] = True
                insert(b.runs, w, b.sector[firm], -value, firm)
        _add_expiry(b, firms.licence_until_day[firm], firm)


@compiled
def _add_expiry(b: BookState, day: float, firm: int) -> None:
    head, tail = b.cursor[0], b.cursor[1]
    if tail == b.expiry_day.size:
        # A firm has one live entry at most (``rated``), so a full array has expired
        # entries before ``head``: moving the live ones down makes room.
        b.expiry_day[: tail - head] = b.expiry_day[head:tail].copy()
        b.expiry_firm[: tail - head] = b.expiry_firm[head:tail].copy()
        head, tail = 0, tail - head
    at = tail
    while at > head and (
        b.expiry_day[at - 1] > day or (b.expiry_day[at - 1] == day and b.expiry_firm[at - 1] > firm)
    ):
        b.expiry_day[at], b.expiry_firm[at] = b.expiry_day[at - 1], b.expiry_firm[at - 1]
        at -= 1
    b.expiry_day[at], b.expiry_firm[at] = day, firm
    b.cursor[0], b.cursor[1] = head, tail + 1
