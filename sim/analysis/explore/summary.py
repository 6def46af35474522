"""What an exploration says: each outcome's spread across futures, and policies against the base.

Spread: the 5th, 50th and 95th percentiles and the mean of an outcome's per-future
means, each with a 95% Monte Carlo interval (distribution-free order-statistic
intervals for the percentiles, Student t for the mean), and the share of the
outcome's variance that the assumptions explain against replication noise.

Policies: in every future, a policy's gain over the base is paired (common random
numbers). A policy *beats* the base in a future when its mean gain there is in the
outcome's better direction; its *regret* in a future is how far it falls short of
the best policy there (Savage's regret, as in EMA Workbench and Rhodium).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from sim.analysis.explore.design import BASE
from sim.analysis.explore.run import Exploration
from sim.metrics import format_change, format_value
from sim.stats import QUANTILES, Estimate, estimate

__all__ = [
    "BETTER",
    "COMPARISON_HEADERS",
    "POLICY_OUTCOMES",
    "SPREAD_HEADERS",
    "comparison_rows",
    "policy_comparison",
    "spread",
    "spread_rows",
    "summary",
    "variance_shares",
    "verdicts",
]

BETTER: dict[str, int] = {
    "export_usd": 1,
    "absorption_share": 1,
    "absorption_of_initial_surplus": 1,
    "absorption_share_exportable": 1,
    "firms_exited": -1,
}
"""The key outcomes policies are judged on, and their better direction (+1 more, -1 fewer)."""
POLICY_OUTCOMES: tuple[str, ...] = tuple(BETTER)


def spread(means: np.ndarray) -> dict[str, dict[str, float | None]]:
    """p05, p50, p95 and mean of the per-future ``means``, each with its 95% interval."""
    from scipy.stats import quantile_test  # scipy.stats is slow to import: only when summing up

    finite = means[np.isfinite(means)]
    out: dict[str, dict[str, float | None]] = {}
    for q in QUANTILES:
        if finite.size == 0:
            out[f"p{round(q * 100):02d}"] = {"value": None, "ci_low": None, "ci_high": None}
            continue
        ci = quantile_test(finite, q=float(np.median(finite)), p=q).confidence_interval(0.95)
        out[f"p{round(q * 100):02d}"] = {
            "value": float(np.quantile(finite, q)),
            "ci_low": _number(ci.low),
            "ci_high": _number(ci.high),
        }
    mean = estimate(finite)
    out["mean"] = {"value": mean.mean, "ci_low": mean.ci_low, "ci_high": mean.ci_high}
    return out


def variance_shares(values: np.ndarray) -> dict[str, float | None]:
    """Shares of one replication's variance due to the assumptions and to noise (sum 1).

    ``values`` is (futures, replications). One-way random-effects decomposition: the
    noise variance is the mean within-future variance; the assumptions' is the
    variance of the future means less the noise it carries (never below 0).
    """
    if values.shape[0] < 2 or values.shape[1] < 2 or not np.all(np.isfinite(values)):
        return {"assumptions": None, "noise": None}
    noise = float(values.var(axis=1, ddof=1).mean())
    between = max(0.0, float(values.mean(axis=1).var(ddof=1)) - noise / values.shape[1])
    total = between + noise
    if total == 0.0:
        return {"assumptions": None, "noise": None}
    return {"assumptions": between / total, "noise": noise / total}


def policy_comparison(exp: Exploration, outcome: str) -> dict[str, dict[str, Any]]:
    """Per policy but the base: share of futures better and worse, paired gain, worst regret."""
    direction = BETTER[outcome]
    base = exp.means(BASE, outcome)
    means = {p.name: exp.means(p.name, outcome) for p in exp.policies}
    best = np.nanmax(np.stack([m * direction for m in means.values()]), axis=0)
    out: dict[str, dict[str, Any]] = {}
    for name, mean in means.items():
        regret = best - mean * direction
        row: dict[str, Any] = {"max_regret": _number(np.nanmax(regret)) if regret.size else None}
        if name != BASE:
            gain = mean - base
            known = np.isfinite(gain)
            futures = max(int(known.sum()), 1)
            row["share_better"] = float((gain[known] * direction > 0).sum() / futures)
            row["share_worse"] = float((gain[known] * direction < 0).sum() / futures)
            row["gain"] = _as_dict(estimate(gain))
        out[name] = row
    return out


def summary(exp: Exploration) -> dict[str, Any]:
    """``summary.json``: spread and variance shares per policy and outcome, then the policies."""
    outcomes: dict[str, Any] = {}
    for policy in exp.policies:
        outcomes[policy.name] = {
            o: {**spread(exp.means(policy.name, o)),
                "variance_share": variance_shares(exp.of(policy.name, o))}
            for o in exp.outcomes
        }
    return {
        "scenario": exp.scenario.name,
        "seed": exp.seed,
        "futures": len(exp.futures),
        "replications": exp.replications,
        "policies": {p.name: p.settings for p in exp.policies},
        "outcomes": outcomes,
        "comparison": {o: policy_comparison(exp, o) for o in POLICY_OUTCOMES}
        if len(exp.policies) > 1 else {},
    }


def _as_dict(est: Estimate) -> dict[str, float | int | None]:
    return {"mean": est.mean, "ci_low": est.ci_low, "ci_high": est.ci_high, "n": est.n}


def _number(value: Any) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def spread_rows(
    document: Mapping[str, Any], policy: str = BASE, names: Sequence[str] | None = None
) -> list[list[str]]:
    """Rows for people: outcome, p05, p50, p95, mean (95% CI), share due to the assumptions.

    ``names``: the outcomes to show (default: every outcome of the exploration).
    """
    rows = []
    for name, stats in document["outcomes"][policy].items():
        if names is not None and name not in names:
            continue
        mean = stats["mean"]
        share = stats["variance_share"]["assumptions"]
        rows.append([
            name,
            *(format_value(name, stats[q]["value"]) for q in ("p05", "p50", "p95")),
            _with_interval(format_value, name, mean["value"], mean),
            "n/a" if share is None else f"{share:.0%}",
        ])
    return rows


SPREAD_HEADERS = ("outcome", "p05", "p50", "p95", "mean (95% CI)", "due to assumptions")
COMPARISON_HEADERS = ("policy", "outcome", "futures better", "futures worse",
                      "mean gain (95% CI)", "worst regret")


def comparison_rows(document: Mapping[str, Any]) -> list[list[str]]:
    """Rows for people: each policy and key outcome, how often and how much it beats the base."""
    rows = []
    for outcome, policies in document["comparison"].items():
        for policy, row in policies.items():
            if policy == BASE:
                continue
            gain = row["gain"]
            rows.append([
                policy,
                outcome,
                f"{row['share_better']:.0%}",
                f"{row['share_worse']:.0%}",
                _with_interval(format_change, outcome, gain["mean"], gain),
                format_value(outcome, row["max_regret"]),
            ])
    rows.sort(key=lambda r: (r[0], POLICY_OUTCOMES.index(r[1])))
    return rows


def verdicts(document: Mapping[str, Any]) -> list[str]:
    """One sentence per policy: the key outcomes it improves in most futures, and those it harms."""
    lines = []
    policies = [p for p in document["policies"] if p != BASE]
    for policy in policies:
        rows = {o: document["comparison"][o][policy] for o in POLICY_OUTCOMES}
        helps = [o for o, r in rows.items() if r["share_better"] > 0.5]
        harms = [o for o, r in rows.items() if r["share_worse"] > 0.5]
        text = f"{policy}: better than the base in most futures on "
        text += ", ".join(helps) if helps else "no key outcome"
        if harms:
            text += f"; worse on {', '.join(harms)}"
        lines.append(text + ".")
    return lines


def _with_interval(
    form: Callable[[str, float], str], name: str, value: float, estimate: Mapping[str, Any]
) -> str:
    """``value`` formatted by ``form``, with the estimate's 95% CI when it has one."""
    if estimate["ci_low"] is None:
        return form(name, value)
    low, high = (form(name, estimate[end]) for end in ("ci_low", "ci_high"))
    return f"{form(name, value)} ({low} .. {high})"
