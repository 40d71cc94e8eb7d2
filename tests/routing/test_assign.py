import numpy as np
from scipy import sparse

from sim.routing.assign import msa_assign
from sim.routing.costs import bpr_factor, logit_shares


def _two_route(tonnes: float, tol: float = 1e-6):
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
