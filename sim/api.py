"""The Python API of a run: ``simulate`` a scenario, get a ``RunResult``, ``save`` its folder.

Everything ``defsim run`` writes, a ``RunResult`` writes too: ``save(path)``
produces the same run folder (data files by ``sim.results``, plots and
``report.html`` by ``sim.report``), its manifest with the run's start, end, wall
time, workers and command line. The defaults of a run (the scenario's seed and
replications) are resolved here, once, and everything below receives them resolved.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import sys
import tempfile
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import InputError
from sim.metrics import OUTCOMES
from sim.progress import NotebookProgress, in_notebook
from sim.results.files import (
    MonthlyReplicationsWriter,
    monthly_csv,
    replications_csv,
    summary_csv,
    write_run_files,
)
from sim.results.folder import atomic_folder
from sim.results.frames import frame
from sim.results.show import summary_html
from sim.run.executors import worker_pool
from sim.run.reduction import RunData
from sim.run.replication import ReplicationOutput
from sim.run.runner import Progress, run_many, run_replications
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RunResult", "resolve_seed", "simulate", "simulate_many"]


@dataclass
class RunResult(RunData):
    """Everything a run produced: the outcomes, their estimates, the monthly statistics.

    ``summary[name]`` is the estimate (mean, 95% CI) of an outcome over the
    replications, ``sectors[sector][name]`` the same per sector, ``column(name)``
    its value in every replication.
    """

    info: dict[str, Any] = field(default_factory=dict)
    """Manifest extras: command line, start and end (UTC), wall seconds, workers, scheduler."""
    monthly_replications: Path | None = None
    """Every replication's monthly series (``keep_monthly=True``), kept until saved."""

    def __repr__(self) -> str:
        months = self.month_labels
        return (f"<RunResult {self.scenario.name!r}: {self.replications} replications, seed "
                f"{self.seed}, {months[0]}..{months[-1]}>")

    def _repr_html_(self) -> str:
        title = f"{self.scenario.name}: {self.replications} replications, seed {self.seed}"
        return summary_html(title, self.summary, "not saved yet: .save(path)")

    def to_pandas(self, table: str = "summary") -> pd.DataFrame:
        """``summary``, ``replications`` or ``monthly`` as a DataFrame (needs pandas).

        The same columns as the run folder's ``TABLE.csv``: ``summary`` a row per
        metric and sector (label, unit, mean, 95% CI, n), ``replications`` a row per
        replication, ``monthly`` a row per month, group and series.
        """
        if table == "monthly":
            self._check_monthly()
        writers = {"summary": summary_csv, "replications": replications_csv,
                   "monthly": monthly_csv}
        return frame(table, writers[table](self) if table in writers else "")

    def save(self, path: str | Path, plots: bool = True) -> Path:
        """Write the complete run folder at ``path`` (refused if it exists and is not empty)."""
        self._check_monthly()
        with atomic_folder(Path(path)) as tmp:
            self.write(tmp, plots)
        return Path(path)

    def write(self, folder: Path, plots: bool = True) -> None:
        """The run folder's files into the empty ``folder``: data, then plots and report."""
        self.write_files(folder)
        if plots:
            from sim.report.run_report import write_report  # matplotlib, only when drawing

            write_report(folder)

    def write_files(self, folder: Path) -> None:
        """The data files (``sim.results.files``): everything but ``plots/`` and the report."""
        self._check_monthly()
        write_run_files(folder, self, self.info, self.monthly_replications)

    def _check_monthly(self) -> None:
        if self.monthly.mean.size == 0:
            raise InputError("this result kept the outcomes only (simulate_many(monthly=False)):"
                             " it has no monthly series to save or show")


def resolve_seed(scenario: Scenario, seed: int | None) -> int:
    """The root seed of a run: the one given, else the scenario's."""
    return scenario.seed if seed is None else seed


def simulate(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    *,
    trace: bool = False,
    keep_monthly: bool = False,
    target_halfwidth: float | None = None,
    target_metric: str = "absorption_share",
    max_replications: int | None = None,
    progress: Progress | bool | None = None,
    on_replication: Callable[[ReplicationOutput], None] | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> RunResult:
    """Run the replications of ``scenario`` and reduce them to a ``RunResult``.

    Parameters
    ----------
    replications, seed
        Default to the scenario's own.
    workers
        Local processes (default: all cores); 1 runs in this process.
    scheduler
        Address of a running Dask distributed scheduler; replaces the local pool.
    trace
        Record every event of replication 0 (``trace.csv``).
    keep_monthly
        Keep every replication's monthly series (``monthly_replications.csv``).
    target_halfwidth
        Keep adding batches until the 95% CI half-width of ``target_metric`` is at
        most this, or ``max_replications`` (default 10 x replications) is reached.
    progress
        Called with (replications done, replications planned); or True to show a
        progress line (in the notebook's cell, else on stderr), False for none.
        Default: shown in a Jupyter notebook, quiet elsewhere (scripts and logs).
    on_replication
        Called with each replication's output, in replication order.
    pool
        A ``sim.run.executors.worker_pool()`` to reuse, so that sweeps start worker
        processes once, not once per point; used unless ``workers`` is 1 or
        ``scheduler`` is given.
    """
    n = replications or scenario.replications
    root_seed = resolve_seed(scenario, seed)
    if target_metric not in OUTCOMES:
        raise InputError(f"--target-metric: unknown metric '{target_metric}'")
    if progress is None or isinstance(progress, bool):
        progress = NotebookProgress() if (progress is None and in_notebook()) or progress else None
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    kept = _MonthlyFile() if keep_monthly else None
    seen = on_replication
    if kept is not None:
        seen = kept.writer.write if on_replication is None else _both(kept.writer.write,
                                                                      on_replication)
    try:
        data = run_replications(
            scenario, n, root_seed, workers, scheduler, trace=trace,
            target_halfwidth=target_halfwidth, target_metric=target_metric,
            max_replications=max_replications, progress=progress, on_replication=seen, pool=pool,
        )
    except BaseException:
        if kept is not None:
            kept.discard()
        raise
    if kept is not None:
        kept.writer.close()
    info = _info(started, dt.datetime.now(dt.UTC), time.perf_counter() - clock, workers,
                 scheduler)
    result = _result(data, info, kept.writer.path if kept is not None else None)
    if kept is not None:
        weakref.finalize(result, kept.discard)
    return result


def simulate_many(
    scenarios: Sequence[Scenario],
    replications: int,
    seed: int,
    workers: int | None = None,
    scheduler: str | None = None,
    *,
    progress: Progress | bool | None = None,
    monthly: bool = True,
) -> Iterator[RunResult]:
    """``simulate`` each of ``scenarios`` with the same ``replications`` and ``seed``, in
    order, through one pool of ``workers`` (or the Dask scheduler at ``scheduler``).

    The same seed everywhere gives common random numbers: replication k of every
    scenario draws the same streams. Locally, a scenario's replications start
    while the last of the previous one finish, so no worker waits between
    scenarios; each result holds what ``simulate`` gives for its scenario alone, its
    manifest the time from its first replication started to its last one reduced.
    ``progress`` as in ``simulate``, over all scenarios' replications. Scenarios are
    read from ``scenarios`` only as they are needed.

    ``monthly=False`` lets a local pool leave out the monthly statistics, for a caller
    that needs the outcomes only (an exploration): ``result.monthly`` is then empty
    and the result cannot be saved.
    """
    if replications < 1:
        raise InputError(f"replications must be at least 1, not {replications}")
    if progress is None or isinstance(progress, bool):
        progress = NotebookProgress() if (progress is None and in_notebook()) or progress else None
    total = len(scenarios) * replications
    count = workers or os.cpu_count() or 1
    if scheduler is not None or count == 1:
        for index, scenario in enumerate(scenarios):
            yield simulate(scenario, replications, seed, workers, scheduler,
                           progress=_offset(progress, index * replications, total) or False)
        return
    with worker_pool(count) as pool:
        assert pool is not None
        for run in run_many(scenarios, replications, seed, count, pool, progress, monthly):
            yield _result(run.data, _info(run.started, run.ended, run.seconds, workers, scheduler))


def _info(
    started: dt.datetime,
    ended: dt.datetime,
    seconds: float,
    workers: int | None,
    scheduler: str | None,
) -> dict[str, Any]:
    """The manifest's account of a run: its start and end (UTC), wall seconds, workers."""
    return {
        "command": shlex.join(sys.orig_argv),
        "started": started.isoformat(),
        "ended": ended.isoformat(),
        "wall_seconds": round(seconds, 3),
        "workers": 1 if workers == 1 else (workers or os.cpu_count()),
        "scheduler": scheduler,
    }


def _result(data: RunData, info: dict[str, Any], monthly: Path | None = None) -> RunResult:
    return RunResult(
        **{f.name: getattr(data, f.name) for f in fields(RunData)},
        info=info,
        monthly_replications=monthly,
    )


def _offset(progress: Progress | None, done_before: int, total: int) -> Progress | None:
    """``progress`` of one scenario's replications, counted among all scenarios'."""
    if progress is None:
        return None

    def update(done: int, planned: int) -> None:
        progress(done_before + done, total)

    return update


class _MonthlyFile:
    """A temporary ``monthly_replications.csv``, removed with the result that holds it."""

    def __init__(self) -> None:
        handle, name = tempfile.mkstemp(prefix="defsim-monthly-replications-", suffix=".csv")
        os.close(handle)
        self.writer = MonthlyReplicationsWriter(Path(name))

    def discard(self) -> None:
        self.writer.close()
        self.writer.path.unlink(missing_ok=True)


def _both(
    first: Callable[[ReplicationOutput], None], second: Callable[[ReplicationOutput], None]
) -> Callable[[ReplicationOutput], None]:
    def call(output: ReplicationOutput) -> None:
        first(output)
        second(output)

    return call
