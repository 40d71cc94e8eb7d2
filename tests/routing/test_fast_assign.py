"""The private fast assignment against the readable one (sim/routing/assign.py)."""

import numpy as np
import pytest

from sim.routing import CorridorPhase, CorridorsConfig
from sim.routing._fast_assign import msa_assign_fast
from sim.routing.assign import msa_assign
from sim.routing.config import Closure
from sim.routing.costs import segment_money
from sim.routing.levers import segment_state
from tests.routing.fixtures import ECONOMIES, gravity_flows


@pytest.fixture(scope="module")
def phase():
    cfg = CorridorsConfig(closures=[Closure("East-West", "2025Q1", "2025Q4")])
    return CorridorPhase(ECONOMIES, cfg, gravity_flows(), "2024Q1")


def _inputs(phase, quarter, scale_flows, max_iter=40, tol=0.03, price_step=0.0):
    state = segment_state(phase.net, phase.cfg, quarter)
    return dict(
        incidence=phase.paths.incidence,
        path_of=phase.classes.path,
        ptr=phase.classes.ptr,
        pair_tonnes=phase.class_tonnes(gravity_flows() * scale_flows),
        segment_money=segment_money(phase.net.km, phase._rate, state.fee),
        time_value=phase._path_time_value,
        scale=phase._path_scale,
        available=phase._available(state),
        free_days=phase.net.base_days + state.border_days,
        capacity=state.capacity / 4.0,
        alpha=0.15,
        beta=4.0,
        max_iter=max_iter,
        tol=tol,
        price_step=price_step,
    )


@pytest.mark.parametrize(
    ("quarter", "scale", "max_iter", "tol", "warm", "price_step"),
    [
        ("2024Q2", 1.0, 40, 0.03, False, 0.0),
        ("2025Q2", 1.0, 40, 0.03, False, 0.0),  # East-West closed
        ("2024Q2", 40.0, 40, 0.03, False, 0.0),  # congested
        ("2024Q2", 40.0, 300, 1e-6, False, 0.0),  # to a tight fixed point
        ("2025Q2", 40.0, 40, 0.03, True, 0.0),  # warm start with shares on closed paths
        ("2024Q2", 1.0, 200, 0.03, False, 1.0),  # capacity prices
        ("2024Q2", 40.0, 200, 0.03, False, 1.0),  # capacity prices, congested
        ("2024Q2", 40.0, 300, 1e-6, False, 1.0),  # capacity prices, to a tight fixed point
        ("2025Q2", 40.0, 200, 0.03, True, 1.0),  # capacity prices, warm start
    ],
)
def test_fast_path_gives_the_readable_assignment(
    phase, quarter, scale, max_iter, tol, warm, price_step
):
    kw = _inputs(phase, quarter, scale, max_iter, tol, price_step)
    if warm:
        kw["start_shares"] = phase.baseline_assignment.shares
        kw["start_prices"] = phase.baseline_assignment.shadow_price
    slow, fast = msa_assign(**kw), msa_assign_fast(**kw)
    assert fast.iterations == slow.iterations and fast.iterations >= (1 if scale > 1 else 0)
    assert fast.gap == pytest.approx(slow.gap, rel=1e-9, abs=1e-12)
    for name in ("shares", "path_tonnes", "segment_volume", "segment_days", "path_days"):
        np.testing.assert_allclose(
            getattr(fast, name), getattr(slow, name), rtol=1e-9, atol=1e-9, err_msg=name
        )
    np.testing.assert_allclose(fast.path_cost, slow.path_cost, rtol=1e-9)
    np.testing.assert_allclose(fast.shadow_price, slow.shadow_price, rtol=1e-9, atol=1e-9)


def test_fast_path_handles_congestion_that_underflows_the_logit():
    """Both paths far over capacity: exp(−extra/μ) underflows, so the exact form is used."""
    from scipy import sparse

    kw = dict(
        incidence=sparse.csr_matrix(np.eye(2)),
        ptr=np.array([0, 2]),
        pair_tonnes=np.array([1e7]),
        segment_money=np.array([100.0, 130.0]),
        time_value=np.array([10.0, 10.0]),
        scale=np.array([1.0, 1.0]),
        available=np.ones(2, bool),
        free_days=np.array([2.0, 2.0]),
        capacity=np.array([1000.0, 2000.0]),
        alpha=0.15,
        beta=4.0,
        max_iter=30,
        tol=1e-6,
    )
    slow, fast = msa_assign(**kw), msa_assign_fast(**kw)
    assert np.all(np.isfinite(fast.shares)) and fast.shares.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(fast.shares, slow.shares, rtol=1e-9)
    np.testing.assert_allclose(fast.segment_volume, slow.segment_volume, rtol=1e-9)


@pytest.mark.parametrize("scale", [1.0, 40.0])
def test_fast_path_with_a_row_premium_gives_the_readable_assignment(phase, scale):
    """A per-row premium (route premiums) enters both forms alike, and shifts shares."""
    kw = _inputs(phase, "2024Q2", scale)
    rng = np.random.default_rng(7)
    kw["row_extra"] = 100.0 * (rng.random(phase.classes.path.size) < 0.3)
    slow, fast = msa_assign(**kw), msa_assign_fast(**kw)
    assert fast.iterations == slow.iterations
    for name in ("shares", "segment_volume", "path_days", "path_cost"):
        np.testing.assert_allclose(
            getattr(fast, name), getattr(slow, name), rtol=1e-9, atol=1e-9, err_msg=name
        )
    plain = msa_assign_fast(**{**kw, "row_extra": None})
    hit = kw["row_extra"] > 0
    assert fast.shares[hit].sum() < plain.shares[hit].sum()


def test_a_zero_row_premium_is_no_premium(phase):
    kw = _inputs(phase, "2024Q2", 40.0)
    plain = msa_assign_fast(**kw)
    zero = msa_assign_fast(**kw, row_extra=np.zeros(phase.classes.path.size))
    for name in ("shares", "segment_volume", "path_cost"):
        np.testing.assert_array_equal(getattr(zero, name), getattr(plain, name), err_msg=name)


@pytest.mark.parametrize("quarter", ["2024Q2", "2025Q2"])  # open, and with East-West closed
def test_a_kept_preparation_gives_the_same_assignment(phase, quarter):
    """The routing phase prepares once per segment state and reuses it for other tonnes."""
    from sim.routing._fast_assign import prepare

    base = _inputs(phase, quarter, 1.0)
    kept = prepare(
        **{
            k: v
            for k, v in base.items()
            if k not in ("pair_tonnes", "max_iter", "tol", "price_step")
        }
    )
    assert kept.hot is not None
    warm = None
    for scale in (1.0, 1.4, 0.7):  # new tonnes each quarter, warm-started as in the phase
        args = {**_inputs(phase, quarter, scale), "start_shares": warm}
        fresh, reused = msa_assign_fast(**args), msa_assign_fast(**args, prepared=kept)
        assert fresh.iterations == reused.iterations > 0
        for name in ("shares", "segment_volume", "segment_days", "path_days", "path_cost"):
            np.testing.assert_array_equal(getattr(reused, name), getattr(fresh, name))
        warm = fresh.shares
