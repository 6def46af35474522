"""Domestic procurement: an annual budget paid out in tranches and placed with firms.

Domestic orders have first claim on a firm's capacity. Budget a sector cannot
place (its firms have no free capacity) is reported as unspent, not carried over:
appropriations lapse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.schema import Procurement

__all__ = ["Budget", "allocate"]


@dataclass(frozen=True)
class Budget:
    """When tranches are paid and how large they are."""

    spec: Procurement
    sector_names: tuple[str, ...]

    @property
    def period_months(self) -> int:
        return 1 if self.spec.tranche == "monthly" else 3

    def tranche_due(self, month: int) -> bool:
        return month % self.period_months == 0

    def tranche_usd(self, month: int) -> float:
        """Budget paid out at the tranche of ``month``; growth compounds per simulated year."""
        annual = self.spec.budget_usd * (1.0 + self.spec.budget_growth) ** (month // 12)
        return annual * self.period_months / 12.0

    def sector_split(self, amount_usd: float) -> np.ndarray:
        shares = self.spec.sector_shares
        return np.array([amount_usd * shares.get(name, 0.0) for name in self.sector_names])


def allocate(
    amounts_usd: np.ndarray,
    free_usd: np.ndarray,
    rule: str,
    capacity_usd: np.ndarray,
    slices: tuple[slice, ...],
    rng: np.random.Generator,
) -> np.ndarray:
    """Place each sector's amount with its firms, none above its free capacity.

    Firms of sector s are ``slices[s]`` (contiguous, in sector order), and the sector
    places ``amounts_usd[s]``. ``pro_rata`` gives every firm the same share of its
    free capacity; ``largest_first`` fills firms in order of capacity (ties by id);
    ``random`` in a random order, one permutation drawn per sector whose amount is
    less than its free capacity. Returns the order per firm; a sector's orders sum
    to ``min(amounts_usd[s], free capacity of s)``.

    All sectors are placed in one pass over the firm arrays: the tranche is paid
    every month, and one numpy call per sector per step would cost more than the
    arithmetic.
    """
    sector = np.arange(len(slices)).repeat([s.stop - s.start for s in slices])
    total_free = np.bincount(sector, weights=free_usd, minlength=len(slices)).astype(float)
    if rule == "pro_rata":
        share = np.divide(
            amounts_usd, total_free, out=np.ones_like(total_free), where=total_free > 0
        )
        return np.where((share >= 1.0)[sector], free_usd, free_usd * share[sector])
    if rule == "largest_first":
        order = np.lexsort((-capacity_usd, sector))
    else:
        order = np.arange(free_usd.size)
        for s, where in enumerate(slices):
            if amounts_usd[s] < total_free[s]:
                order[where] = where.start + rng.permutation(where.stop - where.start)
    ordered = free_usd[order]
    before = np.concatenate([ordered[where].cumsum() for where in slices]) - ordered
    taken = np.minimum(np.maximum(amounts_usd[sector] - before, 0.0), ordered)
    result = np.empty_like(free_usd)
    result[order] = taken
    # A sector with no more free capacity than its amount fills every firm exactly,
    # whatever the rounding of the running sums.
    return np.where((amounts_usd >= total_free)[sector], free_usd, result)
