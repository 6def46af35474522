"""sim.analysis.sweep.design: reading ``--vary`` and the full-factorial design."""

from __future__ import annotations

import pytest

from sim.analysis.sweep import Lever, full_factorial, parse_vary
from sim.errors import InputError


def test_range_includes_both_ends() -> None:
    lever = parse_vary("procurement.budget_usd=10e9:55e9:10")
    assert lever.path == "procurement.budget_usd"
    assert lever.values[0] == 10e9 and lever.values[-1] == 55e9 and len(lever.values) == 10
    assert lever.numeric and lever.kind == "lever"


def test_range_over_integer_field_is_rounded() -> None:
    lever = parse_vary("licensing.commission.meeting_every_days=14:30:4")
    assert lever.values == (14, 19, 25, 30)
    assert all(isinstance(v, int) for v in lever.values)


def test_listed_values_are_read_as_yaml() -> None:
    assert parse_vary("procurement.allocation=pro_rata,largest_first").values == (
        "pro_rata",
        "largest_first",
    )
    assert parse_vary("licensing.export_cap_share=0.3, 0.5").values == (0.3, 0.5)
    assert parse_vary("markets.north.demand_usd.uav=1e9:2e9:2").kind == "uncertainty"


@pytest.mark.parametrize(
    "text",
    [
        "budget",
        "procurement.budget_usd=",
        "procurement.budget_usd=1:2",
        "procurement.budget_usd=1:2:0",
        "procurement.budget_usd=a:b:3",
    ],
)
def test_bad_vary_is_rejected(text: str) -> None:
    with pytest.raises(InputError):
        parse_vary(text)


def test_full_factorial_last_lever_fastest() -> None:
    design = full_factorial([Lever("a", (1, 2)), Lever("b", ("x", "y", "z"))])
    assert [tuple(p.values()) for p in design] == [
        (1, "x"),
        (1, "y"),
        (1, "z"),
        (2, "x"),
        (2, "y"),
        (2, "z"),
    ]
