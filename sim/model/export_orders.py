"""Export orders: the rule that places each one, and the totals of where they went.

An order from a market in a sector goes

1. first to the joint lines serving that market and sector, in list order, each
   taking what fits in its free capacity over the delivery window (``markets.take``);
2. the rest, in an exportable sector, to the sector's licensed active firms, the
   firm with most free export capacity over the window first, split across at
   most the market's ``max_suppliers`` firms when one cannot take it all
   (``export_book.place``), each booking its share into its capacity calendar;
3. what neither takes is lost: unmet export demand, for want of a licence
   (``unmet_unlicensed_usd``: no firm of the sector held one) or of licensed
   capacity (``unmet_capacity_usd``: licensed firms lacked room in the window, or
   the supplier limit was reached).

A firm's export backlog grows by its share, and what the backlog will earn by that
share times the market's price premium.

Orders are most of a replication's events and change nothing but backlogs, so
the orders that fall between two clock events are placed by one compiled loop
(``_place_run``), in time order, with the state they would have met one at a time.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.compiled import compiled, entry
from sim.model.export_book import BookState, ExportBook, expire, place
from sim.model.firms import Firms
from sim.model.markets import ExportMarket, JointLines, JointState, order_arrivals, take
from sim.model.recorder import Recorder
from sim.rng import Streams

__all__ = ["LOST_BELOW", "OrderStreams", "Orders", "draw_orders", "receive_orders"]

LOST_BELOW = 1e-12
"""A share of an order's size left over by the rounding of its split, not lost."""


class OrderStreams(NamedTuple):
    """Each (market, sector) stream of orders: ``t`` indexes streams."""

    market: np.ndarray
    """(t,) the market's index."""
    sector: np.ndarray
    window: np.ndarray
    """(t,) the index of the market's delivery window in the export book."""
    months: np.ndarray
    """(t,) the market's delivery window, in months."""
    premium: np.ndarray
    """(t,) 1 + the market's price premium."""
    max_suppliers: np.ndarray
    """(t,) most firms that may share one of the market's orders."""


class Orders(NamedTuple):
    """Every order of a replication, in time order (ties by stream)."""

    days: np.ndarray
    sizes_usd: np.ndarray
    stream: np.ndarray
    """Each order's index into ``streams``."""
    streams: OrderStreams


def draw_orders(
    markets: list[ExportMarket],
    sector_names: tuple[str, ...],
    book: ExportBook,
    streams: Streams,
    horizon_day: float,
) -> Orders:
    """Every market's Poisson orders in every sector it demands, as contracts starting
    ``contract_lead_days`` after the buyer's order, merged in time order; contracts that
    would start after the horizon are left out.

    Each (market, sector) draws from its own stream, ``orders:<market>:<sector>``.
    """
    pairs = [
        (market, s)
        for market in markets
        for s, name in enumerate(sector_names)
        if market.spec.demand_usd.get(name, 0.0) > 0.0
    ]
    arrivals = [
        order_arrivals(
            market,
            sector_names[s],
            streams[f"orders:{market.name}:{sector_names[s]}"],
            horizon_day,
        )
        for market, s in pairs
    ]
    arrivals = [
        (market.contract_days(days), sizes)
        for (market, _), (days, sizes) in zip(pairs, arrivals, strict=True)
    ]
    days = np.concatenate([d for d, _ in arrivals]) if arrivals else np.zeros(0)
    sizes = np.concatenate([z for _, z in arrivals]) if arrivals else np.zeros(0)
    which = np.arange(len(pairs)).repeat([d.size for d, _ in arrivals])
    order = np.lexsort((which, days))
    order = order[days[order] < horizon_day]
    months = [market.spec.delivery_months for market, _ in pairs]
    return Orders(
        days[order],
        sizes[order],
        which[order],
        OrderStreams(
            market=np.array([market.index for market, _ in pairs], dtype=np.int64),
            sector=np.array([s for _, s in pairs], dtype=np.int64),
            window=np.array([book.window(m) for m in months], dtype=np.int64),
            months=np.array(months, dtype=np.int64),
            premium=np.array([1.0 + market.spec.price_premium for market, _ in pairs]),
            max_suppliers=np.array(
                [market.spec.max_suppliers for market, _ in pairs], dtype=np.int64
            ),
        ),
    )


def receive_orders(
    orders: Orders,
    first: int,
    stop: int,
    firms: Firms,
    joint: JointLines,
    book: ExportBook,
    exportable: np.ndarray,
    recorder: Recorder,
) -> None:
    """Place orders ``first`` to ``stop`` (all before the clock's next event) by the rule
    above: joint lines, then licensed firms through the book, the rest lost."""
    day = float(orders.days[first])
    book.up_to_date(firms, recorder.month_of(day), day)
    args = (
        orders.streams,
        joint.state,
        book.state,
        exportable,
        firms,
        recorder.month_start_days,
        recorder.tally.sector_usd,
        recorder.tally.market_usd,
        book.placed_firm,
        book.placed_usd,
    )
    days, sizes, which = orders.days, orders.sizes_usd, orders.stream
    if not recorder.tracing:
        _place_run(days, sizes, which, first, stop, *args)
        return
    for k in range(first, stop):  # one at a time, to trace where each went
        placed, lost = _place_run(days, sizes, which, k, k + 1, *args)
        _trace_order(orders, k, book, placed, lost, recorder)


def _trace_order(
    orders: Orders, k: int, book: ExportBook, placed: int, lost: float, recorder: Recorder
) -> None:
    """Rows of the trace for order ``k``: each firm's share, then what was lost."""
    t, day = int(orders.stream[k]), float(orders.days[k])
    names = recorder.record
    sector = names.sector_names[orders.streams.sector[t]]
    market = names.market_names[orders.streams.market[t]]
    for firm, amount in zip(
        book.placed_firm[:placed].tolist(), book.placed_usd[:placed].tolist(), strict=True
    ):
        recorder.trace(
            day,
            "export_order",
            sector=sector,
            firm=firm,
            market=market,
            amount_usd=amount,
            state="backlog",
        )
    if lost > 0:
        recorder.trace(
            day, "order_lost", sector=sector, market=market, amount_usd=lost, state="unmet"
        )


@entry
def _place_run(
    days: np.ndarray,
    sizes_usd: np.ndarray,
    stream: np.ndarray,
    start: int,
    stop: int,
    streams: OrderStreams,
    joint: JointState,
    book: BookState,
    exportable: np.ndarray,
    firms: Firms,
    month_starts: np.ndarray,
    sector_totals: np.ndarray,
    market_totals: np.ndarray,
    placed_firm: np.ndarray,
    placed_usd: np.ndarray,
) -> tuple[int, float]:
    """Place orders ``start`` to ``stop`` (their day, size and stream); add up where they went.

    ``sector_totals`` and ``market_totals`` are (row, month, sector or market),
    rows as in ``OrderTally``. Returns, for the last order, how many firms took
    part (the first entries of ``placed_firm`` and ``placed_usd``) and what was lost.
    """
    months = month_starts.size - 1
    placed, lost = 0, 0.0
    for k in range(start, stop):
        day, size, t = days[k], sizes_usd[k], stream[k]
        sector, market = streams.sector[t], streams.market[t]
        month = min(np.searchsorted(month_starts, day, side="right") - 1, months - 1)
        joint_usd = take(joint, market, sector, size, day, streams.months[t])
        remaining = size - joint_usd
        accepted, placed = 0.0, 0
        if remaining > 0.0 and exportable[sector]:
            expire(book, day)  # licences that ended since the last order
            placed = place(
                book,
                firms,
                sector,
                remaining,
                streams.window[t],
                streams.max_suppliers[t],
                placed_firm,
                placed_usd,
            )
            for j in range(placed):
                firm, amount = placed_firm[j], placed_usd[j]
                firms.export_backlog_usd[firm] += amount
                firms.export_backlog_revenue_usd[firm] += amount * streams.premium[t]
                firms.export_backlog_by_market_usd[firm, market] += amount
                accepted += amount
        lost = remaining - accepted
        if lost <= LOST_BELOW * size:
            lost = 0.0
        sector_totals[0, month, sector] += size
        sector_totals[1, month, sector] += lost
        if lost > 0.0:
            _classify_loss(book, sector, streams.window[t], streams.max_suppliers[t],
                           exportable[sector], lost, sector_totals[2:, month, sector])
        market_totals[0, month, market] += size
        market_totals[1, month, market] += joint_usd
        market_totals[2, month, market] += accepted
        market_totals[3, month, market] += lost
    return placed, lost


@compiled
def _classify_loss(
    book: BookState,
    sector: int,
    w: int,
    max_suppliers: int,
    exportable: bool,
    lost: float,
    causes: np.ndarray,
) -> None:
    """Add ``lost`` to its causes (``OrderTally.SECTOR_ROWS`` from the third): first what
    licensed firms beyond the supplier limit had room for (a capacity loss, reported also
    as ``unmet_supplier_limit_usd``), then what firms without a licence had room for
    (unlicensed), the rest for want of room anywhere (capacity)."""
    if not exportable or book.licensed[sector] == 0:
        causes[0] += lost
        return
    start = book.first[sector]
    beyond = 0.0
    for k in range(start + max_suppliers, start + book.listed[w, sector]):
        beyond += -book.negative_free[w, k]
    supplier = min(lost, beyond)
    unlicensed = min(lost - supplier, book.unlicensed_free[w, sector])
    causes[0] += unlicensed
    causes[1] += lost - unlicensed
    causes[2] += supplier
