"""Fuzzing the scenario reader: mutated scenarios either run soundly or fail in clean lines.

Hypothesis mutates a valid scenario (drops, duplicates, retypes, renames and
perturbs fields, or damages the YAML text) and ``--set`` overrides. Each result
must either validate and run one replication with no invariant broken, or be
refused with a ``ScenarioError`` whose every line reads ``FILE:LINE: path: message``
(``--set N: path: message`` for overrides). Any other exception is a bug.
"""

from __future__ import annotations

import copy
import math
import os
import re
from typing import Any

import numpy as np
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sim.errors import ScenarioError
from sim.model import run_replication
from sim.model.records import invariant_violations
from sim.run.outcomes import outcome_row
from sim.scenario.io import scenario_from_text

FILE_LINE = re.compile(r"^.+:\d+: \S+: .+$")
SET_LINE = re.compile(r"^--set \d+: \S+: .+$")
MAX_FIRM_MONTHS = 200_000
"""Valid mutants bigger than this (firms x months) are validated but not run, to stay fast."""

BASE: dict[str, Any] = {
    "name": "fuzz",
    "start": "2026-01-01",
    "months": 6,
    "replications": 1,
    "seed": 4,
    "sectors": {
        "uav": {"firms": 4, "capacity_usd": 1.0e9, "margin": 0.15, "size_sigma": 1.0,
                "fixed_cost_share": 0.05, "cash_months": 6},
        "ew": {"firms": 3, "capacity_usd": 0.5e9, "margin": 0.1, "exportable": False},
    },
    "procurement": {"budget_usd": 0.8e9, "budget_growth": 0.0,
                    "sector_shares": {"uav": 0.6, "ew": 0.4}, "tranche": "monthly",
                    "allocation": "pro_rata", "payment_delay_days": 30},
    "licensing": {
        "opens": "2025-12-01",
        "commission": {"meeting_every_days": 30, "decisions_per_meeting": 10,
                       "pauses": [{"start": "2026-02-01", "end": "2026-02-20"}]},
        "approval_rate": {"uav": 0.7, "default": 0.3},
        "licence_months": 12, "export_cap_share": 0.5, "apply_when_idle_share": 0.2,
        "preparation_days": 30, "reapply_after_days": 90,
    },
    "markets": {"eu": {"opens": "2026-02-01", "demand_usd": {"uav": 1.0e9}, "order_usd": 10.0e6,
                       "delivery_months": 6, "price_premium": 0.2}},
    "export_centres": {"count": 3, "opens": "2026-03-01", "demand_uplift": 0.05},
    "reinvestment": {"export_levy": 0.1, "capacity_reinvest": 0.3},
    "joint_production": [{"partner": "de", "sector": "uav", "start": "2026-02-01",
                          "capacity_usd": 1.0e8, "royalty": 0.05, "serves": "eu"}],
    "exits": {"grace_months": 2, "outcomes": {"bankrupt": 0.6, "migrated": 0.25, "acquired": 0.15}},
}

ODD_VALUES = st.sampled_from([
    None, True, False, "", "text", "2026-13-01", "2026-02-30", [], [1, 2], {}, {"a": 1},
    0, -1, 1, 2**70, 0.5, -0.5, 1e308, -1e308, math.nan, math.inf, -math.inf, "1e9", "  ",
    "uav", "eu", "default", "2027-01-01",
])
FACTORS = st.sampled_from([-1.0, 0.0, 1e-6, 0.5, 0.999, 1.001, 2.0, 10.0, 1e6])


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key and list item in the tree, by path."""
    found: list[tuple[Any, ...]] = []
    if isinstance(node, dict):
        items = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        items = []
    for key, child in items:
        found.append((*prefix, key))
        found.extend(paths(child, (*prefix, key)))
    return found


def parent_of(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


def perturb(value: Any, factor: float, shift: int) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return int(value * factor) + shift
    if isinstance(value, float):
        return value * factor + shift
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        year, month, day = (int(x) for x in value.split("-"))
        if factor > 1:
            return f"{year + shift:04d}-{month:02d}-{day:02d}"
        return f"{year}-{month:02d}-15"
    if isinstance(value, str):
        return value[::-1] + "x" * shift
    return value


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A scenario's YAML text after one to three mutations."""
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        every = paths(data)
        if not every:
            break
        path = draw(st.sampled_from(every))
        parent, key = parent_of(data, path), path[-1]
        op = draw(st.sampled_from(["drop", "retype", "perturb", "rename", "copy"]))
        if op == "drop":
            del parent[key]
        elif op == "retype":
            parent[key] = copy.deepcopy(draw(ODD_VALUES))  # later mutations must not reach it
        elif op == "perturb":
            parent[key] = perturb(parent[key], draw(FACTORS), draw(st.integers(-2, 2)))
        elif op == "rename" and isinstance(parent, dict):
            name = draw(st.sampled_from([f"{key}s", str(key)[:-1], str(key).upper(), "bogus",
                                         f"{key} x", "uav", "eu", "default"]))
            parent[name] = parent.pop(key)
        elif op == "copy" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
    text = yaml.safe_dump(data, sort_keys=False)
    if draw(st.booleans()):
        lines = text.splitlines(keepends=True)
        i = draw(st.integers(0, len(lines) - 1))
        damage = draw(st.sampled_from(["duplicate", "tab", "delete", "indent", "bracket"]))
        if damage == "duplicate":
            lines.insert(i, lines[i])
        elif damage == "tab":
            lines[i] = "\t" + lines[i].lstrip(" ")
        elif damage == "delete":
            del lines[i]
        elif damage == "indent":
            lines[i] = "  " + lines[i]
        else:
            lines[i] = lines[i].rstrip("\n") + " [\n"
        text = "".join(lines)
    return text


def check_outcome(text: str, overrides: list[str] | None = None) -> str:
    """Validate and run, or check the error lines; returns what happened."""
    try:
        scenario = scenario_from_text(text, "fuzz.yaml", overrides)
    except ScenarioError as err:
        lines = str(err).splitlines()
        assert lines, "an error must say something"
        for line in lines:
            assert FILE_LINE.match(line) or SET_LINE.match(line), line
            if overrides is None:
                assert FILE_LINE.match(line) and not line.startswith("--set"), line
        return "rejected"
    firms = sum(s.firms for s in scenario.sectors.values())
    if firms * scenario.months > MAX_FIRM_MONTHS:
        return "too big to run here"
    record = run_replication(scenario, 0, scenario.seed)
    assert invariant_violations(record) == []
    row = outcome_row(record)
    assert not np.isinf(row).any()
    return "ran"


FUZZ = settings(max_examples=int(os.environ.get("DEFSIM_FUZZ_EXAMPLES", "300")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def test_the_unmutated_base_runs() -> None:
    assert check_outcome(yaml.safe_dump(BASE, sort_keys=False)) == "ran"


@FUZZ
@given(mutated())
def test_mutated_scenarios_run_or_fail_cleanly(text: str) -> None:
    event(check_outcome(text))


SET_PATHS = st.sampled_from([*paths(BASE), ("bogus",), ("sectors", "tanks", "firms"),
                             ("joint_production", 5, "royalty"), ("months", "x")])
SET_VALUES = st.sampled_from([
    "0.3", "2", "12", "0.9", "0.05", "5.0e8", "2026-06-01", "quarterly", "random",
    "0", "-1", "1", "3", "0.5", "1e9", ".nan", ".inf", "-.inf", "true", "null", "''", "text",
    "[1, 2]", "{a: 1}", "{uav: 1.0}", "2026-01-01", "2026-13-01", "[", "*x",
    "!!python/name:os.system",
    "{firms: 2, capacity_usd: 1.0e9, margin: 0.1}", "[{start: 2026-03-01, end: 2026-02-01}]",
])


@FUZZ
@given(st.lists(st.tuples(SET_PATHS, SET_VALUES), min_size=1, max_size=3))
def test_random_overrides_run_or_fail_cleanly(pairs: list[tuple[tuple[Any, ...], str]]) -> None:
    overrides = [".".join(str(p) for p in path) + "=" + value for path, value in pairs]
    event(check_outcome(yaml.safe_dump(BASE, sort_keys=False), overrides))


@FUZZ
@given(st.text(max_size=200))
def test_arbitrary_text_fails_cleanly(text: str) -> None:
    check_outcome(text)


@FUZZ
@given(st.text(max_size=40))
def test_arbitrary_override_text_fails_cleanly(text: str) -> None:
    check_outcome(yaml.safe_dump(BASE, sort_keys=False), [text])
