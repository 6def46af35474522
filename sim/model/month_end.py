"""The end of a month: production, its money, exits, and the month's record.

At each month's end, in this order: firms produce and earn their export profit
(``production.produce``); joint lines abroad produce and pay their royalties
(``finance.pay_royalties``); firms pay fixed costs and earn the domestic margin,
now or ``payment_delay_days`` later (``production.pay_costs``); firms past their
grace exit (``exits.exit_firms``); and the month is recorded: exports delivered
after their due month are traced as ``export_late``; then: production, money,
firm counts, licences in force and applications waiting.
"""

from __future__ import annotations

import numpy as np

from sim.model.exits import exit_firms
from sim.model.finance import pay_royalties
from sim.model.firms import Firms
from sim.model.markets import JointLines
from sim.model.production import FIRM_TOTALS, MONTH_TOTALS, pay_costs, produce, tally_firms
from sim.model.recorder import Recorder
from sim.scenario.schema import Scenario

__all__ = ["end_month"]


def end_month(
    scenario: Scenario,
    firms: Firms,
    joint: JointLines,
    cap_share: float,
    month: int,
    rng: np.random.Generator,
    recorder: Recorder,
) -> tuple[float, np.ndarray | None]:
    """Produce, account, let firms exit, and record month ``month``.

    Returns the export levy collected (for the next tranche) and, when domestic
    payments are late, the margin each firm is owed (``None`` when paid now).
    """
    sectors = len(scenario.sectors)
    reinvest = scenario.reinvestment
    day = float(recorder.month_start_days[month + 1])
    output = produce(
        firms,
        month,
        cap_share,
        reinvest.export_levy,
        reinvest.capacity_reinvest,
        reinvest.capacity_per_usd,
    )
    levy = float(output.levy_usd.sum())
    pay_royalties(joint, firms, day, month, recorder)
    paid_now = scenario.procurement.payment_delay_days == 0
    earned, totals = pay_costs(firms, output, sectors, paid_now)
    for name, row in zip(MONTH_TOTALS, totals, strict=True):
        recorder.add(name, month, row)
    delivered = np.flatnonzero(output.export_usd)
    exported = output.export_usd[delivered]
    recorder.trace_firms(day, delivered, "export_delivery", "delivered", exported)
    late = np.flatnonzero(output.export_late_usd)
    recorder.trace_firms(day, late, "export_late", "late", output.export_late_usd[late])
    exit_firms(firms, scenario.exits, rng, month, day, recorder)
    for name, row in zip(FIRM_TOTALS, tally_firms(firms, sectors, day), strict=True):
        recorder.set(name, month, row)
    return levy, None if paid_now else earned
