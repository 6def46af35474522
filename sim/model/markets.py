"""Foreign markets: Poisson streams of export orders and how an order is placed.

Each open market places orders in each sector as a Poisson process with rate
yearly demand / mean order size; order sizes are exponential with that mean.
Export centres scale the rate of the markets they serve from their opening day,
and shorten those markets' lead time from a buyer's order to its contract.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from sim.compiled import compiled
from sim.model.calendar import Calendar
from sim.scenario.schema import JointLine, Market, Scenario

__all__ = ["ExportMarket", "JointLines", "JointState", "order_arrivals", "take"]

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
    """Demand multiplier from the centres' opening (1 for a market they do not serve)."""
    lead_days: int = 0
    """Days from a buyer's order to the contract's start."""
    centres_lead_cut: int = 0
    """Days the centres take off ``lead_days`` from their opening."""

    @classmethod
    def build(cls, scenario: Scenario, calendar: Calendar) -> list[ExportMarket]:
        """Every market of ``scenario``, in order, with the centres' effect where they serve it."""
        centres = scenario.export_centres
        markets = []
        for j, (name, spec) in enumerate(scenario.markets.items()):
            market = cls(
                name=name,
                index=j,
                spec=spec,
                opens_day=max(0, calendar.day_of(spec.opens or scenario.start)),
                centres_day=float("inf"),
                centres_factor=1.0,
                lead_days=spec.contract_lead_days,
            )
            if centres is not None and (centres.markets is None or name in centres.markets):
                market = dataclasses.replace(
                    market,
                    centres_day=calendar.day_of(centres.opens),
                    centres_factor=1.0 + centres.count * centres.demand_uplift,
                    centres_lead_cut=centres.lead_days_cut,
                )
            markets.append(market)
        return markets

    def contract_days(self, order_days: np.ndarray) -> np.ndarray:
        """When the contracts of buyers' orders placed on ``order_days`` start."""
        cut = np.where(order_days >= self.centres_day, self.centres_lead_cut, 0)
        return np.asarray(order_days + np.maximum(self.lead_days - cut, 0))

    def orders_per_day(self, sector: str, day: float) -> float:
        """Orders a day in ``sector`` on ``day``: demand x centres' factor / order size / 365.25."""
        demand = self.spec.demand_usd.get(sector, 0.0)
        factor = self.centres_factor if day >= self.centres_day else 1.0
        return demand * factor / self.spec.order_usd / DAYS_PER_YEAR

    def next_rate_change(self, day: float) -> float:
        """The day the rate next steps (the centres' opening); inf when none is ahead."""
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


class JointState(NamedTuple):
    """Joint lines as arrays, for the compiled order loop; ``l`` indexes lines."""

    start_day: np.ndarray
    """(l,) the day the line starts taking orders."""
    monthly_capacity_usd: np.ndarray
    backlog_usd: np.ndarray
    serving_first: np.ndarray
    """(markets x sectors + 1,) lines serving market m and sector s are
    ``serving_line[serving_first[m * sectors + s] : serving_first[m * sectors + s + 1]]``."""
    serving_line: np.ndarray
    sectors: int


@dataclass
class JointLines:
    """Partner production lines abroad; they take their market's orders first."""

    specs: tuple[JointLine, ...]
    sector: np.ndarray
    state: JointState

    @classmethod
    def build(cls, scenario: Scenario, calendar: Calendar) -> JointLines:
        """The scenario's joint lines, indexed by the market and sector each serves."""
        lines = scenario.joint_production
        sectors, markets = scenario.sector_names, scenario.market_names
        serves = [markets.index(x.serves) * len(sectors) + sectors.index(x.sector) for x in lines]
        serving_line = np.argsort(serves, kind="stable").astype(np.int64)  # list order kept
        first = np.searchsorted(
            np.sort(serves), np.arange(len(markets) * len(sectors) + 1), side="left"
        )
        return cls(
            specs=lines,
            sector=np.array([sectors.index(x.sector) for x in lines], dtype=np.int64),
            state=JointState(
                start_day=np.array([float(calendar.day_of(x.start)) for x in lines]),
                monthly_capacity_usd=np.array([x.capacity_usd / 12.0 for x in lines]),
                backlog_usd=np.zeros(len(lines)),
                serving_first=first.astype(np.int64),
                serving_line=serving_line,
                sectors=len(sectors),
            ),
        )

    def produce(self, day: float) -> np.ndarray:
        """Output of each line in the month ending on ``day``."""
        j = self.state
        output = np.where(j.start_day < day, np.minimum(j.backlog_usd, j.monthly_capacity_usd), 0.0)
        j.backlog_usd[:] = j.backlog_usd - output
        return output


@compiled
def take(
    j: JointState, market: int, sector: int, size_usd: float, day: float, months: int
) -> float:
    """Orders the lines serving this market and sector accept, in list order."""
    remaining = size_usd
    key = market * j.sectors + sector
    for k in range(j.serving_first[key], j.serving_first[key + 1]):
        line = j.serving_line[k]
        if day < j.start_day[line] or remaining <= 0.0:
            continue
        free = months * j.monthly_capacity_usd[line] - j.backlog_usd[line]
        accepted = min(remaining, max(free, 0.0))
        j.backlog_usd[line] += accepted
        remaining -= accepted
    return size_usd - remaining
