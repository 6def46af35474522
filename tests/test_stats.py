"""sim.stats against textbook values: Student-t intervals, Welch's degrees of freedom, pairs.

Reference figures are from printed t tables (two-sided 95%, i.e. t_{0.975, df}, given
to three decimals) and from Student's sleep data (Cushny and Peebles; R's ``sleep``
data set), whose paired and Welch intervals R prints in ``example(t.test)``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import stats
from sim.stats import (
    CONFIDENCE,
    Estimate,
    estimate,
    halfwidth,
    paired_difference,
    welch_difference,
)

TABLE = 5e-4
"""Half a unit in the third decimal: the precision of a printed t table."""

T_TABLE = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 8: 2.306, 9: 2.262, 29: 2.045}
"""t_{0.975, df} from a printed table."""

# Student's sleep data: extra hours of sleep of ten patients under two drugs.
DRUG_1 = np.array([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0])
DRUG_2 = np.array([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4])


# --- Student's t ---------------------------------------------------------------------


def test_the_level_is_95_percent() -> None:
    assert CONFIDENCE == 0.95


@pytest.mark.parametrize("dof", sorted(T_TABLE))
def test_t_quantile_matches_the_printed_table(dof: int) -> None:
    assert stats._t_quantile(dof) == pytest.approx(T_TABLE[dof], abs=TABLE)


@pytest.mark.parametrize("n", [2, 5, 10, 30])
def test_an_interval_of_n_values_uses_n_minus_1_degrees_of_freedom(n: int) -> None:
    assert stats._t(n) == pytest.approx(T_TABLE[n - 1], abs=TABLE)


def test_interval_of_one_to_five_worked_by_hand() -> None:
    # mean = 15/5 = 3; s^2 = (4 + 1 + 0 + 1 + 4) / (5 - 1) = 2.5 (ddof 1, not 2.0);
    # se = sqrt(2.5 / 5) = sqrt(0.5); half-width = t_{0.975,4} se = 2.776 x 0.70711 = 1.963.
    e = estimate(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert e.n == 5
    assert e.mean == 3.0
    assert e.std == pytest.approx(math.sqrt(2.5), rel=1e-15)
    se = math.sqrt(0.5)
    assert e.halfwidth == pytest.approx(2.776 * se, abs=TABLE * se)
    assert (e.ci_low, e.ci_high) == pytest.approx((3 - e.halfwidth, 3 + e.halfwidth), rel=1e-15)
    assert (e.ci_low, e.ci_high) == pytest.approx((1.037, 4.963), abs=1e-3)


def test_interval_of_thirty_values_worked_by_hand() -> None:
    # Fifteen -1 and fifteen +1: mean 0, s^2 = 30 / 29, se = sqrt(30/29 / 30) = 1 / sqrt(29);
    # half-width = t_{0.975,29} / sqrt(29) = 2.045 / 5.38516 = 0.37975. The normal
    # quantile (1.960) would give 0.36396: 30 replications are not yet "large".
    e = estimate(np.repeat([-1.0, 1.0], 15))
    assert e.mean == 0.0
    se = 1 / math.sqrt(29)
    assert e.halfwidth == pytest.approx(2.045 * se, abs=TABLE * se)
    assert e.halfwidth > 1.96 * se + 0.01


def test_mean_interval_of_student_sleep_data() -> None:
    # R: t.test(extra[group == 1]): mean 0.75, 95% CI -0.5297804 2.0297804 (df 9).
    e = estimate(DRUG_1)
    assert e.mean == pytest.approx(0.75, rel=1e-12)
    assert e.ci_low == pytest.approx(-0.5297804, abs=1e-7)
    assert e.ci_high == pytest.approx(2.0297804, abs=1e-7)


def test_halfwidth_function_is_the_estimates_halfwidth() -> None:
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert halfwidth(values) == estimate(values).halfwidth


# --- edge cases ----------------------------------------------------------------------


def test_no_values_give_no_estimate() -> None:
    assert estimate(np.array([])) == Estimate(None, None, None, None, 0)
    assert estimate(np.array([math.nan, math.nan])) == Estimate(None, None, None, None, 0)
    assert estimate(np.array([])).halfwidth == math.inf
    assert halfwidth(np.array([])) == math.inf


def test_one_value_gives_a_mean_without_an_interval() -> None:
    e = estimate(np.array([4.5]))
    assert e == Estimate(4.5, None, None, None, 1)
    assert e.halfwidth == math.inf
    assert halfwidth(np.array([4.5, math.nan])) == math.inf


def test_zero_variance_gives_a_zero_width_interval() -> None:
    e = estimate(np.full(7, 2.5))
    assert e == Estimate(2.5, 0.0, 2.5, 2.5, 7)
    assert e.halfwidth == 0.0


def test_undefined_values_are_left_out_and_not_counted() -> None:
    # NaN (an outcome undefined in that replication) and infinities are dropped; n says
    # how many counted. What is left is the 1..5 of the worked example.
    values = np.array([1.0, math.nan, 2.0, 3.0, math.inf, 4.0, -math.inf, 5.0])
    assert estimate(values) == estimate(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert estimate(values).n == 5


def test_as_dict_keeps_every_field() -> None:
    e = estimate(np.array([1.0, 2.0, 3.0]))
    assert e.as_dict() == {
        "mean": e.mean, "std": e.std, "ci_low": e.ci_low, "ci_high": e.ci_high, "n": 3
    }
    assert Estimate(None, None, None, None, 0).as_dict()["mean"] is None


# --- paired differences ----------------------------------------------------------------


def test_paired_interval_of_student_sleep_data() -> None:
    # R: t.test(extra ~ group, data = sleep, paired = TRUE): mean of the differences -1.58,
    # t = -4.0621, df = 9, 95% CI -2.4598858 -0.7001142.
    e = paired_difference(DRUG_1, DRUG_2)
    assert e.n == 10
    assert e.mean == pytest.approx(-1.58, rel=1e-12)
    assert e.std is not None
    assert e.mean / (e.std / math.sqrt(10)) == pytest.approx(-4.0621, abs=1e-4)
    assert e.ci_low == pytest.approx(-2.4598858, abs=1e-7)
    assert e.ci_high == pytest.approx(-0.7001142, abs=1e-7)


def test_paired_difference_is_the_interval_of_the_differences() -> None:
    base = np.array([10.0, 12.0, 9.0, 11.0, 13.0])
    treatment = base + np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert paired_difference(treatment, base) == estimate(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))


def test_paired_difference_drops_whole_pairs() -> None:
    # A NaN on either side drops the pair, so replication k still meets replication k.
    base = np.array([math.nan, 12.0, 9.0, 11.0, 13.0, 8.0])
    treatment = np.array([99.0, math.nan, 12.0, 15.0, 18.0, 14.0])
    e = paired_difference(treatment, base)
    assert e == estimate(np.array([3.0, 4.0, 5.0, 6.0]))
    assert e.n == 4


def test_a_run_paired_with_itself_differs_by_exactly_zero() -> None:
    assert paired_difference(DRUG_1, DRUG_1) == Estimate(0.0, 0.0, 0.0, 0.0, 10)


# --- Welch's unequal-variance interval -----------------------------------------------------


def test_welch_interval_of_student_sleep_data() -> None:
    # R: t.test(extra ~ group, data = sleep): t = -1.8608, df = 17.776,
    # 95% CI -3.3654832 0.2054832. By hand: s1^2 = 3.20056, s2^2 = 4.009,
    # se^2 = (3.20056 + 4.009) / 10 = 0.72096, df = 0.72096^2 / ((0.32006^2 + 0.4009^2) / 9)
    # = 0.51978 / 0.029240 = 17.776.
    e = welch_difference(DRUG_1, DRUG_2)
    assert e.n == 10
    assert e.mean == pytest.approx(-1.58, rel=1e-12)
    assert e.std is not None
    assert e.std == pytest.approx(math.sqrt(0.72096), rel=1e-5), "std holds the standard error"
    assert e.mean / e.std == pytest.approx(-1.8608, abs=1e-4)
    assert e.ci_low == pytest.approx(-3.3654832, abs=1e-7)
    assert e.ci_high == pytest.approx(0.2054832, abs=1e-7)


def test_welch_satterthwaite_degrees_of_freedom_worked_by_hand() -> None:
    # a = 1..5: var 2.5, var/n = 1/2; b = 4, 6, 8: var 4, var/n = 4/3.
    # se^2 = 1/2 + 4/3 = 11/6.
    # df = (11/6)^2 / ((1/2)^2 / 4 + (4/3)^2 / 2) = (121/36) / (1/16 + 8/9)
    #    = (121/36) / (137/144) = 484/137 = 3.5328, between 3 and 4 degrees of freedom.
    a, b = np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([4.0, 6.0, 8.0])
    e = welch_difference(b, a)
    assert e.mean == 3.0 and e.n == 3
    se = math.sqrt(11 / 6)
    assert e.std == pytest.approx(se, rel=1e-15)
    t = e.halfwidth / se
    assert T_TABLE[4] < t < T_TABLE[3]
    assert t == pytest.approx(stats._t_quantile(484 / 137), rel=1e-12)


def test_welch_with_equal_sizes_and_variances_has_2n_minus_2_degrees_of_freedom() -> None:
    # n = 5 each, var/n = 1/2 each: df = 1 / (2 x (1/4) / 4) = 8; se = 1, half-width = t_8.
    e = welch_difference(np.array([11.0, 12.0, 13.0, 14.0, 15.0]),
                         np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert e.mean == 10.0 and e.std == pytest.approx(1.0, rel=1e-15)
    assert e.halfwidth == pytest.approx(T_TABLE[8], abs=TABLE)


def test_welch_with_one_constant_sample_has_the_others_degrees_of_freedom() -> None:
    # var_b = 0: df = (var_a/n_a)^2 / ((var_a/n_a)^2 / (n_a - 1)) = n_a - 1 = 4.
    e = welch_difference(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([7.0, 7.0, 7.0]))
    assert e.mean == -4.0
    se = math.sqrt(0.5)
    assert e.halfwidth == pytest.approx(T_TABLE[4] * se, abs=TABLE * se)


def test_welch_edge_cases() -> None:
    one, three = np.array([1.0]), np.array([1.0, 2.0, 3.0])
    assert welch_difference(three, one) == Estimate(None, None, None, None, 1)
    assert welch_difference(np.array([]), three) == Estimate(None, None, None, None, 0)
    both_constant = welch_difference(np.full(3, 5.0), np.full(4, 2.0))
    assert both_constant == Estimate(3.0, 0.0, 3.0, 3.0, 3)


def test_welch_drops_undefined_values_from_each_sample_on_its_own() -> None:
    a = np.array([1.0, 2.0, math.nan, 3.0, 4.0, 5.0])
    b = np.array([math.inf, 4.0, 6.0, 8.0])
    assert welch_difference(b, a) == welch_difference(b[1:], a[np.isfinite(a)])
