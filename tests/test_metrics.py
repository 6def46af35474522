"""sim.metrics: labels for scenario fields, and intervals too narrow to show."""

from __future__ import annotations

from sim.metrics import field_label, shown_alike


def test_field_labels_are_words_without_units_or_dots() -> None:
    assert field_label("procurement.budget_usd") == "procurement › budget"
    assert field_label("licensing.approval_rate.uav") == "licensing › approval rate › uav"
    assert field_label("licensing.export_cap_share") == "licensing › export cap"


def test_an_interval_is_shown_only_when_its_ends_print_differently() -> None:
    assert shown_alike("surplus_usd", -4e-6, 3e-6, 0.0), "-$0.00 and $0.00 print alike"
    assert shown_alike("capacity_usd", 7.9999999e9, 8.0000001e9, 8e9)
    assert not shown_alike("capacity_usd", 7.9e9, 8.1e9, 8e9)
    assert not shown_alike("surplus_usd", -5e9, 5e9, 0.0), "a sign is kept when it matters"
    assert not shown_alike("absorption_share", 0.24, 0.26)
