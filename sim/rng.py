"""Named random streams: one generator per model component and replication.

Replication ``k`` draws only from child ``k`` of ``numpy.random.SeedSequence(seed)``;
within it, each component has its own stream keyed by a stable name, so adding a
component never shifts another's numbers, and two scenarios run with one seed share
their random numbers (common random numbers).
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["stream", "stream_key"]


def stream_key(name: str) -> int:
    """Stable key of a stream name (crc32: ``hash()`` differs between processes)."""
    return zlib.crc32(name.encode("utf-8"))


def stream(seed: int, replication: int, name: str) -> np.random.Generator:
    """The generator of stream ``name`` in replication ``replication``."""
    sequence = np.random.SeedSequence(seed, spawn_key=(replication, stream_key(name)))
    return np.random.default_rng(sequence)
