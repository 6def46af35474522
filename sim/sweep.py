"""Parameter sweeps: the same scenario run over a line or grid of lever settings.

In EMA Workbench's words, a sweep varies *levers* (what policy sets: budget,
approval rates, commission cadence, export caps) or *uncertainties* (what
nobody sets: export demand, firm sizes) over a full-factorial design and
reports the *outcomes* (``sim.metrics.KEY_METRICS``) at every point. Every
point runs with the same seed, so points share their random numbers (common
random numbers) and differences between points come from the settings, not
from sampling noise.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import InputError
from sim.metrics import KEY_METRICS, OUTCOMES
from sim.results import RunResult, default_out_dir
from sim.runner import simulate, worker_pool
from sim.scenario.io import field_annotation, parse_override, scenario_from_text, scenario_to_yaml
from sim.scenario.schema import Scenario
from sim.stats import Estimate

__all__ = [
    "DEFAULT_REPLICATIONS",
    "TABLE_METRICS",
    "Lever",
    "Sweep",
    "SweepPoint",
    "factor_kind",
    "field_type",
    "full_factorial",
    "iter_rows",
    "out_dir",
    "parse_vary",
    "point_scenarios",
    "point_writer",
    "run_sweep",
    "shared_executor",
    "write_sweep",
]

DEFAULT_REPLICATIONS = 30
"""Replications per point unless -n says otherwise (or the scenario's own, if fewer)."""
TABLE_METRICS = {
    "absorption_share": "absorption share",
    "export_usd": "exports",
    "surplus_usd": "surplus",
    "unspent_budget_usd": "unspent budget",
    "firms_bankrupt": "firms bankrupt",
}
"""Outcomes shown in the terminal table, with their headings (sweep.csv has every key metric)."""
MAX_POINTS = 10_000
"""A design larger than this is almost certainly a typo in STEPS."""

UNCERTAINTY_PREFIXES = ("markets.", "sectors.", "export_centres.demand_uplift", "exits.outcomes")
"""Dotted paths that describe the world rather than policy (EMA Workbench: uncertainties)."""

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Lever:
    """One varied scenario field and the values it takes, in order."""

    path: str
    values: tuple[Any, ...]

    @property
    def numeric(self) -> bool:
        return all(isinstance(v, int | float) and not isinstance(v, bool) for v in self.values)

    @property
    def kind(self) -> str:
        return factor_kind(self.path)


@dataclass(frozen=True)
class SweepPoint:
    """One point of the design: its settings and the outcomes' estimates there."""

    index: int
    settings: dict[str, Any]
    summary: dict[str, Estimate]

    @property
    def label(self) -> str:
        return f"{self.index:03d}"


@dataclass(frozen=True)
class Sweep:
    """A completed sweep: one ``SweepPoint`` per design point, in design order."""

    scenario: Scenario
    """The base scenario (``--set`` applied, levers not)."""
    levers: tuple[Lever, ...]
    seed: int
    replications: int
    points: tuple[SweepPoint, ...]

    def column(self, metric: str, field: str = "mean") -> np.ndarray:
        """``field`` (mean, ci_low, ci_high) of ``metric`` at every point; NaN where undefined."""
        values = [getattr(p.summary[metric], field) for p in self.points]
        return np.array([np.nan if v is None else v for v in values], dtype=float)

    def grid(self, metric: str, field: str = "mean") -> np.ndarray:
        """For a two-lever sweep: array (len(levers[0].values), len(levers[1].values))."""
        shape = tuple(len(lever.values) for lever in self.levers)
        return self.column(metric, field).reshape(shape)

    def csv_text(self, metrics: Sequence[str] = KEY_METRICS) -> str:
        """``sweep.csv``: a row per point; lever values, then mean, ci_low, ci_high per outcome."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        stats = ("mean", "ci_low", "ci_high")
        writer.writerow(
            [
                "point",
                *(lv.path for lv in self.levers),
                *(f"{m}_{s}" for m in metrics for s in stats),
            ]
        )
        for p in self.points:
            cells = [_cell(getattr(p.summary[m], s)) for m in metrics for s in stats]
            writer.writerow([p.label, *(_cell(p.settings[lv.path]) for lv in self.levers), *cells])
        return out.getvalue()


# --- design --------------------------------------------------------------------------


def parse_vary(text: str) -> Lever:
    """Read ``path=START:STOP:STEPS`` (evenly spaced, both ends included) or ``path=v1,v2,...``.

    Listed values are read as YAML, so ``pro_rata,largest_first`` and ``0.3,0.5`` both work.
    A range over an integer field is rounded to whole numbers (duplicates dropped).
    """
    if "=" not in text:
        raise InputError(
            f"--vary {text}: expected dotted.path=START:STOP:STEPS or dotted.path=v1,v2,..."
        )
    path, raw = (part.strip() for part in text.split("=", 1))
    if not path or not raw:
        raise InputError(f"--vary {text}: both the path and the values are needed")
    if ":" in raw:
        return Lever(path, _range_values(path, raw))
    values = tuple(parse_override(f"{path}={item.strip()}")[1] for item in raw.split(","))
    return Lever(path, values)


def _range_values(path: str, raw: str) -> tuple[Any, ...]:
    parts = [parse_override(f"{path}={p.strip()}")[1] for p in raw.split(":")]
    numbers = [p for p in parts if isinstance(p, int | float) and not isinstance(p, bool)]
    if len(parts) != 3 or len(numbers) != 3 or not float(parts[2]).is_integer() or parts[2] < 1:
        raise InputError(
            f"--vary {path}={raw}: expected START:STOP:STEPS with numbers and STEPS >= 1"
        )
    start, stop, steps = float(parts[0]), float(parts[1]), int(parts[2])
    grid = np.linspace(start, stop, steps)
    if field_type(path) is int:
        return tuple(dict.fromkeys(round(float(v)) for v in grid))
    return tuple(float(v) for v in grid)


def full_factorial(levers: Sequence[Lever]) -> list[dict[str, Any]]:
    """Every combination of lever values; the last lever varies fastest."""
    paths = [lever.path for lever in levers]
    if len(set(paths)) != len(paths):
        raise InputError("--vary: the same path is varied twice")
    size = int(np.prod([len(lever.values) for lever in levers]))
    if size > MAX_POINTS:
        raise InputError(f"--vary: {size:,} points; the limit is {MAX_POINTS:,}")
    return [
        dict(zip(paths, combo, strict=True))
        for combo in itertools.product(*(lv.values for lv in levers))
    ]


def point_scenarios(base: Scenario, settings: Sequence[dict[str, Any]]) -> list[Scenario]:
    """The scenario at every point, all validated before anything runs."""
    text = scenario_to_yaml(base)
    return [scenario_from_text(text, f"{base.name} (sweep)", point) for point in settings]


def field_type(path: str) -> Any:
    """The Python type a dotted scenario path holds (``int``, ``float``, ``str``...), or None."""
    return field_annotation(tuple(path.split(".")))


def factor_kind(path: str) -> str:
    """``uncertainty`` for fields describing the world (demand, firms), else ``lever``."""
    return "uncertainty" if path.startswith(UNCERTAINTY_PREFIXES) else "lever"


# --- running -------------------------------------------------------------------------


def shared_executor(workers: int | None, scheduler: str | None) -> AbstractContextManager[Any]:
    """One local process pool for all points (none with a Dask scheduler or one worker)."""
    return nullcontext(None) if scheduler is not None else worker_pool(workers)


def run_sweep(
    base: Scenario,
    levers: Sequence[Lever],
    replications: int,
    seed: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    *,
    progress: Progress | None = None,
    on_point: Callable[[SweepPoint, RunResult], None] | None = None,
) -> Sweep:
    """Run ``replications`` at every point of the full-factorial design over ``levers``.

    Each point goes through ``sim.runner.simulate`` with the same ``seed``
    (default: the scenario's), ``workers`` and ``scheduler``. ``progress`` sees
    replications done over the whole sweep; ``on_point`` sees each point's full
    result (to write its run folder) before it is reduced to its summary.
    """
    seed = base.seed if seed is None else seed
    settings = full_factorial(levers)
    scenarios = point_scenarios(base, settings)
    total = len(scenarios) * replications
    points: list[SweepPoint] = []
    with shared_executor(workers, scheduler) as pool:
        for index, (setting, scenario) in enumerate(zip(settings, scenarios, strict=True)):
            result = simulate(
                scenario,
                replications,
                seed,
                workers,
                scheduler,
                pool=pool,
                progress=_offset(progress, index * replications, total),
            )
            point = SweepPoint(index, setting, {m: result.summary[m] for m in OUTCOMES})
            if on_point is not None:
                on_point(point, result)
            points.append(point)
    return Sweep(base, tuple(levers), seed, replications, tuple(points))


def _offset(progress: Progress | None, done_before: int, total: int) -> Progress | None:
    if progress is None:
        return None

    def update(done: int, planned: int) -> None:
        progress(done_before + done, total)

    return update


def point_writer(folder: Path) -> Callable[[SweepPoint, RunResult], None]:
    """``on_point`` that writes each point's run folder to ``folder/points/NNN``."""

    def write(point: SweepPoint, result: RunResult) -> None:
        target = folder / "points" / point.label
        target.mkdir(parents=True)
        result.write_files(target)

    return write


def write_sweep(
    folder: Path, sweep: Sweep, info: dict[str, Any] | None = None, plots: bool = True
) -> None:
    """Write ``sweep.csv``, the base ``scenario.yaml``, ``manifest.json`` and ``plots/``."""
    (folder / "sweep.csv").write_text(sweep.csv_text(), encoding="utf-8")
    (folder / "scenario.yaml").write_text(scenario_to_yaml(sweep.scenario), encoding="utf-8")
    manifest = {
        "kind": "sweep",
        "scenario": sweep.scenario.name,
        "seed": sweep.seed,
        "replications": sweep.replications,
        "points": len(sweep.points),
        "design": "full factorial, common random numbers (same seed at every point)",
        "levers": {lv.path: list(lv.values) for lv in sweep.levers if lv.kind == "lever"},
        "uncertainties": {
            lv.path: list(lv.values) for lv in sweep.levers if lv.kind == "uncertainty"
        },
        "outcomes": list(KEY_METRICS),
        **(info or {}),
    }
    (folder / "manifest.json").write_text(
        json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8"
    )
    if plots:
        from sim.sweep_plots import write_sweep_plots

        write_sweep_plots(folder / "plots", sweep)


def out_dir(scenario: Scenario, kind: str, root: Path = Path("results")) -> Path:
    """Default folder of a sweep or sensitivity run: ``results/<name>-<kind>/<UTC time>``."""
    stamped = default_out_dir(scenario, root)
    return root / f"{scenario.name}-{kind}" / stamped.name


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if not np.isfinite(value):
            return ""
        return repr(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    return str(value)


def iter_rows(sweep: Sweep) -> Iterator[tuple[SweepPoint, list[Any]]]:
    """Each point with its lever values in lever order (for tables)."""
    for p in sweep.points:
        yield p, [p.settings[lv.path] for lv in sweep.levers]
