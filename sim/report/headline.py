"""The answer in one paragraph: what a reader of a run's report sees first.

defsim answers one question (DESIGN.md): how much of the surplus do exports
absorb, and which firms exit waiting? The headline states it for one run, in
words, with the 95% intervals, from the run's ``summary.json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.metrics import format_value, shown_alike

__all__ = ["headline", "with_interval"]


def with_interval(name: str, est: Mapping[str, Any] | None) -> str:
    """``25.9% (95% CI 25.7% – 26.1%)``; just the mean when it does not vary or has no CI."""
    if not est or est.get("mean") is None:
        return "n/a"
    mean = format_value(name, est["mean"])
    low, high = est.get("ci_low"), est.get("ci_high")
    if low is None or high is None or shown_alike(name, low, high):
        return mean
    ends = [format_value(name, v) for v in (low, high)]
    return f"{mean} (95% CI {ends[0]} – {ends[1]})"


def headline(metrics: Mapping[str, Any], months: tuple[str, ...], replications: int) -> str:
    """Exports in USD, the three absorption shares and the exits, with their intervals."""
    def value(name: str) -> str:
        return with_interval(name, metrics.get(name))

    start = metrics.get("firms_start", {}).get("mean")
    of_firms = f" of {format_value('firms_start', start).removesuffix('.0')}" if start else ""
    return (
        f"Over {months[0]} to {months[-1]} ({len(months)} months, mean of {replications} "
        f"replications), licensed exports of {value('export_usd')} at domestic prices absorb "
        f"{value('absorption_share')} of the surplus (capacity not bought by the domestic "
        f"budget); {value('absorption_of_initial_surplus')} of the surplus at starting "
        f"capacity, and {value('absorption_share_exportable')} of the surplus of the sectors "
        f"that may export. {value('firms_exited')}{of_firms} firms exit "
        f"(in the worst month, {value('max_monthly_exit_share')} of the active firms)."
    )
