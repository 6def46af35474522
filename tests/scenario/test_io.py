"""sim.scenario.io: loading scenarios, with file and line in errors, overrides, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from builders import make_scenario, scenario_dict
from helpers import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import ScenarioError, load_scenario
from sim.scenario.io import scenario_from_text, scenario_to_yaml

SCENARIO = REPO / "scenarios" / "ukraine-2026-controlled-export.yaml"


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_negative_budget_names_file_line_and_field(tmp_path: Path) -> None:
    text = SCENARIO.read_text().replace("budget_usd: 25.0e9", "budget_usd: -5")
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    line = _line_of(text, "budget_usd: -5")
    assert str(err.value).startswith(f"{path}:{line}: procurement.budget_usd: ")


def test_several_problems_are_reported_together() -> None:
    data = scenario_dict(**{"months": 0, "sectors.uav.margin": 2.0})
    with pytest.raises(ScenarioError) as err:
        scenario_from_text(yaml.safe_dump(data), "x.yaml")
    paths = {p.path for p in err.value.problems}
    assert {"months", "sectors.uav.margin"} <= paths


def test_unknown_key_suggests_the_closest_field() -> None:
    text = yaml.safe_dump(scenario_dict(**{"procurement.budjet_usd": 1.0}))
    with pytest.raises(ScenarioError) as err:
        scenario_from_text(text, "x.yaml")
    assert "did you mean 'budget_usd'" in str(err.value)


def test_overrides_are_yaml_values_validated_like_the_file() -> None:
    sc = load_scenario(SCENARIO, ["procurement.budget_usd=12e9", "procurement.allocation=random"])
    assert sc.procurement.budget_usd == 12e9 and sc.procurement.allocation == "random"
    with pytest.raises(ScenarioError) as err:
        load_scenario(SCENARIO, ["procurement.budget_usd=-1"])
    assert str(err.value).startswith("--set 1: procurement.budget_usd: ")


def test_a_set_that_breaks_a_section_rule_is_blamed_not_the_file() -> None:
    """Shares that summed to 1 in the file and do not after ``--set``: the --set is at fault."""
    teaching = REPO / "scenarios" / "teaching-minimal.yaml"
    with pytest.raises(ScenarioError) as err:
        load_scenario(teaching, ["months=24", "procurement.sector_shares.drones=0.7"])
    assert str(err.value) == (
        "--set 2: procurement.sector_shares: shares must sum to 1 (they sum to 1.2)")
    with pytest.raises(ScenarioError) as err:
        load_scenario(teaching, ["procurement.sector_shares.drones=0.7",
                                 "procurement.sector_shares.shells=0.4"])
    assert str(err.value).startswith("--set 1, --set 2: procurement.sector_shares: ")
    broken = teaching.read_text().replace("shells: 0.5}", "shells: 0.4}")
    with pytest.raises(ScenarioError) as err:  # a file at fault is still blamed on its line
        scenario_from_text(broken, "t.yaml", ["months=24"])
    line = _line_of(broken, "sector_shares:")
    assert str(err.value).startswith(f"t.yaml:{line}: procurement.sector_shares: ")


def test_override_with_unknown_path_names_the_closest() -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(SCENARIO, ["procurement.budgt_usd=1"])
    assert "did you mean 'budget_usd'" in str(err.value)
    with pytest.raises(ScenarioError) as err:
        load_scenario(SCENARIO, ["sectors.uavs.firms=3"])
    assert "did you mean 'uav'" in str(err.value)


def test_api_overrides_take_python_values() -> None:
    sc = load_scenario(SCENARIO, overrides={"procurement.budget_usd": 12e9})
    assert sc.procurement.budget_usd == 12e9


@settings(max_examples=25, deadline=None)
@given(budget=st.floats(0, 1e12), months=st.integers(1, 120), share=st.floats(0, 1))
def test_scenario_as_run_round_trips(budget: float, months: int, share: float) -> None:
    sc = make_scenario(
        **{
            "procurement.budget_usd": budget,
            "months": months,
            "procurement.sector_shares": {"uav": share, "artillery": 1 - share},
        }
    )
    again = scenario_from_text(scenario_to_yaml(sc), "again.yaml")
    assert again == sc
