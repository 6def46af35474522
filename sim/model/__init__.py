"""The engine: a national defence industry as a discrete-event simulation.

No file I/O and no printing happens here; the engine takes a validated
``Scenario`` and returns arrays.
"""

from sim.model.model import IndustryModel, run_replication
from sim.model.records import MONTHLY_FIELDS, ReplicationRecord

__all__ = ["MONTHLY_FIELDS", "IndustryModel", "ReplicationRecord", "run_replication"]
