"""Run every shipped scenario and write its results into ``docs/scenarios.md``.

Each scenario runs with a modest number of replications (``--replications``, default
40) in one process, so the whole library finishes in a few minutes on a laptop.
The tables go between ``<!-- results:NAME:start -->`` and ``<!-- results:NAME:end -->``
markers (``NAME`` is ``overview`` or a scenario name); the prose around them is
hand-written and left alone. The 2026 variants share the 2026 scenario's seed and
stream names, so their differences from it are paired (common random numbers).

Usage::

    python docs/gen_scenarios.py [--replications N] [--workers W]
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from sim import load_scenario, simulate
from sim.api import RunResult
from sim.metrics import Unit, label_of, unit_of
from sim.stats import Estimate, paired_difference

__all__ = ["SCENARIOS", "fmt_estimate", "replace_between", "run_all"]

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "scenarios.md"
BASELINE_2026 = "ukraine-2026-controlled-export"

SCENARIOS: tuple[str, ...] = (
    "ukraine-2024-baseline",
    "ukraine-2025-open-letter",
    "ukraine-2026-controlled-export",
    "ukraine-2026-no-commission-pause",
    "ukraine-2026-export-centres-early",
    "ukraine-2026-joint-production",
    "teaching-minimal",
)
"""Scenario file stems, in the order of docs/scenarios.md."""

KEY_ROWS: tuple[tuple[str, str], ...] = tuple(
    (name, label_of(name))
    for name in (
        "absorption_share",
        "absorption_of_initial_surplus",
        "absorption_share_exportable",
        "export_usd",
        "surplus_usd",
        "domestic_usd",
        "capacity_usd",
        "utilisation_share",
        "export_late_usd",
        "export_overdue_usd",
        "export_demand_usd",
        "unmet_export_demand_usd",
        "unmet_unlicensed_usd",
        "unmet_capacity_usd",
        "unmet_cancelled_usd",
        "joint_production_usd",
        "unspent_budget_usd",
        "firms_start",
        "firms_entered",
        "firms_with_domestic_orders",
        "firms_active_end",
        "firms_exited",
        "max_monthly_exit_share",
        "firms_bankrupt",
        "firms_migrated",
        "firms_acquired",
        "licences_granted",
        "mean_days_to_licence",
        "mean_days_to_decision",
        "applications_lapsed",
    )
)
"""Outcomes in each scenario's table, with their labels from the metric registry."""

SECTOR_COLUMNS: tuple[tuple[str, str], ...] = (
    ("capacity_usd", "capacity"),
    ("domestic_usd", "domestic"),
    ("export_usd", "exports"),
    ("absorption_share", "absorption"),
    ("unmet_export_demand_usd", "unmet demand"),
    ("firms_start", "firms"),
    ("firms_active_end", "active at end"),
)


@dataclass(frozen=True)
class Finished:
    """One scenario's run, ready to tabulate."""

    name: str
    result: RunResult


def fmt_value(metric: str, value: float | None) -> str:
    """A metric value in the unit readers expect: $B, percent, days or a count."""
    if value is None:
        return "–"
    if unit_of(metric) is Unit.SHARE:
        return f"{100 * value:.1f}%"
    if metric.endswith("_usd"):
        value = 0.0 if abs(value) < 5e4 else value
        return f"${value / 1e9:,.2f}B" if abs(value) >= 1e8 else f"${value / 1e6:,.1f}M"
    if metric.startswith("mean_days"):
        return f"{value:.0f}"
    return f"{value:,.1f}"


def fmt_estimate(metric: str, est: Estimate) -> str:
    """``mean (low – high)``, or the mean alone when the interval is degenerate or missing."""
    mean = fmt_value(metric, est.mean)
    if est.ci_low is None or est.ci_high is None:
        return mean
    low, high = fmt_value(metric, est.ci_low), fmt_value(metric, est.ci_high)
    return mean if low == high == mean else f"{mean} ({low} – {high})"


def replace_between(text: str, key: str, body: str) -> str:
    """Replace what lies between the ``key`` markers (which must exist) with ``body``."""
    start, end = f"<!-- {key}:start -->", f"<!-- {key}:end -->"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"marker {start} not found")
    return pattern.sub(lambda _: f"{start}\n{body.strip()}\n{end}", text, count=1)


def run_all(replications: int, workers: int) -> list[Finished]:
    finished = []
    for stem in SCENARIOS:
        scenario = load_scenario(ROOT / "scenarios" / f"{stem}.yaml")
        sys.stderr.write(f"running {stem} ({replications} replications)\n")
        result = simulate(scenario, replications=replications, workers=workers)
        finished.append(Finished(stem, result))
    return finished


def scenario_table(run: Finished) -> str:
    result = run.result
    months = result.scenario.months
    lines = [
        f"{result.replications} replications, seed {result.seed}, {months} months from "
        f"{result.scenario.start:%B %Y}; mean (95% confidence interval). USD totals over the "
        "horizon at domestic prices; firm counts at the end.",
        "",
        "| outcome | metric | value |",
        "| --- | --- | --- |",
    ]
    for metric, label in KEY_ROWS:
        lines.append(f"| {label} | `{metric}` | {fmt_estimate(metric, result.summary[metric])} |")
    lines += ["", "| sector | " + " | ".join(label for _, label in SECTOR_COLUMNS) + " |"]
    lines.append("| --- |" + " --- |" * len(SECTOR_COLUMNS))
    for sector, values in result.sectors.items():
        cells = [fmt_value(metric, values[metric].mean) for metric, _ in SECTOR_COLUMNS]
        lines.append(f"| {sector} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("Sector cells are means across replications.")
    return "\n".join(lines)


def overview_table(runs: list[Finished]) -> str:
    base = next((r.result for r in runs if r.name == BASELINE_2026), None)
    lines = [
        "| scenario | absorption of the surplus | exports | surplus | firms exited "
        f"| absorption vs {BASELINE_2026} (paired) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for run in runs:
        result, summary = run.result, run.result.summary
        exits = f"{summary['firms_exited'].mean:,.0f} of {summary['firms_start'].mean:,.0f}"
        if summary["firms_entered"].mean > 0:
            exits += f" + {summary['firms_entered'].mean:,.0f} entrants"
        paired = "–"
        if base is not None and run.name != BASELINE_2026 and run.name.startswith("ukraine-2026"):
            metric = "absorption_share"
            paired = _points(paired_difference(result.column(metric), base.column(metric)))
        cells = [
            f"[{run.name}](#{run.name})",
            fmt_estimate("absorption_share", summary["absorption_share"]),
            fmt_estimate("export_usd", summary["export_usd"]),
            fmt_value("surplus_usd", summary["surplus_usd"].mean),
            exits,
            paired,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _points(diff: Estimate) -> str:
    if diff.mean is None:
        return "–"
    if diff.ci_low is None or diff.ci_high is None:
        return f"{100 * diff.mean:+.2f} points"
    return f"{100 * diff.mean:+.2f} points ({100 * diff.ci_low:+.2f} – {100 * diff.ci_high:+.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", "-n", type=int, default=40)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    runs = run_all(args.replications, args.workers)
    text = DOC.read_text(encoding="utf-8")
    text = replace_between(text, "results:overview", overview_table(runs))
    for run in runs:
        text = replace_between(text, f"results:{run.name}", scenario_table(run))
    DOC.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {DOC}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
