"""sim.model.export_book: an order goes largest free capacity first, to at most ``max_suppliers``
firms of its sector, and licences enter and leave the book, against hand-worked answers and,
for random sequences of orders, grants and waits, against the definition."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.export_book import MIN_FREE_USD, ExportBook
from sim.model.firms import Firms, LicenceState


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


@pytest.mark.parametrize("capacity", [[4.0, 10.0], [10.0, 4.0], [4.0, 10.0, 4.0],
                                      [10.0, 4.0, 4.0]])
def test_a_firm_whose_free_capacity_falls_to_a_tie_keeps_the_tie_rule(
    capacity: list[float],
) -> None:
    # The largest firm takes 6 and is left with 4, as much as the others: the next order
    # goes to the lowest id among them, whichever side of them the firm moved from.
    firms = _firms(capacity)
    book = _book(firms)
    assert book.place(firms, 0, 6.0, 1, 1) == [(capacity.index(10.0), 6.0)]
    assert book.place(firms, 0, 1.0, 1, 1) == [(0, 1.0)]


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




@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_renewals_leave_the_book_as_a_rebuild_would(data: st.DataObject) -> None:
    """After orders, grants and waits, renewals move some licences' end days: the book
    takes them up without computing free capacity again (or is built again when a
    lapsed licence comes back), and ends up, to the bit, as a book built afresh."""
    n = data.draw(st.integers(1, 8))

    def per_firm(values: st.SearchStrategy[Any]) -> list[Any]:
        return data.draw(st.lists(values, min_size=n, max_size=n))

    sector = sorted(per_firm(st.integers(0, 1)))
    until = [u if ok else -np.inf for u, ok in zip(
        per_firm(st.sampled_from([5.0, 10.0, 20.0])), per_firm(st.booleans()), strict=True)]
    firms = _firms(per_firm(st.sampled_from([1.0, 2.5, 4.0, 10.0])), sector=sector,
                   until=until, sectors=2)
    firms.domestic_plan_usd[:, 1:] = np.array(per_firm(st.sampled_from([0.0, 1.0, 3.0])))[:, None]
    windows = (3, 6)
    book = ExportBook(firms, 2, windows, 1.0).up_to_date(firms, 0, 0.0)
    day = 0.0
    for kind, firm, size in data.draw(st.lists(st.tuples(
        st.sampled_from(["order", "grant", "wait"]), st.integers(0, n - 1),
        st.sampled_from([0.5, 2.0, 5.0, 20.0]),
    ), max_size=12)):
        if kind == "wait":
            day += size
        elif kind == "grant" and firms.licence[firm] != LicenceState.LICENSED:
            firms.licence[firm], firms.licence_until_day[firm] = LicenceState.LICENSED, day + 10.0
            book.admit(firms, np.array([firm]))
        elif kind == "order":
            book.up_to_date(firms, 0, day).expire(day)
            book.place(firms, sector[firm], size, data.draw(st.sampled_from(windows)), 2)
    renewed = [f for f in range(n)
               if firms.licence[f] == LicenceState.LICENSED and data.draw(st.booleans())]
    firms.licence_until_day[renewed] = np.maximum(firms.licence_until_day[renewed], day) + 30.0
    book.licences_renewed()
    day += data.draw(st.sampled_from([0.0, 4.0, 12.0]))
    got = book.up_to_date(firms, 0, day).state
    want = ExportBook(firms, 2, windows, 1.0).up_to_date(firms, 0, day).state
    for name in ("rated", "licensed", "listed", "booked", "unlicensed_free", "cursor"):
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name)
    np.testing.assert_array_equal(got.free[want.booked], want.free[want.booked])
    live = slice(0, int(want.cursor[1]))
    np.testing.assert_array_equal(got.expiry_day[live], want.expiry_day[live])
    np.testing.assert_array_equal(got.expiry_firm[live], want.expiry_firm[live])
    for w in range(len(windows)):
        for s in range(2):
            run = slice(want.first[s], want.first[s] + want.listed[w, s])
            np.testing.assert_array_equal(got.negative_free[w, run], want.negative_free[w, run])
            np.testing.assert_array_equal(got.firm[w, run], want.firm[w, run])
