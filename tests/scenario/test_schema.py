"""sim.scenario.schema: rules that span sections name the value that breaks them."""

from __future__ import annotations

import pytest
import yaml
from builders import scenario_dict

from sim import ScenarioError
from sim.scenario.io import scenario_from_text


def test_undefined_sector_in_shares_is_named() -> None:
    text = yaml.safe_dump(
        scenario_dict(**{"procurement.sector_shares": {"uav": 0.5, "drones": 0.5}})
    )
    with pytest.raises(ScenarioError) as err:
        scenario_from_text(text, "x.yaml")
    assert "procurement.sector_shares.drones: sector 'drones' is not defined" in str(err.value)
