"""Foreign markets: Poisson streams of export orders and how an order is placed.

Each open market places orders in each sector as a Poisson process with rate
yearly demand / mean order size; order sizes are exponential with that mean.
Export centres scale every market's rate from their opening day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.calendar import Calendar
from sim.schema import JointLine, Market, Scenario

__all__ = ["ExportMarket", "JointLines", "order_arrivals"]

DAYS_PER_YEAR = 365.25
TINY_RATE = 1e-290
"""Orders per day below which an exponential gap can overflow to infinity."""


@dataclass(frozen=True)
class ExportMarket:
    """One market's order streams, in engine days."""

    name: str
    index: int
    spec: Market
    opens_day: int
    centres_day: float
    centres_factor: float

    @classmethod
    def build(cls, scenario: Scenario, calendar: Calendar) -> list[ExportMarket]:
        centres = scenario.export_centres
        centres_day = calendar.day_of(centres.opens) if centres else float("inf")
        factor = 1.0 + centres.count * centres.demand_uplift if centres else 1.0
        return [
            cls(
                name=name,
                index=j,
                spec=spec,
                opens_day=max(0, calendar.day_of(spec.opens)) if spec.opens else 0,
                centres_day=centres_day,
                centres_factor=factor,
            )
            for j, (name, spec) in enumerate(scenario.markets.items())
        ]

    def orders_per_day(self, sector: str, day: float) -> float:
        demand = self.spec.demand_usd.get(sector, 0.0)
        factor = self.centres_factor if day >= self.centres_day else 1.0
        return demand * factor / self.spec.order_usd / DAYS_PER_YEAR

    def next_rate_change(self, day: float) -> float:
        return self.centres_day if day < self.centres_day else float("inf")


def order_arrivals(
    market: ExportMarket, sector: str, rng: np.random.Generator, horizon: float
) -> tuple[np.ndarray, np.ndarray]:
    """Days and sizes of one market's orders in one sector before ``horizon``, in time order.

    Poisson arrivals from the market's opening: exponential gaps at rate
    ``orders_per_day``, which steps when export centres open; order sizes exponential
    with mean ``order_usd``. Draws from ``rng`` alternate gap, size; the gap that
    overshoots a rate change is discarded and the wait restarts at the new rate
    (exact for a Poisson process: it is memoryless). Drawn in blocks, as arrays: the
    values are those one draw at a time would give.
    """
    days: list[np.ndarray] = []
    sizes: list[np.ndarray] = []
    draws, used = np.zeros(0), 0
    now = 0.0 + market.opens_day
    while now < horizon:
        rate = market.orders_per_day(sector, now)
        end = min(market.next_rate_change(now), horizon)
        while rate > 0.0:
            pairs = (draws.size - used) // 2
            if pairs == 0:
                expected = int(rate * (end - now))
                draws = np.concatenate((draws[used:], rng.standard_exponential(2 * expected + 64)))
                used = 0
                continue
            block = draws[used : used + 2 * pairs]
            if rate > TINY_RATE:
                gaps = block[0::2] / rate
            else:  # a gap may be infinite: no order before the horizon, as expected
                with np.errstate(over="ignore"):
                    gaps = block[0::2] / rate
            # Running sums one addition at a time, as a clock adding gap after gap would.
            times = np.concatenate(([now], gaps)).cumsum()[1:]
            late = (times >= end).nonzero()[0]
            arrived = int(late[0]) if late.size else pairs
            days.append(times[:arrived])
            sizes.append(block[1::2][:arrived] * market.spec.order_usd)
            if late.size:
                used += 2 * arrived + 1
                now = float(times[arrived - 1]) if arrived else now
                break
            used += 2 * pairs
            now = float(times[-1])
        if end >= horizon:
            break
        now += end - now
    if not days:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(days), np.concatenate(sizes)


@dataclass
class JointLines:
    """Partner production lines abroad; they take their market's orders first.

    A scenario has a handful of lines and every export order asks them first, so
    their state is plain Python lists, not numpy arrays.
    """

    specs: tuple[JointLine, ...]
    sector: np.ndarray
    start_day: list[float]
    monthly_capacity_usd: list[float]
    backlog_usd: list[float]
    serving: dict[tuple[int, int], list[int]]
    """Lines by (market, sector) they serve, in list order."""

    @classmethod
    def build(cls, scenario: Scenario, calendar: Calendar) -> JointLines:
        lines = scenario.joint_production
        sectors, markets = scenario.sector_names, scenario.market_names
        serving: dict[tuple[int, int], list[int]] = {}
        for i, line in enumerate(lines):
            serving.setdefault((markets.index(line.serves), sectors.index(line.sector)), []).append(
                i
            )
        return cls(
            specs=lines,
            sector=np.array([sectors.index(x.sector) for x in lines], dtype=np.int64),
            start_day=[float(calendar.day_of(x.start)) for x in lines],
            monthly_capacity_usd=[x.capacity_usd / 12.0 for x in lines],
            backlog_usd=[0.0] * len(lines),
            serving=serving,
        )

    def take(self, market: int, sector: int, size_usd: float, day: float, months: int) -> float:
        """Orders the lines serving this market and sector accept, in list order."""
        remaining = size_usd
        for i in self.serving.get((market, sector), ()):
            if day < self.start_day[i] or remaining <= 0.0:
                continue
            free = months * self.monthly_capacity_usd[i] - self.backlog_usd[i]
            accepted = min(remaining, max(free, 0.0))
            self.backlog_usd[i] += accepted
            remaining -= accepted
        return size_usd - remaining

    def produce(self, day: float) -> np.ndarray:
        """Output of each line in the month ending on ``day``."""
        output = [
            min(backlog, capacity) if start < day else 0.0
            for start, capacity, backlog in zip(
                self.start_day, self.monthly_capacity_usd, self.backlog_usd, strict=True
            )
        ]
        self.backlog_usd = [b - made for b, made in zip(self.backlog_usd, output, strict=True)]
        return np.array(output, dtype=float)
