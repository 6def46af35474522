"""sim.analysis.sensitivity.design: reading ``--vary`` ranges, and SALib's sampling rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import TINY_SENSITIVITY, write_scenario
from helpers import defsim

from sim.analysis.sensitivity import Factor, parse_factor
from sim.errors import InputError


def test_parse_factor() -> None:
    factor = parse_factor("licensing.commission.meeting_every_days=14:90")
    assert factor == Factor("licensing.commission.meeting_every_days", 14.0, 90.0, integer=True)
    assert parse_factor("procurement.budget_usd=10e9:40e9").integer is False
    for bad in (
        "procurement.budget_usd=5",
        "procurement.budget_usd=2:1",
        "procurement.budget_usd=a:b",
    ):
        with pytest.raises(InputError):
            parse_factor(bad)


def test_cli_sobol_needs_power_of_two(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path, **TINY_SENSITIVITY)
    ran = defsim(
        "sensitivity",
        scenario,
        "--vary",
        "procurement.budget_usd=0.3e9:1.5e9",
        "--method",
        "sobol",
        "--samples",
        "6",
        "--out",
        tmp_path / "x",
    )
    assert ran.code == 2
