"""What one replication records: month x sector arrays, market arrays, meetings, trace.

Quantities of production are USD at domestic prices; ``export_revenue_usd`` adds
the market premium. Firm counts are at the end of the month (exits cumulative).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, NamedTuple

import numpy as np

from sim.metrics import MARKET_FIELDS, MONTHLY_FIELDS, STATUS_FIELDS

# The three lists of recorded names come from the metric registry (``sim.metrics``):
# STATUS_FIELDS (firm counts in the order of the status codes), MONTHLY_FIELDS (per
# month and sector; ``budget_paid_usd`` includes recycled levy) and MARKET_FIELDS.

__all__ = [
    "MARKET_FIELDS",
    "MONTHLY_FIELDS",
    "STATUS_FIELDS",
    "OrderTally",
    "ReplicationRecord",
    "TraceEvent",
    "invariant_violations",
]

CAN_BE_NEGATIVE = ("cash_usd", "cash_at_exit_usd", "export_profit_usd")
"""Series that may hold negative values (cash below zero; a loss on exports)."""
CASH_IN = ("export_profit_usd", "royalty_usd", "margin_paid_usd", "credit_drawn_usd",
           "cash_at_entry_usd")
"""Flows into the active firms' cash (a firm that enters brings its cash with it)."""
CASH_OUT = ("reinvested_usd", "fixed_cost_usd", "credit_repaid_usd", "interest_usd",
            "cash_at_exit_usd")
"""Flows out of the active firms' cash (a firm that exits takes its cash with it)."""


class TraceEvent(NamedTuple):
    """One row of the audit trace (``defsim run --trace``)."""

    day: float
    kind: str
    sector: str
    firm: int
    market: str
    amount_usd: float
    state: str


@dataclass
class ReplicationRecord:
    """Everything one replication reports; the engine's only output."""

    replication: int
    sector_names: tuple[str, ...]
    market_names: tuple[str, ...]
    monthly: dict[str, np.ndarray]
    """Name -> array (months, sectors)."""
    market_monthly: dict[str, np.ndarray]
    """Name -> array (months, markets)."""
    firms_start: np.ndarray
    exportable: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    """Per sector: whether its firms may export."""
    cash_start: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Per sector: the firms' cash at the start (of reporting)."""
    """Per sector."""
    meeting_days: list[float] = field(default_factory=list)
    events: int = 0
    """Events processed: the SimPy clock's, and the orders handled between them (benchmarks)."""
    trace: list[TraceEvent] | None = None

    @classmethod
    def empty(
        cls, replication: int, months: int, sectors: tuple[str, ...], markets: tuple[str, ...]
    ) -> ReplicationRecord:
        """A record of zeros, (months, sectors) or (months, markets) per series."""
        return cls(
            replication=replication,
            sector_names=sectors,
            market_names=markets,
            monthly={name: np.zeros((months, len(sectors))) for name in MONTHLY_FIELDS},
            market_monthly={name: np.zeros((months, len(markets))) for name in MARKET_FIELDS},
            firms_start=np.zeros(len(sectors)),
        )


@dataclass
class OrderTally:
    """Export-order totals, filled order by order and moved into the record at the end.

    ``sector_usd`` is (4, months, sectors): demand, unmet demand, and the unmet
    demand's two causes at arrival; ``market_usd`` (4, months, markets): demand,
    taken by joint lines, accepted by firms, lost.
    """

    sector_usd: np.ndarray
    market_usd: np.ndarray

    SECTOR_ROWS: ClassVar[tuple[str, ...]] = (
        "export_demand_usd",
        "unmet_export_demand_usd",
        "unmet_unlicensed_usd",
        "unmet_capacity_usd",
        "unmet_supplier_limit_usd",
    )
    MARKET_ROWS: ClassVar[tuple[str, ...]] = ("demand_usd", "joint_usd", "accepted_usd", "lost_usd")

    @classmethod
    def empty(cls, months: int, sectors: int, markets: int) -> OrderTally:
        """Zero totals for ``months`` months."""
        rows = len(cls.SECTOR_ROWS)
        return cls(np.zeros((rows, months, sectors)), np.zeros((4, months, markets)))

    def add_to(self, record: ReplicationRecord) -> None:
        """Add the totals to ``record``'s series of the same names."""
        for name, values in zip(self.SECTOR_ROWS, self.sector_usd, strict=True):
            record.monthly[name] += values
        for name, values in zip(self.MARKET_ROWS, self.market_usd, strict=True):
            record.market_monthly[name] += values


def invariant_violations(record: ReplicationRecord, rtol: float = 1e-9) -> list[str]:
    """DESIGN.md's invariants, checked every month; returns what fails (empty when sound).

    - domestic + export <= capacity;
    - cumulative domestic production <= cumulative budget paid out (levy included);
    - every firm in exactly one status (active + exits == firms at start + entered);
    - unmet export demand is the sum of its causes, and of the markets' lost orders;
    - late exports are part of exports;
    - money is conserved: each month, the active firms' cash changes by the flows in
      (export profit, royalties, domestic margin paid, credit drawn, the cash of firms
      that entered) less the flows out
      (reinvestment, fixed cost, repayments, interest, the cash of firms that exited);
    - no quantity negative or NaN.
    """
    m = record.monthly
    found: list[str] = []
    for name, values in [*m.items(), *record.market_monthly.items()]:
        if np.isnan(values).any():
            found.append(f"{name} has NaN")
        if name not in CAN_BE_NEGATIVE and (values < 0).any():
            found.append(f"{name} is negative (min {values.min():.6g})")
    slack = rtol * np.maximum(m["capacity_usd"], 1.0)
    over = m["domestic_usd"] + m["export_usd"] - m["capacity_usd"] > slack
    if over.any():
        found.append(f"domestic + export > capacity in months {np.flatnonzero(over.any(axis=1))}")
    spent = np.cumsum(m["domestic_usd"], axis=0)
    paid = np.cumsum(m["budget_paid_usd"], axis=0)
    if (spent - paid > rtol * np.maximum(paid, 1.0)).any():
        found.append("domestic spending exceeds budget paid out + levy")
    causes = m["unmet_unlicensed_usd"] + m["unmet_capacity_usd"] + m["unmet_cancelled_usd"]
    unmet = m["unmet_export_demand_usd"]
    if not np.allclose(causes, unmet, rtol=rtol, atol=1e-6):
        found.append("the causes of unmet export demand do not add up to it")
    if not np.allclose(record.market_monthly["lost_usd"].sum(axis=1), unmet.sum(axis=1),
                       rtol=rtol, atol=1e-6):
        found.append("the markets' lost orders do not add up to the unmet export demand")
    if (m["export_late_usd"] - m["export_usd"] > slack).any():
        found.append("more exports late than delivered")
    flows = sum(m[name] for name in CASH_IN) - sum(m[name] for name in CASH_OUT)
    expected = record.cash_start[None, :] + np.cumsum(flows, axis=0)
    scale = np.maximum(np.abs(expected), np.abs(m["cash_usd"])).max(initial=1.0)
    if not np.allclose(m["cash_usd"], expected, rtol=0.0, atol=1e-11 * scale + 1e-6):
        found.append("money is not conserved: cash differs from its flows")
    statuses = m["firms_active"] + m["firms_bankrupt"] + m["firms_migrated"] + m["firms_acquired"]
    if (statuses != record.firms_start[None, :] + np.cumsum(m["firms_entered"], axis=0)).any():
        found.append("firm statuses do not add up to the firms at the start and those entered")
    return found
