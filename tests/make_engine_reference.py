"""Write tests/data/engine_reference.json: what the engine gives for each shipped scenario.

Run from the repository root, on the engine to take as the reference:
    python tests/make_engine_reference.py
Only when a change of results is intended (and said so in its commit).
"""

from __future__ import annotations

import json
from pathlib import Path

from sim import load_scenario
from sim.model import run_replication
from sim.run.outcomes import outcome_row

REPLICATIONS = 2


def reference() -> dict[str, dict[str, list]]:
    found = {}
    for path in sorted(Path("scenarios").glob("*.yaml")):
        scenario = load_scenario(path)
        records = [run_replication(scenario, k) for k in range(REPLICATIONS)]
        found[path.name] = {
            "outcomes": [outcome_row(r).tolist() for r in records],
            "events": [r.events for r in records],
        }
    return found


if __name__ == "__main__":
    target = Path(__file__).parent / "data" / "engine_reference.json"
    target.write_text(json.dumps(reference(), indent=1) + "\n")
