"""Producer firms: the industry's population, one array entry per firm.

Firms of one sector are contiguous, so a sector is a slice. Each firm is drawn
when the replication starts: a lognormal size (``sectors.<name>.size_sigma``)
scaled so that the sector's firms together hold its ``capacity_usd``, the
sector's margin and fixed-cost share, and ``cash_months`` of fixed cost in cash on
average, spread across firms by ``cash_sigma`` (a lognormal factor of mean 1).

Firms that will enter later (``sectors.<name>.entry_per_year``) are drawn at the
start too, each with the month it enters: the number entering in each month is
Poisson, and each entrant's size and cash are the sector's mean firm's times
lognormal factors of mean 1. Until its month an entrant's status is ``ENTRANT``;
it holds a slot at the end of its sector's firms, so ids never change.

Each firm keeps a capacity calendar: per month ahead, the domestic and the export
production it has committed to (``domestic_plan_usd``, ``export_plan_usd``), and
the export work it owes by the end of each month (``export_due_usd``). Months are
counted from the start of the simulation; a plan a month could not produce moves
to the next month.

The population is one ``Firms`` structure, a named tuple of arrays, so that the
compiled loops take one argument whose fields cannot be swapped by mistake.
"""

from __future__ import annotations

import datetime as dt
from enum import IntEnum
from typing import NamedTuple

import numpy as np

from sim.compiled import entry
from sim.rng import Streams
from sim.scenario.schema import Scenario

__all__ = [
    "ACQUIRED",
    "ACTIVE",
    "BANKRUPT",
    "ENTRANT",
    "LICENSED",
    "MIGRATED",
    "NONE",
    "PREPARING",
    "QUEUED",
    "REFUSED",
    "Firms",
    "LicenceState",
    "Status",
    "calendar_months",
    "draw_firms",
]


class Status(IntEnum):
    """What became of a firm; every firm holds exactly one status."""

    ACTIVE = 0
    BANKRUPT = 1
    """Exited; its capacity is gone."""
    MIGRATED = 2
    """Exited; its capacity left the country."""
    ACQUIRED = 3
    """Exited; its capacity went to the largest active firm of its sector."""
    ENTRANT = 4
    """Not yet entered: the firm becomes active in its ``entry_month``."""


class LicenceState(IntEnum):
    """Where a firm stands in the export-licence process."""

    NONE = 0
    PREPARING = 1
    QUEUED = 2
    LICENSED = 3
    REFUSED = 4


ACTIVE, BANKRUPT, MIGRATED, ACQUIRED, ENTRANT = (int(code) for code in Status)
NONE, PREPARING, QUEUED, LICENSED, REFUSED = (int(code) for code in LicenceState)
"""The codes as plain ints: numpy compares an array with an int at C speed, while an
enum member is converted through Python on every comparison."""


class Firms(NamedTuple):
    """State of every producer firm, as parallel arrays indexed by firm id.

    Money is USD at domestic prices unless a name says otherwise; days count from
    the scenario's start.
    """

    sector: np.ndarray
    """Each firm's sector index."""
    sector_first: np.ndarray
    """(sectors + 1,) firms of sector s are ``sector_first[s] : sector_first[s + 1]``."""
    monthly_capacity_usd: np.ndarray
    """What the firm can produce in a month (0 once it has exited)."""
    margin: np.ndarray
    """Share of a sale's value that is the firm's, before fixed cost."""
    fixed_cost_share: np.ndarray
    """Monthly fixed cost per USD of monthly capacity (it follows capacity as it changes)."""
    cash_usd: np.ndarray
    receivable_usd: np.ndarray
    """Domestic margin earned and not yet paid (the payment delay)."""
    debt_usd: np.ndarray
    """Working-capital credit drawn and not yet repaid."""
    domestic_backlog_usd: np.ndarray
    """Domestic orders placed and not yet produced (the sum of ``domestic_plan_usd``)."""
    export_backlog_usd: np.ndarray
    """Export orders accepted and not yet produced (the sum of ``export_plan_usd``)."""
    export_backlog_revenue_usd: np.ndarray
    """What the export backlog will earn, premiums included."""
    status: np.ndarray
    """``Status`` codes (int8)."""
    negative_months: np.ndarray
    """Consecutive month-ends with negative cash."""
    licence: np.ndarray
    """``LicenceState`` codes (int8)."""
    licence_until_day: np.ndarray
    """The day the firm's licence ends (-inf: never licensed)."""
    reapply_day: np.ndarray
    """The first day a refused firm may apply again."""
    submitted_day: np.ndarray
    """The day the firm's application entered the queue."""
    idle_share: np.ndarray
    """Idle share of capacity in the last month: what makes a firm apply for a licence."""
    renewing: np.ndarray
    """Whether the firm has asked to renew its licence and awaits the decision."""
    domestic_plan_usd: np.ndarray
    """(firms, calendar months) domestic production scheduled for each month."""
    export_plan_usd: np.ndarray
    """(firms, calendar months) export production scheduled for each month."""
    export_due_usd: np.ndarray
    """(firms, calendar months) accepted export work due by the end of each month."""
    export_backlog_by_market_usd: np.ndarray
    """(firms, markets) the export backlog by the market that ordered it."""
    domestic_orders_usd: np.ndarray
    """Domestic orders received since the simulation began (who has had a state contract)."""
    entry_month: np.ndarray
    """The month an entrant becomes active (-1: active from the start)."""
    mothballed_usd: np.ndarray
    """Monthly capacity laid up: it cannot produce and costs the fixed-cost floor."""
    restarting_usd: np.ndarray
    """Monthly capacity being restarted: it cannot produce yet and costs its full fixed cost."""
    idle_history_usd: np.ndarray
    """(firms, ``mothballing.after_months``) capacity idle at each of the last month-ends,
    ring-indexed by month."""
    restart_plan_usd: np.ndarray
    """(firms, calendar months) restarting capacity that produces again from each month."""
    capacity_plan_usd: np.ndarray
    """(firms, calendar months) monthly capacity under construction, producing from each month."""

    @property
    def size(self) -> int:
        """Number of firms, those that exited included (ids never change)."""
        return int(self.sector.size)

    def of_sector(self, sector: int) -> slice:
        """The firms of ``sector``."""
        return slice(int(self.sector_first[sector]), int(self.sector_first[sector + 1]))

    def active_capacity(self) -> np.ndarray:
        """Monthly capacity of active firms (0 for firms that exited)."""
        return np.where(self.status == ACTIVE, self.monthly_capacity_usd, 0.0)

    def licensed(self, day: float) -> np.ndarray:
        """Mask of active firms holding a valid licence on ``day``."""
        return np.asarray(
            (self.licence == LICENSED)
            & (self.status == ACTIVE)
            & (self.licence_until_day > day)
        )

    def sector_sum(self, values: np.ndarray, sectors: int) -> np.ndarray:
        """Per-sector totals of a per-firm quantity, added in firm order (as ``np.bincount``
        adds: the same sums)."""
        assert sectors == self.sector_first.size - 1
        return _sector_sum(self.sector_first, values)

    def sector_count(self, mask: np.ndarray, sectors: int) -> np.ndarray:
        """Per-sector counts of the firms in ``mask``."""
        return np.bincount(self.sector[mask], minlength=sectors)


@entry
def _sector_sum(first: np.ndarray, values: np.ndarray) -> np.ndarray:
    # Compiled: a tranche, a month's margin and money take some 200 of these a
    # replication, and np.bincount costs several times the additions.
    total = np.zeros(first.size - 1)
    for s in range(first.size - 1):
        for f in range(first[s], first[s + 1]):
            total[s] += values[f]
    return total


def calendar_months(scenario: Scenario) -> int:
    """Months a firm's calendar covers: the horizon, and beyond it as far as a contract
    signed in its last month can reach (a delivery window, or a quarter's tranche)."""
    longest = max((m.delivery_months for m in scenario.markets.values()), default=0)
    return scenario.warm_up_months + scenario.months + max(longest, 3) + 1


def draw_firms(scenario: Scenario, streams: Streams) -> Firms:
    """Draw every sector's firms: lognormal sizes scaled to the sector's capacity.

    Each sector draws from its own streams (``firm_sizes:<sector>``,
    ``firm_cash:<sector>``), so a sector's firms are the same whatever else the scenario
    changes (common random numbers).
    """
    sizes, sectors, margins, fixed_shares, cash_months, entry = [], [], [], [], [], []
    first = [0]
    months = scenario.warm_up_months + scenario.months
    for s, (name, spec) in enumerate(scenario.sectors.items()):
        weights = streams[f"firm_sizes:{name}"].lognormal(0.0, spec.size_sigma, spec.firms)
        if spec.firms:
            sizes.append(weights / weights.sum() * (spec.capacity_usd / 12.0))
        spread = streams[f"firm_cash:{name}"].lognormal(
            -0.5 * spec.cash_sigma**2, spec.cash_sigma, spec.firms
        ) if spec.cash_sigma > 0 else np.ones(spec.firms)
        cash_months.append(spec.cash_months * spread)
        entry.append(np.full(spec.firms, -1, dtype=np.int64))
        count = spec.firms
        if spec.entry_per_year > 0 and spec.firms:
            rng = streams[f"firm_entry:{name}"]
            per_month = rng.poisson(spec.entry_per_year / 12.0, months)
            drawn = int(per_month.sum())
            mean_size = spec.capacity_usd / 12.0 / spec.firms
            size = mean_size * _unit_lognormal(rng, spec.size_sigma, drawn)
            cash = spec.cash_months * _unit_lognormal(rng, spec.cash_sigma, drawn)
            month = np.repeat(np.arange(months, dtype=np.int64), per_month)
            # Drawn for every month, then cut: the entrants before the cut are the same
            # with or without it (common random numbers).
            cut = months if spec.entry_until is None else _month_index(scenario, spec.entry_until)
            keep = month < cut
            sizes.append(size[keep])
            cash_months.append(cash[keep])
            entry.append(month[keep])
            count += int(keep.sum())
        sectors.append(np.full(count, s, dtype=np.int64))
        margins.append(np.full(count, spec.margin))
        fixed_shares.append(np.full(count, spec.fixed_cost_share))
        first.append(first[-1] + count)
    capacity = np.concatenate(sizes) if sizes else np.zeros(0)
    fixed_share = np.concatenate(fixed_shares)
    entry_month = np.concatenate(entry)
    n = first[-1]
    spec_m = scenario.mothballing
    history = spec_m.after_months if spec_m is not None else 0
    return Firms(
        sector=np.concatenate(sectors),
        sector_first=np.array(first, dtype=np.int64),
        monthly_capacity_usd=capacity,
        margin=np.concatenate(margins),
        fixed_cost_share=fixed_share,
        cash_usd=np.concatenate(cash_months) * fixed_share * capacity,
        receivable_usd=np.zeros(n),
        debt_usd=np.zeros(n),
        domestic_backlog_usd=np.zeros(n),
        export_backlog_usd=np.zeros(n),
        export_backlog_revenue_usd=np.zeros(n),
        status=np.where(entry_month >= 0, ENTRANT, ACTIVE).astype(np.int8),
        negative_months=np.zeros(n, dtype=np.int64),
        licence=np.zeros(n, dtype=np.int8),
        licence_until_day=np.full(n, -np.inf),
        reapply_day=np.full(n, -np.inf),
        submitted_day=np.full(n, np.nan),
        idle_share=np.ones(n),
        renewing=np.zeros(n, dtype=np.bool_),
        domestic_plan_usd=np.zeros((n, calendar_months(scenario))),
        export_plan_usd=np.zeros((n, calendar_months(scenario))),
        export_due_usd=np.zeros((n, calendar_months(scenario))),
        export_backlog_by_market_usd=np.zeros((n, len(scenario.markets))),
        domestic_orders_usd=np.zeros(n),
        entry_month=entry_month,
        mothballed_usd=np.zeros(n),
        restarting_usd=np.zeros(n),
        idle_history_usd=np.zeros((n, history)),
        restart_plan_usd=np.zeros((n, calendar_months(scenario))),
        capacity_plan_usd=np.zeros((n, calendar_months(scenario))),
    )


def _month_index(scenario: Scenario, day: dt.date) -> int:
    """The simulated month (warm-up included) that ``day`` falls in; may be negative."""
    first = scenario.start
    return (day.year - first.year) * 12 + day.month - first.month + scenario.warm_up_months


def _unit_lognormal(rng: np.random.Generator, sigma: float, count: int) -> np.ndarray:
    """``count`` lognormal factors of mean 1 (all 1 when ``sigma`` is 0)."""
    if sigma <= 0:
        return np.ones(count)
    return rng.lognormal(-0.5 * sigma**2, sigma, count)

