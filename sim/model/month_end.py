"""The end of a month: production, its money, exits, and the month's record.

At each month's end, in this order: firms produce and earn their export profit
(``production.produce``); joint lines abroad produce and pay their royalties
(``finance.pay_royalties``); firms pay fixed costs and earn the domestic margin,
now or ``payment_delay_days`` later (``production.pay_costs``, ``finance.Receivables``);
with ``credit``, firms borrow or repay working capital (``finance.service_credit``);
with ``mothballing``, firms lay up idle capacity or restart it
(``mothballing.lay_up_and_restart``); firms past their grace exit
(``exits.exit_firms``); and the month is recorded: production, money, firm
counts, licences in force and applications waiting.
Deliveries, and late deliveries (``export_late``), are traced.
"""

from __future__ import annotations

import numpy as np

from sim.model.exits import exit_firms
from sim.model.finance import Receivables, pay_royalties, service_credit
from sim.model.firms import Firms
from sim.model.markets import JointLines
from sim.model.mothballing import lay_up_and_restart
from sim.model.production import (
    FIRM_TOTALS,
    MONTH_TOTALS,
    overdue_usd,
    pay_costs,
    produce,
    tally_firms,
)
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
    receivables: Receivables,
    recorder: Recorder,
) -> float:
    """Produce, account, let firms exit, and record month ``month``.

    Returns the export levy collected (for the next tranche). A domestic margin paid
    late is added to ``receivables``.
    """
    sectors = len(scenario.sectors)
    reinvest = scenario.reinvestment
    day = float(recorder.month_start_days[month + 1])
    output = produce(firms, month, cap_share, reinvest)
    levy = float(output.levy_usd.sum())
    pay_royalties(joint, firms, day, month, recorder)
    paid_now = scenario.procurement.payment_delay_days == 0
    mothballing = scenario.mothballing
    floor = mothballing.fixed_cost_floor if mothballing is not None else 1.0
    earned, totals = pay_costs(firms, output, sectors, paid_now, floor)
    recorder.add_rows(MONTH_TOTALS, month, totals)
    if paid_now:
        recorder.add("margin_paid_usd", month, firms.sector_sum(earned, sectors))
    else:
        receivables.owe(firms, earned)
    if scenario.credit is not None:
        service_credit(firms, scenario.credit, month, recorder)
    if mothballing is not None:
        lay_up_and_restart(firms, output, month, mothballing)
    if recorder.tracing:
        delivered = np.flatnonzero(output.export_usd)
        exported = output.export_usd[delivered]
        recorder.trace_firms(day, delivered, "export_delivery", "delivered", exported)
        late = np.flatnonzero(output.export_late_usd)
        recorder.trace_firms(day, late, "export_late", "late", output.export_late_usd[late])
    recorder.set("export_overdue_usd", month, overdue_usd(firms, month, sectors))
    exit_firms(firms, scenario.exits, rng, receivables, month, day, recorder)
    recorder.set_rows(FIRM_TOTALS, month, tally_firms(firms, sectors, day))
    return levy
