"""The money that reaches firms outside the month's own sales: royalties and late payments.

A joint line abroad pays ``royalty`` on its output to the active firms of the
sector whose technology it builds, in proportion to their capacity. The state
pays the domestic margin ``payment_delay_days`` after the month's end, to the
firms still active then. (The month's sales and costs: ``production``.)
"""

from __future__ import annotations

import numpy as np

from sim.model.firms import Firms, Status
from sim.model.markets import JointLines
from sim.model.recorder import Recorder

__all__ = ["pay_late_margin", "pay_royalties"]


def pay_royalties(
    joint: JointLines, firms: Firms, month_end_day: float, month: int, recorder: Recorder
) -> None:
    """Joint lines produce the month's output; each line's royalty on it goes to the active
    firms of its sector in proportion to capacity."""
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
            _share_royalty(firms, capacity, sector, royalty)
            royalties[sector] += royalty
    recorder.add(
        "joint_production_usd",
        month,
        np.bincount(joint.sector, weights=output, minlength=sectors),
    )
    recorder.add("royalty_usd", month, royalties)


def _share_royalty(firms: Firms, active_capacity: np.ndarray, sector: int, amount: float) -> None:
    where = firms.of_sector(sector)
    capacity = active_capacity[where]
    total = capacity.sum()
    if total > 0.0:
        firms.cash_usd[where] += amount * capacity / total


def pay_late_margin(firms: Firms, margin_usd: np.ndarray) -> None:
    """The domestic margin of a past month reaches the firms still active."""
    firms.cash_usd[:] += np.where(firms.status == Status.ACTIVE, margin_usd, 0.0)
