"""sim.model.procurement: the allocation rules within free capacity, sector by sector, and the
budget's tranches, each against a hand-worked answer or the rule's definition."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from builders import make_scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.procurement import Budget, allocate

RNG = np.random.default_rng(0)


ONE_SECTOR = (slice(0, 3),)


def test_pro_rata_gives_every_firm_the_same_share_of_its_free_capacity() -> None:
    free = np.array([10.0, 30.0, 60.0])
    orders = allocate(np.array([50.0]), free, "pro_rata", free, ONE_SECTOR, RNG)
    np.testing.assert_allclose(orders, [5.0, 15.0, 30.0])


def test_largest_first_fills_the_biggest_firms_first() -> None:
    free = np.array([10.0, 30.0, 60.0])
    orders = allocate(np.array([70.0]), free, "largest_first", free, ONE_SECTOR, RNG)
    np.testing.assert_allclose(orders, [0.0, 10.0, 60.0])


def test_random_order_places_the_whole_amount_within_capacity() -> None:
    free = np.array([10.0, 30.0, 60.0, 5.0])
    rng = np.random.default_rng(3)
    orders = allocate(np.array([42.0]), free, "random", free, (slice(0, 4),), rng)
    assert orders.sum() == pytest.approx(42.0)
    assert (orders <= free).all() and (orders >= 0).all()
    assert np.count_nonzero((orders > 0) & (orders < free)) <= 1


def test_allocation_never_exceeds_free_capacity() -> None:
    free = np.array([1.0, 2.0, 0.0])
    for rule in ("pro_rata", "largest_first", "random", "incumbents_first"):
        orders = allocate(np.array([100.0]), free, rule, free, ONE_SECTOR, RNG, None, np.zeros(3))
        np.testing.assert_array_equal(orders, free)


def test_incumbents_first_fills_past_suppliers_most_supplied_first() -> None:
    """Firms 1 and 3 have supplied the state (3 the most): they are filled first, in
    that order, and only then a newcomer."""
    free = np.array([10.0, 10.0, 10.0, 10.0])
    supplied = np.array([0.0, 5.0, 0.0, 9.0])
    for amount, want in ((15.0, [0.0, 5.0, 0.0, 10.0]), (25.0, None)):
        orders = allocate(np.array([amount]), free, "incumbents_first", free, (slice(0, 4),),
                          np.random.default_rng(1), None, supplied)
        if want is not None:
            np.testing.assert_array_equal(orders, want)
        else:
            assert orders[3] == 10.0 and orders[1] == 10.0
            assert sorted(orders[[0, 2]].tolist()) == [0.0, 5.0]


@pytest.mark.parametrize(("preference", "first_share"), [(0.0, 0.5), (1.0, 0.9)])
def test_incumbents_first_takes_newcomers_with_odds_in_capacity_to_the_preference(
    preference: float, first_share: float
) -> None:
    """Two newcomers of capacity 1 and 9 and an order one can fill: with
    ``size_preference`` p the large one comes first with probability 9**p / (1 + 9**p):
    1/2 for p = 0, 9/10 for p = 1. Over 4,000 draws the share lies within four binomial
    standard errors."""
    free = np.array([1.0, 9.0])
    rng = np.random.default_rng(5)
    draws = 4000
    large_first = sum(
        allocate(np.array([1.0]), free, "incumbents_first", free, (slice(0, 2),), rng, None,
                 np.zeros(2), preference)[1] == 1.0
        for _ in range(draws)
    )
    se = (first_share * (1 - first_share) / draws) ** 0.5
    assert abs(large_first / draws - first_share) < 4 * se


def _allocate_one_sector_at_a_time(
    amounts: np.ndarray, free: np.ndarray, rule: str, capacity: np.ndarray, sizes: list[int]
) -> np.ndarray:
    """The definition, sector by sector, with the same random draws."""
    rng = np.random.default_rng(7)
    result, start = [], 0
    for amount, size in zip(amounts, sizes, strict=True):
        where = slice(start, start + size)
        result.append(
            allocate(np.array([amount]), free[where], rule, capacity[where], (slice(0, size),), rng,
                     None, capacity[where] % 3)
        )
        start += size
    return np.concatenate(result)


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 6), min_size=1, max_size=4),
    data=st.data(),
    rule=st.sampled_from(["pro_rata", "largest_first", "random", "incumbents_first"]),
)
def test_sectors_are_placed_as_if_one_at_a_time(
    sizes: list[int], data: st.DataObject, rule: str
) -> None:
    n = sum(sizes)
    money = st.floats(0.0, 100.0).map(lambda x: round(x, 1))  # ties happen
    free = np.array(data.draw(st.lists(money, min_size=n, max_size=n)))
    capacity = free + np.array(data.draw(st.lists(money, min_size=n, max_size=n)))
    amounts = np.array(data.draw(st.lists(money, min_size=len(sizes), max_size=len(sizes))))
    starts = np.cumsum([0, *sizes])
    slices = tuple(slice(int(a), int(b)) for a, b in itertools.pairwise(starts))
    together = allocate(amounts, free, rule, capacity, slices, np.random.default_rng(7), None,
                        capacity % 3)  # some firms have supplied before, others not
    np.testing.assert_array_equal(
        together, _allocate_one_sector_at_a_time(amounts, free, rule, capacity, sizes)
    )
    placed = np.array([together[w].sum() for w in slices])
    totals = np.array([free[w].sum() for w in slices])
    np.testing.assert_allclose(placed, np.minimum(amounts, totals), rtol=1e-12, atol=1e-9)
    assert (together >= 0.0).all() and (together <= free).all()


@settings(max_examples=200, deadline=None)
@given(sizes=st.lists(st.integers(0, 8), min_size=1, max_size=4), data=st.data())
def test_largest_first_ranks_alike_from_any_previous_ranking(
    sizes: list[int], data: st.DataObject
) -> None:
    """The ranking carried from the last tranche is a starting point, never the answer."""
    n = sum(sizes)
    money = st.floats(0.0, 100.0).map(lambda x: round(x, 0))  # ties happen
    capacity = np.array(data.draw(st.lists(money, min_size=n, max_size=n)))
    free = capacity * 0.5
    amounts = np.array(data.draw(st.lists(money, min_size=len(sizes), max_size=len(sizes))))
    starts = np.cumsum([0, *sizes])
    slices = tuple(slice(int(a), int(b)) for a, b in itertools.pairwise(starts))
    previous = np.concatenate(
        [
            a + np.array(data.draw(st.permutations(range(b - a))))
            for a, b in itertools.pairwise(starts)
        ]
    ).astype(np.int64)
    fresh = allocate(amounts, free, "largest_first", capacity, slices, RNG)
    carried = allocate(amounts, free, "largest_first", capacity, slices, RNG, previous)
    np.testing.assert_array_equal(carried, fresh)
    by_rank = np.lexsort((np.arange(n), -capacity, np.arange(len(sizes)).repeat(sizes)))
    np.testing.assert_array_equal(previous, by_rank)  # sorted again in place


def test_largest_first_ranks_alike_when_the_previous_ranking_is_far_off() -> None:
    """A second sector of 300 firms, reversed: too many moves for the insertion sort, so
    the merge sort runs (from the sector's own first firm, not firm 0)."""
    capacity = np.concatenate(([1.0, 9.0, 3.0, 3.0, 7.0], np.repeat(np.arange(150.0), 2)))
    slices = (slice(0, 5), slice(5, 305))  # the second sector's firms tie in pairs
    amounts, free = np.array([6.0, 5000.0]), capacity * 0.5
    previous = np.concatenate(([1, 4, 2, 3, 0], np.arange(5, 305)[::-1]))
    carried = allocate(amounts, free, "largest_first", capacity, slices, RNG, previous)
    np.testing.assert_array_equal(
        carried, allocate(amounts, free, "largest_first", capacity, slices, RNG)
    )
    by_rank = np.lexsort((np.arange(305), -capacity, np.repeat([0, 1], [5, 300])))
    np.testing.assert_array_equal(previous, by_rank)


def test_budget_grows_per_year_and_quarterly_tranches_pay_a_quarter() -> None:
    sc = make_scenario(**{"procurement.budget_growth": 0.1, "procurement.tranche": "quarterly"})
    budget = Budget(sc.procurement, sc.sector_names)
    assert [budget.tranche_due(m) for m in range(4)] == [True, False, False, True]
    assert budget.tranche_usd(0) == pytest.approx(0.9e9 / 4)
    assert budget.tranche_usd(12) == pytest.approx(0.9e9 * 1.1 / 4)


def _incumbents_by_whole_sort(
    amount: float, free: np.ndarray, weight: np.ndarray, supplied: np.ndarray, seed: int
) -> np.ndarray:
    """The rule's definition for one sector: the whole lexsort, then the running-sum fill,
    with the draws ``allocate`` makes (one uniform per firm when the order matters)."""
    if not 0.0 < amount < free.sum():
        return free.copy() if amount >= free.sum() else np.zeros_like(free)
    u = np.random.default_rng(seed).random(free.size)
    with np.errstate(divide="ignore"):
        key = np.where(weight > 0.0, np.log(u) / weight, -np.inf)
    order = np.lexsort((-key, -supplied, supplied <= 0.0))
    placed = np.cumsum(free[order])
    taken = np.minimum(np.maximum(amount - (placed - free[order]), 0.0), free[order])
    result = np.empty_like(free)
    result[order] = taken
    return result


@settings(max_examples=300, deadline=None)
@given(data=st.data(), size=st.integers(1, 40))
def test_incumbents_first_fills_as_the_whole_sort_does_to_the_bit(
    data: st.DataObject, size: int
) -> None:
    """``incumbents_first`` orders only as far as the amount reaches (a heap); the orders
    are those of the whole sort, bit for bit, even where free capacities of very
    different sizes leave rounding dust past the amount."""
    scale = st.sampled_from([0.0, 1e-9, 1.0, 3.0, 1e6, 1e12, 1e17])
    free = np.array(data.draw(st.lists(scale, min_size=size, max_size=size)))
    free *= np.array(data.draw(st.lists(st.floats(0.1, 1.0), min_size=size, max_size=size)))
    supplied = np.array(data.draw(st.lists(st.sampled_from([0.0, 0.0, 1.0, 2.0, 5.0]),
                                           min_size=size, max_size=size)))
    weight = np.array(data.draw(st.lists(st.sampled_from([0.0, 1.0, 2.5]), min_size=size,
                                         max_size=size)))
    # An amount a small firm's free capacity covers exactly puts the boundary where a
    # large firm's rounding can leave dust.
    amount = data.draw(st.one_of(
        st.floats(0.0, 1.0).map(lambda x: x * float(free.sum()) * 1.1),
        st.integers(0, size - 1).map(lambda k: float(free[k])),
    ))
    seed = data.draw(st.integers(0, 2**16))
    got = allocate(np.array([amount]), free, "incumbents_first", free, (slice(0, size),),
                   np.random.default_rng(seed), None, supplied, weight=weight)
    want = _incumbents_by_whole_sort(amount, free, weight, supplied, seed)
    np.testing.assert_array_equal(got, want)
