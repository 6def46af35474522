"""Sorted runs: the export book's index of firms by free capacity, kept sorted in place.

Per delivery window w, sector s's firms with free capacity sit in
``keys[w, first[s] : first[s] + listed[w, s]]`` (minus their free capacity) and
``ids`` alongside, sorted by (key, firm id): the firm with most free capacity first,
ties to the lower id. An order touches a few firms, so each update is a binary
search and a shift of the entries in between, instead of a re-sort of the sector.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.compiled import compiled

__all__ = ["Runs", "insert", "move", "remove", "stable_argsort"]


class Runs(NamedTuple):
    """The runs of every window and sector (the export book's own arrays, not copies)."""

    keys: np.ndarray
    """(w, f) sort keys: minus the free capacity."""
    ids: np.ndarray
    """(w, f) the firm of each key."""
    listed: np.ndarray
    """(w, s) firms in the sector's run."""
    first: np.ndarray
    """(s + 1,) the sector's first slot (its first firm id)."""


@compiled
def _position(r: Runs, w: int, sector: int, key: float, firm: int) -> int:
    """Where (key, firm) is, or belongs, in the sector's run of window ``w``."""
    low = r.first[sector]
    high = low + r.listed[w, sector]
    while low < high:
        middle = (low + high) // 2
        k = r.keys[w, middle]
        if k < key or (k == key and r.ids[w, middle] < firm):
            low = middle + 1
        else:
            high = middle
    return int(low)


@compiled
def remove(r: Runs, w: int, sector: int, key: float, firm: int) -> None:
    """Take (key, firm) out of the sector's run of window ``w``."""
    at = _position(r, w, sector, key, firm)
    end = r.first[sector] + r.listed[w, sector] - 1
    for k in range(at, end):
        r.keys[w, k], r.ids[w, k] = r.keys[w, k + 1], r.ids[w, k + 1]
    r.listed[w, sector] -= 1


@compiled
def insert(r: Runs, w: int, sector: int, key: float, firm: int) -> None:
    """Put (key, firm) into the sector's run of window ``w``."""
    at = _position(r, w, sector, key, firm)
    end = r.first[sector] + r.listed[w, sector]
    for k in range(end, at, -1):
        r.keys[w, k], r.ids[w, k] = r.keys[w, k - 1], r.ids[w, k - 1]
    r.keys[w, at], r.ids[w, at] = key, firm
    r.listed[w, sector] += 1


@compiled
def move(r: Runs, w: int, sector: int, old_key: float, new_key: float, firm: int) -> None:
    """Change (old_key, firm) to (new_key, firm) in the sector's run of window ``w``,
    shifting only the entries in between (a firm that took an order usually moves a
    few places, while removing and inserting it shift the rest of the run)."""
    at = _position(r, w, sector, old_key, firm)
    low, high = r.first[sector], r.first[sector] + r.listed[w, sector] - 1
    while at < high and (r.keys[w, at + 1] < new_key
                         or (r.keys[w, at + 1] == new_key and r.ids[w, at + 1] < firm)):
        r.keys[w, at], r.ids[w, at] = r.keys[w, at + 1], r.ids[w, at + 1]
        at += 1
    while at > low and (r.keys[w, at - 1] > new_key
                        or (r.keys[w, at - 1] == new_key and r.ids[w, at - 1] > firm)):
        r.keys[w, at], r.ids[w, at] = r.keys[w, at - 1], r.ids[w, at - 1]
        at -= 1
    r.keys[w, at], r.ids[w, at] = new_key, firm


@compiled
def stable_argsort(keys: np.ndarray) -> np.ndarray:
    """``np.argsort(keys, kind="mergesort")``: by key, ties in index order, for keys
    without NaN. numba's quicksort, then each stretch of equal keys put back in
    index order: a rebuild of the book sorts every licensed firm's free capacity per
    window, where ties are rare, and numba's merge sort takes three times as long;
    where ties are the rule, as among licences' end days, the merge sort is quick."""
    order = np.argsort(keys)
    start = 0
    while start < order.size:
        stop = start + 1
        while stop < order.size and keys[order[stop]] == keys[order[start]]:
            stop += 1
        for k in range(start + 1, stop):  # insertion sort: stretches are short
            index, at = order[k], k
            while at > start and order[at - 1] > index:
                order[at] = order[at - 1]
                at -= 1
            order[at] = index
        start = stop
    return order
