"""One replication of the industry: the SimPy processes that move it through time.

Within a day, the order of events is fixed so results never depend on how SimPy
breaks ties: month accounting at 00:00 (the end of one month, then the start of
the next), domestic payments at 06:00, commission meetings at 12:00; export
orders arrive at continuous times.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from sim.model import finance, production
from sim.model.calendar import Calendar
from sim.model.export_book import ExportBook
from sim.model.export_orders import OrderStreams, receive_orders
from sim.model.licensing import Commission, meeting_days
from sim.model.markets import ExportMarket, JointLines, order_arrivals
from sim.model.procurement import Budget, allocate
from sim.model.producers import ACQUIRED, ACTIVE, BANKRUPT, MIGRATED, Licence, Producers
from sim.model.records import OrderTally, ReplicationRecord, TraceEvent
from sim.rng import stream
from sim.scenario.schema import Scenario

__all__ = ["IndustryModel", "run_replication"]

PAYMENT_OFFSET = 0.25
MEETING_OFFSET = 0.5

Process = Generator[simpy.Event, Any, None]


def run_replication(
    scenario: Scenario, replication: int, seed: int | None = None, trace: bool = False
) -> ReplicationRecord:
    """Simulate replication ``replication`` of ``scenario`` and return its record."""
    model = IndustryModel(scenario, replication, scenario.seed if seed is None else seed, trace)
    return model.run()


class IndustryModel:
    """Wires producers, procurement, the commission and markets to one SimPy clock."""

    def __init__(self, scenario: Scenario, replication: int, seed: int, trace: bool = False):
        self.scenario = scenario
        self.seed = seed
        self.calendar = Calendar(scenario.start, scenario.months)
        self.month_start = self.calendar.month_start_days
        self.sectors = scenario.sector_names
        self.env = simpy.Environment()
        self.producers = Producers.draw(scenario, seed, replication)
        self.budget = Budget(scenario.procurement, self.sectors)
        self.markets = ExportMarket.build(scenario, self.calendar)
        self.joint = JointLines.build(scenario, self.calendar)
        self.licensing = scenario.licensing
        self.commission = (
            Commission.for_sectors(self.licensing, self.sectors) if self.licensing else None
        )
        self.cap_share = self.licensing.export_cap_share if self.licensing else 0.0
        self.exportable = np.array([s.exportable for s in scenario.sectors.values()])
        self.levy_pool_usd = 0.0
        self._capacity_ranking = np.arange(self.producers.count)
        """Firms by sector and capacity, largest first, as of the last tranche."""
        p = self.producers
        self._book = ExportBook(
            np.zeros(p.count),
            p.export_backlog_usd,
            p.licence_until_day,
            p.sector,
            len(self.sectors),
            tuple(sorted({m.spec.delivery_months for m in self.markets})),
        )
        """Free export capacity; its arrays are filled anew, not made, each month."""
        self._book_current = False
        """Whether the book matches the firm arrays: orders, licences granted and licences
        ending keep it so; anything else that sets free capacity does not."""
        self._month_start_days = self.month_start.astype(float)
        self._month = 0
        """The month in progress: where ``month_of`` looks first."""
        self._orders_between_steps = 0
        """Orders handled without a clock event of their own (counted as events)."""
        self.record = ReplicationRecord.empty(
            replication, scenario.months, self.sectors, scenario.market_names
        )
        self.tally = OrderTally.empty(scenario.months, len(self.sectors), len(self.markets))
        self.record.firms_start = self.producers.sector_count(
            np.ones(self.producers.count, dtype=bool), len(self.sectors)
        ).astype(float)
        if trace:
            self.record.trace = []
        self.rng = {
            name: stream(seed, replication, name)
            for name in ("procurement", "applications", "commission", "exits")
        }

    # --- processes -----------------------------------------------------------------

    def run(self) -> ReplicationRecord:
        months = self.env.process(self.run_months())
        if self.commission is not None:
            self.env.process(self.hold_meetings())
        self.env.process(self.place_orders())
        steps = 0
        while not months.processed:
            self.env.step()
            steps += 1
        self.record.events = steps + self._orders_between_steps
        self.tally.add_to(self.record)
        return self.record

    def run_months(self) -> Process:
        """Each month: tranche and applications at its start, production at its end."""
        for month in range(self.scenario.months):
            self.start_month(month)
            yield self.env.timeout(self.month_start[month + 1] - self.env.now)
            self.end_month(month)

    def hold_meetings(self) -> Process:
        """The commission decides queued applications at each meeting."""
        assert self.licensing is not None
        days = meeting_days(self.licensing, self.calendar)
        self.record.meeting_days = [float(d) for d in days]
        for day in days:
            yield self.env.timeout(day + MEETING_OFFSET - self.env.now)
            self.decide_applications()

    def place_orders(self) -> Process:
        """Every market's orders, in time order, among the other events.

        An order changes backlogs and schedules nothing, so the orders that fall
        before the clock's next scheduled event are handled one after another
        without a clock event each: the same sequence of states as one event per
        order, for a fraction of the cost (orders are most of the events).
        """
        streams = [
            (market, s)
            for market in self.markets
            for s, name in enumerate(self.sectors)
            if market.spec.demand_usd.get(name, 0.0) > 0.0
        ]
        horizon = float(self.month_start[-1])
        arrivals = [
            order_arrivals(
                market,
                self.sectors[s],
                stream(
                    self.seed, self.record.replication, f"orders:{market.name}:{self.sectors[s]}"
                ),
                horizon,
            )
            for market, s in streams
        ]
        days = np.concatenate([d for d, _ in arrivals]) if arrivals else np.zeros(0)
        sizes = np.concatenate([z for _, z in arrivals]) if arrivals else np.zeros(0)
        which = np.arange(len(streams)).repeat([d.size for d, _ in arrivals])
        order = np.lexsort((which, days))  # in time order; ties by stream
        days, sizes, which = days[order], sizes[order], which[order]
        orders = (days, sizes, which, self.order_streams(streams))
        env = self.env
        # Handling an order schedules nothing: the clock's time and next event stay put
        # until this process waits.
        now, upcoming, first = env.now, env.peek(), 0
        while first < days.size:
            if days[first] > now and days[first] >= upcoming:
                yield env.timeout(float(days[first]) - now)
                now, upcoming = env.now, env.peek()
                self._orders_between_steps -= 1  # this one had a clock event
            # Days are sorted, so the orders before the next event are a run.
            stop = max(
                first + 1,
                int(days.searchsorted(now, side="right")),
                int(days.searchsorted(upcoming, side="left")),
            )
            self._orders_between_steps += stop - first
            self.receive_orders(orders, first, stop)
            first = stop

    def order_streams(self, streams: list[tuple[ExportMarket, int]]) -> OrderStreams:
        months = [market.spec.delivery_months for market, _ in streams]
        return OrderStreams(
            market=np.array([market.index for market, _ in streams], dtype=np.int64),
            sector=np.array([s for _, s in streams], dtype=np.int64),
            window=np.array([self._book.window(m) for m in months], dtype=np.int64),
            months=np.array(months, dtype=np.int64),
            premium=np.array([1.0 + market.spec.price_premium for market, _ in streams]),
        )

    def submit_applications(self, firms: np.ndarray, day: float) -> Process:
        """Firms that started preparing enter the queue once their file is ready."""
        yield self.env.timeout(day - self.env.now)
        p = self.producers
        ready = firms[(p.status[firms] == ACTIVE) & (p.licence[firms] == Licence.PREPARING)]
        ready = ready[self.rng["applications"].permutation(ready.size)]
        p.licence[ready] = Licence.QUEUED
        p.submitted_day[ready] = self.env.now
        assert self.commission is not None
        self.commission.submit(ready, self.env.now)
        month = self.month_of(self.env.now)
        self.monthly("applications")[month] += np.bincount(
            p.sector[ready], minlength=len(self.sectors)
        )
        if self.record.trace is not None:
            for firm in ready:
                self.trace("application_submitted", firm=int(firm), state="queued")

    def pay_later(self, firms_cash_usd: np.ndarray, delay_days: float) -> Process:
        yield self.env.timeout(delay_days + PAYMENT_OFFSET)
        self.producers.cash_usd += np.where(self.producers.status == ACTIVE, firms_cash_usd, 0.0)

    # --- what happens at each event ------------------------------------------------

    def start_month(self, month: int) -> None:
        self._month = month
        day = float(self.month_start[month])
        self.expire_licences(day)
        if self.budget.tranche_due(month):
            self.pay_tranche(month)
        if month == 0:
            self.estimate_first_idle_share()
        if self.licensing is not None:
            self.open_applications(month, day)
        self._book_current = False

    def pay_tranche(self, month: int) -> None:
        """Pay out a tranche (plus recycled levy) and place it with each sector's firms."""
        p = self.producers
        amounts = self.budget.sector_split(self.budget.tranche_usd(month) + self.levy_pool_usd)
        self.levy_pool_usd = 0.0
        period = self.budget.period_months
        capacity = p.active_capacity()
        orders = allocate(
            amounts,
            np.maximum(capacity * period - p.domestic_backlog_usd, 0.0),
            self.scenario.procurement.allocation,
            capacity,
            p.slices,
            self.rng["procurement"],
            self._capacity_ranking,
        )
        p.domestic_backlog_usd += orders
        placed = p.sector_sum(orders, len(self.sectors))
        if self.record.trace is not None:
            for s, name in enumerate(self.sectors):
                self.trace("tranche", sector=name, amount_usd=placed[s], state="domestic_orders")
        self.monthly("budget_paid_usd")[month] += amounts
        self.monthly("unspent_budget_usd")[month] += np.maximum(amounts - placed, 0.0)

    def estimate_first_idle_share(self) -> None:
        """Before any month has passed, idle share is what the first tranche leaves free."""
        p = self.producers
        planned = p.capacity_usd * self.budget.period_months
        claimed = np.divide(
            p.domestic_backlog_usd, planned, out=np.ones_like(planned), where=planned > 0
        )
        p.idle_share[:] = 1.0 - np.minimum(claimed, 1.0)

    def expire_licences(self, day: float) -> None:
        p = self.producers
        expired = (p.licence == Licence.LICENSED) & (p.licence_until_day <= day)
        p.licence[expired] = Licence.NONE
        if self.record.trace is not None:
            for firm in np.flatnonzero(expired):
                self.trace("licence_expired", firm=int(firm), state="none")

    def open_applications(self, month: int, day: float) -> None:
        """Firms with enough idle capacity start preparing an application."""
        assert self.licensing is not None
        opens = self.calendar.day_of(self.licensing.opens)
        if opens > day:
            return
        p = self.producers
        may_apply = (p.licence == Licence.NONE) | (
            (p.licence == Licence.REFUSED) & (p.reapply_day <= day)
        )
        eligible = (
            (p.status == ACTIVE)
            & self.exportable[p.sector]
            & may_apply
            & (p.idle_share > self.licensing.apply_when_idle_share)
        )
        firms = eligible.nonzero()[0]
        if firms.size == 0:
            return
        p.licence[firms] = Licence.PREPARING
        # Before the start, licensing may already have been open: those files are ready sooner.
        started = opens if month == 0 and opens < day else day
        ready_day = max(day, started + self.licensing.preparation_days)
        self.env.process(self.submit_applications(firms, ready_day))

    def decide_applications(self) -> None:
        assert self.commission is not None and self.licensing is not None
        p = self.producers
        batch = self.commission.next_batch(p.status == ACTIVE)
        if not batch:
            return
        firms = np.array([f for f, _ in batch], dtype=np.int64)
        approved = self.commission.approve(p.sector[firms], self.rng["commission"])
        day = self.env.now
        granted, refused = firms[approved], firms[~approved]
        p.licence[granted] = Licence.LICENSED
        p.licence_until_day[granted] = day + self.commission.licence_days
        if self._book_current:
            self._book.admit(
                granted,
                p.export_rate(self.cap_share, granted),
                p.export_backlog_usd[granted],
                p.licence_until_day[granted],
            )
        p.licence[refused] = Licence.REFUSED
        p.reapply_day[refused] = day + self.licensing.reapply_after_days
        month = self.month_of(day)
        sectors = len(self.sectors)
        granted_sector = p.sector[granted]
        self.monthly("licences_granted")[month] += np.bincount(granted_sector, minlength=sectors)
        self.monthly("days_to_licence_sum")[month] += np.bincount(
            granted_sector, weights=day - p.submitted_day[granted], minlength=sectors
        )
        if self.record.trace is not None:
            for firm, ok in zip(firms, approved, strict=True):
                self.trace(
                    "licence_granted" if ok else "licence_refused",
                    firm=int(firm),
                    state="licensed" if ok else "refused",
                )

    def receive_orders(
        self, orders: tuple[np.ndarray, np.ndarray, np.ndarray, OrderStreams], first: int, stop: int
    ) -> None:
        """Orders ``first`` to ``stop``, all before the clock's next event."""
        days, sizes, which, streams = orders
        book = self._book if self._book_current else self.export_book(float(days[first]))
        p = self.producers
        args = (
            streams,
            self.joint.state,
            book.state,
            self.exportable,
            p.export_backlog_usd,
            p.export_backlog_revenue_usd,
            self._month_start_days,
            self.tally.sector_usd,
            self.tally.market_usd,
            book.placed_firm,
            book.placed_usd,
        )
        if self.record.trace is None:
            receive_orders(days, sizes, which, first, stop, *args)
            return
        for k in range(first, stop):  # one at a time, to trace where each went
            placed, lost = receive_orders(days, sizes, which, k, k + 1, *args)
            t = int(which[k])
            sector, market = self.sectors[streams.sector[t]], self.markets[streams.market[t]].name
            for firm, amount in zip(
                book.placed_firm[:placed].tolist(), book.placed_usd[:placed].tolist(), strict=True
            ):
                self.trace(
                    "export_order",
                    sector=sector,
                    firm=firm,
                    market=market,
                    amount_usd=amount,
                    state="backlog",
                    day=float(days[k]),
                )
            if lost > 0:
                self.trace(
                    "order_lost",
                    sector=sector,
                    market=market,
                    amount_usd=lost,
                    state="unmet",
                    day=float(days[k]),
                )

    def export_book(self, day: float) -> ExportBook:
        """Free export capacity of licensed firms (none for firms without a valid licence).

        Rebuilt when a domestic backlog or a firm's status changes; orders, licences
        granted and licences ending update it in place.
        """
        book = self._book
        if not self._book_current:
            p = self.producers
            rates = np.where(p.licensed(day), p.export_rate(self.cap_share), 0.0)
            book.refill(rates, p.export_backlog_usd, p.licence_until_day)
            self._book_current = True
        book.expire(day)
        return book

    def end_month(self, month: int) -> None:
        """Produce, account, let firms exit, and record the month."""
        p, sectors = self.producers, len(self.sectors)
        reinvest = self.scenario.reinvestment
        capacity, domestic, exported, revenue, levy = production.produce(
            p.status,
            p.capacity_usd,
            p.margin,
            p.domestic_backlog_usd,
            p.export_backlog_usd,
            p.export_backlog_revenue_usd,
            p.cash_usd,
            self.cap_share,
            reinvest.export_levy,
            reinvest.capacity_reinvest,
            reinvest.capacity_per_usd,
        )
        self.levy_pool_usd += float(levy.sum())
        self.pay_royalties(month)
        delay = self.scenario.procurement.payment_delay_days
        earned, totals = production.pay_costs(
            p.status,
            p.capacity_usd,
            p.fixed_cost_share,
            p.margin,
            p.cash_usd,
            p.sector,
            sectors,
            capacity,
            domestic,
            exported,
            revenue,
            levy,
            delay == 0,
            p.idle_share,
        )
        if delay != 0:
            self.env.process(self.pay_later(earned, delay))
        for name, row in zip(production.MONTH_TOTALS, totals, strict=True):
            self.monthly(name)[month] += row
        if self.record.trace is not None:
            for firm in np.flatnonzero(exported):
                self.trace(
                    "export_delivery",
                    sector=self.sectors[p.sector[firm]],
                    firm=int(firm),
                    amount_usd=float(exported[firm]),
                    state="delivered",
                )
        self.exit_firms(month)
        self.record_firms(month, float(self.month_start[month + 1]))
        self._book_current = False

    def pay_royalties(self, month: int) -> None:
        """Joint lines' output this month, and their royalties to the sector's firms."""
        output = self.joint.produce(float(self.month_start[month + 1]))
        royalties = np.zeros(len(self.sectors))
        capacity = None
        for i, line in enumerate(self.joint.specs):
            royalty = line.royalty * output[i]
            if royalty > 0.0:
                if capacity is None:
                    capacity = self.producers.active_capacity()
                finance.pay_royalties(self.producers, capacity, int(self.joint.sector[i]), royalty)
                royalties[self.joint.sector[i]] += royalty
        self.monthly("joint_production_usd")[month] += np.bincount(
            self.joint.sector, weights=output, minlength=len(self.sectors)
        )
        self.monthly("royalty_usd")[month] += royalties

    def exit_firms(self, month: int) -> None:
        p = self.producers
        leaving = finance.settle_exits(p, self.scenario.exits, self.rng["exits"])
        if leaving.size == 0:
            return
        self._book_current = False
        sectors, sector = len(self.sectors), p.sector[leaving]
        for name, backlog in (
            ("unspent_budget_usd", p.domestic_backlog_usd),
            ("unmet_export_demand_usd", p.export_backlog_usd),
        ):
            self.monthly(name)[month] += np.bincount(
                sector, weights=backlog[leaving], minlength=sectors
            )
        for array in (p.domestic_backlog_usd, p.export_backlog_usd, p.export_backlog_revenue_usd):
            array[leaving] = 0.0
        if self.record.trace is not None:
            names = {BANKRUPT: "bankrupt", MIGRATED: "migrated", ACQUIRED: "acquired"}
            for firm in leaving:
                self.trace(
                    "exit",
                    sector=self.sectors[p.sector[firm]],
                    firm=int(firm),
                    state=names[int(p.status[firm])],
                )

    # --- recording -----------------------------------------------------------------

    def record_firms(self, month: int, day: float) -> None:
        p = self.producers
        totals = production.tally_firms(
            p.status,
            p.cash_usd,
            p.export_backlog_usd,
            p.licence,
            p.licence_until_day,
            p.sector,
            len(self.sectors),
            day,
        )
        for name, row in zip(production.FIRM_TOTALS, totals, strict=True):
            self.monthly(name)[month] = row

    def monthly(self, name: str) -> np.ndarray:
        return self.record.monthly[name]

    def month_of(self, day: float) -> int:
        month = self._month
        starts = self._month_start_days
        if starts[month] <= day < starts[month + 1]:
            return month
        return min(int(starts.searchsorted(day, side="right")) - 1, self.scenario.months - 1)

    def trace(
        self,
        kind: str,
        *,
        sector: str = "",
        firm: int = -1,
        market: str = "",
        amount_usd: float = 0.0,
        state: str = "",
        day: float | None = None,
    ) -> None:
        """Record an event of the traced replication, at ``day`` (default: the clock's time)."""
        if self.record.trace is None:
            return
        if not sector and firm >= 0:
            sector = self.sectors[int(self.producers.sector[firm])]
        when = float(self.env.now if day is None else day)
        self.record.trace.append(TraceEvent(when, kind, sector, firm, market, amount_usd, state))
