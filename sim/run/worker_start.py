"""Imported once by the process that local workers are forked from: the engine, ready.

A worker process would otherwise import the engine and set up its compiler
itself, 1-2 s before its first replication, in every pool. Forked from a process
that did it once, it starts ready (``sim.run.executors.pool_context``).
"""

import contextlib

# A head start only. Whatever fails here must not take the fork server down (it
# would surface as a bare EOFError): a worker that then needs the engine imports
# it itself and reports its own error through its results.
with contextlib.suppress(Exception):
    import sim.model.model
    import sim.run.replication  # noqa: F401 - both imported for the workers to inherit
    from sim.compiled import load_compiler

    load_compiler()
