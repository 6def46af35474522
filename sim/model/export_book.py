"""Free export capacity of licensed firms, kept sorted for placing export orders.

An export order goes to the firm of its sector with most free capacity for the
market's delivery window; when no single firm can take it, it is split largest
free capacity first, and what all of them together cannot take is lost. Free
capacity for a window of ``m`` months is ``m * export rate - export backlog``,
and only a firm with a valid licence has an export rate.

Orders are the model's most frequent event and each touches only a few firms, so
the book keeps the firms with free capacity in plain sorted lists, updated in
place (a bisect per firm touched), instead of re-deriving and re-sorting the
arrays on every order. Licences granted at a meeting and licences that end are
also applied in place. The model rebuilds the book from the arrays, all sectors
at once, when anything else that sets free capacity changes: domestic backlog,
firm status, month-end production.
"""

from __future__ import annotations

import bisect

import numpy as np

__all__ = ["ExportBook"]


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
        self._sector = sector
        self._windows = tuple(sorted(set(windows)))
        self._free: dict[int, dict[int, float]] = {}
        """Per window: free capacity of each firm that has some."""
        self._sorted: dict[int, tuple[list[tuple[float, int]], list[int]]] = {}
        """Per window: (-free, firm) sorted by sector then key, and where each sector starts."""
        self._keys: dict[tuple[int, int], list[tuple[float, int]]] = {}
        """Per (sector, window): (-free, firm) of the firms with free capacity, sorted;
        cut from ``_sorted`` when the sector's first order for the window comes."""
        self._books: dict[int, dict[int, tuple[dict[int, float], list[tuple[float, int]]]]] = {}
        """Per sector: window -> (free capacity, keys), for placing orders."""
        # Free capacity is positive only with an export rate, that is under a licence:
        # the few licensed firms are all the book needs from the arrays.
        booked = (rates_usd > 0.0).nonzero()[0]
        rates, backlog, booked_sector = rates_usd[booked], backlog_usd[booked], sector[booked]
        for months in self._windows:
            free = rates * months - backlog
            has_free = (free > 0.0).nonzero()[0]
            negative_free = -free[has_free]
            order = has_free[np.lexsort((negative_free, booked_sector[has_free]))]
            firms, negative_free = booked[order], -free[order]
            bounds = booked_sector[order].searchsorted(np.arange(sectors + 1))
            ids = firms.tolist()
            values = negative_free.tolist()
            self._free[months] = {firm: -value for firm, value in zip(ids, values, strict=True)}
            self._sorted[months] = (list(zip(values, ids, strict=True)), bounds.tolist())
        until = licence_until_day[booked]
        soonest = np.lexsort((booked, until))
        self._expiries = list(zip(until[soonest].tolist(), booked[soonest].tolist(), strict=True))
        """(licence end day, firm) of every firm with an export rate, soonest first."""
        self.next_expiry = self._expiries[0][0] if self._expiries else float("inf")
        """The first day a licence in the book has ended: call ``expire`` from then on."""

    def free_usd(self, sector: int, months: int) -> dict[int, float]:
        """Free capacity of the sector's firms that have some, for a window of ``months``."""
        return {firm: -negative_free for negative_free, firm in self._sector_keys(sector, months)}

    def place(self, sector: int, size_usd: float, months: int) -> list[tuple[int, float]]:
        """Place an order; returns (firm, amount) for each firm taking part.

        The amounts sum to what was placed; the rest of ``size_usd`` is lost. Each
        firm's backlog grows by its amount: less free capacity in every window. A
        firm left without free capacity in a window never regains it before the
        book is rebuilt (free capacity only falls in between), so it is dropped.
        """
        books = self._books.get(sector) or self._sector_books(sector)
        placed: list[tuple[int, float]] = []
        remaining = size_usd
        for negative_free, firm in books[months][1]:
            amount = min(-negative_free, remaining)
            placed.append((firm, amount))
            remaining -= amount
            if remaining <= 0.0:
                break
        for firm, amount in placed:
            for free, keys in books.values():
                before = free.get(firm)
                if before is None:
                    continue
                del keys[bisect.bisect_left(keys, (-before, firm))]
                after = before - amount
                if after > 0.0:
                    free[firm] = after
                    bisect.insort(keys, (-after, firm))
                else:
                    del free[firm]
        return placed

    def expire(self, day: float) -> None:
        """Licences that end on or before ``day`` take their firms' free capacity with them."""
        expiries = self._expiries
        while expiries and expiries[0][0] <= day:
            _, firm = expiries.pop(0)
            sector = int(self._sector[firm])
            for months, free in self._free.items():
                before = free.pop(firm, None)
                if before is not None:
                    keys = self._sector_keys(sector, months)
                    del keys[bisect.bisect_left(keys, (-before, firm))]
        self.next_expiry = expiries[0][0] if expiries else float("inf")

    def admit(
        self,
        firms: np.ndarray,
        rates_usd: np.ndarray,
        backlog_usd: np.ndarray,
        licence_until_day: np.ndarray,
    ) -> None:
        """Newly licensed ``firms`` (without an export rate until now) join the book."""
        booked = rates_usd > 0.0
        for months, free in self._free.items():
            values = rates_usd * months - backlog_usd
            for firm, value in zip(
                firms[values > 0.0].tolist(), values[values > 0.0].tolist(), strict=True
            ):
                free[firm] = value
                bisect.insort(self._sector_keys(int(self._sector[firm]), months), (-value, firm))
        for entry in zip(licence_until_day[booked].tolist(), firms[booked].tolist(), strict=True):
            bisect.insort(self._expiries, entry)
        self.next_expiry = self._expiries[0][0] if self._expiries else float("inf")

    def _sector_books(
        self, sector: int
    ) -> dict[int, tuple[dict[int, float], list[tuple[float, int]]]]:
        books = {m: (self._free[m], self._sector_keys(sector, m)) for m in self._windows}
        self._books[sector] = books
        return books

    def _sector_keys(self, sector: int, months: int) -> list[tuple[float, int]]:
        keys = self._keys.get((sector, months))
        if keys is None:
            everyone, bounds = self._sorted[months]
            keys = self._keys[sector, months] = everyone[bounds[sector] : bounds[sector + 1]]
        return keys
