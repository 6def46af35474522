"""Running replications: the unit of work, its outcomes, executors, the reduction of a run.

Layers within, high to low: ``runner`` (a run: executor, stop rule, reduction) >
``executors`` (this process, a local pool) and ``distributed`` (Dask) >
``reduction`` (in replication order, to ``RunData``) > ``replication`` (one
replication and the chunk function every executor sends) > ``outcomes``, ``spool``,
``stop``. ``worker_start`` is what the local pool's workers are forked with.
"""
