"""sim.metrics: values for people (money in a readable unit, no negative zero), labels of
scenario fields, and intervals too narrow to show."""

from __future__ import annotations

import pytest

from sim.metrics import field_label, format_change, format_value, plural, shown_alike


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "$0"),
        (-0.001, "$0"),
        (950.0, "$950"),
        (15_890.0, "$15.9K"),
        (521_330.0, "$521K"),
        (999_600.0, "$1.00M"),
        (1_026_760.0, "$1.03M"),
        (3.7e6, "$3.70M"),
        (125.4e9, "$125B"),
        (-134_900.0, "-$135K"),
    ],
)
def test_money_takes_its_own_unit(value: float, text: str) -> None:
    """The teaching scenario's dollars read as $K and $M, not ``$0.00B``."""
    assert format_value("export_usd", value) == text


@pytest.mark.parametrize(
    ("name", "value", "text"),
    [
        ("absorption_share", -0.0004, "0.0 pp"),
        ("absorption_share", 0.0004, "0.0 pp"),
        ("absorption_share", 0.092, "+9.2 pp"),
        ("absorption_share", -0.2, "-20.0 pp"),
        ("export_usd", -0.4, "$0"),
        ("export_usd", 2.81e6, "+$2.81M"),
        ("export_usd", -1190.0, "-$1.19K"),
        ("firms_exited", -0.01, "0.0"),
        ("firms_exited", 5.2, "+5.2"),
    ],
)
def test_a_change_that_rounds_to_zero_has_no_sign(name: str, value: float, text: str) -> None:
    assert format_change(name, value) == text


@pytest.mark.parametrize("name", ["absorption_share", "firms_exited", "export_usd"])
def test_no_negative_zero(name: str) -> None:
    for value in (-1e-12, -0.0, -0.0004):
        assert not format_value(name, value).startswith("-"), value


def test_plural() -> None:
    assert plural(1, "replication") == "1 replication"
    assert plural(2, "replication") == "2 replications"
    assert plural(1000, "month") == "1,000 months"


def test_field_labels_are_words_without_units_or_dots() -> None:
    assert field_label("procurement.budget_usd") == "procurement › budget"
    assert field_label("licensing.approval_rate.uav") == "licensing › approval rate › uav"
    assert field_label("licensing.export_cap_share") == "licensing › export cap"


def test_an_interval_is_shown_only_when_its_ends_print_differently() -> None:
    assert shown_alike("surplus_usd", -4e-6, 3e-6), "-$0 and $0 print alike"
    assert shown_alike("capacity_usd", 7.9999999e9, 8.0000001e9)
    assert not shown_alike("capacity_usd", 7.9e9, 8.1e9)
    assert not shown_alike("surplus_usd", -5e9, 5e9), "a sign is kept when it matters"
    assert not shown_alike("absorption_share", 0.24, 0.26)
