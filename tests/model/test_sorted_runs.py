"""sim.model.sorted_runs: inserts, removals and moves keep each run sorted by (key, firm
id), against a sorted list of the same entries; the book's stable sort, against numpy's
merge sort."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.sorted_runs import Runs, insert, move, remove, stable_argsort

FIRMS = 6


def _runs() -> Runs:
    """One window, two sectors of three firms each, empty."""
    return Runs(np.zeros((1, FIRMS)), np.zeros((1, FIRMS), dtype=np.int64),
                np.zeros((1, 2), dtype=np.int64), np.array([0, 3, 6], dtype=np.int64))


def _run(r: Runs, sector: int) -> list[tuple[float, int]]:
    start = int(r.first[sector])
    end = start + int(r.listed[0, sector])
    return list(zip(r.keys[0, start:end].tolist(), r.ids[0, start:end].tolist(), strict=True))


@settings(max_examples=300, deadline=None)
@given(steps=st.lists(st.tuples(st.integers(0, FIRMS - 1), st.sampled_from([-3.0, -2.0, -1.0]),
                                st.booleans()), max_size=30))
def test_runs_stay_sorted_by_key_then_firm_whatever_the_updates(
    steps: list[tuple[int, float, bool]],
) -> None:
    r, held = _runs(), {}  # firm -> key, the reference
    for firm, key, out in steps:
        sector = firm // 3
        if firm not in held:
            insert(r, 0, sector, key, firm)
            held[firm] = key
        elif out:
            remove(r, 0, sector, held.pop(firm), firm)
        else:
            move(r, 0, sector, held[firm], key, firm)
            held[firm] = key
        for s in (0, 1):
            assert _run(r, s) == sorted((k, f) for f, k in held.items() if f // 3 == s)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([-3.0, -1.5, 0.0, 0.25, 2.0, np.inf, -np.inf]), max_size=60))
def test_stable_argsort_is_numpys_merge_sort(keys: list[float]) -> None:
    """Ties (the rule among licence end days) keep index order, as a stable sort does."""
    values = np.array(keys, dtype=float)
    np.testing.assert_array_equal(
        stable_argsort(values), np.argsort(values, kind="mergesort")
    )
