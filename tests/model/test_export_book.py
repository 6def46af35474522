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
from sim.model.export_book import MIN_FREE_USD, ExportBook
from sim.model.firms import Firms, LicenceState, Status, draw_firms
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


def _firms(
    capacity: list[float],
    sector: list[int] | None = None,
    until: list[float] | None = None,
    months: int = 12,
    sectors: int | None = None,
) -> Firms:
    """Active firms with ``capacity`` per month, licensed until ``until`` (default: always),
    with empty calendars of ``months`` months."""
    n = len(capacity)
    sectors_of = np.zeros(n, dtype=np.int64) if sector is None else np.array(sector)
    ends = np.full(n, np.inf) if until is None else np.array(until, dtype=float)
    zeros = {name: np.zeros(n) for name in Firms._fields}
    count = int(sectors_of.max()) + 1 if sectors is None else sectors
    licensed = np.where(ends > -np.inf, LicenceState.LICENSED, LicenceState.NONE)
    return Firms(**{
        **zeros,
        "sector": sectors_of,
        "sector_first": np.searchsorted(sectors_of, np.arange(count + 1)).astype(np.int64),
        "monthly_capacity_usd": np.array(capacity, dtype=float),
        "status": np.zeros(n, dtype=np.int8),
        "negative_months": np.zeros(n, dtype=np.int64),
        "licence": licensed.astype(np.int8),
        "licence_until_day": ends,
        "renewing": np.zeros(n, dtype=np.bool_),
        "domestic_plan_usd": np.zeros((n, months)),
        "export_plan_usd": np.zeros((n, months)),
        "export_due_usd": np.zeros((n, months)),
        "export_backlog_by_market_usd": np.zeros((n, 1)),
    })


def _book(firms: Firms, windows: tuple[int, ...] = (1,), cap_share: float = 1.0) -> ExportBook:
    sectors = int(firms.sector.max()) + 1
    return ExportBook(firms, sectors, windows, cap_share).up_to_date(firms, 0, 0.0)


def _dense(size: float, capacity: list[float], max_suppliers: int = 1000) -> np.ndarray:
    firms = _firms(capacity)
    dense = np.zeros(len(capacity))
    for firm, amount in _book(firms).place(firms, 0, size, 1, max_suppliers):
        dense[firm] = amount
    return dense


def test_order_goes_whole_to_the_firm_with_most_free_capacity() -> None:
    np.testing.assert_allclose(_dense(20.0, [5.0, 25.0, 21.0]), [0.0, 20.0, 0.0])


def test_order_too_big_for_one_firm_is_split_largest_first_and_the_rest_lost() -> None:
    np.testing.assert_allclose(_dense(40.0, [5.0, 25.0, 12.0, 0.0]), [3.0, 25.0, 12.0, 0.0])
    np.testing.assert_allclose(_dense(30.0, [5.0, 25.0, 12.0]), [0.0, 25.0, 5.0])
    assert 100.0 - _dense(100.0, [5.0, 25.0, 12.0]).sum() == pytest.approx(58.0)
    assert _dense(10.0, [0.0, 0.0]).sum() == 0.0


def test_an_order_is_shared_by_at_most_max_suppliers_firms() -> None:
    np.testing.assert_allclose(_dense(40.0, [5.0, 25.0, 12.0], max_suppliers=2), [0.0, 25.0, 12.0])
    np.testing.assert_allclose(_dense(40.0, [5.0, 25.0, 12.0], max_suppliers=1), [0.0, 25.0, 0.0])


def test_ties_in_free_capacity_go_to_the_lower_firm_id() -> None:
    np.testing.assert_allclose(_dense(4.0, [3.0, 5.0, 5.0]), [0.0, 4.0, 0.0])
    np.testing.assert_allclose(_dense(7.0, [5.0, 3.0, 5.0]), [5.0, 0.0, 2.0])


def test_an_order_books_its_months_earliest_first_and_is_due_at_the_window_end() -> None:
    """Window of 9 months from month 1; free capacity falls in every window it touches."""
    firms = _firms([2.0, 3.0])
    book = _book(firms, (6, 9))
    assert book.free_usd(0, 6) == {0: 12.0, 1: 18.0}
    assert book.place(firms, 0, 15.0, 9, 3) == [(1, 15.0)]
    np.testing.assert_allclose(firms.export_plan_usd[1, :7], [0, 3, 3, 3, 3, 3, 0])
    assert firms.export_due_usd[1, 9] == 15.0
    assert book.free_usd(0, 6) == {0: 12.0, 1: 3.0}
    assert book.free_usd(0, 9) == {0: 18.0, 1: 12.0}
    assert book.place(firms, 0, 20.0, 6, 3) == [(0, 12.0), (1, 3.0)]
    assert book.free_usd(0, 6) == {} and book.free_usd(0, 9) == {0: 6.0, 1: 9.0}


def test_free_capacity_is_what_the_calendar_leaves_under_the_export_cap() -> None:
    firms = _firms([10.0])
    firms.domestic_plan_usd[0, 1:4] = [9.0, 4.0, 0.0]
    book = _book(firms, (3,), cap_share=0.5)
    assert book.free_usd(0, 3) == {0: 1.0 + 5.0 + 5.0}


def test_orders_of_one_sector_never_reach_another_sector() -> None:
    firms = _firms([1.0, 2.0, 50.0, 60.0], sector=[0, 0, 1, 1])
    book = _book(firms)
    assert book.place(firms, 0, 10.0, 1, 3) == [(1, 2.0), (0, 1.0)]
    assert book.place(firms, 1, 10.0, 1, 3) == [(3, 10.0)]


def test_a_licence_that_ends_takes_its_free_capacity_out_and_a_new_one_brings_it_in() -> None:
    firms = _firms([5.0, 4.0, 5.0], until=[10.0, 20.0, -np.inf])
    book = _book(firms)
    book.expire(9.0)
    assert book.free_usd(0, 1) == {0: 5.0, 1: 4.0}
    book.expire(10.0)  # a licence is valid up to, not on, its end day
    assert book.free_usd(0, 1) == {1: 4.0}
    firms.licence[2], firms.licence_until_day[2] = LicenceState.LICENSED, 30.0
    book.admit(firms, np.array([2]))
    assert book.place(firms, 0, 6.0, 1, 3) == [(2, 5.0), (1, 1.0)]
    book.expire(25.0)
    assert book.free_usd(0, 1) == {}


def test_licences_can_end_and_start_again_more_times_than_there_are_firms() -> None:
    """Each end frees an expiry entry; the book reuses the room and keeps soonest first."""
    firms = _firms([5.0, 3.0], until=[1.0, -np.inf])
    book = _book(firms)
    for day in range(1, 8):  # 7 licences in turn for firm 0, with firm 1's one alongside
        book.expire(float(day))
        assert book.free_usd(0, 1) == ({1: 3.0} if day > 2 else {})
        firms.licence_until_day[0] = day + 1.0
        book.admit(firms, np.array([0]))
        if day == 2:
            firms.licence[1], firms.licence_until_day[1] = LicenceState.LICENSED, 100.0
            book.admit(firms, np.array([1]))
        assert book.next_expiry == day + 1.0
        assert book.free_usd(0, 1)[0] == 5.0


def test_a_firm_already_in_the_book_cannot_be_admitted_again() -> None:
    firms = _firms([5.0], until=[10.0])
    book = _book(firms)
    with pytest.raises(ValueError, match="already"):
        book.admit(firms, np.array([0]))


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_orders_licences_and_expiries_are_booked_as_the_definition_says(
    data: st.DataObject,
) -> None:
    """Against the definition: re-derive every firm's free capacity from its calendar
    before each order, place largest first over at most ``max_suppliers`` firms."""
    n = data.draw(st.integers(1, 8))

    def per_firm(values: st.SearchStrategy[Any]) -> list[Any]:
        return data.draw(st.lists(values, min_size=n, max_size=n))

    sector = sorted(per_firm(st.integers(0, 1)))
    capacity = per_firm(st.sampled_from([1.0, 2.5, 4.0, 10.0]))
    until = [
        u if ok else -np.inf
        for u, ok in zip(
            per_firm(st.sampled_from([5.0, 10.0, 20.0])), per_firm(st.booleans()), strict=True
        )
    ]
    firms = _firms(capacity, sector=sector, until=until, sectors=2)
    domestic = np.array(per_firm(st.sampled_from([0.0, 1.0, 3.0])))
    firms.domestic_plan_usd[:, 1:] = domestic[:, None]
    cap_share = data.draw(st.sampled_from([0.5, 1.0]))
    windows = (3, 6)
    book = ExportBook(firms, 2, windows, cap_share).up_to_date(firms, 0, 0.0)
    steps = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(["order", "order", "grant", "wait"]),
                st.integers(0, n - 1),
                st.sampled_from([0.5, 2.0, 5.0, 20.0]),
                st.sampled_from(windows),
                st.integers(1, 3),
            ),
            max_size=15,
        )
    )
    day = 0.0
    for kind, firm, size, months, suppliers in steps:
        if kind == "wait":
            day += size
        elif kind == "grant" and not firms.licence_until_day[firm] > day:
            if firms.licence[firm] == LicenceState.LICENSED and firms.licence_until_day[firm] > 0:
                continue  # its expiry entry is still in the book
            firms.licence[firm], firms.licence_until_day[firm] = LicenceState.LICENSED, day + 10.0
            book.admit(firms, np.array([firm]))
        elif kind == "order":
            s = sector[firm]
            c, x, d = firms.monthly_capacity_usd[:, None], firms.export_plan_usd, domestic[:, None]
            room = np.maximum(np.minimum(cap_share * c - x, c - d - x), 0.0)[:, 1 : months + 1]
            valid = (firms.licence == LicenceState.LICENSED) & (firms.licence_until_day > day)
            free = np.where(valid, room.sum(axis=1), 0.0)
            candidates = [f for f in np.argsort(-free, kind="stable") if sector[f] == s]
            expected, remaining = [], size
            for f in candidates[:suppliers]:
                if remaining <= 0 or free[f] <= MIN_FREE_USD:
                    break
                expected.append((int(f), min(free[f], remaining)))
                remaining -= expected[-1][1]
            book.expire(day)
            placed = book.place(firms, s, size, months, suppliers)
            assert [f for f, _ in placed] == [f for f, _ in expected]
            np.testing.assert_allclose([a for _, a in placed], [a for _, a in expected], rtol=1e-9)


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
    firms.cash_usd[poor] = -1e6
    rule = Exits(grace_months=2, outcomes=ExitOutcomes(bankrupt=0.0, migrated=0.0, acquired=1.0))
    assert settle_exits(firms, rule, RNG)[0].size == 0
    leaving, buyer = settle_exits(firms, rule, RNG)
    assert list(leaving) == [poor] and list(buyer) == [largest]
    assert firms.status[poor] == ACQUIRED and firms.monthly_capacity_usd[poor] == 0.0
    assert firms.monthly_capacity_usd[where].sum() == pytest.approx(total)
    assert firms.status[largest] == ACTIVE


def test_exit_outcomes_follow_their_probabilities() -> None:
    firms = draw_firms(
        make_scenario(**{"sectors.uav.firms": 3000, "sectors.uav.capacity_usd": 3e9}), Streams(1, 0)
    )
    firms.cash_usd[:] = -1e6
    rule = Exits(grace_months=1, outcomes=ExitOutcomes(bankrupt=0.5, migrated=0.3, acquired=0.2))
    settle_exits(firms, rule, np.random.default_rng(8))
    n = firms.size
    bankrupt = np.mean(firms.status == BANKRUPT)
    # Acquisitions fall back to bankrupt once no firm of the sector is active.
    assert 0.5 - 4 * np.sqrt(0.25 / n) < bankrupt
    assert (firms.status != ACTIVE).all()
