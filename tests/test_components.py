"""Unit tests of the engine's pieces, each against a hand-worked answer."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import numpy as np
import pytest
from builders import make_scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.calendar import Calendar
from sim.model.exits import settle_exits
from sim.model.export_book import ExportBook
from sim.model.firms import Status, draw_firms
from sim.model.licensing import meeting_days
from sim.model.markets import ExportMarket, order_arrivals
from sim.model.procurement import Budget, allocate
from sim.rng import Streams
from sim.scenario.schema import ExitOutcomes, Exits

RNG = np.random.default_rng(0)
ACTIVE, BANKRUPT, ACQUIRED = Status.ACTIVE, Status.BANKRUPT, Status.ACQUIRED


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
    for rule in ("pro_rata", "largest_first", "random"):
        orders = allocate(np.array([100.0]), free, rule, free, ONE_SECTOR, RNG)
        np.testing.assert_array_equal(orders, free)


def _allocate_one_sector_at_a_time(
    amounts: np.ndarray, free: np.ndarray, rule: str, capacity: np.ndarray, sizes: list[int]
) -> np.ndarray:
    """The definition, sector by sector, with the same random draws."""
    rng = np.random.default_rng(7)
    result, start = [], 0
    for amount, size in zip(amounts, sizes, strict=True):
        where = slice(start, start + size)
        result.append(
            allocate(np.array([amount]), free[where], rule, capacity[where], (slice(0, size),), rng)
        )
        start += size
    return np.concatenate(result)


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 6), min_size=1, max_size=4),
    data=st.data(),
    rule=st.sampled_from(["pro_rata", "largest_first", "random"]),
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
    together = allocate(amounts, free, rule, capacity, slices, np.random.default_rng(7))
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


def _book(free: list[float], windows: tuple[int, ...] = (1,)) -> ExportBook:
    n = len(free)
    return ExportBook(
        np.array(free), np.zeros(n), np.full(n, np.inf), np.zeros(n, dtype=np.int64), 1, windows
    )


def _dense(size: float, free: list[float]) -> np.ndarray:
    dense = np.zeros(len(free))
    for firm, amount in _book(free).place(0, size, 1):
        dense[firm] = amount
    return dense


def test_order_goes_whole_to_the_firm_with_most_free_capacity() -> None:
    np.testing.assert_allclose(_dense(20.0, [5.0, 25.0, 21.0]), [0.0, 20.0, 0.0])


def test_order_too_big_for_one_firm_is_split_largest_first_and_the_rest_lost() -> None:
    np.testing.assert_allclose(_dense(40.0, [5.0, 25.0, 12.0, 0.0]), [3.0, 25.0, 12.0, 0.0])
    np.testing.assert_allclose(_dense(30.0, [5.0, 25.0, 12.0]), [0.0, 25.0, 5.0])
    assert 100.0 - _dense(100.0, [5.0, 25.0, 12.0]).sum() == pytest.approx(58.0)
    assert _dense(10.0, [0.0, 0.0]).sum() == 0.0


def test_ties_in_free_capacity_go_to_the_lower_firm_id() -> None:
    np.testing.assert_allclose(_dense(4.0, [3.0, 5.0, 5.0]), [0.0, 4.0, 0.0])
    np.testing.assert_allclose(_dense(7.0, [5.0, 3.0, 5.0]), [5.0, 0.0, 2.0])


def test_an_order_leaves_less_free_capacity_in_every_delivery_window() -> None:
    book = ExportBook(
        np.array([2.0, 3.0]),
        np.array([1.0, 0.0]),
        np.full(2, np.inf),
        np.zeros(2, dtype=np.int64),
        1,
        (6, 9),
    )
    assert book.free_usd(0, 6) == {0: 11.0, 1: 18.0}
    assert book.place(0, 15.0, 9) == [(1, 15.0)]
    assert book.free_usd(0, 6) == {0: 11.0, 1: 3.0}
    assert book.free_usd(0, 9) == {0: 17.0, 1: 12.0}
    assert book.place(0, 20.0, 6) == [(0, 11.0), (1, 3.0)]
    assert book.free_usd(0, 6) == {} and book.free_usd(0, 9) == {0: 6.0, 1: 9.0}


def test_orders_of_one_sector_never_reach_another_sector() -> None:
    sector = np.array([0, 0, 1, 1])
    book = ExportBook(
        np.array([1.0, 2.0, 50.0, 60.0]), np.zeros(4), np.full(4, np.inf), sector, 2, (1,)
    )
    assert book.place(0, 10.0, 1) == [(1, 2.0), (0, 1.0)]
    assert book.place(1, 10.0, 1) == [(3, 10.0)]


def test_a_licence_that_ends_takes_its_free_capacity_out_and_a_new_one_brings_it_in() -> None:
    sector = np.zeros(3, dtype=np.int64)
    book = ExportBook(
        np.array([5.0, 4.0, 0.0]), np.zeros(3), np.array([10.0, 20.0, -np.inf]), sector, 1, (1,)
    )
    book.expire(9.0)
    assert book.free_usd(0, 1) == {0: 5.0, 1: 4.0}
    book.expire(10.0)  # a licence is valid up to, not on, its end day
    assert book.free_usd(0, 1) == {1: 4.0}
    book.admit(np.array([2]), np.array([6.0]), np.array([1.0]), np.array([30.0]))
    assert book.place(0, 6.0, 1) == [(2, 5.0), (1, 1.0)]
    book.expire(25.0)
    assert book.free_usd(0, 1) == {}


def test_licences_can_end_and_start_again_more_times_than_there_are_firms() -> None:
    """Each end frees an expiry entry; the book reuses the room and keeps soonest first."""
    sector = np.zeros(2, dtype=np.int64)
    book = ExportBook(np.array([5.0, 0.0]), np.zeros(2), np.array([1.0, -np.inf]), sector, 1, (1,))
    for day in range(1, 8):  # 7 licences in turn for firm 0, with firm 1's one alongside
        book.expire(float(day))
        assert book.free_usd(0, 1) == ({1: 3.0} if day > 2 else {})
        book.admit(np.array([0]), np.array([5.0]), np.zeros(1), np.array([day + 1.0]))
        if day == 2:
            book.admit(np.array([1]), np.array([3.0]), np.zeros(1), np.array([100.0]))
        assert book.next_expiry == day + 1.0
        assert book.free_usd(0, 1)[0] == 5.0


def test_a_firm_already_in_the_book_cannot_be_admitted_again() -> None:
    book = ExportBook(
        np.array([5.0]), np.zeros(1), np.array([10.0]), np.zeros(1, np.int64), 1, (1,)
    )
    with pytest.raises(ValueError, match="already"):
        book.admit(np.array([0]), np.array([5.0]), np.zeros(1), np.array([20.0]))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_orders_licences_and_expiries_are_booked_as_the_definition_says(
    data: st.DataObject,
) -> None:
    """Against the definition: re-derive every firm's free capacity before each order."""
    n = data.draw(st.integers(1, 8))

    def per_firm(values: st.SearchStrategy[Any]) -> np.ndarray:
        return np.array(data.draw(st.lists(values, min_size=n, max_size=n)))

    sector = np.sort(per_firm(st.integers(0, 1)))
    rate = per_firm(st.sampled_from([1.0, 2.5, 4.0, 10.0])).astype(float)
    backlog = per_firm(st.sampled_from([0.0, 1.0, 3.0, 7.5])).astype(float)
    until = per_firm(st.sampled_from([5.0, 10.0, 20.0])).astype(float)
    licensed = per_firm(st.booleans()).astype(bool)
    windows = (3, 6)
    book = ExportBook(np.where(licensed, rate, 0.0), backlog.copy(), until, sector, 2, windows)
    steps = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(["order", "order", "grant", "wait"]),
                st.integers(0, n - 1),
                st.sampled_from([0.5, 2.0, 5.0, 20.0]),
                st.sampled_from(windows),
            ),
            max_size=15,
        )
    )
    day = 0.0
    for kind, firm, size, months in steps:
        if kind == "wait":
            day += size
        elif kind == "grant" and not licensed[firm]:
            licensed[firm], until[firm] = True, day + 10.0
            book.admit(np.array([firm]), rate[[firm]], backlog[[firm]], until[[firm]])
        elif kind == "order":
            s = int(sector[firm])
            free = np.where(licensed & (until > day), rate, 0.0) * months - backlog
            candidates = [f for f in np.argsort(-free, kind="stable") if sector[f] == s]
            expected, remaining = [], size
            for f in candidates:
                if remaining <= 0 or free[f] <= 0:
                    break
                expected.append((int(f), min(free[f], remaining)))
                remaining -= expected[-1][1]
            book.expire(day)
            placed = book.place(s, size, months)
            assert [f for f, _ in placed] == [f for f, _ in expected]
            np.testing.assert_allclose([a for _, a in placed], [a for _, a in expected], rtol=1e-12)
            for f, amount in placed:
                backlog[f] += amount


def _arrivals_one_draw_at_a_time(
    market: ExportMarket, sector: str, rng: np.random.Generator, horizon: float
) -> list[tuple[float, float]]:
    """The definition: a clock adding one exponential gap at a time, one size per order."""
    orders, now = [], 0.0 + market.opens_day
    while now < horizon:
        rate = market.orders_per_day(sector, now)
        end = min(market.next_rate_change(now), horizon)
        while rate > 0:
            gap = float(rng.standard_exponential()) / rate
            if now + gap >= end:
                break
            now += gap
            orders.append((now, float(rng.standard_exponential()) * market.spec.order_usd))
        if end >= horizon:
            break
        now += end - now
    return orders


@pytest.mark.parametrize(
    ("opens", "centres", "demand"),
    [
        ("2026-01-01", "2026-05-10", 0.4e9),  # the rate steps up while the market is open
        ("2026-03-01", "2026-01-01", 0.4e9),  # centres open before the market
        ("2026-02-01", None, 0.4e9),
        ("2026-02-01", "2026-06-01", 5e9),  # thousands of orders: many blocks of draws
        ("2026-02-01", "2026-06-01", 1e6),  # a rate so low there may be no order at all
    ],
)
def test_order_arrivals_are_the_draws_a_clock_would_take_one_at_a_time(
    opens: str, centres: str | None, demand: float
) -> None:
    changes: dict[str, Any] = {
        "markets.north.opens": opens,
        "markets.north.demand_usd": {"uav": demand},
    }
    if centres:
        changes["export_centres"] = {"count": 10, "opens": centres, "demand_uplift": 0.05}
    sc = make_scenario(**changes)
    calendar = Calendar(sc.start, sc.months)
    (market,) = ExportMarket.build(sc, calendar)
    horizon = float(calendar.month_start_days[-1])
    days, sizes = order_arrivals(market, "uav", np.random.default_rng(9), horizon)
    expected = _arrivals_one_draw_at_a_time(market, "uav", np.random.default_rng(9), horizon)
    assert list(zip(days.tolist(), sizes.tolist(), strict=True)) == expected
    assert (np.diff(days) > 0).all() and (days < horizon).all()


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


def test_calendar_months_follow_the_calendar() -> None:
    cal = Calendar(dt.date(2026, 1, 1), 3)
    assert list(cal.month_start_days) == [0, 31, 59, 90]
    assert cal.month_labels() == ["2026-01", "2026-02", "2026-03"]


def test_budget_grows_per_year_and_quarterly_tranches_pay_a_quarter() -> None:
    sc = make_scenario(**{"procurement.budget_growth": 0.1, "procurement.tranche": "quarterly"})
    budget = Budget(sc.procurement, sc.sector_names)
    assert [budget.tranche_due(m) for m in range(4)] == [True, False, False, True]
    assert budget.tranche_usd(0) == pytest.approx(0.9e9 / 4)
    assert budget.tranche_usd(12) == pytest.approx(0.9e9 * 1.1 / 4)


def test_firm_sizes_sum_to_sector_capacity() -> None:
    sc = make_scenario()
    firms = draw_firms(sc, Streams(1, 0))
    assert firms.monthly_capacity_usd[firms.of_sector(0)].sum() == pytest.approx(1.2e9 / 12)
    assert firms.monthly_capacity_usd[firms.of_sector(1)].sum() == pytest.approx(0.6e9 / 12)


def test_exit_after_grace_and_acquired_capacity_goes_to_the_largest_firm() -> None:
    firms = draw_firms(make_scenario(), Streams(1, 0))
    where = firms.of_sector(0)
    largest = where.start + int(np.argmax(firms.monthly_capacity_usd[where]))
    poor = where.start if largest != where.start else where.start + 1
    total = firms.monthly_capacity_usd[where].sum()
    firms.cash_usd[poor] = -1.0
    rule = Exits(grace_months=2, outcomes=ExitOutcomes(bankrupt=0.0, migrated=0.0, acquired=1.0))
    assert settle_exits(firms, rule, RNG).size == 0
    assert list(settle_exits(firms, rule, RNG)) == [poor]
    assert firms.status[poor] == ACQUIRED and firms.monthly_capacity_usd[poor] == 0.0
    assert firms.monthly_capacity_usd[where].sum() == pytest.approx(total)
    assert firms.status[largest] == ACTIVE


def test_exit_outcomes_follow_their_probabilities() -> None:
    firms = draw_firms(
        make_scenario(**{"sectors.uav.firms": 3000, "sectors.uav.capacity_usd": 3e9}), Streams(1, 0)
    )
    firms.cash_usd[:] = -1.0
    rule = Exits(grace_months=1, outcomes=ExitOutcomes(bankrupt=0.5, migrated=0.3, acquired=0.2))
    settle_exits(firms, rule, np.random.default_rng(8))
    n = firms.size
    bankrupt = np.mean(firms.status == BANKRUPT)
    # Acquisitions fall back to bankrupt once no firm of the sector is active.
    assert 0.5 - 4 * np.sqrt(0.25 / n) < bankrupt
    assert (firms.status != ACTIVE).all()
