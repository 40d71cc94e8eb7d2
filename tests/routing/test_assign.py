import numpy as np
import pytest
from scipy import sparse

from sim.routing.assign import msa_assign
from sim.routing.costs import PRICE_CEILING, bpr_factor, logit_shares


def _two_route(tonnes: float, tol: float = 1e-6, **kw):
    # One pair, two single-segment paths; segment 0 is capacitated and cheap.
    a = sparse.csr_matrix(np.eye(2))
    return msa_assign(
        incidence=a,
        ptr=np.array([0, 2]),
        pair_tonnes=np.array([tonnes]),
        segment_money=np.array([100.0, 130.0]),
        time_value=np.array([10.0, 10.0]),
        scale=np.array([20.0, 20.0]),
        available=np.ones(2, bool),
        free_days=np.array([2.0, 2.0]),
        capacity=np.array([1000.0, np.nan]),
        alpha=0.15,
        beta=4.0,
        max_iter=1000,
        tol=tol,
        **kw,
    )


def test_msa_reaches_the_logit_fixed_point():
    out = _two_route(3000.0)
    assert out.gap <= 1e-6
    f = bpr_factor(out.segment_volume, np.array([1000.0, np.nan]), 0.15, 4)
    cost = (np.array([100.0, 130.0]) + 10.0 * np.array([2.0, 2.0])) * f
    expect = logit_shares(cost, np.array([20.0, 20.0]), np.ones(2, bool), np.array([0, 2]))
    assert np.allclose(out.shares, expect, atol=1e-5)


def test_tonnage_conserved():
    out = _two_route(3000.0)
    assert np.isclose(out.path_tonnes.sum(), 3000.0, rtol=1e-12)
    assert np.isclose(out.segment_volume.sum(), 3000.0, rtol=1e-12)


def test_congestion_rises_with_volume_and_diverts():
    runs = [_two_route(t) for t in (100.0, 1000.0, 3000.0, 10000.0)]
    days = [r.segment_days[0] for r in runs]
    share = [r.shares[0] for r in runs]
    assert all(np.diff(days) > 0)
    assert all(np.diff(share) < 0)


def test_uncapacitated_needs_no_iteration():
    a = sparse.csr_matrix(np.eye(2))
    out = msa_assign(a, np.array([0, 2]), np.array([5.0]), np.array([1.0, 2.0]), np.ones(2),
                     np.ones(2), np.ones(2, bool), np.ones(2), np.full(2, np.nan), 0.15, 4.0, 50,
                     1e-3)  # fmt: skip
    assert out.iterations == 0 and out.gap == 0.0


def test_capacity_price_holds_the_segment_to_its_capacity_at_the_closed_form_price():
    """3,000 t for a 1,000 t segment: y = c, and the price makes the logit send c.

    With f = 1 + α at v = c (BPR sees min(v, c)), s₀ = c / q solves
    s₀ = 1 / (1 + exp((C₀ f + μ_p − C₁) / σ)), so μ_p = σ ln(q/c − 1) + C₁ − C₀ f.
    """
    out = _two_route(3000.0, tol=1e-9, price_step=1.0)
    assert out.gap <= 1e-9 and out.iterations < 1000
    assert out.segment_volume[0] == pytest.approx(1000.0, rel=1e-6)
    c0, c1, f = 100.0 + 10.0 * 2.0, 130.0 + 10.0 * 2.0, 1.15
    expect = 20.0 * np.log(3000.0 / 1000.0 - 1.0) + c1 - c0 * f
    assert out.shadow_price[0] == pytest.approx(expect, rel=1e-6)
    assert out.shadow_price[1] == 0.0
    assert out.path_cost[0] == pytest.approx(c0 * f + expect, rel=1e-9)


def test_a_segment_below_capacity_is_not_priced_and_matches_the_soft_assignment():
    soft, hard = _two_route(300.0), _two_route(300.0, price_step=1.0)
    assert np.all(hard.shadow_price == 0.0)
    np.testing.assert_allclose(hard.shares, soft.shares, rtol=1e-5)


def test_soft_capacities_run_over_and_priced_ones_do_not():
    soft, hard = _two_route(10000.0, tol=1e-4), _two_route(10000.0, tol=1e-4, price_step=1.0)
    assert soft.segment_volume[0] > 1300.0  # 1.39 x capacity
    assert hard.segment_volume[0] <= 1000.0 * (1 + 2e-4)
    assert np.isclose(hard.path_tonnes.sum(), 10000.0, rtol=1e-12)


def test_tonnes_with_no_uncapacitated_path_stop_at_the_price_ceiling():
    """Both paths capacitated and 1e7 t for 3,000 t: no price can meet the capacities."""
    out = msa_assign(
        incidence=sparse.csr_matrix(np.eye(2)), ptr=np.array([0, 2]),
        pair_tonnes=np.array([1e7]), segment_money=np.array([100.0, 130.0]),
        time_value=np.array([10.0, 10.0]), scale=np.array([10.0, 10.0]),
        available=np.ones(2, bool), free_days=np.array([2.0, 2.0]),
        capacity=np.array([1000.0, 2000.0]), alpha=0.15, beta=4.0, max_iter=500, tol=0.03,
        price_step=1.0,
    )  # fmt: skip
    assert out.iterations < 500 and out.gap <= 0.03
    np.testing.assert_allclose(out.shadow_price, PRICE_CEILING * 10.0)
    assert np.isclose(out.path_tonnes.sum(), 1e7, rtol=1e-12)
