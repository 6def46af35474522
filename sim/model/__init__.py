"""The engine: a national defence industry as a discrete-event simulation.

No file I/O and no printing happens here; the engine takes a validated
``Scenario`` and returns arrays.

``run_replication`` and ``IndustryModel`` are imported on first use: they bring
in the compiler (numba) that runs the engine's loops, about half a second that a
process reading records or results (the CLI reporting an input error, ``compare``,
``report``) does not need to pay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.model.records import MONTHLY_FIELDS, ReplicationRecord

if TYPE_CHECKING:
    from sim.model.model import IndustryModel, run_replication

__all__ = ["MONTHLY_FIELDS", "IndustryModel", "ReplicationRecord", "run_replication"]


def __getattr__(name: str) -> Any:
    """``IndustryModel`` and ``run_replication``, imported on first use (they bring numba)."""
    if name in ("IndustryModel", "run_replication"):
        from sim.model import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
