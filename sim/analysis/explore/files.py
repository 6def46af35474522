"""The experiment folder of an exploration, and reading it back for ``defsim discover``.

- ``experiments.csv``: a row per future and policy: the sampled value of every
  uncertainty, then each key outcome's mean and 95% CI half-width over the replications;
- ``summary.json``: per policy and outcome, the spread across futures and the variance
  shares (``sim.analysis.explore.summary``), and the policies against the base;
- ``scenario.yaml`` (the base, with its uncertainties), ``manifest.json``, ``plots/``
  and ``report.html``.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from sim.analysis.explore.design import Dimension
from sim.analysis.explore.run import Exploration
from sim.analysis.explore.summary import summary
from sim.errors import InputError
from sim.results.files import number
from sim.scenario.io import scenario_to_yaml
from sim.stats import estimate

__all__ = ["ExperimentTable", "experiments_csv", "read_experiments", "write_exploration"]

KIND = "explore"
"""``manifest.json``'s ``kind`` for an experiment folder."""


def experiments_csv(exp: Exploration) -> str:
    """``experiments.csv``: future, policy, the uncertainties, then each outcome's mean and
    CI half-width over the replications."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    paths = [d.path for d in exp.dimensions]
    stats = ("mean", "halfwidth")
    columns = [f"{o}_{s}" for o in exp.outcomes for s in stats]
    writer.writerow(["future", "policy", *paths, *columns])
    for i, future in enumerate(exp.futures):
        for j, policy in enumerate(exp.policies):
            cells = []
            for k in range(len(exp.outcomes)):
                est = estimate(exp.values[j, i, :, k])
                half = est.halfwidth if est.ci_high is not None else None
                cells += [_cell(est.mean), _cell(half)]
            writer.writerow([i, policy.name, *(_cell(future[p]) for p in paths), *cells])
    return out.getvalue()


def write_exploration(
    folder: Path, exp: Exploration, info: Mapping[str, Any] | None = None
) -> None:
    """Every file of the experiment folder into the empty ``folder``."""
    from sim.analysis.explore.report import write_report  # matplotlib, only when drawing

    (folder / "experiments.csv").write_text(experiments_csv(exp), encoding="utf-8")
    document = summary(exp)
    (folder / "summary.json").write_text(_json(document), encoding="utf-8")
    (folder / "scenario.yaml").write_text(scenario_to_yaml(exp.scenario), encoding="utf-8")
    manifest = {
        "kind": KIND,
        "defsim_version": metadata.version("defsim"),
        "python": sys.version.split()[0],
        "scenario": exp.scenario.name,
        "seed": exp.seed,
        "futures": len(exp.futures),
        "replications": exp.replications,
        "design": "Latin hypercube (scipy.stats.qmc.LatinHypercube seeded with the seed); "
                  "common random numbers: replication k draws the same streams in every "
                  "future and under every policy",
        "uncertainties": {
            d.path: {"distribution": d.uncertainty.kind,
                     "values": _parameters(d),
                     "source": d.uncertainty.source}
            for d in exp.dimensions
        },
        "categorical": [d.path for d in exp.dimensions if d.categorical],
        "policies": {p.name: p.settings for p in exp.policies},
        "outcomes": list(exp.outcomes),
        **(info or {}),
    }
    (folder / "manifest.json").write_text(_json(manifest), encoding="utf-8")
    write_report(folder, exp, document)


@dataclass(frozen=True)
class ExperimentTable:
    """An experiment folder read back: the sampled uncertainties and outcome means per row."""

    folder: Path
    manifest: dict[str, Any]
    uncertainties: tuple[str, ...]
    categorical: tuple[str, ...]
    rows: list[dict[str, str]]
    """``experiments.csv`` as read, one mapping per future and policy."""

    def policy_rows(self, policy: str) -> list[dict[str, str]]:
        """The rows of one policy, in future order; InputError for a policy not run."""
        rows = [r for r in self.rows if r["policy"] == policy]
        if not rows:
            known = ", ".join(self.manifest.get("policies", {}))
            raise InputError(f"--policy {policy}: not in this experiment (it has: {known})")
        return rows

    def outcome(self, rows: list[dict[str, str]], name: str) -> np.ndarray:
        """The mean of outcome ``name`` in every row; InputError for an unknown outcome."""
        column = f"{name}_mean"
        if column not in self.rows[0]:
            known = ", ".join(self.manifest.get("outcomes", []))
            raise InputError(f"--metric {name}: not an outcome of this experiment ({known})")
        return np.array([float(r[column]) if r[column] else np.nan for r in rows])


def read_experiments(folder: Path) -> ExperimentTable:
    """An experiment folder written by ``defsim explore``; InputError if it is not one."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        with (folder / "experiments.csv").open(encoding="utf-8", newline="") as file:
            rows = list(csv.DictReader(file))
    except (OSError, ValueError) as err:
        raise InputError(f"{folder}: not an experiment folder of defsim explore ({err})") from None
    if not isinstance(manifest, dict) or manifest.get("kind") != KIND or not rows:
        raise InputError(f"{folder}: not an experiment folder of defsim explore")
    return ExperimentTable(
        folder,
        manifest,
        tuple(manifest.get("uncertainties", {})),
        tuple(manifest.get("categorical", [])),
        rows,
    )


def _parameters(dimension: Dimension) -> list[Any]:
    unc = dimension.uncertainty
    return list(unc.uniform or unc.loguniform or unc.triangular or unc.choice or ())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return number(value)


def _json(document: Any) -> str:
    return json.dumps(document, indent=2, default=str) + "\n"
