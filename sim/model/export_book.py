"""Free export capacity of licensed firms, kept sorted for placing export orders.

An export order goes to the firm of its sector with most free capacity for the
market's delivery window; when no single firm can take it, it is split largest
free capacity first, and what all of them together cannot take is lost. Free
capacity for a window of ``m`` months is ``m * export rate - export backlog``,
and only a firm with a valid licence has an export rate.

Orders are the model's most frequent event and each touches only a few firms, so
the book keeps, per delivery window, each sector's firms with free capacity in a
sorted run of an array, updated in place (a binary search and a shift per firm
touched), instead of re-deriving and re-sorting the sector on every order.
Licences granted at a meeting and licences that end are also applied in place.
Anything else that sets free capacity (domestic backlog, firm status, month-end
production) makes the book stale (``invalidate``); the next order finds it
rebuilt from the firms, all sectors at once (``up_to_date``).

The book's state is a tuple of arrays (``BookState``) so that compiled loops,
here and in ``export_orders``, can work on it directly.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.compiled import compiled
from sim.model.firms import Firms

__all__ = ["BookState", "ExportBook", "expire", "place"]


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
    """(f,) whether the firm has an export rate in the book (and so one expiry entry)."""
    expiry_day: np.ndarray
    """Licence end days of firms with an export rate, soonest first (ties by firm id),
    from ``cursor[0]`` to ``cursor[1]``."""
    expiry_firm: np.ndarray
    cursor: np.ndarray
    """(2,) first and one-past-last live entry of ``expiry_day``."""


class ExportBook:
    """Firms with free export capacity, per sector and delivery window, largest first.

    Ties in free capacity go to the lower firm id, so placement depends on nothing
    but the state.
    """

    def __init__(
        self,
        rates_usd: np.ndarray,
        backlog_usd: np.ndarray,
        licence_until_day: np.ndarray,
        sector: np.ndarray,
        sectors: int,
        windows: tuple[int, ...],
    ) -> None:
        """Book for monthly export ``rates_usd`` (0 without a licence) and export ``backlog_usd``.

        ``licence_until_day`` is the day each firm's licence ends; ``sector`` each
        firm's sector (firms of a sector contiguous, in sector order); ``windows``
        the delivery windows, in months, orders may ask for.
        """
        self.windows = tuple(sorted(set(windows)))
        n, w = sector.size, len(self.windows)
        self.state = BookState(
            months=np.array(self.windows, dtype=np.int64),
            first=np.searchsorted(sector, np.arange(sectors + 1)).astype(np.int64),
            sector=sector,
            negative_free=np.empty((w, n)),
            firm=np.empty((w, n), dtype=np.int64),
            listed=np.zeros((w, sectors), dtype=np.int64),
            free=np.empty((w, n)),
            booked=np.zeros((w, n), dtype=np.bool_),
            rated=np.zeros(n, dtype=np.bool_),
            expiry_day=np.empty(n),
            expiry_firm=np.empty(n, dtype=np.int64),
            cursor=np.zeros(2, dtype=np.int64),
        )
        self.placed_firm = np.empty(n, dtype=np.int64)
        self.placed_usd = np.empty(n)
        """Who took how much of the last order placed (the first entries)."""
        self.refill(rates_usd, backlog_usd, licence_until_day)
        self._stale = False

    @classmethod
    def for_firms(cls, firms: Firms, sectors: int, windows: tuple[int, ...]) -> ExportBook:
        """An empty book for ``firms`` (no licences yet): stale until the first order."""
        book = cls(
            np.zeros(firms.size),
            firms.export_backlog_usd,
            firms.licence_until_day,
            firms.sector,
            sectors,
            windows,
        )
        book.invalidate()
        return book

    def invalidate(self) -> None:
        """Free capacity changed outside the book: rebuild it before the next order."""
        self._stale = True

    def up_to_date(self, firms: Firms, cap_share: float, day: float) -> ExportBook:
        """The book as of ``day``: rebuilt from ``firms`` if stale, expired licences out.

        Only firms with a valid licence have an export rate (``Firms.export_rate``).
        """
        if self._stale:
            rates = np.where(firms.licensed(day), firms.export_rate(cap_share), 0.0)
            self.refill(rates, firms.export_backlog_usd, firms.licence_until_day)
            self._stale = False
            self.expire(day)
        return self

    def refill(
        self, rates_usd: np.ndarray, backlog_usd: np.ndarray, licence_until_day: np.ndarray
    ) -> None:
        """Forget the book and fill it anew from the arrays, as the constructor does."""
        _build(self.state, rates_usd, backlog_usd, licence_until_day)

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

    def place(self, sector: int, size_usd: float, months: int) -> list[tuple[int, float]]:
        """Place an order; returns (firm, amount) for each firm taking part.

        The amounts sum to what was placed; the rest of ``size_usd`` is lost. Each
        firm's backlog grows by its amount: less free capacity in every window.
        """
        n = place(
            self.state, sector, size_usd, self.window(months), self.placed_firm, self.placed_usd
        )
        return list(zip(self.placed_firm[:n].tolist(), self.placed_usd[:n].tolist(), strict=True))

    def expire(self, day: float) -> None:
        """Licences that end on or before ``day`` take their firms' free capacity with them."""
        expire(self.state, day)

    def admit(
        self,
        firms: np.ndarray,
        rates_usd: np.ndarray,
        backlog_usd: np.ndarray,
        licence_until_day: np.ndarray,
    ) -> None:
        """Newly licensed ``firms`` (without an export rate until now) join the book.

        A stale book is left alone: its rebuild will find them licensed.
        """
        if self._stale:
            return
        _admit(self.state, firms, rates_usd, backlog_usd, licence_until_day)


@compiled
def place(
    b: BookState,
    sector: int,
    size_usd: float,
    w: int,
    placed_firm: np.ndarray,
    placed_usd: np.ndarray,
) -> int:
    """Place an order of window ``w``; the first n (returned) entries of ``placed_firm``
    and ``placed_usd`` say who takes how much.

    A firm left without free capacity in a window never regains it before the
    book is rebuilt (free capacity only falls in between), so it is dropped.
    """
    n, remaining = 0, size_usd
    start = b.first[sector]
    for k in range(start, start + b.listed[w, sector]):
        amount = min(-b.negative_free[w, k], remaining)
        placed_firm[n], placed_usd[n] = b.firm[w, k], amount
        n += 1
        remaining -= amount
        if remaining <= 0.0:
            break
    for j in range(n):
        firm, amount = placed_firm[j], placed_usd[j]
        for v in range(b.months.size):
            if b.booked[v, firm]:
                before = b.free[v, firm]
                _remove(b, v, sector, -before, firm)
                after = before - amount
                if after > 0.0:
                    b.free[v, firm] = after
                    _insert(b, v, sector, -after, firm)
                else:
                    b.booked[v, firm] = False
    return n


@compiled
def _build(
    b: BookState, rates_usd: np.ndarray, backlog_usd: np.ndarray, licence_until_day: np.ndarray
) -> None:
    # Firms are visited in id order and sorted stably, so equal keys stay in id order.
    b.booked[:] = False
    for w in range(b.months.size):
        for s in range(b.listed.shape[1]):
            start = end = b.first[s]
            for f in range(b.first[s], b.first[s + 1]):
                if rates_usd[f] > 0.0:
                    value = rates_usd[f] * b.months[w] - backlog_usd[f]
                    if value > 0.0:
                        b.free[w, f], b.booked[w, f] = value, True
                        b.negative_free[w, end], b.firm[w, end] = -value, f
                        end += 1
            b.listed[w, s] = end - start
            order = np.argsort(b.negative_free[w, start:end], kind="mergesort")
            b.negative_free[w, start:end] = b.negative_free[w, start:end][order]
            b.firm[w, start:end] = b.firm[w, start:end][order]
    booked = np.flatnonzero(rates_usd > 0.0)
    b.rated[:] = rates_usd > 0.0
    order = np.argsort(licence_until_day[booked], kind="mergesort")
    b.expiry_day[: booked.size] = licence_until_day[booked][order]
    b.expiry_firm[: booked.size] = booked[order]
    b.cursor[0], b.cursor[1] = 0, booked.size


@compiled
def expire(b: BookState, day: float) -> None:
    """Licences that end on or before ``day`` take their firms' free capacity with them."""
    while b.cursor[0] < b.cursor[1] and b.expiry_day[b.cursor[0]] <= day:
        firm = b.expiry_firm[b.cursor[0]]
        b.cursor[0] += 1
        b.rated[firm] = False
        for w in range(b.months.size):
            if b.booked[w, firm]:
                b.booked[w, firm] = False
                _remove(b, w, b.sector[firm], -b.free[w, firm], firm)


@compiled
def _admit(
    b: BookState,
    firms: np.ndarray,
    rates_usd: np.ndarray,
    backlog_usd: np.ndarray,
    licence_until_day: np.ndarray,
) -> None:
    for j in range(firms.size):
        if b.rated[firms[j]]:
            raise ValueError("a firm admitted to the export book is in it already")
        b.rated[firms[j]] = rates_usd[j] > 0.0
    for w in range(b.months.size):
        for j in range(firms.size):
            value = rates_usd[j] * b.months[w] - backlog_usd[j]
            if value > 0.0:
                firm = firms[j]
                b.free[w, firm], b.booked[w, firm] = value, True
                _insert(b, w, b.sector[firm], -value, firm)
    for j in range(firms.size):
        if rates_usd[j] > 0.0:
            _add_expiry(b, licence_until_day[j], firms[j])


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


@compiled
def _position(b: BookState, w: int, sector: int, negative_free: float, firm: int) -> int:
    """Where (negative_free, firm) is, or belongs, in the sector's sorted run."""
    low = b.first[sector]
    high = low + b.listed[w, sector]
    while low < high:
        middle = (low + high) // 2
        key = b.negative_free[w, middle]
        if key < negative_free or (key == negative_free and b.firm[w, middle] < firm):
            low = middle + 1
        else:
            high = middle
    return int(low)


@compiled
def _remove(b: BookState, w: int, sector: int, negative_free: float, firm: int) -> None:
    at = _position(b, w, sector, negative_free, firm)
    end = b.first[sector] + b.listed[w, sector] - 1
    for k in range(at, end):
        b.negative_free[w, k], b.firm[w, k] = b.negative_free[w, k + 1], b.firm[w, k + 1]
    b.listed[w, sector] -= 1


@compiled
def _insert(b: BookState, w: int, sector: int, negative_free: float, firm: int) -> None:
    at = _position(b, w, sector, negative_free, firm)
    end = b.first[sector] + b.listed[w, sector]
    for k in range(end, at, -1):
        b.negative_free[w, k], b.firm[w, k] = b.negative_free[w, k - 1], b.firm[w, k - 1]
    b.negative_free[w, at], b.firm[w, at] = negative_free, firm
    b.listed[w, sector] += 1
