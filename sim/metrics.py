"""The metrics: every quantity defsim reports, declared once, and how to print it.

Two kinds of quantity (docs/model.md, section 6):

- a **series** is recorded (or derived) per month, per sector or per market, and
  reported in ``monthly.csv`` as the mean and 5th, 50th and 95th percentiles across
  replications;
- an **outcome** is one number per replication, made from a series over the
  horizon, and reported in ``replications.csv`` and ``summary.json`` as the mean with
  its 95% Student-t interval across replications (replications where it is undefined,
  such as days to licence when none was granted, are left out).

Each is declared once below, in the order of the columns of the files it appears in;
every list of metric names elsewhere (the engine's record, the outcome columns, the
tables of the report, the sweep and the comparison) is derived from these
declarations. ``format_value`` is the one way a value is printed for people: in the
terminal, the reports and the charts.

Definitions (per month, and summed over the horizon):
``surplus = capacity - domestic``, ``idle = capacity - domestic - export``,
``absorption_share = export / surplus`` (0 when surplus is 0),
``utilisation_share = (domestic + export) / capacity``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "KEY_METRICS",
    "MARKET_FIELDS",
    "MARKET_SERIES",
    "MONTHLY_FIELDS",
    "MONTHLY_METRICS",
    "OUTCOMES",
    "OUTCOME_METRICS",
    "SECTOR_OUTCOMES",
    "SECTOR_SERIES",
    "STATUS_FIELDS",
    "TABLE_METRICS",
    "Months",
    "Outcome",
    "Series",
    "Unit",
    "field_label",
    "format_change",
    "format_value",
    "label_of",
    "outcome",
    "plural",
    "series",
    "series_label",
    "shown_alike",
    "unit_of",
]


class Unit(StrEnum):
    """What a number counts."""

    USD = "usd"
    """US dollars (at domestic prices unless the metric says otherwise)."""
    SHARE = "share"
    """A fraction between 0 and 1, printed as a percentage."""
    COUNT = "count"
    """Firms, applications, licences."""
    DAYS = "days"


class Months(StrEnum):
    """How a series' months add up to one number over the horizon."""

    SUM = "sum"
    """A flow: the total over the months."""
    LAST = "last"
    """A stock: its value at the end of the last month."""
    RATIO = "ratio"
    """A ratio of totals over the horizon (not the mean of the monthly ratios)."""
    START = "start"
    """Counted once, at the start."""


@dataclass(frozen=True)
class Series:
    """A quantity per month and sector (summed for ``all``), or per month and market."""

    name: str
    unit: Unit
    months: Months
    """How it adds up over the horizon (and how its outcome, if any, is made)."""
    label: str
    """For people: chart titles and legends."""
    derived: bool = False
    """Computed from capacity, domestic and export (a ratio for ``all`` too), not recorded."""
    published: bool = True
    """Written to ``monthly.csv``; False: recorded only to compute an outcome."""
    status: bool = False
    """A firm count by status; these follow the order of the engine's status codes."""


@dataclass(frozen=True)
class Outcome:
    """One number per replication, made from a series over the horizon."""

    name: str
    unit: Unit
    months: Months
    label: str
    """For people: table rows and headings (the words of docs/scenarios.md)."""
    of: str | None
    """The series it is made from; None for ``firms_start``."""
    sectors: bool = False
    """Also reported per sector (``SECTOR.name`` columns)."""
    key: int = 0
    """Position among the key metrics shown first in tables and reports; 0: not key."""
    table: bool = False
    """In the narrow tables a terminal shows (the sweep's rows)."""


SECTOR_SERIES: tuple[Series, ...] = (
    Series("capacity_usd", Unit.USD, Months.SUM, "capacity"),
    Series("domestic_usd", Unit.USD, Months.SUM, "domestic orders"),
    Series("export_usd", Unit.USD, Months.SUM, "exports"),
    Series("surplus_usd", Unit.USD, Months.RATIO, "surplus (capacity − domestic)", derived=True),
    Series("idle_usd", Unit.USD, Months.RATIO, "idle", derived=True),
    Series("absorption_share", Unit.SHARE, Months.RATIO, "absorption share", derived=True),
    Series("utilisation_share", Unit.SHARE, Months.RATIO, "utilisation share", derived=True),
    Series("export_revenue_usd", Unit.USD, Months.SUM, "export revenue"),
    Series("export_demand_usd", Unit.USD, Months.SUM, "export demand"),
    Series("unmet_export_demand_usd", Unit.USD, Months.SUM, "unmet export demand"),
    Series("unmet_unlicensed_usd", Unit.USD, Months.SUM, "unmet: no licensed firm"),
    Series("unmet_capacity_usd", Unit.USD, Months.SUM, "unmet: no room in time (licensed or not)"),
    Series("unmet_supplier_limit_usd", Unit.USD, Months.SUM,
           "unmet: licensed room beyond the supplier limit"),
    Series("unmet_cancelled_usd", Unit.USD, Months.SUM, "unmet: accepted, then cancelled"),
    Series("export_late_usd", Unit.USD, Months.SUM, "exports delivered late"),
    Series("export_overdue_usd", Unit.USD, Months.LAST, "export work past due, not delivered"),
    Series("export_cancelled_usd", Unit.USD, Months.SUM, "export contracts cancelled"),
    Series("joint_production_usd", Unit.USD, Months.SUM, "joint production"),
    Series("royalty_usd", Unit.USD, Months.SUM, "royalty"),
    Series("levy_usd", Unit.USD, Months.SUM, "levy"),
    Series("budget_paid_usd", Unit.USD, Months.SUM, "budget paid"),
    Series("unspent_budget_usd", Unit.USD, Months.SUM, "unspent budget"),
    Series("cash_usd", Unit.USD, Months.LAST, "cash"),
    Series("receivable_usd", Unit.USD, Months.LAST, "receivables (domestic margin not yet paid)"),
    Series("debt_usd", Unit.USD, Months.LAST, "working-capital debt"),
    Series("export_profit_usd", Unit.USD, Months.SUM, "export profit"),
    Series("reinvested_usd", Unit.USD, Months.SUM, "export profit reinvested in capacity"),
    Series("outside_investment_usd", Unit.USD, Months.SUM,
           "outside investment attracted by export revenue"),
    Series("fixed_cost_usd", Unit.USD, Months.SUM, "fixed cost"),
    Series("domestic_margin_usd", Unit.USD, Months.SUM, "domestic margin earned"),
    Series("margin_paid_usd", Unit.USD, Months.SUM, "domestic margin paid"),
    Series("interest_usd", Unit.USD, Months.SUM, "interest"),
    Series("credit_drawn_usd", Unit.USD, Months.SUM, "credit drawn"),
    Series("credit_repaid_usd", Unit.USD, Months.SUM, "credit repaid"),
    Series("cash_at_exit_usd", Unit.USD, Months.SUM, "cash of firms that exited"),
    Series("debt_at_exit_usd", Unit.USD, Months.SUM, "debt of firms that exited (lenders' loss)"),
    Series("receivables_written_off_usd", Unit.USD, Months.SUM, "receivables written off at exit"),
    Series("export_backlog_usd", Unit.USD, Months.LAST, "export backlog"),
    Series("slipped_usd", Unit.USD, Months.SUM, "planned production that slipped a month"),
    Series("mothballed_usd", Unit.USD, Months.LAST,
           "monthly capacity mothballed or restarting"),
    Series("firms_entered", Unit.COUNT, Months.SUM, "firms that entered"),
    Series("firms_with_domestic_orders", Unit.COUNT, Months.LAST,
           "active firms that have had a domestic order"),
    Series("cash_at_entry_usd", Unit.USD, Months.SUM, "cash of firms that entered"),
    Series("firms_active", Unit.COUNT, Months.LAST, "active firms", status=True),
    Series("firms_bankrupt", Unit.COUNT, Months.LAST, "bankrupt firms, cumulative", status=True),
    Series("firms_migrated", Unit.COUNT, Months.LAST, "migrated firms, cumulative", status=True),
    Series("firms_acquired", Unit.COUNT, Months.LAST, "acquired firms, cumulative", status=True),
    Series("applications", Unit.COUNT, Months.SUM, "applications"),
    Series("licences_granted", Unit.COUNT, Months.SUM, "licences granted"),
    Series("licences_active", Unit.COUNT, Months.LAST, "licences in force"),
    Series("queue_length", Unit.COUNT, Months.LAST, "applications waiting"),
    Series("days_to_licence_sum", Unit.DAYS, Months.SUM, "days waited by the licences granted",
           published=False),
    Series("decisions", Unit.COUNT, Months.SUM, "applications decided"),
    Series("days_to_decision_sum", Unit.DAYS, Months.SUM, "days waited by the decided applications",
           published=False),
    Series("applications_lapsed", Unit.COUNT, Months.SUM, "applications lapsed (firm exited)"),
)
"""Per month and sector, in the order of ``monthly.csv`` and of the engine's record."""

MARKET_SERIES: tuple[Series, ...] = (
    Series("demand_usd", Unit.USD, Months.SUM, "orders placed"),
    Series("joint_usd", Unit.USD, Months.SUM, "taken by joint lines abroad"),
    Series("accepted_usd", Unit.USD, Months.SUM, "taken by licensed domestic firms"),
    Series("lost_usd", Unit.USD, Months.SUM, "lost"),
)
"""Per month and market (group ``market:NAME`` of ``monthly.csv``)."""

_SERIES = {s.name: s for s in SECTOR_SERIES}


def _of(
    name: str, label: str, *, of: str | None = None, sectors: bool = False, key: int = 0,
    table: bool = False,
) -> Outcome:
    """The outcome made from series ``of`` (default: the series called ``name``)."""
    source = _SERIES[of or name]
    return Outcome(name, source.unit, source.months, label, source.name, sectors, key, table)


OUTCOME_METRICS: tuple[Outcome, ...] = (
    _of("capacity_usd", "capacity", sectors=True, key=14),
    _of("domestic_usd", "domestic procurement", sectors=True, key=13),
    _of("export_usd", "exports (domestic prices)", sectors=True, key=1, table=True),
    _of("surplus_usd", "surplus: capacity − domestic", sectors=True, key=12),
    _of("idle_usd", "idle capacity", sectors=True),
    _of("absorption_share", "exports / surplus", sectors=True, key=2, table=True),
    Outcome("absorption_of_initial_surplus", Unit.SHARE, Months.RATIO,
            "exports / surplus at starting capacity", None, sectors=True, key=3, table=True),
    Outcome("absorption_share_exportable", Unit.SHARE, Months.RATIO,
            "exports / surplus of exportable sectors", None, key=4),
    _of("utilisation_share", "utilisation", sectors=True, key=15),
    _of("unspent_budget_usd", "budget unspent", key=16, table=True),
    _of("budget_paid_usd", "budget paid out"),
    _of("export_demand_usd", "export demand arriving", sectors=True),
    _of("unmet_export_demand_usd", "export demand unmet", sectors=True, key=6),
    _of("unmet_unlicensed_usd", "unmet: no licensed firm", sectors=True, key=7),
    _of("unmet_capacity_usd", "unmet: no room in time (licensed or not)", sectors=True, key=8),
    _of("unmet_supplier_limit_usd", "unmet: licensed room beyond the supplier limit"),
    _of("unmet_cancelled_usd", "unmet: accepted, then cancelled", sectors=True, key=9),
    _of("export_late_usd", "exports delivered late", sectors=True, key=5),
    _of("export_overdue_usd", "export work past due and undelivered at the end", sectors=True),
    _of("export_cancelled_usd", "export contracts cancelled"),
    _of("export_revenue_usd", "export revenue"),
    _of("levy_usd", "export levy"),
    _of("joint_production_usd", "joint production abroad"),
    _of("royalty_usd", "royalties"),
    _of("receivables_written_off_usd", "receivables written off at exit"),
    _of("debt_at_exit_usd", "debt left by firms that exited"),
    _of("outside_investment_usd", "outside investment"),
    Outcome("firms_start", Unit.COUNT, Months.START, "firms at start", None, sectors=True),
    _of("firms_active_end", "firms active at end", of="firms_active", sectors=True, key=17),
    _of("firms_entered", "firms that entered", sectors=True),
    _of("firms_with_domestic_orders", "active firms that have had a domestic order",
        sectors=True),
    Outcome("firms_exited", Unit.COUNT, Months.RATIO, "firms that exited", None, sectors=True,
            key=10, table=True),
    _of("firms_bankrupt", "exits: bankrupt", sectors=True),
    _of("firms_migrated", "exits: migrated", sectors=True),
    _of("firms_acquired", "exits: acquired", sectors=True),
    _of("applications", "applications", sectors=True),
    _of("licences_granted", "licences granted", sectors=True, key=18),
    Outcome("mean_days_to_licence", Unit.DAYS, Months.RATIO, "days from application to licence",
            "days_to_licence_sum", key=19),
    _of("decisions", "applications decided"),
    Outcome("mean_days_to_decision", Unit.DAYS, Months.RATIO,
            "days from application to decision", "days_to_decision_sum"),
    _of("applications_lapsed", "applications lapsed (firm exited)", sectors=True),
    Outcome("max_monthly_exit_share", Unit.SHARE, Months.RATIO,
            "most firms lost in one month (share of those active)", None, key=11),
)
"""Every outcome of a replication, in the order of ``replications.csv`` and ``summary.json``."""

_OUTCOMES = {o.name: o for o in OUTCOME_METRICS}

# --- the lists of names the rest of the package uses, all derived from the above ----------

OUTCOMES: tuple[str, ...] = tuple(o.name for o in OUTCOME_METRICS)
"""Every outcome of a replication, whole industry."""
SECTOR_OUTCOMES: tuple[str, ...] = tuple(o.name for o in OUTCOME_METRICS if o.sectors)
"""Outcomes also reported per sector."""
KEY_METRICS: tuple[str, ...] = tuple(
    o.name for o in sorted((o for o in OUTCOME_METRICS if o.key), key=lambda o: o.key)
)
"""The outcomes shown first, in tables and reports."""
TABLE_METRICS: tuple[str, ...] = tuple(m for m in KEY_METRICS if _OUTCOMES[m].table)
"""The few key outcomes a narrow terminal table shows (one row per sweep point)."""
MONTHLY_METRICS: tuple[str, ...] = tuple(s.name for s in SECTOR_SERIES if s.published)
"""Series in monthly.csv, per sector and for ``all``."""
MONTHLY_FIELDS: tuple[str, ...] = tuple(s.name for s in SECTOR_SERIES if not s.derived)
"""Series the engine records per month and sector."""
STATUS_FIELDS: tuple[str, ...] = tuple(s.name for s in SECTOR_SERIES if s.status)
"""Firm counts by status, in the order of the status codes (ACTIVE, BANKRUPT, ...)."""
MARKET_FIELDS: tuple[str, ...] = tuple(s.name for s in MARKET_SERIES)
"""Series per month and market."""


def outcome(name: str) -> Outcome:
    """The declaration of an outcome; KeyError if there is none."""
    return _OUTCOMES[name]


def series(name: str) -> Series:
    """The declaration of a sector or market series; KeyError if there is none."""
    found = _SERIES.get(name) or next((s for s in MARKET_SERIES if s.name == name), None)
    if found is None:
        raise KeyError(name)
    return found


def unit_of(name: str) -> Unit:
    """The unit of a metric (``SECTOR.metric`` too); other names by their suffix.

    Scenario fields follow the same naming (``procurement.budget_usd``,
    ``licensing.export_cap_share``), so a lever prints like the metric it resembles.
    """
    base = name.rsplit(".", 1)[-1]
    declared = _OUTCOMES.get(base) or _SERIES.get(base)
    if declared is not None:
        return declared.unit
    if base.endswith("_usd"):
        return Unit.USD
    if base.endswith("_share"):
        return Unit.SHARE
    return Unit.COUNT


def label_of(name: str) -> str:
    """The label of an outcome (else a series) for people; the name itself if it has none."""
    declared = _OUTCOMES.get(name) or _SERIES.get(name)
    return declared.label if declared is not None else name


def field_label(path: str) -> str:
    """A scenario field for people: ``procurement › budget``, ``licensing › approval rate › uav``.

    The unit a name ends in (``_usd``, ``_share``) is left to the axis or column that
    prints the value (``axis_scale``, ``format_value``).
    """
    parts = [p.removesuffix("_usd").removesuffix("_share") for p in path.split(".")]
    return " › ".join(p.replace("_", " ") for p in parts)


def series_label(name: str) -> str:
    """The label of a monthly series for people (chart titles, legends); else the name."""
    declared = _SERIES.get(name)
    return declared.label if declared is not None else name


MONEY_UNITS = ((1e9, "B"), (1e6, "M"), (1e3, "K"))
"""Money is printed in the largest of these that its magnitude reaches, else in dollars."""


def format_value(name: str, value: float | None) -> str:
    """A value of metric ``name`` for people: ``$3.70M``, ``$521K``, ``$7.68B``, ``15.0%``.

    Each amount of money takes its own unit (B, M, K, else whole dollars) and three
    significant digits, so a small scenario reads ``$15.9K .. $1.03M`` rather than
    ``$0.00B`` and the two ends of an interval need not share a unit. Nothing rounds
    to a negative zero. Undefined values are ``n/a``.
    """
    if value is None or not math.isfinite(value):
        return "n/a"
    return _unsigned_zero(_magnitude(name, abs(value)), value < 0, "-")


def format_change(name: str, value: float | None) -> str:
    """A signed difference of metric ``name``: ``+$1.20M``, ``-0.4 pp`` (shares in points).

    A change that rounds to zero prints without a sign (``0.0 pp``, ``$0``).
    """
    if value is None or not math.isfinite(value):
        return "n/a"
    if unit_of(name) is Unit.SHARE:
        text = f"{abs(value) * 100:.1f} pp"
    else:
        text = _magnitude(name, abs(value))
    return _unsigned_zero(text, value < 0, "-" if value < 0 else "+")


def _magnitude(name: str, value: float) -> str:
    """``value`` (>= 0) printed for its unit, without a sign."""
    unit = unit_of(name)
    if unit is Unit.USD:
        return _money(value)
    if unit is Unit.SHARE:
        return f"{value:.1%}"
    return f"{value:,.1f}"


def shown_alike(name: str, low: float, high: float) -> bool:
    """Whether ``low`` and ``high`` print the same (an interval a reader cannot see).

    The value is then the same in every replication, to the digits shown. Values
    print without a negative zero, so ``-4e-6`` and ``3e-6`` of money both print ``$0``.
    """
    return format_value(name, low) == format_value(name, high)


def _unsigned_zero(text: str, negative: bool, sign: str) -> str:
    """``sign`` + ``text``, unless ``text`` shows only zeros (never ``-0.0``, ``+$0``)."""
    if not any(c in "123456789" for c in text):
        return text
    return f"{sign}{text}" if negative or sign == "+" else text


def _money(value: float) -> str:
    """``value`` (>= 0) in its own unit, three significant digits: ``$3.70M``, ``$521K``."""
    rounded = float(f"{value:.3g}")
    divisor, suffix = next(((d, s) for d, s in MONEY_UNITS if rounded >= d), (1.0, ""))
    if not suffix:
        return f"${value:,.0f}"
    scaled = rounded / divisor
    decimals = 2 if scaled < 10 else 1 if scaled < 100 else 0
    return f"${scaled:,.{decimals}f}{suffix}"


def plural(count: int, word: str) -> str:
    """``1 replication``, ``2 replications``, ``1,000 months``."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"
