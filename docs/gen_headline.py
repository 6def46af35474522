"""The README's headline: how much of the surplus exports absorb in the 2026 scenario.

Runs ``scenarios/ukraine-2026-controlled-export.yaml`` (``--replications``, default
100), draws the monthly surplus against monthly exports to ``docs/img/headline.png``,
explores the futures of the scenario's ``uncertainties:`` (``--futures`` drawn as a Latin
hypercube, ``--future-replications`` each, as ``defsim explore`` does), finds with PRIM
the conditions under which exports absorb less than half the base case's share of the
starting surplus (as ``defsim discover`` does), and writes the text between the
``<!-- headline:start -->`` and ``<!-- headline:end -->`` markers of README.md.

Usage::

    python docs/gen_headline.py [--replications N] [--futures F] [--workers W]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from sim import load_scenario, simulate
from sim.analysis.explore import discover, run_explore, summary, write_exploration
from sim.analysis.explore.discover import Discovery
from sim.api import RunResult
from sim.metrics import MONTHLY_METRICS
from sim.report.charts import COLOURS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_scenarios import fmt_estimate, fmt_value, replace_between

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "ukraine-2026-controlled-export.yaml"
IMAGE = ROOT / "docs" / "img" / "headline.png"
README = ROOT / "README.md"

FAILURE = "absorption_of_initial_surplus"
"""The outcome whose failure ``discover`` explains: below half the base case's mean."""


def monthly_series(result: RunResult, metric: str, stat: str = "mean") -> np.ndarray:
    """One monthly series of the whole industry (group ``all``), in USD billions."""
    values = getattr(result.monthly, stat)[:, 0, MONTHLY_METRICS.index(metric)]
    return np.asarray(values) / 1e9


def plot_headline(result: RunResult, ax: Axes | None = None) -> Axes:
    """Monthly surplus (capacity the budget leaves unbought) against monthly exports."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.2))
    months = np.arange(result.scenario.months)
    labels = result.month_labels
    surplus = monthly_series(result, "surplus_usd")
    export = monthly_series(result, "export_usd")
    ax.fill_between(months, 0, surplus, color=COLOURS["surplus"], alpha=0.12, linewidth=0)
    ax.plot(months, surplus, color=COLOURS["surplus"], linestyle="--", linewidth=1.5,
            label="surplus (capacity − domestic)")
    low = monthly_series(result, "export_usd", "p05")
    high = monthly_series(result, "export_usd", "p95")
    ax.fill_between(months, low, high, color=COLOURS["export"], alpha=0.3, linewidth=0,
                    label="exports, 5–95% of replications")
    ax.plot(months, export, color=COLOURS["export"], linewidth=2, label="exports, mean")
    ax.plot(months, monthly_series(result, "domestic_usd"), color=COLOURS["domestic"],
            linestyle=":", linewidth=1.5, label="domestic procurement")
    ticks = [m for m in months if labels[m].endswith(("-01", "-07"))]
    ax.set_xticks(ticks, [labels[m] for m in ticks])
    ax.set_xlim(0, months[-1])
    ax.set_ylim(bottom=0)
    ax.set_ylabel("USD billions per month (domestic prices)")
    share = result.summary["absorption_share"]
    ax.set_title(f"{result.scenario.name}: exports absorb {fmt_estimate('absorption_share', share)}"
                 f" of the surplus\n(mean of {result.replications} replications, seed "
                 f"{result.seed}; colours as in every defsim chart)", fontsize=10)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=2, fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return ax


@dataclass
class Spread:
    """The answer across the futures of the scenario's uncertainties."""

    document: dict[str, Any]
    """``summary.json`` of the exploration."""
    found: Discovery
    """Where exports fail: PRIM's box, and every uncertainty ranked (PAWN)."""
    dimensions: int


def explore_spread(base_share: float, futures: int, replications: int,
                   workers: int) -> Spread:
    """Explore the 2026 scenario's futures and discover where exports fail."""
    scenario = load_scenario(SCENARIO)
    exploration = run_explore(scenario, futures, replications, workers=workers)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "explore"
        folder.mkdir()
        write_exploration(folder, exploration)
        found = discover(folder, FAILURE, 0.5 * base_share, "below")
    return Spread(summary(exploration), found, len(exploration.dimensions))


def spread_text(spread: Spread) -> str:
    """The answer's spread across the futures, what drives it, and when exports fail."""
    doc = spread.document
    outcomes = doc["outcomes"]["base"]

    def between(name: str) -> str:
        stats = outcomes[name]
        low, high = stats["p05"]["value"], stats["p95"]["value"]
        return f"{fmt_value(name, low)} to {fmt_value(name, high)}"

    noise = outcomes[FAILURE]["variance_share"]["assumptions"]
    ranking = spread.found.ranking
    above = [row for row in ranking if row["pawn_median"] > row["noise"]][:3]
    drivers = ", ".join(f"`{row['uncertainty']}` ({row['pawn_median']:.2f})" for row in above)
    return " ".join([
        f"**Across the assumptions.** Over the plausible ranges of the {spread.dimensions}",
        "assumptions in the scenario's `uncertainties:` section",
        f"({doc['futures']} futures drawn as a Latin hypercube, {doc['replications']}",
        "replications each, `defsim explore`), exports range from",
        f"{between('export_usd')} (5th to 95th percentile of the futures) and absorb",
        f"{between(FAILURE)} of the surplus at starting capacity;",
        f"{noise:.0%} of that spread is the assumptions, the rest Monte Carlo noise."
        if noise is not None else "",
        "The assumptions that move it more than chance (SALib PAWN median on those",
        f"futures, chance level {ranking[0]['noise']:.2f}): {drivers or 'none'}.",
        f"Where exports fail (`defsim discover`, PRIM): {spread.found.sentence()}.",
    ])


def headline_text(result: RunResult, spread: Spread | None = None) -> str:
    """The Markdown that goes between the README markers."""
    s = result.summary
    share = fmt_estimate("absorption_share", s["absorption_share"])
    exited = s["firms_exited"].mean

    def usd(name: str) -> str:
        return fmt_value(name, s[name].mean)

    paragraph = " ".join([
        "**How much of the surplus do exports absorb?** In the 2026 scenario",
        "([`ukraine-2026-controlled-export`](scenarios/ukraine-2026-controlled-export.yaml):",
        "over $55B of capacity, a $25B budget, the first wartime licences in February 2026,",
        "buyers ordering from March 2026 and contracts starting after 120 days of",
        "certification and negotiation, the armed forces' orders taking precedence over",
        f"export contracts), licensed exports of {usd('export_usd')} absorb **{share}** of",
        "the surplus over 2026–2028 (mean and 95% confidence interval over",
        f"{result.replications} replications; the interval is Monte Carlo noise only, the",
        "assumptions marked in the scenario file move the answer far more).",
        "Measured against the surplus at the industry's starting capacity they absorb",
        f"{fmt_estimate('absorption_of_initial_surplus', s['absorption_of_initial_surplus'])},",
        "and against the surplus of the sectors that may export",
        f"{fmt_estimate('absorption_share_exportable', s['absorption_share_exportable'])};",
        f"{usd('export_late_usd')} of them arrive after their due month. The first",
        f"deliveries come in {_first_export_month(result)}. What limits exports: of",
        f"{usd('export_demand_usd')} of foreign orders, joint lines abroad take",
        f"{usd('joint_production_usd')} and {usd('unmet_export_demand_usd')} go unmet",
        f"({usd('unmet_capacity_usd')} for want of room in the delivery window,",
        f"{usd('unmet_unlicensed_usd')} that unlicensed firms could have taken,",
        f"{usd('unmet_cancelled_usd')} cancelled when a firm exited): {_limit(result)}.",
        f"{exited:,.0f} of {s['firms_start'].mean:,.0f} firms exit;",
        "in its worst month a replication loses",
        f"{s['max_monthly_exit_share'].mean:.1%} of its active firms (mean over",
        "replications).",
        "The other scenarios and their answers",
        "are in [docs/scenarios.md](docs/scenarios.md), the model in",
        "[docs/model.md](docs/model.md).",
    ])
    return "\n".join([
        textwrap.fill(paragraph, width=90, break_long_words=False, break_on_hyphens=False),
        "",
        *([textwrap.fill(spread_text(spread), width=90, break_long_words=False,
                         break_on_hyphens=False), ""] if spread is not None else []),
        "![Monthly surplus and exports, 2026 scenario](docs/img/headline.png)",
        "",
        f"<sub>Generated by `python docs/gen_headline.py` (seed {result.seed}).</sub>",
    ])


def _limit(result: RunResult) -> str:
    """What limits exports most, in words, from the unmet demand and its causes."""
    s = result.summary
    demand, unmet = s["export_demand_usd"].mean, s["unmet_export_demand_usd"].mean
    if demand <= 0 or unmet < 0.2 * demand:
        return "foreign demand limits exports more than licences or capacity"
    causes = {
        "room in the delivery window": s["unmet_capacity_usd"].mean,
        "licences": s["unmet_unlicensed_usd"].mean,
        "firms that exit": s["unmet_cancelled_usd"].mean,
    }
    return f"what limits exports most is {max(causes, key=lambda k: causes[k])}"


def _annual_capacity(result: RunResult, month: int) -> str:
    return fmt_value("capacity_usd", 12e9 * float(monthly_series(result, "capacity_usd")[month]))


def _last_year_share(result: RunResult) -> float:
    export = monthly_series(result, "export_usd")[-12:].sum()
    surplus = monthly_series(result, "surplus_usd")[-12:].sum()
    return float(export / surplus) if surplus > 0 else 0.0


def _first_export_month(result: RunResult) -> str:
    exported = np.flatnonzero(monthly_series(result, "export_usd") > 0)
    if not exported.size:
        return "no month of the horizon"
    label = result.month_labels[int(exported[0])]
    return dt.datetime.strptime(label, "%Y-%m").strftime("%B %Y")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", "-n", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--futures", type=int, default=200)
    parser.add_argument("--future-replications", type=int, default=5)
    args = parser.parse_args(argv)
    result = simulate(load_scenario(SCENARIO), replications=args.replications, workers=args.workers)
    IMAGE.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(8, 4.2))
    plot_headline(result, ax)
    fig.tight_layout()
    fig.savefig(IMAGE, dpi=120, metadata={"Software": None})
    plt.close(fig)
    text = README.read_text(encoding="utf-8")
    base_share = result.summary[FAILURE].mean
    spread = explore_spread(base_share, args.futures, args.future_replications, args.workers)
    README.write_text(replace_between(text, "headline", headline_text(result, spread)),
                      encoding="utf-8")
    sys.stdout.write(f"wrote {IMAGE} and the headline in {README}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
