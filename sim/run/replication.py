"""The unit of work: one replication, run where a worker is, and chunks of them.

``run_chunk`` is the one function every executor sends to its workers (the local
process pool and Dask alike), with one argument order. What travels back is a
``ReplicationOutput``: small arrays, no SimPy objects.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

from sim.model.records import TraceEvent
from sim.run.outcomes import monthly_cube, outcome_row
from sim.scenario.schema import Scenario

__all__ = ["ReplicationOutput", "chunked", "run_chunk", "run_one"]


@dataclass(frozen=True)
class ReplicationOutput:
    """What travels back from a worker: small arrays, no SimPy objects."""

    index: int
    row: np.ndarray
    """Every scalar outcome (``sim.run.outcomes.outcome_columns``)."""
    cube: np.ndarray
    """Monthly series, (months, groups, metrics); empty when not asked for."""
    events: int
    meeting_days: list[float]
    trace: list[TraceEvent] | None
    worker_pid: int
    """The process that computed it: lets tests and audits see where work ran."""


def run_one(
    scenario: Scenario, index: int, seed: int, trace: bool = False, monthly: bool = True
) -> ReplicationOutput:
    """Replication ``index`` of ``scenario`` with root seed ``seed``; the trace of replication 0;
    its monthly series unless ``monthly`` is False (outcomes only)."""
    from sim.model.model import run_replication  # the engine and its compiler, when first needed

    record = run_replication(scenario, index, seed, trace=trace and index == 0)
    return ReplicationOutput(
        index,
        outcome_row(record),
        monthly_cube(record) if monthly else np.zeros(0),
        record.events,
        record.meeting_days,
        record.trace,
        os.getpid(),
    )


def run_chunk(
    scenario: Scenario, seed: int, trace: bool, start: int, stop: int, monthly: bool = True
) -> list[ReplicationOutput]:
    """Replications ``start`` to ``stop - 1``: what a worker is sent, by every executor."""
    return [run_one(scenario, k, seed, trace, monthly) for k in range(start, stop)]


def chunked(indices: range, workers: int) -> list[range]:
    """Chunks big enough to amortise process overhead, shrinking as the work runs out.

    Each chunk is an eighth of a worker's share of what is left (at most 64
    replications), so the last chunks are small and the workers finish together
    instead of one waiting on another's last big chunk (guided self-scheduling).
    """
    chunks, start = [], indices.start
    while start < indices.stop:
        size = max(1, min(64, math.ceil((indices.stop - start) / (workers * 8))))
        chunks.append(range(start, min(start + size, indices.stop)))
        start += size
    return chunks
