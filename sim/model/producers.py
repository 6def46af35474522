"""Producer firms: the industry's population, one numpy entry per firm.

Firms of one sector are contiguous, so a sector is a slice. Capacity is the
monthly production value at domestic prices; cash and backlogs are USD.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.rng import stream
from sim.scenario.schema import Scenario

__all__ = ["ACQUIRED", "ACTIVE", "BANKRUPT", "MIGRATED", "Licence", "Producers"]

ACTIVE, BANKRUPT, MIGRATED, ACQUIRED = 0, 1, 2, 3
"""Firm status codes; every firm holds exactly one."""


class Licence:
    """Where a firm stands in the export-licence process."""

    NONE, PREPARING, QUEUED, LICENSED, REFUSED = 0, 1, 2, 3, 4


@dataclass
class Producers:
    """State of every producer firm, as parallel arrays indexed by firm id."""

    sector: np.ndarray
    capacity_usd: np.ndarray
    """Monthly capacity, USD at domestic prices."""
    margin: np.ndarray
    fixed_cost_share: np.ndarray
    """Monthly fixed cost per USD of monthly capacity (it follows capacity as it changes)."""
    cash_usd: np.ndarray
    domestic_backlog_usd: np.ndarray
    export_backlog_usd: np.ndarray
    export_backlog_revenue_usd: np.ndarray
    """What the export backlog will earn, premiums included."""
    status: np.ndarray
    negative_months: np.ndarray
    licence: np.ndarray
    licence_until_day: np.ndarray
    reapply_day: np.ndarray
    submitted_day: np.ndarray
    idle_share: np.ndarray
    """Idle share of capacity in the last month: what makes a firm apply for a licence."""
    slices: tuple[slice, ...]
    """Firms of sector s are ``slices[s]``."""

    @classmethod
    def draw(cls, scenario: Scenario, seed: int, replication: int) -> Producers:
        """Draw firm sizes per sector, lognormal, scaled so each sector totals its capacity."""
        sizes, sectors, margins, fixed_shares, cash_months = [], [], [], [], []
        slices, offset = [], 0
        for s, (name, spec) in enumerate(scenario.sectors.items()):
            rng = stream(seed, replication, f"firm_sizes:{name}")
            weights = rng.lognormal(0.0, spec.size_sigma, spec.firms)
            if spec.firms:
                sizes.append(weights / weights.sum() * (spec.capacity_usd / 12.0))
            sectors.append(np.full(spec.firms, s, dtype=np.int64))
            margins.append(np.full(spec.firms, spec.margin))
            fixed_shares.append(np.full(spec.firms, spec.fixed_cost_share))
            cash_months.append(np.full(spec.firms, spec.cash_months))
            slices.append(slice(offset, offset + spec.firms))
            offset += spec.firms
        capacity = np.concatenate(sizes) if sizes else np.zeros(0)
        fixed_share = np.concatenate(fixed_shares)
        n = offset
        return cls(
            sector=np.concatenate(sectors),
            capacity_usd=capacity,
            margin=np.concatenate(margins),
            fixed_cost_share=fixed_share,
            cash_usd=np.concatenate(cash_months) * fixed_share * capacity,
            domestic_backlog_usd=np.zeros(n),
            export_backlog_usd=np.zeros(n),
            export_backlog_revenue_usd=np.zeros(n),
            status=np.zeros(n, dtype=np.int8),
            negative_months=np.zeros(n, dtype=np.int64),
            licence=np.zeros(n, dtype=np.int8),
            licence_until_day=np.full(n, -np.inf),
            reapply_day=np.full(n, -np.inf),
            submitted_day=np.full(n, np.nan),
            idle_share=np.ones(n),
            slices=tuple(slices),
        )

    @property
    def count(self) -> int:
        return int(self.sector.size)

    def active(self) -> np.ndarray:
        return np.asarray(self.status == ACTIVE)

    def active_capacity(self) -> np.ndarray:
        """Monthly capacity of active firms (0 for firms that exited)."""
        return np.where(self.status == ACTIVE, self.capacity_usd, 0.0)

    def export_rate(self, cap_share: float, where: slice | np.ndarray = slice(None)) -> np.ndarray:
        """Monthly capacity a firm can put into exports after its domestic orders."""
        capacity = self.capacity_usd[where]
        domestic_claim = np.minimum(capacity, self.domestic_backlog_usd[where])
        return np.asarray(np.minimum(cap_share * capacity, capacity - domestic_claim))

    def licensed(self, day: float, where: slice = slice(None)) -> np.ndarray:
        """Mask of active firms holding a valid licence on ``day``."""
        return np.asarray(
            (self.licence[where] == Licence.LICENSED)
            & (self.status[where] == ACTIVE)
            & (self.licence_until_day[where] > day)
        )

    def sector_sum(self, values: np.ndarray, sectors: int) -> np.ndarray:
        """Per-sector totals of a per-firm quantity."""
        return np.bincount(self.sector, weights=values, minlength=sectors)

    def sector_count(self, mask: np.ndarray, sectors: int) -> np.ndarray:
        return np.bincount(self.sector[mask], minlength=sectors)
