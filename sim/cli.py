"""The ``defsim`` command: parse the options, call the API, print. Nothing else lives here.

Every file a command writes is written by the layer that owns its format
(``sim.results``, ``sim.report``, ``sim.analysis``); the CLI chooses the folder.

Exit codes: 0 done; 2 bad input (one line per problem, no traceback);
1 unexpected error; 130 interrupted.
"""

from __future__ import annotations

import math
import os
import shlex
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from sim.api import RunResult
from sim.errors import InputError, RunError
from sim.metrics import (
    KEY_METRICS,
    TABLE_METRICS,
    Months,
    Unit,
    format_value,
    label_of,
    outcome,
    plural,
    unit_of,
)
from sim.results.folder import atomic_folder, default_out_dir
from sim.run.stop import sticky_interrupt
from sim.scenario.io import load_scenario

if TYPE_CHECKING:
    from sim.analysis.explore import Discovery

__all__ = ["main"]

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
MAX_REPLICATIONS = 1_000_000
MAX_SEED = 2**63 - 1
MAX_WORKERS = 1024

err_console = Console(stderr=True)


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the click group and maps failures to exit codes."""
    args = sys.argv[1:] if argv is None else argv
    try:
        with sticky_interrupt():  # Ctrl-C during the first compile must not be lost
            cli.main(args=args, prog_name="defsim", standalone_mode=False, obj=list(args))
    except click.UsageError as err:
        if type(err).__name__.startswith("NoArgsIsHelp") and err.ctx is not None:
            click.echo(err.ctx.get_help())
            sys.exit(0)
        # ctx.command_path is "defsim" for the group itself (its Python name is "cli")
        hint = f" (see '{err.ctx.command_path} --help')" if err.ctx else ""
        click.echo(f"defsim: {err.format_message()}{hint}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except click.exceptions.Exit as err:
        sys.exit(err.exit_code)
    except click.Abort:
        click.echo("defsim: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except InputError as err:
        click.echo(str(err), err=True)
        sys.exit(EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        click.echo("defsim: interrupted; no run folder was written", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except RunError as err:
        click.echo(f"defsim: {err}", err=True)
        sys.exit(EXIT_FAILED)


class _PositiveFinite(click.ParamType):  # type: ignore[type-arg]
    """A number > 0 that is not NaN or infinity."""

    name = "number"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number) or number <= 0:
            self.fail(f"{value!r} must be a finite number > 0", param, ctx)
        return number


def _examples(*lines: str) -> str:
    """An epilog of example commands for ``--help``, kept as written, not rewrapped by click."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=_examples(
    "defsim new my-case",
    "defsim run scenarios/teaching-minimal.yaml -n 50",
    "defsim run --help",
) + "\n\n\b\nShell completion (bash; zsh and fish alike): add to ~/.bashrc\n"
    "  eval \"$(_DEFSIM_COMPLETE=bash_source defsim)\"")
@click.version_option(package_name="defsim")
def cli() -> None:
    """Simulate a defence industry whose capacity exceeds its domestic budget."""


def _overrides_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--set", "overrides", multiple=True, metavar="dotted.path=VALUE",
        help="Override a scenario field (VALUE is read as YAML); repeatable.",
    )(function)


def _seed_option(text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--seed", type=click.IntRange(min=0, max=MAX_SEED), help=text)


def _executor_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--workers and --scheduler: where the replications run (the same for every command)."""
    function = click.option(
        "--scheduler", metavar="ADDRESS", help="Dask distributed scheduler, e.g. tcp://host:8786."
    )(function)
    return click.option(
        "--workers", type=click.IntRange(min=1, max=MAX_WORKERS),
        help="Local worker processes (default: all cores).",
    )(function)


@cli.command(epilog=_examples(
    "defsim run scenarios/teaching-minimal.yaml -n 50",
    "defsim run scenarios/ukraine-2026-controlled-export.yaml "
    "--set procurement.budget_usd=30e9 --out results/budget-30b",
    "defsim run scenarios/ukraine-2026-controlled-export.yaml --target-halfwidth 0.005",
))
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("-n", "--replications", type=click.IntRange(min=1, max=MAX_REPLICATIONS),
              help="Replications (default: the scenario's).")
@_seed_option("Root seed (default: the scenario's).")
@_overrides_option
@click.option("--out", type=click.Path(path_type=Path),
              help="Run folder (default results/NAME/UTC-TIME).")
@_executor_options
@click.option("--target-halfwidth", type=_PositiveFinite(),
              help="Add replications until the 95% CI half-width of the target metric "
                   "is at most this.")
@click.option("--target-metric", default="absorption_share", show_default=True)
@click.option("--max-replications", type=click.IntRange(min=1, max=MAX_REPLICATIONS),
              help="Cap for --target-halfwidth (default 10 x replications).")
@click.option("--trace", is_flag=True, help="Write trace.csv: every event of replication 0.")
@click.option("--keep-monthly", is_flag=True, help="Write every replication's monthly series.")
@click.option("--quiet", is_flag=True, help="No progress bar and no table.")
def run(scenario: Path, replications: int | None, seed: int | None, overrides: tuple[str, ...],
        out: Path | None, workers: int | None, scheduler: str | None,
        target_halfwidth: float | None, target_metric: str, max_replications: int | None,
        trace: bool, keep_monthly: bool, quiet: bool) -> None:
    """Run SCENARIO's replications and write a run folder."""
    from sim.api import simulate

    sc = load_scenario(scenario, overrides)
    target = out or default_out_dir(sc.name)
    with atomic_folder(target) as tmp, _progress(quiet) as progress:
        result = simulate(
            sc, replications, seed, workers, scheduler, trace=trace, keep_monthly=keep_monthly,
            target_halfwidth=target_halfwidth, target_metric=target_metric,
            max_replications=max_replications, progress=progress,
        )
        result.info["command"] = _command()
        result.write(tmp)
    if not quiet:
        print_summary(result)
    missed = result.stop.missed()
    if missed is not None:  # exit 0 all the same: the folder is complete, its CIs honest
        click.echo(f"defsim: warning: {missed}", err=True)
    if not quiet:
        click.echo(f"report: {target / 'report.html'}")
    click.echo(str(target))  # last, alone on its line: scripts take the folder from here


@cli.command(epilog=_examples(
    "defsim validate scenarios/*.yaml",
    "defsim validate my-case.yaml --set procurement.budget_usd=12e6",
))
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
@_overrides_option
def validate(scenarios: tuple[Path, ...], overrides: tuple[str, ...]) -> None:
    """Check scenario files without running them."""
    failed: list[str] = []
    for path in scenarios:
        try:
            sc = load_scenario(path, overrides)
        except InputError as err:
            failed.append(str(err))
            continue
        firms = sum(s.firms for s in sc.sectors.values())
        click.echo(f"{path}: ok ({sc.name}, {plural(firms, 'firm')}, "
                   f"{plural(sc.months, 'month')})")
    if failed:
        raise InputError("\n".join(failed))


@cli.command(epilog=_examples(
    "defsim sweep scenarios/teaching-minimal.yaml "
    "--vary procurement.budget_usd=12e6:36e6:5 -n 20",
    "defsim sweep scenarios/teaching-minimal.yaml --vary procurement.budget_usd=12e6:36e6:3 "
    "--vary procurement.allocation=pro_rata,largest_first -n 10 --summary-only",
))
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--vary", "varies", multiple=True, required=True,
              metavar="dotted.path=START:STOP:STEPS",
              help="A lever and its values: START:STOP:STEPS (both ends included) or "
                   "v1,v2,...; one --vary gives a line, two a grid.")
@click.option("-n", "--replications", type=click.IntRange(min=1, max=MAX_REPLICATIONS),
              help="Replications per point (default: 30, or the scenario's if fewer).")
@_seed_option("Root seed, the same at every point (default: the scenario's).")
@_overrides_option
@click.option("--out", type=click.Path(path_type=Path),
              help="Sweep folder (default results/NAME-sweep/UTC-TIME).")
@click.option("--summary-only", is_flag=True,
              help="Only sweep.csv and plots, no run folder per point.")
@_executor_options
@click.option("--quiet", is_flag=True, help="No progress bar and no table.")
def sweep(scenario: Path, varies: tuple[str, ...], replications: int | None, seed: int | None,
          overrides: tuple[str, ...], out: Path | None, summary_only: bool, workers: int | None,
          scheduler: str | None, quiet: bool) -> None:
    """Run SCENARIO at every point of a line or grid of lever settings (common random numbers)."""
    from sim.analysis import sweep as sweeps
    from sim.analysis.experiment import out_dir

    sc = load_scenario(scenario, overrides)
    levers = [sweeps.parse_vary(text) for text in varies]
    n = replications or min(sweeps.DEFAULT_REPLICATIONS, sc.replications)
    target = out or out_dir(sc, "sweep")
    clock = time.perf_counter()
    with atomic_folder(target) as tmp, _progress(quiet) as progress:
        result = sweeps.run_sweep(sc, levers, n, seed, workers, scheduler, progress=progress,
                                  on_point=None if summary_only else sweeps.point_writer(tmp))
        sweeps.write_sweep(tmp, result, _command_info(clock))
    if not quiet:
        print_sweep(result)
        _name_report(target)
    click.echo(str(target))


@cli.command(epilog=_examples(
    "pip install -e '.[sensitivity]'   # SALib, once",
    "defsim sensitivity scenarios/teaching-minimal.yaml "
    "--vary procurement.budget_usd=12e6:36e6 --vary licensing.approval_rate.drones=0.2:0.9",
    "defsim sensitivity scenarios/teaching-minimal.yaml "
    "--vary procurement.budget_usd=12e6:36e6 --method sobol --samples 16",
))
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--vary", "varies", multiple=True, required=True, metavar="dotted.path=LOW:HIGH",
              help="A lever or uncertainty and its range; repeat for each parameter.")
@click.option("--method", type=click.Choice(["morris", "sobol"]), default="morris",
              show_default=True)
@click.option("--samples", type=click.IntRange(min=2),
              help="Morris trajectories (default 10) or Sobol base samples, "
                   "a power of two (default 32).")
@click.option("--replications", "-n", type=click.IntRange(min=1, max=MAX_REPLICATIONS),
              default=5, show_default=True, help="Replications per model evaluation.")
@_seed_option("Root seed of every evaluation (default: the scenario's).")
@_overrides_option
@click.option("--out", type=click.Path(path_type=Path),
              help="Folder (default results/NAME-sensitivity/UTC-TIME).")
@_executor_options
@click.option("--quiet", is_flag=True, help="No progress bar and no ranking.")
def sensitivity(scenario: Path, varies: tuple[str, ...], method: str, samples: int | None,
                replications: int, seed: int | None, overrides: tuple[str, ...], out: Path | None,
                workers: int | None, scheduler: str | None, quiet: bool) -> None:
    """Rank levers and uncertainties by their effect on the outcomes (SALib Morris or Sobol)."""
    from sim.analysis import sensitivity as sa
    from sim.analysis.experiment import out_dir

    sa.require_salib()  # before anything is read or written: one line naming the extra
    sc = load_scenario(scenario, overrides)
    factors = [sa.parse_factor(text) for text in varies]
    target = out or out_dir(sc, "sensitivity")
    clock = time.perf_counter()
    chosen = sa.as_method(method)
    with atomic_folder(target) as tmp, _progress(quiet) as progress:
        result = sa.run_sensitivity(sc, factors, chosen, samples, replications, seed, workers,
                                    scheduler, progress)
        info = _command_info(clock, replications=replications)
        sa.write_sensitivity(tmp, result, factors, sc, info)
    if not quiet:
        console = Console()
        console.print(f"{chosen}: {plural(len(result.samples), 'evaluation')} x "
                      f"{plural(replications, 'replication')}")
        for outcome in sa.PLOTTED_OUTCOMES:
            lines = "\n".join(sa.ranking_lines(result, outcome))
            console.print(lines, highlight=False, soft_wrap=True)
        _name_report(target)
    click.echo(str(target))


@cli.command(epilog=_examples(
    "defsim explore scenarios/ukraine-2026-controlled-export.yaml --samples 100 -n 10 "
    "--out results/explore-2026",
    "defsim explore scenarios/ukraine-2026-controlled-export.yaml --samples 50 -n 5 "
    "--policy cap:licensing.export_cap_share=1.0",
))
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--samples", type=click.IntRange(min=1, max=100_000),
              help="Futures drawn from the uncertainties (Latin hypercube; default 100).")
@click.option("-n", "--replications", type=click.IntRange(min=1, max=MAX_REPLICATIONS),
              help="Replications per future and policy (default: 10, or the scenario's if fewer).")
@click.option("--policy", "policies", multiple=True, metavar="NAME:PATH=VALUE[,PATH=VALUE...]",
              help="Levers set on top of every future, compared with the base; repeatable.")
@_seed_option("Root seed of the sample and of every run (default: the scenario's).")
@_overrides_option
@click.option("--out", type=click.Path(path_type=Path),
              help="Experiment folder (default results/NAME-explore/UTC-TIME).")
@_executor_options
@click.option("--quiet", is_flag=True, help="No progress bar and no tables.")
def explore(scenario: Path, samples: int | None, replications: int | None,
            policies: tuple[str, ...], seed: int | None, overrides: tuple[str, ...],
            out: Path | None, workers: int | None, scheduler: str | None, quiet: bool) -> None:
    """Run SCENARIO across the futures of its uncertainties: the answer with its assumption
    spread, and policies compared with the base in every future (common random numbers)."""
    from sim.analysis import explore as ex
    from sim.analysis.experiment import out_dir

    sc = load_scenario(scenario, overrides)
    chosen = [ex.parse_policy(text) for text in policies]
    n = replications or min(ex.DEFAULT_REPLICATIONS, sc.replications)
    target = out or out_dir(sc, "explore")
    clock = time.perf_counter()
    with atomic_folder(target) as tmp, _progress(quiet) as progress:
        result = ex.run_explore(sc, samples or ex.DEFAULT_SAMPLES, n, chosen, seed, workers,
                                scheduler, progress)
        ex.write_exploration(tmp, result, _command_info(clock))
    if not quiet:
        print_exploration(ex.summary(result))
        _name_report(target)
    click.echo(str(target))


def print_exploration(document: dict[str, Any], console: Console | None = None) -> None:
    """The base case's spread across futures, then each policy against the base."""
    from sim.analysis import explore as ex

    console = console or Console()
    title = (f"{document['scenario']}: {document['futures']} futures x "
             f"{document['replications']} replications, seed {document['seed']}")
    rows = ex.spread_rows(document, names=ex.POLICY_OUTCOMES)
    console.print(_table(title, ex.SPREAD_HEADERS, rows))
    if document["comparison"]:
        console.print(_table("policies against the base, future by future",
                             ex.COMPARISON_HEADERS, ex.comparison_rows(document)))
        for line in ex.verdicts(document):
            console.print(line, highlight=False, soft_wrap=True)


def _table(title: str, headers: tuple[str, ...], rows: list[list[str]]) -> Table:
    table = Table(title=title)
    for k, heading in enumerate(headers):
        table.add_column(heading, justify="left" if k == 0 else "right")
    for row in rows:
        table.add_row(*row)
    return table


@cli.command(epilog=_examples(
    "defsim discover results/explore-2026 --metric absorption_of_initial_surplus --below 0.12",
))
@click.argument("experiment_dir", type=click.Path(path_type=Path))
@click.option("--metric", required=True, help="The outcome, e.g. absorption_share.")
@click.option("--below", type=float, help="Cases of interest: futures where the metric is below.")
@click.option("--above", type=float, help="Cases of interest: futures where the metric is above.")
@click.option("--policy", default="base", show_default=True, help="Whose futures to analyse.")
@click.option("--min-coverage", type=click.FloatRange(0.0, 1.0), default=0.8, show_default=True,
              help="The box chosen keeps at least this share of the cases of interest.")
@click.option("--max-qp", type=click.FloatRange(0.0, 1.0), default=0.05, show_default=True,
              help="Restrictions of the box less significant than this (quasi-p-value) are "
                   "dropped; 1 keeps them all.")
@click.option("--out", type=click.Path(path_type=Path),
              help="A new folder for discovery.json and plots (default: the experiment folder).")
def discover(experiment_dir: Path, metric: str, below: float | None, above: float | None,
             policy: str, min_coverage: float, max_qp: float, out: Path | None) -> None:
    """Scenario discovery (PRIM) in an experiment folder: the futures where METRIC fails."""
    from sim.analysis import explore as ex

    if (below is None) == (above is None):
        raise InputError("defsim discover: give exactly one of --below X or --above X")
    threshold = below if below is not None else above
    assert threshold is not None
    if not math.isfinite(threshold):
        raise InputError(f"--{'below' if below is not None else 'above'}: not a finite number")
    direction: Literal["below", "above"] = "below" if below is not None else "above"
    found = ex.discover(experiment_dir, metric, threshold, direction, policy, min_coverage,
                        max_qp)
    if out is None:
        ex.write_discovery(experiment_dir, found)
    else:
        with atomic_folder(out) as tmp:
            ex.write_discovery(tmp, found)
    print_discovery(found)
    click.echo(str((out or experiment_dir) / "discovery.json"))


def print_discovery(found: Discovery, console: Console | None = None) -> None:
    """The PRIM box (its restricted uncertainties), the sentence, the uncertainties ranked."""
    console = console or Console()
    box = found.box
    dropped = (f", {len(found.dropped)} restrictions dropped as not significant"
               if found.dropped else "")
    console.print(f"PRIM box {found.chosen} of {len(found.trajectory) - 1} peels{dropped}: "
                  f"coverage {box['coverage']:.0%}, density {box['density']:.0%}, "
                  f"{found.cases} of {found.futures} futures are cases", highlight=False)
    table = Table(title="restricted uncertainties")
    for heading in ("uncertainty", "kept", "full range", "quasi-p"):
        table.add_column(heading, justify="left" if heading == "uncertainty" else "right")
    for row in found.limits:
        kept = (", ".join(row["values"]) if row.get("values") is not None
                else f"{row['low']:.4g} .. {row['high']:.4g}")
        full = ("" if row.get("values") is not None
                else f"{row['full_low']:.4g} .. {row['full_high']:.4g}")
        table.add_row(row["uncertainty"], kept, full,
                      "n/a" if row["qp"] is None else f"{row['qp']:.2g}")
    if found.limits:
        console.print(table)
    console.print(found.sentence(), highlight=False, soft_wrap=True)
    ranked = ", ".join(f"{r['uncertainty']} ({r['pawn_median']:.2f})" for r in found.ranking[:5])
    console.print(f"matters most for {found.metric} (SALib PAWN, chance level "
                  f"{found.ranking[0]['noise']:.2f}): {ranked}", highlight=False, soft_wrap=True)


@cli.command(epilog=_examples(
    "defsim new my-case",
    "defsim new scenarios/budget-cut && defsim run scenarios/budget-cut.yaml -n 20",
))
@click.argument("name")
def new(name: str) -> None:
    """Start a scenario: copy the commented teaching scenario to NAME.yaml (never overwrites).

    Every field of the copy has a comment saying what it does; its name is NAME.
    """
    from sim.scenario.template import new_scenario

    path = new_scenario(name)
    click.echo(f"wrote {path}: edit it, then check and run it with\n"
               f"  defsim validate {shlex.quote(str(path))}\n"
               f"  defsim run {shlex.quote(str(path))} -n 20")


def _name_report(folder: Path) -> None:
    """``report: FOLDER/report.html``, the page to open, when the folder has one."""
    if (folder / "report.html").is_file():
        click.echo(f"report: {folder / 'report.html'}")


def _command() -> str:
    """The command line as given to ``main`` (``defsim ...``), for manifests."""
    ctx = click.get_current_context(silent=True)
    given = ctx.find_root().obj if ctx is not None else None
    args = given if isinstance(given, list) else sys.argv[1:]
    return shlex.join(["defsim", *map(str, args)])


def _command_info(clock: float, **extra: Any) -> dict[str, Any]:
    return {"command": _command(), "wall_seconds": round(time.perf_counter() - clock, 3), **extra}


def print_sweep(result: Any, console: Console | None = None) -> None:
    """One row per sweep point: lever values, then key outcomes as mean ± 95% CI half-width."""
    from sim.analysis.sweep import iter_rows

    per_point = plural(result.replications, "replication")
    table = Table(title=f"{result.scenario.name} sweep: {per_point} per point, seed {result.seed}",
                  caption="USD: totals over the horizon of each point")
    for lever in result.levers:
        table.add_column(lever.path.replace(".", ".\n"), justify="right")
    for name in TABLE_METRICS:
        table.add_column(label_of(name), justify="right")
    for point, values in iter_rows(result):
        cells = []
        for name in TABLE_METRICS:
            est = point.summary[name]
            half = ""
            if est.ci_high is not None:
                half = f" ±{format_value(name, est.halfwidth)}"
            cells.append(format_value(name, est.mean) + half)
        table.add_row(*(format_value(lv.path, v) if isinstance(v, float) else str(v)
                        for lv, v in zip(result.levers, values, strict=True)), *cells)
    (console or Console()).print(table)


@cli.command(epilog=_examples(
    "defsim plot results/base --format svg",
))
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["png", "svg", "pdf"]), default="png",
              show_default=True, help="Image format of the files in plots/.")
def plot(run_dir: Path, fmt: str) -> None:
    """Redraw RUN_DIR's plots/ and report.html from its files (nothing else is touched)."""
    from sim.report.run_report import write_report

    click.echo(str(write_report(run_dir, fmt)))


@cli.command(epilog=_examples(
    "defsim export results/base --out base.xlsx",
))
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["xlsx"]), default="xlsx", show_default=True,
              help="File format (Excel workbook).")
@click.option("--out", type=click.Path(path_type=Path),
              help="File to write (default RUN_DIR/run.xlsx); an existing file is refused.")
def export(run_dir: Path, fmt: str, out: Path | None) -> None:
    """Write RUN_DIR's summary, replications and monthly tables as one Excel workbook."""
    from sim.results.excel import write_workbook

    click.echo(str(write_workbook(run_dir, out)))


@cli.command(epilog=_examples(
    "defsim compare results/budget-25b results/budget-30b --out results/compare-budget",
))
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path),
              help="Comparison folder (default results/compare/UTC-TIME).")
@click.option("--quiet", is_flag=True, help="No table.")
def compare(run_dirs: tuple[Path, ...], out: Path | None, quiet: bool) -> None:
    """Compare runs with the first: key metrics, differences with 95% CIs, overlaid charts."""
    from sim.analysis.compare import compare_runs
    from sim.report.compare_report import default_compare_dir, write_comparison

    c = compare_runs(run_dirs)
    for warning in c.warnings:
        click.echo(f"defsim: warning: {warning}", err=True)
    target = out or default_compare_dir()
    with atomic_folder(target) as tmp:
        compared_by = [c.method_text(k) for k in range(len(c.runs))]
        differs = [c.differs(k) for k in range(len(c.runs))]
        write_comparison(tmp, c.runs, c.labels, c.differences, c.warnings, compared_by,
                         differs=differs)
    if not quiet:
        print_comparison(c)
        click.echo(f"report: {target / 'report.html'}")
    click.echo(str(target))


def print_comparison(comparison: Any) -> None:
    """The runs (what differs, how compared), then each key metric per run and its change.

    Plain lines fitted to the terminal's width (``COLUMNS`` if set; 100 when not a
    terminal, so logs read the same everywhere), never cut or squeezed.
    """
    from sim.report.compare_report import comparison_lines

    n = len(comparison.runs)
    lines = comparison_lines(
        comparison.runs, comparison.labels, comparison.differences,
        compared_by=[comparison.method_text(k) for k in range(n)],
        differs=[comparison.differs(k) for k in range(n)], width=_width(),
    )
    click.echo("\n".join(lines))


def _width() -> int:
    """Columns to print in: ``COLUMNS``, else the terminal's, else 100 (logs, pipes)."""
    console = Console()
    if os.environ.get("COLUMNS", "").isdigit() or console.is_terminal:
        return max(console.width, 40)
    return 100


def print_summary(result: RunResult, console: Console | None = None) -> None:
    """The key metrics with their 95% confidence intervals, saying what the money totals cover.

    USD figures are totals over the horizon, so a 36-month run's capacity reads three
    times a yearly figure such as the README's "$55B of capacity"; the caption says so,
    and a ``per year`` column divides flows by the years of the horizon when they are
    not one year.
    """
    months = result.scenario.months
    years = months / 12
    title = (f"{result.scenario.name}: {plural(result.replications, 'replication')}, "
             f"seed {result.seed}")
    yearly = months != 12
    table = Table(title=title, caption=(
        f"USD: totals over {plural(months, 'month')}"
        + (f"; per year = total / {years:g}" if yearly else " (one year)")))
    headings = ["metric", "mean", "95% CI", *(["per year"] if yearly else [])]
    for heading in headings:
        table.add_column(heading, justify="left" if heading == "metric" else "right")
    for name in KEY_METRICS:
        est = result.summary[name]
        low, high = (format_value(name, v) for v in (est.ci_low, est.ci_high))
        ci = f"{low} .. {high}" if est.ci_low is not None else "n/a"
        per_year = _per_year(name, est.mean, years) if yearly else None
        table.add_row(name, format_value(name, est.mean), ci,
                      *([] if per_year is None else [per_year]))
    (console or Console()).print(table)


def _per_year(name: str, mean: float | None, years: float) -> str:
    """A flow of money over the horizon as a yearly figure; blank for shares, counts, stocks."""
    if unit_of(name) is not Unit.USD or outcome(name).months is Months.LAST or mean is None:
        return ""
    return format_value(name, mean / years)


STARTING = "starting; a first run compiles the engine (~20 s)"
"""What the progress line says until the first replication is done, instead of ``0/?``."""


@contextmanager
def _progress(
    quiet: bool, console: Console | None = None
) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal; nothing in logs or with --quiet."""
    console = console or err_console
    if quiet or not console.is_terminal:
        yield None
        return
    with Progress(*progress_columns(), console=console, transient=True) as bar:
        task = bar.add_task(STARTING, total=None)

        def update(done: int, planned: int) -> None:
            bar.update(task, completed=done, total=planned,
                       description="replications" if done else STARTING)

        yield update


def progress_columns() -> tuple[ProgressColumn, ...]:
    """Description, bar, count, rate, time left: the count only once a replication is done."""
    return (TextColumn("{task.description}"), BarColumn(), _CountColumn(), _RateColumn(),
            TimeRemainingColumn())


class _CountColumn(MofNCompleteColumn):
    """``done/planned``, blank while nothing is done (``0/?`` said nothing useful)."""

    def render(self, task: Task) -> Text:
        return super().render(task) if task.completed else Text("")


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:.1f} rep/s" if task.speed else "")
