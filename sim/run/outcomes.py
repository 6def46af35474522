"""Outcomes of a replication: its record reduced to one row of numbers and one monthly cube.

The metrics and how each adds up over months and sectors are declared in
``sim.metrics``; this module applies those rules to a ``ReplicationRecord``.
Ratios (surplus, idle, absorption, utilisation) are ratios of totals, per month and
over the horizon, never means of ratios. USD totals are sums over the horizon; firm
counts are at the end of the horizon.
"""

from __future__ import annotations

import numpy as np

from sim.metrics import (
    MARKET_FIELDS,
    MONTHLY_METRICS,
    OUTCOME_METRICS,
    OUTCOMES,
    SECTOR_OUTCOMES,
    SECTOR_SERIES,
    STATUS_FIELDS,
    Months,
)
from sim.model.records import ReplicationRecord

__all__ = ["monthly_cube", "outcome_columns", "outcome_row"]

_FROM_MONTHS = tuple(
    (o.name, o.of or "", o.months)
    for o in OUTCOME_METRICS
    if o.months in (Months.SUM, Months.LAST, Months.START)
)
"""Outcomes read off the record directly: (name, series, rule); the ratios follow from them."""
_DERIVED = tuple(s.name for s in SECTOR_SERIES if s.derived)
_MEAN_DAYS = {
    "mean_days_to_licence": ("days_to_licence_sum", "licences_granted"),
    "mean_days_to_decision": ("days_to_decision_sum", "decisions"),
}
"""Mean waits: total days waited over the count of what waited (undefined when none)."""


def outcome_columns(sectors: tuple[str, ...]) -> list[str]:
    """Columns of ``outcome_row``: industry outcomes, then ``SECTOR.outcome``."""
    return [*OUTCOMES, *(f"{s}.{name}" for s in sectors for name in SECTOR_OUTCOMES)]


def outcome_row(record: ReplicationRecord) -> np.ndarray:
    """Every scalar outcome of one replication, in ``outcome_columns`` order."""
    m = record.monthly
    per_sector: dict[str, np.ndarray] = {}
    for name, series, rule in _FROM_MONTHS:
        if rule is Months.SUM:
            per_sector[name] = m[series].sum(axis=0)
        elif rule is Months.LAST:
            per_sector[name] = m[series][-1]
        else:
            per_sector[name] = record.firms_start
    totals = {name: np.array([values.sum()]) for name, values in per_sector.items()}
    _add_ratios(per_sector)
    _add_ratios(totals)
    _add_headline_shares(record, per_sector, totals)
    for name, (waited, counted) in _MEAN_DAYS.items():
        total, count = m[waited].sum(), m[counted].sum()
        totals[name] = np.array([total / count if count else np.nan])
    industry = [float(totals[name][0]) for name in OUTCOMES]
    sectors = [
        float(per_sector[name][s])
        for s in range(len(record.sector_names))
        for name in SECTOR_OUTCOMES
    ]
    return np.array(industry + sectors)


def _add_headline_shares(
    record: ReplicationRecord, per_sector: dict[str, np.ndarray], totals: dict[str, np.ndarray]
) -> None:
    """Shares that exits cannot flatter (docs/model.md, section 6).

    ``absorption_of_initial_surplus``: exports over the surplus the industry would have
    had at the capacity it started the horizon with (capacity lost to exits stays in
    the denominator). ``absorption_share_exportable``: exports over the surplus of the
    sectors that may export. ``max_monthly_exit_share``: the largest share of the
    firms active at a month's start that exited in that month.
    """
    m = record.monthly
    for values in (per_sector, totals):
        values["firms_exited"] = (
            values["firms_start"] + values["firms_entered"] - values["firms_active_end"]
        )
    months = m["capacity_usd"].shape[0]
    initial = np.maximum(months * m["capacity_usd"][0] - per_sector["domestic_usd"], 0.0)
    per_sector["absorption_of_initial_surplus"] = _ratio(per_sector["export_usd"], initial)
    totals["absorption_of_initial_surplus"] = _ratio(
        totals["export_usd"], initial.sum(keepdims=True)
    )
    exportable = np.asarray(record.exportable, dtype=bool)
    surplus = per_sector["surplus_usd"][exportable].sum(keepdims=True)
    exports = per_sector["export_usd"][exportable].sum(keepdims=True)
    totals["absorption_share_exportable"] = _ratio(exports, surplus)
    exited = sum(m[name].sum(axis=1) for name in STATUS_FIELDS[1:])
    active = m[STATUS_FIELDS[0]].sum(axis=1)
    at_start = np.concatenate(([record.firms_start.sum()], active[:-1]))
    monthly = _ratio(np.diff(exited, prepend=0.0), at_start)
    totals["max_monthly_exit_share"] = np.array([monthly.max() if monthly.size else 0.0])


def _add_ratios(values: dict[str, np.ndarray]) -> None:
    """The derived series from capacity, domestic and export (docs/model.md, section 6)."""
    capacity, domestic, export = (
        values["capacity_usd"],
        values["domestic_usd"],
        values["export_usd"],
    )
    surplus = np.maximum(capacity - domestic, 0.0)
    values["surplus_usd"] = surplus
    values["idle_usd"] = np.maximum(capacity - domestic - export, 0.0)
    values["absorption_share"] = _ratio(export, surplus)
    values["utilisation_share"] = _ratio(domestic + export, capacity)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    out = np.zeros_like(numerator, dtype=float)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def monthly_cube(record: ReplicationRecord) -> np.ndarray:
    """Monthly series as one array (months, groups, metrics).

    Groups are ``all``, each sector, then each market; market groups carry
    ``MARKET_FIELDS`` in the first columns and zeros elsewhere.
    """
    m = record.monthly
    sectors = len(record.sector_names)
    markets = len(record.market_names)
    months = m["capacity_usd"].shape[0]
    cube = np.zeros((months, 1 + sectors + markets, len(MONTHLY_METRICS)))
    for k, name in enumerate(MONTHLY_METRICS):
        if name in m:
            cube[:, 1 : 1 + sectors, k] = m[name]
            cube[:, 0, k] = m[name].sum(axis=1)
    for group in (slice(0, 1), slice(1, 1 + sectors)):
        values = {
            name: cube[:, group, MONTHLY_METRICS.index(name)]
            for name in ("capacity_usd", "domestic_usd", "export_usd")
        }
        _add_ratios(values)
        for name in _DERIVED:
            cube[:, group, MONTHLY_METRICS.index(name)] = values[name]
    for k, name in enumerate(MARKET_FIELDS):
        cube[:, 1 + sectors :, k] = record.market_monthly[name]
    return cube
