"""The money that reaches firms outside the month's own sales: royalties, late payments,
credit.

A joint line abroad pays ``royalty`` on its output to the active firms of the
sector whose technology it builds, in proportion to their capacity. The state
pays the domestic margin ``payment_delay_days`` after the month's end; until then it
is the firm's receivable, which counts toward its solvency. A receivable of a firm
that exits passes to its acquirer, or is written off (``receivables_written_off_usd``).
With ``credit``, a firm whose cash is negative at a month's end borrows up to
``order_book_share`` of its order book (its domestic and export backlog, and what the
state owes it for work delivered), pays ``annual_rate`` / 12 a month on what it
owes, and repays from positive cash. (The month's sales and costs: ``production``.)
"""

from __future__ import annotations

from collections import deque

import numpy as np

from sim.compiled import entry
from sim.model.firms import ACTIVE, Firms
from sim.model.markets import JointLines
from sim.model.recorder import Recorder
from sim.scenario.schema import Credit

__all__ = ["Receivables", "pay_royalties", "service_credit"]


def pay_royalties(
    joint: JointLines, firms: Firms, month_end_day: float, month: int, recorder: Recorder
) -> None:
    """Joint lines produce the month's output; each line's royalty on it goes to the active
    firms of its sector in proportion to capacity (a sector with none receives none)."""
    output = joint.produce(month_end_day)
    sectors = len(recorder.record.sector_names)
    royalties = np.zeros(sectors)
    capacity = None
    for i, line in enumerate(joint.specs):
        royalty = line.royalty * output[i]
        if royalty > 0.0:
            if capacity is None:
                capacity = firms.active_capacity()
            sector = int(joint.sector[i])
            if _share_royalty(firms, capacity, sector, royalty):
                royalties[sector] += royalty
    recorder.add(
        "joint_production_usd",
        month,
        np.bincount(joint.sector, weights=output, minlength=sectors),
    )
    recorder.add("royalty_usd", month, royalties)


def _share_royalty(firms: Firms, active_capacity: np.ndarray, sector: int, amount: float) -> bool:
    """Whether the sector had an active firm to pay (else nobody receives the royalty)."""
    where = firms.of_sector(sector)
    capacity = active_capacity[where]
    total = capacity.sum()
    if total > 0.0:
        firms.cash_usd[where] += amount * capacity / total
    return bool(total > 0.0)


class Receivables:
    """Domestic margin owed to firms, one array per month awaiting payment, oldest first."""

    def __init__(self) -> None:
        self.pending: deque[np.ndarray] = deque()

    def owe(self, firms: Firms, margin_usd: np.ndarray) -> None:
        """A month's domestic margin, to be paid later."""
        self.pending.append(margin_usd.copy())
        firms.receivable_usd[:] += margin_usd

    def pay(self, firms: Firms, month: int, recorder: Recorder) -> None:
        """The oldest month's margin reaches the firms (those that exited were settled)."""
        due = self.pending.popleft()
        firms.cash_usd[:] += due
        # What is owed is a running sum; its last payment may leave rounding dust below 0.
        np.maximum(firms.receivable_usd - due, 0.0, out=firms.receivable_usd)
        sectors = len(recorder.record.sector_names)
        recorder.add("margin_paid_usd", month, firms.sector_sum(due, sectors))

    def settle_exits(
        self, firms: Firms, leaving: np.ndarray, buyer: np.ndarray, month: int, recorder: Recorder
    ) -> None:
        """Receivables of exiting firms pass to their buyer (``buyer`` >= 0), else are
        written off."""
        lost = np.zeros(firms.size)
        for due in self.pending:
            for firm, to in zip(leaving.tolist(), buyer.tolist(), strict=True):
                if to >= 0:
                    due[to] += due[firm]
                    firms.receivable_usd[to] += due[firm]
                else:
                    lost[firm] += due[firm]
                due[firm] = 0.0
        firms.receivable_usd[leaving] = 0.0
        sectors = len(recorder.record.sector_names)
        # Only the leaving firms lose anything: their sums, in firm order, are the whole's.
        written_off = np.bincount(firms.sector[leaving], weights=lost[leaving], minlength=sectors)
        recorder.add("receivables_written_off_usd", month, written_off)


def service_credit(firms: Firms, credit: Credit, month: int, recorder: Recorder) -> None:
    """Interest on what firms owe; firms with negative cash borrow up to their limit
    (``order_book_share`` of the order book); firms with cash repay what they can."""
    sectors = len(recorder.record.sector_names)
    flows = np.zeros((3, sectors))
    _service_credit(firms, credit.annual_rate, credit.order_book_share, flows)
    for name, flow in zip(("interest_usd", "credit_drawn_usd", "credit_repaid_usd"), flows,
                          strict=True):
        recorder.add(name, month, flow)


@entry
def _service_credit(
    firms: Firms, annual_rate: float, order_book_share: float, flows: np.ndarray
) -> None:
    """Each firm's interest, draw and repayment, added to its sector's row of ``flows``
    in firm order (as ``np.bincount`` adds)."""
    for i in range(firms.status.size):
        active = firms.status[i] == ACTIVE
        interest = firms.debt_usd[i] * annual_rate / 12.0 if active else 0.0
        firms.cash_usd[i] -= interest
        cash, debt = firms.cash_usd[i], firms.debt_usd[i]
        order_book = (
            firms.domestic_backlog_usd[i] + firms.export_backlog_usd[i] + firms.receivable_usd[i]
        )
        room = order_book_share * order_book - debt
        room = room if room > 0.0 else 0.0  # np.maximum(..., 0.0)
        draw = (-cash if -cash < room else room) if active and cash < 0.0 else 0.0
        repay = (cash if cash < debt else debt) if active and cash > 0.0 else 0.0
        firms.cash_usd[i] += draw - repay
        firms.debt_usd[i] += draw - repay
        s = firms.sector[i]
        flows[0, s] += interest
        flows[1, s] += draw
        flows[2, s] += repay
