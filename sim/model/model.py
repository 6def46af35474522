"""One replication of the industry: the SimPy processes that move it through time.

Within a day, the order of events is fixed so results never depend on how SimPy
breaks ties: month accounting at 00:00 (the end of one month, then the start of
the next), domestic payments at 06:00, commission meetings at 12:00; export
orders arrive at continuous times.
"""

from __future__ import annotations

import bisect
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from sim.model import finance
from sim.model.calendar import Calendar
from sim.model.export_book import ExportBook
from sim.model.licensing import Commission, meeting_days
from sim.model.markets import ExportMarket, JointLines, order_arrivals
from sim.model.procurement import Budget, allocate
from sim.model.producers import ACQUIRED, ACTIVE, BANKRUPT, MIGRATED, Licence, Producers
from sim.model.records import OrderTally, ReplicationRecord, TraceEvent
from sim.rng import stream
from sim.schema import Scenario

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
        self._exportable = self.exportable.tolist()  # per order: a list item, not a numpy scalar
        self.levy_pool_usd = 0.0
        self._book: ExportBook | None = None
        """Free export capacity, until something other than an order changes it."""
        self._windows = tuple(sorted({m.spec.delivery_months for m in self.markets}))
        self._month_starts = [float(d) for d in self.month_start]
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
        env = self.env
        # Handling an order schedules nothing: the clock's time and next event stay put
        # until this process waits.
        now, upcoming = env.now, env.peek()
        for day, k, size_usd in zip(
            days[order].tolist(), which[order].tolist(), sizes[order].tolist(), strict=True
        ):
            if day > now and day >= upcoming:
                yield env.timeout(day - now)
                now, upcoming = env.now, env.peek()
            else:
                self._orders_between_steps += 1
            market, sector = streams[k]
            self.receive_order(market, sector, size_usd, day)

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
        self._book = None

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
        if self._book is not None:
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

    def receive_order(self, market: ExportMarket, sector: int, size_usd: float, now: float) -> None:
        """Joint lines serving the market first, then the licensed firm(s) of the sector."""
        month = self.month_of(now)
        months = market.spec.delivery_months
        joint = (
            self.joint.take(market.index, sector, size_usd, now, months)
            if (market.index, sector) in self.joint.serving
            else 0.0
        )
        remaining = size_usd - joint
        placed: list[tuple[int, float]] = []
        if remaining > 0.0 and self._exportable[sector]:
            book = self._book
            if book is None or now >= book.next_expiry:
                book = self.export_book(now)
            placed = book.place(sector, remaining, months)
        p = self.producers
        premium = 1.0 + market.spec.price_premium
        accepted = 0.0
        for firm, amount in placed:
            p.export_backlog_usd[firm] += amount
            p.export_backlog_revenue_usd[firm] += amount * premium
            accepted += amount
        lost = remaining - accepted
        lost = 0.0 if lost <= 1e-12 * size_usd else lost  # rounding of the split, not a loss
        tally, j = self.tally, market.index
        tally.demand_usd[month][sector] += size_usd
        tally.unmet_usd[month][sector] += lost
        tally.market_demand_usd[month][j] += size_usd
        tally.market_joint_usd[month][j] += joint
        tally.market_accepted_usd[month][j] += accepted
        tally.market_lost_usd[month][j] += lost
        if self.record.trace is not None:
            for firm, amount in placed:
                self.trace(
                    "export_order",
                    sector=self.sectors[sector],
                    firm=firm,
                    market=market.name,
                    amount_usd=amount,
                    state="backlog",
                    day=now,
                )
            if lost > 0:
                self.trace(
                    "order_lost",
                    sector=self.sectors[sector],
                    market=market.name,
                    amount_usd=lost,
                    state="unmet",
                    day=now,
                )

    def export_book(self, day: float) -> ExportBook:
        """Free export capacity of licensed firms (none for firms without a valid licence).

        Rebuilt when a domestic backlog or a firm's status changes; orders, licences
        granted and licences ending update it in place.
        """
        book = self._book
        if book is None:
            p = self.producers
            licensed = p.licensed(day)
            book = self._book = ExportBook(
                np.where(licensed, p.export_rate(self.cap_share), 0.0),
                p.export_backlog_usd,
                p.licence_until_day,
                p.sector,
                len(self.sectors),
                self._windows,
            )
        book.expire(day)
        return book

    def end_month(self, month: int) -> None:
        """Produce, account, let firms exit, and record the month."""
        p = self.producers
        day = float(self.month_start[month + 1])
        capacity = p.active_capacity()
        domestic = np.minimum(p.domestic_backlog_usd, capacity)
        room = np.minimum(self.cap_share * capacity, capacity - domestic)
        exported = np.minimum(p.export_backlog_usd, room)
        share = np.divide(
            exported,
            p.export_backlog_usd,
            out=np.zeros(exported.size),
            where=p.export_backlog_usd > 0,
        )
        revenue = share * p.export_backlog_revenue_usd
        p.domestic_backlog_usd -= domestic
        p.export_backlog_usd -= exported
        p.export_backlog_revenue_usd -= revenue
        self.account(month, domestic, exported, revenue)
        idle = capacity - domestic - exported
        p.idle_share = np.divide(idle, capacity, out=np.zeros(idle.size), where=capacity > 0)
        self.record_month(month, capacity, domestic, exported, revenue, day)
        self.exit_firms(month)
        self.record_firms(month, day)
        self._book = None

    def account(
        self, month: int, domestic: np.ndarray, exported: np.ndarray, revenue: np.ndarray
    ) -> None:
        p = self.producers
        money = finance.export_money(exported, revenue, p.margin, self.scenario.reinvestment)
        reinvest = self.scenario.reinvestment
        p.cash_usd += money.profit_usd - money.reinvest_usd
        p.capacity_usd += money.reinvest_usd * reinvest.capacity_per_usd / 12.0
        self.levy_pool_usd += float(money.levy_usd.sum())
        capacity = p.active_capacity()
        output = self.joint.produce(float(self.month_start[month + 1]))
        royalties = np.zeros(len(self.sectors))
        for i, line in enumerate(self.joint.specs):
            royalty = line.royalty * output[i]
            if royalty > 0.0:
                finance.pay_royalties(p, capacity, int(self.joint.sector[i]), royalty)
                royalties[self.joint.sector[i]] += royalty
        sectors = len(self.sectors)
        self.monthly("joint_production_usd")[month] += np.bincount(
            self.joint.sector, weights=output, minlength=sectors
        )
        self.monthly("royalty_usd")[month] += royalties
        self.monthly("levy_usd")[month] += p.sector_sum(money.levy_usd, sectors)
        p.cash_usd -= p.fixed_cost_share * capacity
        earned = p.margin * domestic
        delay = self.scenario.procurement.payment_delay_days
        if delay == 0:
            p.cash_usd += earned
        else:
            self.env.process(self.pay_later(earned, delay))
        if self.record.trace is not None:
            for firm in np.flatnonzero(exported):
                self.trace(
                    "export_delivery",
                    sector=self.sectors[p.sector[firm]],
                    firm=int(firm),
                    amount_usd=float(exported[firm]),
                    state="delivered",
                )

    def exit_firms(self, month: int) -> None:
        p = self.producers
        leaving = finance.settle_exits(p, self.scenario.exits, self.rng["exits"])
        if leaving.size == 0:
            return
        self._book = None
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

    def record_month(
        self,
        month: int,
        capacity: np.ndarray,
        domestic: np.ndarray,
        exported: np.ndarray,
        revenue: np.ndarray,
        day: float,
    ) -> None:
        p, sectors = self.producers, len(self.sectors)
        for name, values in (
            ("capacity_usd", capacity),
            ("domestic_usd", domestic),
            ("export_usd", exported),
            ("export_revenue_usd", revenue),
        ):
            self.monthly(name)[month] = p.sector_sum(values, sectors)

    def record_firms(self, month: int, day: float) -> None:
        p, sectors = self.producers, len(self.sectors)
        self.monthly("cash_usd")[month] = p.sector_sum(
            np.where(p.status == ACTIVE, p.cash_usd, 0.0), sectors
        )
        self.monthly("export_backlog_usd")[month] = p.sector_sum(p.export_backlog_usd, sectors)
        by_status = np.bincount(p.sector * 4 + p.status, minlength=4 * sectors).reshape(sectors, 4)
        for name, code in (
            ("firms_active", ACTIVE),
            ("firms_bankrupt", BANKRUPT),
            ("firms_migrated", MIGRATED),
            ("firms_acquired", ACQUIRED),
        ):
            self.monthly(name)[month] = by_status[:, code]
        self.monthly("licences_active")[month] = p.sector_count(p.licensed(day), sectors)
        # Applications of firms that exited are no longer waiting, though the commission
        # only drops them from its queue when it reaches them.
        waiting = (p.licence == Licence.QUEUED) & (p.status == ACTIVE)
        self.monthly("queue_length")[month] = p.sector_count(waiting, sectors)

    def monthly(self, name: str) -> np.ndarray:
        return self.record.monthly[name]

    def month_of(self, day: float) -> int:
        month = self._month
        if self._month_starts[month] <= day < self._month_starts[month + 1]:
            return month
        return min(bisect.bisect_right(self._month_starts, day) - 1, self.scenario.months - 1)

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
