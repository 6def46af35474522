"""Monthly series of every replication, spooled to disk so memory stays flat.

Exact per-month quantiles need every replication's value; holding them all in
memory grows with replications. Replications are buffered in blocks, and each
block is written transposed (cell-major), so the values of a range of cells
across all replications can be read back block by block.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence

import numpy as np

__all__ = ["MonthlySpool"]

BLOCK_REPLICATIONS = 256
READ_BYTES = 32 * 2**20
"""Memory for one pass over a range of cells (all replications)."""


class MonthlySpool:
    """Append same-shaped arrays in replication order; reduce them cell by cell."""

    def __init__(self) -> None:
        # Closed in close(); the spool outlives any one with-block.
        self.file = tempfile.TemporaryFile(prefix="defsim-monthly-")  # noqa: SIM115
        self.buffer: list[np.ndarray] = []
        self.blocks: list[tuple[int, int]] = []
        """(file offset, replications) of each written block."""
        self.shape: tuple[int, ...] | None = None

    def append(self, cube: np.ndarray) -> None:
        """Add the next replication's array (shaped like the first); written in blocks."""
        if self.shape is None:
            self.shape = cube.shape
        self.buffer.append(np.asarray(cube, dtype=np.float64).ravel())
        if len(self.buffer) == BLOCK_REPLICATIONS:
            self._flush()

    def _flush(self) -> None:
        if not self.buffer:
            return
        block = np.ascontiguousarray(np.stack(self.buffer).T)
        self.file.seek(0, 2)
        self.blocks.append((self.file.tell(), len(self.buffer)))
        self.file.write(block.tobytes())
        self.buffer = []

    @property
    def count(self) -> int:
        """Replications appended so far."""
        return sum(n for _, n in self.blocks) + len(self.buffer)

    def reduce(self, quantiles: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
        """Mean and quantiles across replications, each shaped like one appended array."""
        self._flush()
        assert self.shape is not None
        cells = int(np.prod(self.shape))
        step = max(1, READ_BYTES // (8 * max(self.count, 1)))
        mean = np.empty(cells)
        qs = np.empty((len(quantiles), cells))
        for start in range(0, cells, step):
            stop = min(cells, start + step)
            values = self._read(start, stop)
            mean[start:stop] = values.mean(axis=0)
            # Each cell's replications lie contiguous in values.T, where numpy selects
            # order statistics about twice as fast; the quantiles are the same numbers.
            qs[:, start:stop] = np.quantile(values.T, quantiles, axis=1)
        return mean.reshape(self.shape), qs.reshape((len(quantiles), *self.shape))

    def _read(self, start: int, stop: int) -> np.ndarray:
        """Cells ``start:stop`` of every replication, as (replications, cells)."""
        parts = []
        for offset, n in self.blocks:
            self.file.seek(offset + start * n * 8)
            raw = self.file.read((stop - start) * n * 8)
            parts.append(np.frombuffer(raw, dtype=np.float64).reshape(stop - start, n))
        return np.concatenate(parts, axis=1).T

    def close(self) -> None:
        """Close the temporary file, which deletes it."""
        self.file.close()
