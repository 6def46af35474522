"""The ``defsim`` command: parse, load, run, save, print. Nothing else lives here.

Exit codes: 0 done; 2 bad input (one line per problem, no traceback);
1 unexpected error; 130 interrupted.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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
from rich.text import Text
from rich.table import Table

from sim.errors import InputError
from sim.metrics import KEY_METRICS
from sim.results import RunResult, atomic_folder, default_out_dir
from sim.scenario_io import load_scenario

__all__ = ["main"]

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

err_console = Console(stderr=True)


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the click group and maps failures to exit codes."""
    args = sys.argv[1:] if argv is None else argv
    try:
        cli.main(args=args, prog_name="defsim", standalone_mode=False)
    except click.UsageError as err:
        if type(err).__name__.startswith("NoArgsIsHelp") and err.ctx is not None:
            click.echo(err.ctx.get_help())
            sys.exit(0)
        hint = f" (see 'defsim {err.ctx.command.name} --help')" if err.ctx and err.ctx.command else ""
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="defsim")
def cli() -> None:
    """Simulate a defence industry whose capacity exceeds its domestic budget."""


def _overrides_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--set", "overrides", multiple=True, metavar="dotted.path=VALUE",
        help="Override a scenario field (VALUE is read as YAML); repeatable.",
    )(function)


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("-n", "--replications", type=click.IntRange(min=1), help="Replications (default: the scenario's).")
@click.option("--seed", type=click.IntRange(min=0), help="Root seed (default: the scenario's).")
@_overrides_option
@click.option("--out", type=click.Path(path_type=Path), help="Run folder (default results/NAME/UTC-TIME).")
@click.option("--workers", type=click.IntRange(min=1), help="Local worker processes (default: all cores).")
@click.option("--scheduler", metavar="ADDRESS", help="Dask distributed scheduler, e.g. tcp://host:8786.")
@click.option("--target-halfwidth", type=click.FloatRange(min=0, min_open=True),
              help="Add replications until the 95% CI half-width of the target metric is at most this.")
@click.option("--target-metric", default="absorption_share", show_default=True)
@click.option("--max-replications", type=click.IntRange(min=1),
              help="Cap for --target-halfwidth (default 10 x replications).")
@click.option("--trace", is_flag=True, help="Write trace.csv: every event of replication 0.")
@click.option("--keep-monthly", is_flag=True, help="Write every replication's monthly series.")
@click.option("--quiet", is_flag=True, help="No progress bar and no table.")
def run(scenario: Path, replications: int | None, seed: int | None, overrides: tuple[str, ...],
        out: Path | None, workers: int | None, scheduler: str | None,
        target_halfwidth: float | None, target_metric: str, max_replications: int | None,
        trace: bool, keep_monthly: bool, quiet: bool) -> None:
    """Run SCENARIO's replications and write a run folder."""
    from sim.runner import simulate

    sc = load_scenario(scenario, overrides)
    target = out or default_out_dir(sc)
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    with atomic_folder(target) as tmp, _progress(quiet) as progress:
        writer = _MonthlyWriter(tmp) if keep_monthly else None
        result = simulate(
            sc, replications, seed, workers, scheduler, trace=trace,
            target_halfwidth=target_halfwidth, target_metric=target_metric,
            max_replications=max_replications, progress=progress,
            on_replication=writer.write if writer else None,
        )
        if writer:
            writer.close()
        result.info.update(
            command=shlex.join(["defsim", *sys.argv[1:]]), started=started.isoformat(),
            ended=dt.datetime.now(dt.UTC).isoformat(),
            wall_seconds=round(time.perf_counter() - clock, 3),
            workers=1 if workers == 1 else (workers or os.cpu_count()), scheduler=scheduler,
        )
        result.write_files(tmp)
        _write_report(tmp, result)
    if not quiet:
        print_summary(result)
    click.echo(str(target))


@cli.command()
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
        click.echo(f"{path}: ok ({sc.name}, {sum(s.firms for s in sc.sectors.values())} firms, {sc.months} months)")
    if failed:
        raise InputError("\n".join(failed))


def print_summary(result: RunResult, console: Console | None = None) -> None:
    """The key metrics with their 95% confidence intervals."""
    table = Table(title=f"{result.scenario.name}: {result.replications} replications, seed {result.seed}")
    for heading in ("metric", "mean", "95% CI"):
        table.add_column(heading, justify="left" if heading == "metric" else "right")
    for name in KEY_METRICS:
        est = result.summary[name]
        ci = f"{format_value(name, est.ci_low)} .. {format_value(name, est.ci_high)}"
        table.add_row(name, format_value(name, est.mean), ci if est.ci_low is not None else "n/a")
    (console or Console()).print(table)


def format_value(name: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    if name.endswith("_usd"):
        return f"${value / 1e9:,.2f}B"
    if name.endswith("_share"):
        return f"{value:.1%}"
    return f"{value:,.1f}"


def _write_report(folder: Path, result: RunResult) -> None:
    try:
        from sim.report import write_report
    except ImportError:
        return
    write_report(folder, result)


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal; nothing in logs or with --quiet."""
    if quiet or not err_console.is_terminal:
        yield None
        return
    columns = (TextColumn("replications"), BarColumn(), MofNCompleteColumn(), _RateColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("run", total=None)

        def update(done: int, planned: int) -> None:
            bar.update(task, completed=done, total=planned)

        yield update


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:.1f} rep/s" if task.speed else "")


class _MonthlyWriter:
    """``--keep-monthly``: every replication's monthly series, appended as it arrives."""

    def __init__(self, folder: Path) -> None:
        self.file = (folder / "monthly_replications.csv").open("w", encoding="utf-8")
        self.header_written = False

    def write(self, output: Any) -> None:
        from sim.metrics import MONTHLY_METRICS

        cube = output.cube
        if not self.header_written:
            self.file.write("replication,month_index,group_index," + ",".join(MONTHLY_METRICS) + "\n")
            self.header_written = True
        for t in range(cube.shape[0]):
            for g in range(cube.shape[1]):
                values = ",".join(repr(float(v)) for v in cube[t, g])
                self.file.write(f"{output.index},{t},{g},{values}\n")

    def close(self) -> None:
        self.file.close()
