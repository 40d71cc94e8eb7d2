"""The market-clearing solver's methods agree, and the accelerated stage hands over to Newton."""

from __future__ import annotations

import numpy as np
import pytest

from sim.economics import solver
from sim.economics.solver import Problem, evaluate, solve

TOL = 1e-12


def gravity_problem(n: int, seed: int, sigma: float = 5.0, shock: float = 0.8) -> Problem:
    """A world in changes: distance-decay shares, a cost cut in a bloc, some tariffs raised."""
    rng = np.random.default_rng(seed)
    size = rng.lognormal(0.0, 1.2, n)
    xy = rng.uniform(0.0, 1.0, (n, 2))
    distance = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1)) + 0.02
    flows = np.outer(size, size) / distance * rng.lognormal(0.0, 0.5, (n, n))
    off = ~np.eye(n, dtype=bool)
    np.fill_diagonal(flows, 0.0)
    np.fill_diagonal(flows, 1.5 * flows.sum(axis=1) + size)
    flows = flows * rng.uniform(0.8, 1.2, n)[None, :]  # unbalanced trade
    bloc = rng.random(n) < 1 / 3
    cost_hat = np.where(np.outer(bloc, bloc) & off, shock, 1.0)
    tariff = np.where(off & (rng.random((n, n)) < 0.2), 0.5, 0.0)
    shares = flows / flows.sum(axis=0)
    output = flows.sum(axis=1)
    phi = flows.sum(axis=0) / output
    weights = shares * (cost_hat * (1.0 + tariff)) ** (1.0 - sigma)
    return Problem(weights, 1.0 / (1.0 + tariff), phi, output, sigma)


def centred(x: np.ndarray) -> np.ndarray:
    return x - x.mean()


# n = 150 uses the Neumann-preconditioned acceleration (above CHORD_MAX) and Newton–Krylov.
@pytest.mark.parametrize(("n", "seed"), [(3, 0), (16, 1), (69, 2), (150, 3)])
def test_default_and_newton_find_the_same_equilibrium(n, seed):
    problem = gravity_problem(n, seed)
    default = solve(problem, TOL, 200)
    newton = solve(problem, TOL, 200, method="krylov" if n > solver.DENSE_MAX else "newton")
    assert default.converged and newton.converged
    assert default.state.gap <= TOL
    assert np.max(np.abs(centred(default.state.log_price) - centred(newton.state.log_price))) < 1e-9


@pytest.mark.parametrize(("n", "seed"), [(16, 4), (69, 5), (150, 6)])
def test_the_accelerated_stage_alone_clears_a_moderate_shock(n, seed):
    problem = gravity_problem(n, seed)
    plain = solve(problem, TOL, 100_000, method="fixed_point")
    fast = solve(problem, TOL, 200, method="anderson")
    assert plain.converged and fast.converged
    assert fast.iterations < plain.iterations / 2
    assert np.max(np.abs(centred(fast.state.log_price) - centred(plain.state.log_price))) < 1e-9


@pytest.mark.parametrize(("n", "seed", "sigma"), [(16, 10, 5.0), (69, 11, 7.0)])
def test_both_plain_fixed_points_reach_the_same_equilibrium_to_the_same_tolerance(n, seed, sigma):
    problem = gravity_problem(n, seed, sigma=sigma)
    default = solve(problem, TOL, 200)
    for method in ("fixed_point", "fixed_point_yotov"):
        plain = solve(problem, TOL, 100_000, method=method)
        assert plain.converged and plain.state.gap <= TOL
        assert plain.iterations > default.iterations
        difference = centred(plain.state.log_price) - centred(default.state.log_price)
        assert np.max(np.abs(difference)) < 1e-9


def test_the_yotov_fixed_point_diverges_below_sigma_two_in_open_economies():
    # Small domestic shares: each economy's own-price derivative is near −σ, so the
    # step r/(σ−1) multiplies its error by about −1/(σ−1), |·| = 2 at σ = 1.5.
    n, sigma = 16, 1.5
    rng = np.random.default_rng(15)
    size = rng.lognormal(0.0, 1.2, n)
    flows = np.outer(size, size) * rng.lognormal(0.0, 0.5, (n, n))
    np.fill_diagonal(flows, 0.0)
    np.fill_diagonal(flows, 0.05 * flows.sum(axis=1))
    cost_hat = np.where(rng.random((n, n)) < 0.3, 0.8, 1.0)
    np.fill_diagonal(cost_hat, 1.0)
    shares, output = flows / flows.sum(axis=0), flows.sum(axis=1)
    problem = Problem(
        shares * cost_hat ** (1.0 - sigma),
        np.ones((n, n)),
        flows.sum(axis=0) / output,
        output,
        sigma,
    )
    assert solve(problem, TOL, 5_000, method="fixed_point").converged
    assert not solve(problem, TOL, 5_000, method="fixed_point_yotov").converged


def _reference_anderson(problem: Problem, steps: int) -> list[np.ndarray]:
    """The proposals of Anderson type II written out plainly (Walker & Ni 2011, eq. 2.2,
    β = 1, least squares by lstsq, the last m differences), with the solver's M."""
    state = evaluate(problem, np.zeros(problem.output.size))
    step, memory = solver._preconditioner(problem, state)
    x, f = state.log_price, step(state.residual)
    xs, fs, proposals = [x], [f], []
    for _ in range(steps):
        d_x = np.diff(np.array(xs[-memory - 1 :]), axis=0)
        d_f = np.diff(np.array(fs[-memory - 1 :]), axis=0)
        proposal = x + f
        if len(d_f):
            gamma = np.linalg.lstsq(d_f.T, f, rcond=None)[0]
            proposal = proposal - gamma @ (d_x + d_f)
        proposals.append(proposal)
        x = proposal
        f = step(evaluate(problem, x).residual)
        xs.append(x)
        fs.append(f)
    return proposals


@pytest.mark.parametrize(("n", "seed"), [(30, 13), (150, 14)])  # M = J(0)⁻¹; M = D⁻¹(2I − J(0)D⁻¹)
def test_the_accelerated_stage_takes_the_plain_anderson_steps(monkeypatch, n, seed):
    problem = gravity_problem(n, seed, sigma=8.0, shock=0.5)
    proposals = []
    original = solver.evaluate

    def recording(problem, log_price):
        proposals.append(log_price.copy())
        return original(problem, log_price)

    monkeypatch.setattr(solver, "evaluate", recording)
    start = original(problem, np.zeros(n))
    _, steps = solver._accelerated(problem, start, TOL, 60)
    reference = _reference_anderson(problem, steps)
    compared = 0
    for k in range(steps):
        scale = max(1.0, float(np.max(np.abs(reference[k]))))
        if k and np.max(np.abs(reference[k] - reference[k - 1])) < 1e-7 * scale:
            break  # the steps have reached rounding: the two least squares part there
        assert np.max(np.abs(proposals[k] - reference[k])) < 1e-8 * scale
        compared += 1
    memory = solver._preconditioner(problem, start)[1]
    assert compared >= memory + 2  # past the step where the ring of differences wraps


def test_newton_takes_over_where_the_accelerated_stage_stops(monkeypatch):
    problem = gravity_problem(30, 7, sigma=12.0, shock=0.2)
    reference = solve(problem, TOL, 200, method="newton")
    monkeypatch.setattr(solver, "_ACCEL_MAX", 1)  # one accelerated step, then Newton
    alone = solve(problem, TOL, 200, method="anderson")
    handed_over = solve(problem, TOL, 200)
    assert not alone.converged and alone.iterations == 1
    assert handed_over.converged and handed_over.iterations > 1
    difference = centred(handed_over.state.log_price) - centred(reference.state.log_price)
    assert np.max(np.abs(difference)) < 1e-9


def test_the_accelerated_stage_returns_its_best_point_and_never_a_worse_one():
    problem = gravity_problem(20, 8, sigma=15.0, shock=0.05)  # a large shock
    start = evaluate(problem, np.zeros(20))
    best, steps = solver._accelerated(problem, start, TOL, 60)
    assert 1 <= steps <= 60
    assert best.merit <= start.merit
    assert np.isfinite(best.merit)


def test_the_dense_jacobian_matches_its_products():
    problem = gravity_problem(40, 9)
    state = evaluate(problem, np.random.default_rng(0).normal(0.0, 0.3, 40))
    linear = solver._Linear(problem, state)
    jac = linear.dense()
    v = np.random.default_rng(1).normal(size=40)
    assert np.allclose(jac @ v, linear.matvec(v), rtol=1e-12, atol=1e-12)
    assert np.allclose(jac.T @ v, linear.rmatvec(v), rtol=1e-12, atol=1e-12)
    assert np.allclose(np.diag(jac), linear.diagonal(), rtol=1e-12, atol=1e-12)
    # homogeneity: J·1 = 0
    assert np.max(np.abs(jac @ np.ones(40))) < 1e-10 * np.max(np.abs(jac))


def test_the_own_market_diagonal_leaves_out_only_the_foreign_markets():
    # diag(J)_i − D_i = (σ−1) Σ_{j≠i} G_ij A_ij / sales_i, from the n×n shares.
    problem = gravity_problem(25, 16)
    state = evaluate(problem, np.random.default_rng(2).normal(0.0, 0.3, 25))
    linear = solver._Linear(problem, state)
    producer = state.producer_shares  # A_ij
    spending = producer * state.expenditure[None, :] / state.colsum[None, :]  # G_ij
    foreign = (spending * producer).sum(axis=1) - np.diag(spending) * np.diag(producer)
    expected = np.diag(linear.dense()) - (problem.sigma - 1.0) * foreign / state.sales
    assert np.allclose(linear.own_market_diagonal(), expected, rtol=1e-12, atol=1e-12)


def open_problem(n: int, seed: int, sigma: float = 6.0) -> Problem:
    """A world with small own-market shares: every foreign cost cut by a factor e^(1.5/(σ−1))."""
    problem = gravity_problem(n, seed, sigma, shock=1.0)
    off = ~np.eye(n, dtype=bool)
    weights = np.where(off, problem.weights * np.exp(1.5), problem.weights)
    return Problem(weights, problem.inv_tariff, problem.phi, problem.output, sigma)


def test_the_home_share_is_the_output_weighted_own_market_share():
    problem = gravity_problem(12, 18)
    state = evaluate(problem, np.random.default_rng(4).normal(0.0, 0.3, 12))
    own = np.diag(state.shares)
    assert solver.home_share(state) == pytest.approx(
        (own * state.supply).sum() / state.supply.sum(), rel=1e-12
    )


@pytest.mark.parametrize("world", ["large", "open"])
def test_above_the_chord_size_or_in_an_open_world_the_step_is_the_neumann_polynomial(world):
    if world == "large":
        n = solver.CHORD_MAX + 5
        problem = gravity_problem(n, 17)
    else:
        n = 30
        problem = open_problem(n, 17)
    start = evaluate(problem, np.zeros(n))
    if world == "open":
        assert solver.home_share(start) < solver.CHORD_MIN_HOME_SHARE
        closed = gravity_problem(n, 17)  # the same world before the cut takes the chord
        closed_start = evaluate(closed, np.zeros(n))
        assert solver.home_share(closed_start) > solver.CHORD_MIN_HOME_SHARE
        chord = solver._preconditioner(closed, closed_start)[0]
        jac = solver._Linear(closed, closed_start).dense()
        r = np.random.default_rng(5).normal(size=n)
        keep = np.arange(n) != int(np.argmax(closed.output))  # the normalisation row
        assert np.allclose((jac @ chord(r.copy()))[keep], -r[keep], rtol=1e-9, atol=1e-9)
    step, memory = solver._preconditioner(problem, start)
    linear = solver._Linear(problem, start)
    inverse = np.diag(1.0 / linear.own_market_diagonal())
    # D⁻¹(2I − J̃ D⁻¹), J̃ = J less its rank-one term 1 (∂ ln κ/∂x)ᵀ
    reduced = linear.dense() - linear.dkappa[None, :]
    polynomial = inverse @ (2.0 * np.eye(n) - reduced @ inverse)
    r = np.random.default_rng(3).normal(size=n)
    assert memory == solver._NEUMANN_MEMORY
    assert np.allclose(step(r), -polynomial @ r, rtol=1e-11, atol=1e-12)
