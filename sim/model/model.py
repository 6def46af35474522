"""One replication of the industry: the SimPy processes that move it through time.

The rules live in the modules of their concepts (``entry``, ``procurement``,
``licensing``, ``export_orders``, ``month_end``, ``mothballing``, ``exits``,
``finance``); this module only
schedules them. Within a day the order of events is fixed, so that results never
depend on how SimPy breaks ties: month accounting at 00:00 (the end of one month,
then the start of the next), domestic payments at 06:00, commission meetings at
12:00; export orders arrive at continuous times.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from sim.model import licensing
from sim.model.calendar import simulation_calendar
from sim.model.entry import enter_firms
from sim.model.export_book import ExportBook
from sim.model.export_orders import draw_orders, receive_orders
from sim.model.finance import Receivables
from sim.model.firms import ACTIVE, draw_firms
from sim.model.markets import ExportMarket, JointLines
from sim.model.month_end import end_month
from sim.model.procurement import Purchaser
from sim.model.recorder import Recorder
from sim.model.records import ReplicationRecord
from sim.rng import Streams
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
    """Wires firms, the state's buyer, the commission and markets to one SimPy clock."""

    def __init__(self, scenario: Scenario, replication: int, seed: int, trace: bool = False):
        self.scenario = scenario
        self.env = simpy.Environment()
        self.calendar = simulation_calendar(scenario)
        self.month_start = self.calendar.month_start_days
        sectors = scenario.sector_names
        self.streams = Streams(seed, replication)
        self.firms = draw_firms(scenario, self.streams)
        self.purchaser = Purchaser.for_scenario(scenario, self.firms.size)
        self.markets = ExportMarket.build(scenario, self.calendar)
        self.joint = JointLines.build(scenario, self.calendar)
        self.licensing = scenario.licensing
        self.commission = (
            licensing.Commission.for_sectors(self.licensing, sectors) if self.licensing else None
        )
        self.cap_share = self.licensing.export_cap_share if self.licensing else 0.0
        self.exportable = np.array([s.exportable for s in scenario.sectors.values()])
        windows = tuple(sorted({m.spec.delivery_months for m in self.markets}))
        restart = scenario.mothballing.restart_months if scenario.mothballing else -1
        self.book = ExportBook(
            self.firms, len(sectors), windows, self.cap_share, restart, self.exportable
        )
        record = ReplicationRecord.empty(
            replication, self.calendar.months, sectors, scenario.market_names
        )
        active = self.firms.status == ACTIVE
        record.firms_start = self.firms.sector_count(active, len(sectors)).astype(float)
        record.exportable = self.exportable
        record.cash_start = self.firms.sector_sum(
            np.where(active, self.firms.cash_usd, 0.0), len(sectors)
        )
        self.recorder = Recorder(record, self.month_start, self.firms.sector, trace)
        self.receivables = Receivables()
        self._orders_between_steps = 0
        """Orders handled without a clock event of their own (counted as events)."""

    def run(self) -> ReplicationRecord:
        """Start the processes and step the clock until the last month has ended."""
        months = self.env.process(self.run_months())
        if self.commission is not None:
            self.env.process(self.hold_meetings())
        self.env.process(self.place_orders())
        steps = 0
        while not months.processed:
            self.env.step()
            steps += 1
        return self.recorder.finish(
            steps + self._orders_between_steps,
            self.scenario.warm_up_months,
            float(self.month_start[self.scenario.warm_up_months]),
        )

    def run_months(self) -> Process:
        """Each month: tranche and applications at its start, production at its end."""
        for month in range(self.calendar.months):
            self.start_month(month)
            yield self.env.timeout(self.month_start[month + 1] - self.env.now)
            self.end_month(month)

    def hold_meetings(self) -> Process:
        """The commission meets on its days (pauses skipped) and decides the queue's front."""
        assert self.licensing is not None and self.commission is not None
        days = licensing.meeting_days(self.licensing, self.calendar)
        self.recorder.record.meeting_days = [float(d) for d in days]
        for day in days:
            yield self.env.timeout(day + MEETING_OFFSET - self.env.now)
            licensing.decide_applications(self.commission, self.firms, self.env.now,
                                          self.streams["commission"], self.book, self.recorder)

    def place_orders(self) -> Process:
        """Every market's orders, in time order, among the other events.

        An order changes backlogs and schedules nothing, so the orders that fall
        before the clock's next scheduled event are handled one after another
        without a clock event each: the same sequence of states as one event per
        order, for a fraction of the cost (orders are most of the events).
        """
        horizon = float(self.month_start[-1])
        orders = draw_orders(
            self.markets, self.scenario.sector_names, self.book, self.streams, horizon
        )
        days, env = orders.days, self.env
        now, upcoming, first = env.now, env.peek(), 0
        while first < days.size:
            if days[first] > now and days[first] >= upcoming:
                yield env.timeout(float(days[first]) - now)
                now, upcoming = env.now, env.peek()
                self._orders_between_steps -= 1  # this one had a clock event
            stop = max(  # days are sorted: the orders before the next event are a run
                first + 1,
                int(days.searchsorted(now, side="right")),
                int(days.searchsorted(upcoming, side="left")),
            )
            self._orders_between_steps += stop - first
            receive_orders(orders, first, stop, self.firms, self.joint, self.book,
                           self.exportable, self.recorder)
            first = stop

    def submit_applications(self, preparing: np.ndarray, day: float) -> Process:
        """Firms that started preparing enter the queue once their file is ready."""
        yield self.env.timeout(day - self.env.now)
        assert self.commission is not None
        licensing.submit_applications(self.commission, self.firms, preparing, self.env.now,
                                      self.streams["applications"], self.recorder)

    def pay_later(self, delay_days: float) -> Process:
        """The domestic margin is paid ``payment_delay_days`` after the month's end."""
        yield self.env.timeout(delay_days + PAYMENT_OFFSET)
        self.receivables.pay(self.firms, self.recorder.month_of(self.env.now), self.recorder)

    def start_month(self, month: int) -> None:
        """Entrants become active, licences expire or are put up for renewal, the tranche
        is paid and placed, firms start applications."""
        self.recorder.month = month
        day = float(self.month_start[month])
        enter_firms(self.firms, month, day, self.recorder)
        licensing.expire_licences(self.firms, day, self.recorder)
        if self.commission is not None:
            month_end = float(self.month_start[month + 1])
            licensing.request_renewals(self.commission, self.firms, day, month_end, self.recorder)
        if self.purchaser.budget.tranche_due(month):
            rng = self.streams["procurement"]
            self.purchaser.pay_tranche(self.firms, month, rng, self.recorder)
        if month == 0:
            self.purchaser.estimate_first_idle_share(self.firms)
        if self.licensing is not None:
            opens = self.calendar.day_of(self.licensing.opens)
            started = licensing.open_applications(
                self.licensing, self.firms, self.exportable, opens, month, day
            )
            if started is not None:
                self.env.process(self.submit_applications(*started))
        self.book.invalidate()

    def end_month(self, month: int) -> None:
        """Production, money, exits and the record (``month_end``); late payments scheduled."""
        self.purchaser.levy_pool_usd += end_month(
            self.scenario, self.firms, self.joint, self.cap_share, month,
            self.streams["exits"], self.receivables, self.recorder)
        delay = self.scenario.procurement.payment_delay_days
        if delay:
            self.env.process(self.pay_later(delay))
        self.book.invalidate()
