"""Solving the market-clearing system of :mod:`sim.economics.gravity`.

The unknowns are log factory-gate price changes x = ln p̂ (n of them); the
residual is the log excess demand r_i(x) = ln(sales_i / supply_i). The system
is homogeneous of degree 0 (r(x + c) = r(x)) and one equation is redundant
(Walras' law), so the price level is fixed afterwards by the caller's
normalisation.

The default (``auto``) first runs an **accelerated fixed point** (``anderson``):
Anderson (1965) acceleration, type II with a short memory (Walker & Ni 2011,
SIAM J. Numer. Anal. 49(4)), of a preconditioned price adjustment
x ← x − M r(x), with

- up to :data:`CHORD_MAX` economies, M = J(0)⁻¹, the inverse Jacobian at the
  start, formed once (a chord iteration; Kelley 2003, §5.4), so each step costs
  one evaluation and one n×n product instead of a Jacobian and a factorisation;
- above, M = −diag(J(0))⁻¹ (Jacobi), O(n²) once.

It is not monotone, so it is safeguarded: it stops when a step is not finite,
when f has not fallen below its best for a few steps, or after
:data:`_ACCEL_MAX` steps, and the Newton methods below then solve from the
baseline x = 0, exactly as without it (from the accelerated stage's best point
Newton can be drawn into a region where no step lowers f: one hard test world
of three economies). Either way the answer is a point with max |r| ≤ tol.

Three ways to a root, each globalised by the same merit f(x) = ½‖r(x)‖²:

1. **Newton** (``newton``): the analytic Jacobian, dense, with a capped step
   and an Armijo backtracking line search on f. O(n³) per step: used up to
   :data:`DENSE_MAX` economies.
2. **Newton–Krylov** (``krylov``): the same Newton step solved inexactly by
   GMRES with Jacobian–vector products, O(n²) each (Eisenstat & Walker 1996
   forcing terms; Kelley 2003, *Solving Nonlinear Equations with Newton's
   Method*, ch. 3). Used above :data:`DENSE_MAX`.
3. **Damped price adjustment** (the fallback of both): x ← x + ω r(x)/σ, a
   tâtonnement step (an excess demand raises the price; 1/σ is the own-price
   Newton step of a small economy), with ω halved until f falls and grown
   back after each success; and, where even that does not lower f, a
   steepest-descent step −∇f = −Jᵀr with backtracking, which lowers f unless
   x is a stationary point of f. Newton is tried again after every
   successful fallback step, so the fast local convergence is kept.

``fixed_point`` is the plain undamped iteration x ← x + r(x)/σ, kept as the
reference the benchmark measures the others against.

With every step lowering f, the iteration ends either at a root (the
equilibrium) or at a point where no direction lowers f (no equilibrium
reachable: the caller reports it in words).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DENSE_MAX = 96
"""Largest number of economies for which the Newton step uses the dense Jacobian."""
CHORD_MAX = 120
"""Largest number of economies for which the accelerated fixed point uses J(0)⁻¹ (above:
the diagonal of J(0)); the n³ inverse costs about one Newton step, paid once."""

_MAX_LOG_STEP = 1.0  # cap on max |Δ ln p̂| in one step
_ARMIJO = 1e-4
_BACKTRACKS = 30
_GMRES_MAX = 60
_ACCEL_MEMORY = 5  # Anderson memory m (differences kept)
_ACCEL_MAX = 60  # cap on accelerated steps before Newton takes over
_ACCEL_STALL = 6  # accelerated steps without a new best f before Newton takes over


@dataclass(frozen=True)
class Problem:
    """The market-clearing system in changes, with everything fixed precomputed.

    Attributes:
        weights: n×n W_ij = λ_ij a_ij t̂_ij^(1−σ) (baseline shares × allowed share × cost
            change).
        inv_tariff: n×n 1/(1+τ'_ij).
        phi: length-n spending out of income φ_j.
        output: length-n Q̂_i Y_i (endowment-scaled baseline output).
        sigma: σ > 1.
    """

    weights: np.ndarray
    inv_tariff: np.ndarray
    phi: np.ndarray
    output: np.ndarray
    sigma: float

    @property
    def producer_weights(self) -> np.ndarray:
        """B_ij = W_ij / (1+τ'_ij), computed once."""
        return self._cached("_producer_weights", lambda: self.weights * self.inv_tariff)

    @property
    def producer_weights_squared(self) -> np.ndarray:
        """B_ij², computed once (for the Jacobian's diagonal)."""
        return self._cached("_producer_weights_sq", lambda: self.producer_weights**2)

    def _cached(self, name: str, make) -> np.ndarray:
        value = self.__dict__.get(name)
        if value is None:
            value = make()
            object.__setattr__(self, name, value)
        return value


class State:
    """Everything the residual and the Jacobian need at one price vector.

    Only vectors are kept: with u_i = p̂_i^(1−σ) (scaled), the shares are
    λ'_ij = u_i W_ij / P_j with P_j = Σ_k u_k W_kj, so every sum over them is a
    matrix–vector product with W or B; the n×n shares are formed only on demand.
    """

    def __init__(self, problem: Problem, log_price: np.ndarray) -> None:
        sigma = problem.sigma
        weights, producer_weights = problem.weights, problem.producer_weights
        with np.errstate(all="ignore"):
            shift = float(log_price.min())
            price_pow = np.exp((1.0 - sigma) * (log_price - shift))  # ≤ 1
            index_pow = price_pow @ weights  # P_j (scaled)
            colsum = (price_pow @ producer_weights) / index_pow  # Σ_i λ'_ij/(1+τ'_ij)
            supply = np.exp(log_price) * problem.output
            # κ keeps world spending on producers equal to world output (Walras' law).
            kappa = supply.sum() / (problem.phi * supply).sum()
            expenditure = kappa * problem.phi * supply / colsum
            sales = price_pow * (producer_weights @ (expenditure / index_pow))
            residual = np.log(sales / supply)
            merit = 0.5 * float(residual @ residual)
            self.index_hat = np.exp(shift) * index_pow ** (1.0 / (1.0 - sigma))
        self.problem = problem
        self.log_price = log_price
        self.price_pow, self.index_pow, self.colsum = price_pow, index_pow, colsum
        self.expenditure, self.sales, self.supply = expenditure, sales, supply
        self.residual = residual
        self.merit = merit if np.isfinite(merit) else np.inf

    @property
    def shares(self) -> np.ndarray:
        """n×n λ'_ij."""
        return self.price_pow[:, None] * self.problem.weights / self.index_pow[None, :]

    @property
    def producer_shares(self) -> np.ndarray:
        """n×n A_ij = λ'_ij / (1+τ'_ij)."""
        return self.price_pow[:, None] * self.problem.producer_weights / self.index_pow[None, :]

    @property
    def gap(self) -> float:
        """Largest |ln(sales_i / supply_i)| (inf if not finite)."""
        return float(np.max(np.abs(self.residual))) if np.isfinite(self.merit) else np.inf


def evaluate(problem: Problem, log_price: np.ndarray) -> State:
    """Shares, expenditure and excess demand at ``log_price`` (module docstring of gravity).

    λ'_ij = w_ij p̂_i^(1−σ) / Σ_k w_kj p̂_k^(1−σ);  E'_j = κ φ_j Y'_j / Σ_i λ'_ij/(1+τ'_ij)
    (the denominator is 1 − the tariff-revenue share of spending);
    sales_i = Σ_j λ'_ij E'_j / (1+τ'_ij).
    Prices are scaled by the cheapest producer before the power so nothing overflows.
    """
    return State(problem, log_price)


class _Linear:
    """The Jacobian J = ∂r/∂x at a state, as dense matrix or as products.

    With A_ij = λ'_ij/(1+τ'_ij), F_ij = A_ij E'_j, G_ij = F_ij / Σ_k A_kj
    (= F_ij / (1 − s_j), s_j the revenue share) and
    ∂ ln κ/∂x_k = Y'_k/ΣY' − φ_k Y'_k/Σ φY':

        J = −σ I + (F − (1−σ) G Aᵀ) / sales[:, None] + 1 (∂ ln κ/∂x)ᵀ

    (differentiating ln λ'_ij, ln E'_j and ln κ; the revenue terms of ∂ ln E'_j
    and the −F λ'ᵀ term of the demand response combine into −(1−σ) G Aᵀ).
    Products with A, F, G are products with B = W/(1+τ') scaled by vectors, O(n²).
    """

    def __init__(self, problem: Problem, state: State) -> None:
        self.sigma = problem.sigma
        self.problem = problem
        self.state = state
        self.B = problem.producer_weights
        self.inv_sales = 1.0 / state.sales
        supply, phi = state.supply, problem.phi
        self.dkappa = supply / supply.sum() - phi * supply / (phi * supply).sum()

    def dense(self) -> np.ndarray:
        """J as an n×n array, from B and scaling vectors (one n×n product).

        With u = price_pow and P = index_pow, F = diag(u) B diag(E/P) and
        G Aᵀ = diag(u) B diag(E/(P² colsum)) Bᵀ diag(u), so
        J = diag(u/sales) [B diag(E/P) − (1−σ) B diag(E/(P² colsum)) Bᵀ diag(u)]
        − σ I + 1 (∂ ln κ/∂x)ᵀ.
        """
        st = self.state
        n = st.sales.size
        u, ip, e, B = st.price_pow, st.index_pow, st.expenditure, self.B
        outer = (B * (e / (ip * ip * st.colsum))[None, :]) @ B.T
        core = B * (e / ip)[None, :] - (1.0 - self.sigma) * (outer * u[None, :])
        jac = core * (u * self.inv_sales)[:, None] + self.dkappa[None, :]
        jac.flat[:: n + 1] -= self.sigma
        return jac

    def diagonal(self) -> np.ndarray:
        """diag(J), O(n²): F_ii − (1−σ) Σ_j G_ij A_ij over sales, − σ + ∂ ln κ/∂x_i."""
        st = self.state
        u, ip, e = st.price_pow, st.index_pow, st.expenditure
        a_diag = u * np.diag(self.B) / ip
        F_diag = a_diag * e
        # Σ_j G_ij A_ij = u_i² Σ_j B_ij² E_j / (colsum_j P_j²)
        ga = u**2 * (self.problem.producer_weights_squared @ (e / (st.colsum * ip**2)))
        d = (F_diag - (1.0 - self.sigma) * ga) * self.inv_sales - self.sigma + self.dkappa
        return np.where(np.abs(d) > 1e-12, d, -self.sigma)

    def matvec(self, v: np.ndarray) -> np.ndarray:
        st = self.state
        u, ip, e = st.price_pow, st.index_pow, st.expenditure
        a_t_v = ((u * v) @ self.B) / ip  # Aᵀ v
        f_v = u * (self.B @ (e * v / ip))  # F v
        g_w = u * (self.B @ (e * a_t_v / (ip * st.colsum)))  # G (Aᵀ v)
        core = f_v - (1.0 - self.sigma) * g_w
        return core * self.inv_sales - self.sigma * v + self.dkappa @ v

    def rmatvec(self, z: np.ndarray) -> np.ndarray:
        st = self.state
        u, ip, e = st.price_pow, st.index_pow, st.expenditure
        w = z * self.inv_sales
        f_t_w = e * ((u * w) @ self.B) / ip  # Fᵀ w
        g_t_w = f_t_w / st.colsum  # Gᵀ w
        a_g = u * (self.B @ (g_t_w / ip))  # A (Gᵀ w)
        return f_t_w - (1.0 - self.sigma) * a_g - self.sigma * z + self.dkappa * z.sum()


def _gmres(linear: _Linear, rhs: np.ndarray, rtol: float, max_dim: int) -> np.ndarray:
    """Minimal-residual solution of J d = rhs in a Krylov space (Saad & Schultz 1986).

    Right-preconditioned by the inverse diagonal of J (Jacobi); x0 = 0.
    """
    n = rhs.size
    beta = float(np.linalg.norm(rhs))
    if beta == 0.0:
        return np.zeros(n)
    scale = 1.0 / linear.diagonal()
    m = min(max_dim, n)
    basis = np.zeros((m + 1, n))
    hess = np.zeros((m + 1, m))
    basis[0] = rhs / beta
    e1 = np.zeros(m + 1)
    e1[0] = beta
    y = np.zeros(0)
    for k in range(m):
        w = linear.matvec(scale * basis[k])
        for i in range(k + 1):  # modified Gram–Schmidt
            hess[i, k] = w @ basis[i]
            w = w - hess[i, k] * basis[i]
        hess[k + 1, k] = float(np.linalg.norm(w))
        y, *_ = np.linalg.lstsq(hess[: k + 2, : k + 1], e1[: k + 2], rcond=None)
        res = float(np.linalg.norm(hess[: k + 2, : k + 1] @ y - e1[: k + 2]))
        if res <= rtol * beta or hess[k + 1, k] <= 1e-14 * beta:
            break
        basis[k + 1] = w / hess[k + 1, k]
    return scale * (y @ basis[: y.size])


def _preconditioner(problem: Problem, state: State):
    """The step r ↦ −M r of the accelerated iteration: M = J(0)⁻¹, or diag(J(0))⁻¹.

    M = J⁻¹ up to :data:`CHORD_MAX` economies, the inverse of J's diagonal above.

    J is singular (J·1 = 0, homogeneity), so, as in the Newton step, the largest
    economy's equation is replaced by the normalisation Σ Δx = 0 (its residual is
    redundant by Walras' law). J is LU-factored once (LAPACK ``getrf``); each step
    is then two triangular solves, O(n²). A singular J falls back to the diagonal.
    """
    linear = _Linear(problem, state)
    if problem.output.size <= CHORD_MAX:
        from scipy.linalg import lapack

        jac = linear.dense()
        dropped = int(np.argmax(problem.output))
        jac[dropped] = 1.0
        lu, pivots, info = lapack.dgetrf(jac, overwrite_a=True)
        if info == 0 and np.all(np.isfinite(lu)):

            def chord(residual: np.ndarray) -> np.ndarray:
                rhs = -residual
                rhs[dropped] = 0.0
                return lapack.dgetrs(lu, pivots, rhs, overwrite_b=True)[0]

            return chord
    diagonal = linear.diagonal()
    return lambda residual: -residual / diagonal


def _accelerated(problem: Problem, state: State, tol: float, budget: int) -> tuple[State, int]:
    """Anderson-accelerated preconditioned price adjustment (module docstring).

    With g(x) = x − M r(x) and f_k = g(x_k) − x_k, each step takes
    x_{k+1} = x_k + f_k − (ΔX + ΔF) γ, γ = argmin ‖f_k − ΔF γ‖ over the last
    :data:`_ACCEL_MEMORY` differences ΔX, ΔF of the iterates and of f (Walker &
    Ni 2011, eq. 2.2 with β = 1), by the normal equations of that small problem.

    Returns:
        The state with the smallest merit reached, and the steps taken.
    """
    from scipy.linalg import lapack

    step = _preconditioner(problem, state)
    n, m = problem.output.size, _ACCEL_MEMORY
    best = state
    x, f = state.log_price, step(state.residual)
    d_x, d_f = np.zeros((m, n)), np.zeros((m, n))
    stored = since_best = steps = 0
    while steps < budget and best.gap > tol and since_best < _ACCEL_STALL:
        steps += 1
        proposal = x + f
        if stored:
            rows = min(stored, m)
            history = d_f[:rows]
            gram = history @ history.T
            gram.flat[:: rows + 1] *= 1.0 + 1e-10  # Tikhonov, relative to each column
            gamma, info = lapack.dposv(gram, history @ f)[1:]
            if info == 0 and np.all(np.isfinite(gamma)):
                proposal = proposal - gamma @ (d_x[:rows] + history)
        candidate = evaluate(problem, proposal)
        if not np.isfinite(candidate.merit):
            break
        f_new = step(candidate.residual)
        if m:
            slot = stored % m
            d_x[slot] = candidate.log_price - x
            d_f[slot] = f_new - f
            stored += 1
        x, f = candidate.log_price, f_new
        if candidate.merit < best.merit:
            best, since_best = candidate, 0
        else:
            since_best += 1
    return best, steps


def _newton_direction(problem: Problem, state: State, krylov: bool) -> np.ndarray:
    linear = _Linear(problem, state)
    residual = state.residual
    if krylov:
        forcing = min(0.1, np.sqrt(state.gap))
        step = _gmres(linear, -residual, forcing, _GMRES_MAX)
        return step - step.mean()
    jac = linear.dense()
    # J·1 = 0 (homogeneity) and one equation is redundant (Walras' law): replace the
    # largest economy's equation by the normalisation Σ Δx = 0.
    dropped = int(np.argmax(problem.output))
    jac[dropped] = 1.0
    rhs = -residual.copy()
    rhs[dropped] = 0.0
    try:
        return np.linalg.solve(jac, rhs)
    except np.linalg.LinAlgError:
        return residual / problem.sigma


def _capped(step: np.ndarray) -> np.ndarray:
    largest = float(np.max(np.abs(step))) if step.size else 0.0
    if not np.isfinite(largest):
        return np.zeros_like(step)
    return step * min(1.0, _MAX_LOG_STEP / max(largest, 1e-300))


def _line_search(
    problem: Problem, state: State, step: np.ndarray, armijo: float = _ARMIJO
) -> State | None:
    """Backtracking on f along ``step``: accept f(x + αs) ≤ (1 − armijo·α) f(x).

    Returns None if no α in 1, ½, ¼, … (30 halvings) qualifies.
    """
    alpha = 1.0
    for _ in range(_BACKTRACKS):
        candidate = evaluate(problem, state.log_price + alpha * step)
        if candidate.merit <= (1.0 - armijo * alpha) * state.merit:
            return candidate
        alpha *= 0.5
    return None


@dataclass
class Outcome:
    """Where a solve ended.

    Attributes:
        state: The last state (the equilibrium if ``converged``).
        iterations: Accelerated fixed-point steps plus Newton steps.
        fallback_steps: Damped price-adjustment and descent steps.
        converged: max |r| ≤ tol.
    """

    state: State
    iterations: int
    fallback_steps: int
    converged: bool


def solve(
    problem: Problem,
    tol: float,
    max_iter: int,
    method: str = "auto",
    max_fallback: int = 20_000,
) -> Outcome:
    """Find x with max |r(x)| ≤ tol, starting from x = 0 (the baseline).

    Args:
        problem: the system.
        tol: tolerance on max |ln(sales/supply)|.
        max_iter: cap on Newton (or fixed-point) iterations; the accelerated stage has
            its own cap, :data:`_ACCEL_MAX`.
        method: ``auto`` (the accelerated fixed point, then, if it stops short, Newton
            from the baseline up to :data:`DENSE_MAX` economies, Newton–Krylov above), ``anderson``
            (the accelerated fixed point alone), ``newton``, ``krylov`` or
            ``fixed_point`` (plain, no fallback).
        max_fallback: cap on damped price-adjustment and descent steps in all.

    Returns:
        An :class:`Outcome`; ``converged`` False when the caps were hit or no
        step lowers the merit any more.
    """
    n = problem.output.size
    state = evaluate(problem, np.zeros(n))
    if method == "fixed_point":
        iterations = 0
        while state.gap > tol and iterations < max_iter and np.isfinite(state.merit):
            iterations += 1
            state = evaluate(problem, state.log_price + state.residual / problem.sigma)
        return Outcome(state, iterations, 0, bool(state.gap <= tol))
    accelerated = newton = fallback = 0
    if method in ("auto", "anderson") and state.gap > tol:
        best, accelerated = _accelerated(problem, state, tol, min(max_iter, _ACCEL_MAX))
        if best.gap <= tol or method == "anderson":
            return Outcome(best, accelerated, 0, bool(best.gap <= tol))
        # Newton starts again from the baseline, not from the accelerated stage's best
        # point: from there it can be drawn away from the equilibrium it reaches from x = 0.
    krylov = method == "krylov" or (method == "auto" and n > DENSE_MAX)
    omega = 1.0
    while state.gap > tol and newton < max_iter:
        newton += 1
        candidate = _line_search(problem, state, _capped(_newton_direction(problem, state, krylov)))
        if candidate is None:  # Newton failed here: damped price adjustment
            candidate, omega, used = _fallback(problem, state, omega, max_fallback - fallback)
            fallback += used
            if candidate is None:
                break
        x = candidate.log_price
        state = candidate if abs(x.mean()) < 1.0 else evaluate(problem, x - x.mean())
    return Outcome(state, accelerated + newton, fallback, bool(state.gap <= tol))


def _fallback(
    problem: Problem, state: State, omega: float, budget: int
) -> tuple[State | None, float, int]:
    """Damped price-adjustment steps until f has fallen tenfold (or no step lowers f).

    Returns (state reached or None if no step lowered f, ω to use next, steps used).
    """
    target = 0.1 * state.merit
    used = 0
    current = state
    while used < budget and current.merit > target:
        used += 1
        direction = _capped(current.residual / problem.sigma)
        accepted = None
        trial = omega
        for _ in range(_BACKTRACKS):
            candidate = evaluate(problem, current.log_price + trial * direction)
            if candidate.merit < current.merit:
                accepted = candidate
                break
            trial *= 0.5
        if accepted is None:  # not a descent direction here: steepest descent on f
            gradient = _Linear(problem, current).rmatvec(current.residual)
            accepted = _line_search(problem, current, _capped(-gradient), armijo=1e-10)
            if accepted is None:
                break
        else:
            omega = min(1.0, 2.0 * trial)
        current = accepted
        if used >= 8 and current.merit > target:  # let Newton try again every few steps
            break
    if current is state:
        return None, omega, used
    return current, omega, used
