"""Named random streams: one generator per model component and replication.

Replication ``k`` draws only from child ``k`` of ``numpy.random.SeedSequence(seed)``;
within it, each component has its own stream keyed by a stable name, so adding a
component never shifts another's numbers, and two scenarios run with one seed share
their random numbers (common random numbers).
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["Streams", "stream", "stream_key"]


def stream_key(name: str) -> int:
    """Stable key of a stream name (crc32: ``hash()`` differs between processes)."""
    return zlib.crc32(name.encode("utf-8"))


def stream(seed: int, replication: int, name: str) -> np.random.Generator:
    """The generator of stream ``name`` in replication ``replication``."""
    sequence = np.random.SeedSequence(seed, spawn_key=(replication, stream_key(name)))
    return np.random.default_rng(sequence)


class Streams:
    """The named streams of one replication, each built on first use and then kept.

    Every component of the engine draws from ``streams[name]``; asking twice for a
    name continues the same stream, it does not restart it.
    """

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication
        self._built: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        """Stream ``name``, continued where it was left (built on first use)."""
        generator = self._built.get(name)
        if generator is None:
            generator = self._built[name] = stream(self.seed, self.replication, name)
        return generator
