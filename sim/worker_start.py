"""Imported once by the process that local workers are forked from: the engine, ready.

A worker process would otherwise import the engine and set up its compiler
itself, 1-2 s before its first replication, in every pool. Forked from a process
that did it once, it starts ready (``runner.pool_context``).
"""

import contextlib

import sim.model.model
import sim.runner  # noqa: F401 - both imported for the workers to inherit
from sim.model.compiled import load_compiler

# A head start only: a worker that still needs the compiler reports its own errors.
with contextlib.suppress(Exception):
    load_compiler()
