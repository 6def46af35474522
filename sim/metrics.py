"""Outcomes: what one replication reports, as scalars and as monthly series.

Definitions (per month, and summed over the horizon):
``surplus = capacity - domestic``, ``idle = capacity - domestic - export``,
``absorption_share = export / surplus`` (0 when surplus is 0),
``utilisation_share = (domestic + export) / capacity``.
USD totals are sums over the horizon; firm counts are at the end of the horizon.
"""

from __future__ import annotations

import numpy as np

from sim.model.records import MARKET_FIELDS, ReplicationRecord

__all__ = [
    "KEY_METRICS",
    "MONTHLY_METRICS",
    "OUTCOMES",
    "SECTOR_OUTCOMES",
    "monthly_cube",
    "outcome_columns",
    "outcome_row",
]

OUTCOMES: tuple[str, ...] = (
    "capacity_usd",
    "domestic_usd",
    "export_usd",
    "surplus_usd",
    "idle_usd",
    "absorption_share",
    "utilisation_share",
    "unspent_budget_usd",
    "budget_paid_usd",
    "export_demand_usd",
    "unmet_export_demand_usd",
    "export_revenue_usd",
    "levy_usd",
    "joint_production_usd",
    "royalty_usd",
    "firms_start",
    "firms_active_end",
    "firms_bankrupt",
    "firms_migrated",
    "firms_acquired",
    "applications",
    "licences_granted",
    "mean_days_to_licence",
)
"""Every outcome of a replication, whole industry."""

SECTOR_OUTCOMES: tuple[str, ...] = (
    "capacity_usd",
    "domestic_usd",
    "export_usd",
    "surplus_usd",
    "idle_usd",
    "absorption_share",
    "utilisation_share",
    "export_demand_usd",
    "unmet_export_demand_usd",
    "firms_start",
    "firms_active_end",
    "firms_bankrupt",
    "firms_migrated",
    "firms_acquired",
    "applications",
    "licences_granted",
)
"""Outcomes also reported per sector."""

KEY_METRICS: tuple[str, ...] = (
    "absorption_share",
    "export_usd",
    "surplus_usd",
    "domestic_usd",
    "capacity_usd",
    "utilisation_share",
    "unmet_export_demand_usd",
    "unspent_budget_usd",
    "firms_active_end",
    "firms_bankrupt",
    "licences_granted",
    "mean_days_to_licence",
)
"""The outcomes shown first, in tables and reports."""

MONTHLY_METRICS: tuple[str, ...] = (
    "capacity_usd",
    "domestic_usd",
    "export_usd",
    "surplus_usd",
    "idle_usd",
    "absorption_share",
    "utilisation_share",
    "export_revenue_usd",
    "export_demand_usd",
    "unmet_export_demand_usd",
    "joint_production_usd",
    "royalty_usd",
    "levy_usd",
    "budget_paid_usd",
    "unspent_budget_usd",
    "cash_usd",
    "export_backlog_usd",
    "firms_active",
    "firms_bankrupt",
    "firms_migrated",
    "firms_acquired",
    "applications",
    "licences_granted",
    "licences_active",
    "queue_length",
)
"""Series in monthly.csv, per sector and for ``all``."""

_SUMMED = (
    "capacity_usd",
    "domestic_usd",
    "export_usd",
    "unspent_budget_usd",
    "budget_paid_usd",
    "export_demand_usd",
    "unmet_export_demand_usd",
    "export_revenue_usd",
    "levy_usd",
    "joint_production_usd",
    "royalty_usd",
    "applications",
    "licences_granted",
)


def outcome_columns(sectors: tuple[str, ...]) -> list[str]:
    """Columns of ``outcome_row``: industry outcomes, then ``SECTOR.outcome``."""
    return [*OUTCOMES, *(f"{s}.{name}" for s in sectors for name in SECTOR_OUTCOMES)]


def outcome_row(record: ReplicationRecord) -> np.ndarray:
    """Every scalar outcome of one replication, in ``outcome_columns`` order."""
    m = record.monthly
    per_sector = {name: m[name].sum(axis=0) for name in _SUMMED}
    per_sector["firms_start"] = record.firms_start
    last = {
        name: m[name][-1]
        for name in ("firms_active", "firms_bankrupt", "firms_migrated", "firms_acquired")
    }
    per_sector["firms_active_end"] = last["firms_active"]
    per_sector["firms_bankrupt"] = last["firms_bankrupt"]
    per_sector["firms_migrated"] = last["firms_migrated"]
    per_sector["firms_acquired"] = last["firms_acquired"]
    totals = {name: np.array([values.sum()]) for name, values in per_sector.items()}
    _add_ratios(per_sector)
    _add_ratios(totals)
    granted = m["licences_granted"].sum()
    waited = m["days_to_licence_sum"].sum()
    totals["mean_days_to_licence"] = np.array([waited / granted if granted else np.nan])
    industry = [float(totals[name][0]) for name in OUTCOMES]
    sectors = [
        float(per_sector[name][s])
        for s in range(len(record.sector_names))
        for name in SECTOR_OUTCOMES
    ]
    return np.array(industry + sectors)


def _add_ratios(values: dict[str, np.ndarray]) -> None:
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
        for name in ("surplus_usd", "idle_usd", "absorption_share", "utilisation_share"):
            cube[:, group, MONTHLY_METRICS.index(name)] = values[name]
    for k, name in enumerate(MARKET_FIELDS):
        cube[:, 1 + sectors :, k] = record.market_monthly[name]
    return cube
