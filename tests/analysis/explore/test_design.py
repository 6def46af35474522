"""The design of an exploration: Latin hypercube strata, inverse CDFs, policies."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.explore.design import (
    Dimension,
    check_policies,
    futures,
    latin_hypercube,
    parse_policy,
    value_at,
)
from sim.errors import InputError
from sim.scenario.schema import Scenario, Uncertainty


@pytest.mark.parametrize(("samples", "width"), [(1, 1), (7, 3), (100, 5)])
def test_each_stratum_of_each_dimension_holds_exactly_one_point(samples: int, width: int) -> None:
    unit = latin_hypercube(samples, width, seed=3)
    assert unit.shape == (samples, width)
    strata = np.floor(unit * samples).astype(int)
    for column in strata.T:
        assert sorted(column) == list(range(samples))


def test_the_same_seed_gives_the_same_design_and_another_seed_another() -> None:
    assert np.array_equal(latin_hypercube(20, 3, 5), latin_hypercube(20, 3, 5))
    assert not np.array_equal(latin_hypercube(20, 3, 5), latin_hypercube(20, 3, 6))


def _dimension(integer: bool = False, **distribution: object) -> Dimension:
    return Dimension("x", Uncertainty.model_validate(distribution), integer)


def test_sampled_futures_keep_one_value_in_each_stratum_of_a_uniform_range() -> None:
    dims = (_dimension(uniform=[10.0, 30.0]), _dimension(choice=["a", "b"]))
    drawn = [f["x"] for f in futures(dims[:1], 8, seed=2)]
    strata = np.floor((np.array(drawn) - 10.0) / 20.0 * 8).astype(int)
    assert sorted(strata) == list(range(8))


@pytest.mark.parametrize(
    ("distribution", "u", "expected"),
    [
        ({"uniform": [0.3, 1.0]}, 0.5, 0.65),
        ({"loguniform": [1.0, 100.0]}, 0.5, 10.0),
        ({"triangular": [0.0, 1.0, 2.0]}, 0.5, 1.0),
        ({"triangular": [0.0, 0.0, 1.0]}, 0.75, 0.5),
        ({"choice": ["a", "b", "c"]}, 0.0, "a"),
        ({"choice": ["a", "b", "c"]}, 0.5, "b"),
        ({"choice": ["a", "b", "c"]}, 0.999, "c"),
    ],
)
def test_a_quantile_maps_through_the_inverse_cdf(
    distribution: dict[str, object], u: float, expected: object
) -> None:
    value = value_at(_dimension(**distribution), u)
    if isinstance(expected, float):
        assert value == pytest.approx(expected)
    else:
        assert value == expected


def test_an_integer_field_gets_whole_numbers() -> None:
    assert value_at(_dimension(integer=True, uniform=[20, 100]), 0.51) == 61


def test_a_policy_reads_its_name_and_each_setting_as_yaml() -> None:
    policy = parse_policy("open:licensing.export_cap_share=1.0,procurement.allocation=pro_rata")
    assert policy.name == "open"
    assert policy.settings == {"licensing.export_cap_share": 1.0,
                               "procurement.allocation": "pro_rata"}
    listed = parse_policy("centres:export_centres.markets=[north, west],export_centres.count=5")
    assert listed.settings["export_centres.markets"] == ["north", "west"]


@pytest.mark.parametrize(
    "text",
    ["open", "open:", "base:licensing.export_cap_share=1", "a b:x=1", "p:x=1,x=2", "p:x"],
)
def test_a_malformed_policy_is_bad_input(text: str) -> None:
    with pytest.raises(InputError, match="--policy"):
        parse_policy(text)


def test_a_policy_on_an_unknown_field_names_the_closest(tiny: Scenario) -> None:
    with pytest.raises(InputError, match="did you mean 'export_cap_share'"):
        check_policies(tiny, [parse_policy("p:licensing.export_cap_shar=1")])
    with pytest.raises(InputError, match="share a name"):
        check_policies(tiny, [parse_policy("p:licensing.export_cap_share=1")] * 2)
