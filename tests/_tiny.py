"""A tiny saved run for the plot, report, comparison and trace tests.

Three sectors, two export markets, a commission pause: every chart has data.
Runs are written with ``defsim run`` or ``simulate(...).save`` into pytest's
temporary folders; nothing is seeded globally.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from builders import scenario_dict

from sim import load_scenario, simulate
from sim.cli import main

DESCRIPTION = "Tiny <b>test</b> scenario & friends"
"""Contains HTML metacharacters, to check the report escapes them."""


def tiny_dict(**changes: Any) -> dict[str, Any]:
    """The tiny scenario of ``builders`` with a third sector, a pause and a second market."""
    data = scenario_dict(**changes)
    data.setdefault("description", DESCRIPTION)
    data["months"] = changes.get("months", 15)
    ew = {"firms": 12, "capacity_usd": 0.5e9, "margin": 0.15}
    data["sectors"].setdefault("electronic_warfare", ew)
    shares = {"uav": 0.4, "artillery": 0.4, "electronic_warfare": 0.2}
    data["procurement"]["sector_shares"] = shares
    data["licensing"]["commission"]["pauses"] = [{"start": "2026-04-01", "end": "2026-06-15"}]
    west = {"opens": "2026-03-01", "order_usd": 8e6, "delivery_months": 4,
            "demand_usd": {"uav": 0.2e9, "electronic_warfare": 0.2e9}}
    data["markets"].setdefault("west", west)
    return data


def write_tiny(folder: Path, name: str = "tiny.yaml", **changes: Any) -> Path:
    """The tiny scenario as a YAML file in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(tiny_dict(**changes), sort_keys=False), encoding="utf-8")
    return path


def save_run(scenario_file: Path, out: Path, replications: int = 4, seed: int = 11,
             overrides: dict[str, Any] | None = None, plots: bool = False) -> Path:
    """Simulate in this process and write the run folder (without charts unless asked)."""
    sc = load_scenario(scenario_file, overrides=overrides)
    return simulate(sc, replications=replications, seed=seed, workers=1).save(out, plots=plots)


def cli(*args: str) -> int:
    """``defsim ARGS`` in this process; returns the exit code."""
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
        raise SystemExit(0)
    return int(exit_.value.code or 0)


def cli_run(scenario_file: Path, out: Path, *args: str) -> Path:
    """``defsim run`` with the tiny settings: 4 replications, one worker, quiet."""
    code = cli("run", str(scenario_file), "-n", "4", "--workers", "1", "--quiet",
               "--out", str(out), *args)
    assert code == 0
    return out
