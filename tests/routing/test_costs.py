import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.routing.costs import bpr_days, iceberg_tau, logit_shares, logsum_cost


def test_bpr_closed_form_and_uncapacitated():
    t0 = np.array([2.0, 3.0, 1.0])
    v = np.array([5.0, 5.0, 5.0])
    c = np.array([10.0, np.nan, np.inf])
    out = bpr_days(t0, v, c, 0.15, 4.0)
    assert out[0] == 2.0 * (1 + 0.15 * 0.5**4)
    assert out[1] == 3.0 and out[2] == 1.0


@given(st.lists(st.floats(0, 1e7), min_size=2, max_size=20))
def test_bpr_delay_nondecreasing_in_volume(vols):
    v = np.sort(np.array(vols))
    out = bpr_days(np.full(v.size, 2.0), v, np.full(v.size, 1e6), 0.15, 4.0)
    assert np.all(np.diff(out) >= 0)
    assert np.all(out >= 2.0)


def test_logit_two_paths_closed_form_and_sums():
    cost = np.array([100.0, 120.0, 50.0, 50.0, 70.0])
    scale = np.array([20.0, 20.0, 10.0, 10.0, 10.0])
    ptr = np.array([0, 2, 5])
    s = logit_shares(cost, scale, np.ones(5, bool), ptr)
    assert np.isclose(s[0], 1 / (1 + np.exp(-1.0)))
    assert np.isclose(s[2], s[3])
    assert np.allclose(np.add.reduceat(s, ptr[:-1]), 1.0)


def test_logit_closed_path_gets_nothing_and_no_overflow():
    cost = np.array([1e6, 1e6 + 1, 5e6])
    s = logit_shares(cost, np.full(3, 1.0), np.array([False, True, True]), np.array([0, 3]))
    assert s[0] == 0.0 and np.isclose(s[1], 1.0) and np.isfinite(s).all()


def test_logsum_closed_form_bounds_and_monotone():
    cost = np.array([100.0, 120.0])
    scale = np.full(2, 20.0)
    ptr = np.array([0, 2])
    both = logsum_cost(cost, scale, np.ones(2, bool), ptr)[0]
    expect = 20.0 * (np.log(2) - np.log(np.exp(-5.0) + np.exp(-6.0)))
    assert np.isclose(both, expect)
    assert both >= cost.min()
    one = logsum_cost(cost, scale, np.array([True, False]), ptr)[0]
    assert one > both  # closing a path raises the expected cost
    dearer = logsum_cost(cost + [0, 10], scale, np.ones(2, bool), ptr)[0]
    assert dearer > both


def test_iceberg():
    assert np.allclose(iceberg_tau(np.array([0.0, 250.0]), np.array([1000.0, 1000.0])), [1, 1.25])


def test_capacity_prices_rise_when_over_fall_when_under_and_stay_in_bounds():
    from sim.routing.costs import capacity_prices

    price = np.array([10.0, 10.0, 10.0, 0.0, 98.0])
    target = np.array([300.0, 50.0, 1e6, 10.0, 1e6])
    cap = np.full(5, 100.0)
    scale = np.full(5, 5.0)
    ceiling = np.full(5, 100.0)
    out = capacity_prices(price, target, cap, scale, 1.0, ceiling)
    assert out[0] == pytest.approx(10.0 + 5.0 * np.log(2.0))  # y/c = 3 bounded to 2
    assert out[1] == pytest.approx(10.0 - 5.0 * np.log(2.0))  # y/c = 1/2
    assert out[2] == pytest.approx(10.0 + 5.0 * np.log(2.0))
    assert out[3] == 0.0  # never negative
    assert out[4] == 100.0  # the ceiling
    assert np.array_equal(capacity_prices(price, target, cap, scale, 0.0, ceiling), price)


def test_capacity_gap_reads_over_capacity_and_priced_slack_but_not_a_segment_at_its_ceiling():
    from sim.routing.costs import capacity_gap

    cap, inf = np.array([100.0, 100.0]), np.full(2, np.inf)
    assert capacity_gap(np.array([90.0, 100.0]), cap, np.zeros(2), inf) == 0.0
    assert capacity_gap(np.array([90.0, 100.0]), cap, np.array([1.0, 0.0]), inf) == (
        pytest.approx(0.1)
    )
    assert capacity_gap(np.array([150.0, 100.0]), cap, np.zeros(2), inf) == pytest.approx(0.5)
    at_ceiling = np.array([150.0, 100.0])
    assert capacity_gap(at_ceiling, cap, np.array([7.0, 0.0]), np.array([7.0, 7.0])) == 0.0


def test_damped_steps_halve_where_a_segment_flips_and_stop_at_the_floor():
    from sim.routing.costs import damped_steps

    steps = np.array([1.0, 1.0, 0.02])
    assert damped_steps(steps, np.array([True, False, True]), None, 0.015) is steps
    out = damped_steps(steps, np.array([True, False, True]), np.array([False, False, False]), 0.015)
    np.testing.assert_array_equal(out, [0.5, 1.0, 0.015])
