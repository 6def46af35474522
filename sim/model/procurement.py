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
    amount_usd: float,
    free_usd: np.ndarray,
    rule: str,
    capacity_usd: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Place ``amount_usd`` of orders with firms, none above its free capacity.

    ``pro_rata`` gives every firm the same share of its free capacity;
    ``largest_first`` fills firms in order of capacity; ``random`` in a random order.
    Returns the order per firm; their sum is ``min(amount_usd, free_usd.sum())``.
    """
    total_free = float(free_usd.sum())
    if amount_usd >= total_free:
        return free_usd.copy()
    if rule == "pro_rata":
        return free_usd * (amount_usd / total_free)
    if rule == "largest_first":
        order = np.argsort(-capacity_usd, kind="stable")
    else:
        order = rng.permutation(free_usd.size)
    return fill_in_order(amount_usd, free_usd, order)


def fill_in_order(amount_usd: float, free_usd: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Give each firm in ``order`` all it can take until ``amount_usd`` is used up."""
    ordered = free_usd[order]
    before = np.cumsum(ordered) - ordered
    taken = np.clip(amount_usd - before, 0.0, ordered)
    result = np.zeros_like(free_usd)
    result[order] = taken
    return result
