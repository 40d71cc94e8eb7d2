"""Solving the market-clearing system of :mod:`sim.economics.gravity`.

The unknowns are log factory-gate price changes x = ln p̂ (n of them); the
residual is the log excess demand r_i(x) = ln(sales_i / supply_i). The system
is homogeneous of degree 0 (r(x + c) = r(x)) and one equation is redundant
(Walras' law), so the price level is fixed afterwards by the caller's
normalisation.

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

_MAX_LOG_STEP = 1.0  # cap on max |Δ ln p̂| in one step
_ARMIJO = 1e-4
_BACKTRACKS = 30
_GMRES_MAX = 60


@dataclass(frozen=True)
class Problem:
    """The market-clearing system in changes, with everything fixed precomputed.

    Attributes:
        weights: n×n λ_ij a_ij t̂_ij^(1−σ) (baseline shares × allowed share × cost change).
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


@dataclass(frozen=True)
class State:
    """Everything the residual and the Jacobian need at one price vector."""

    log_price: np.ndarray
    shares: np.ndarray  # λ'_ij
    producer_shares: np.ndarray  # A_ij = λ'_ij / (1+τ'_ij)
    index_hat: np.ndarray  # P̂_j
    expenditure: np.ndarray  # E'_j
    sales: np.ndarray  # Σ_j A_ij E'_j
    supply: np.ndarray  # p̂_i Q̂_i Y_i
    residual: np.ndarray  # ln(sales / supply)
    merit: float  # ½ ‖residual‖², inf if not finite

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
    sigma = problem.sigma
    with np.errstate(all="ignore"):
        shift = float(log_price.min())
        price_pow = np.exp((1.0 - sigma) * (log_price - shift))  # ≤ 1
        weighted = problem.weights * price_pow[:, None]
        index_pow = weighted.sum(axis=0)
        shares = weighted / index_pow
        index_hat = np.exp(shift) * index_pow ** (1.0 / (1.0 - sigma))
        producer = shares * problem.inv_tariff
        supply = np.exp(log_price) * problem.output
        # κ keeps world spending on producers equal to world output (Walras' law).
        kappa = supply.sum() / (problem.phi * supply).sum()
        expenditure = kappa * problem.phi * supply / producer.sum(axis=0)
        sales = producer @ expenditure
        residual = np.log(sales / supply)
        merit = 0.5 * float(residual @ residual)
    if not np.isfinite(merit):
        merit = np.inf
    return State(
        log_price, shares, producer, index_hat, expenditure, sales, supply, residual, merit
    )


class _Linear:
    """The Jacobian J = ∂r/∂x at a state, as dense matrix or as products.

    With F_ij = A_ij E'_j, G_ij = F_ij / Σ_k A_kj (= F_ij / (1 − s_j), s_j the
    revenue share) and ∂ ln κ/∂x_k = Y'_k/ΣY' − φ_k Y'_k/Σ φY':

        J = −σ I + (F − (1−σ) G Aᵀ) / sales[:, None] + 1 (∂ ln κ/∂x)ᵀ

    (differentiating ln λ'_ij, ln E'_j and ln κ; the revenue terms of ∂ ln E'_j
    and the −F λ'ᵀ term of the demand response combine into −(1−σ) G Aᵀ).
    """

    def __init__(self, problem: Problem, state: State) -> None:
        self.sigma = problem.sigma
        self.A = state.producer_shares
        self.F = self.A * state.expenditure[None, :]
        self.G = self.F / self.A.sum(axis=0)[None, :]
        self.inv_sales = 1.0 / state.sales
        supply, phi = state.supply, problem.phi
        self.dkappa = supply / supply.sum() - phi * supply / (phi * supply).sum()

    def dense(self) -> np.ndarray:
        n = self.A.shape[0]
        core = self.F - (1.0 - self.sigma) * (self.G @ self.A.T)
        return core * self.inv_sales[:, None] - self.sigma * np.eye(n) + self.dkappa[None, :]

    def matvec(self, v: np.ndarray) -> np.ndarray:
        core = self.F @ v - (1.0 - self.sigma) * (self.G @ (self.A.T @ v))
        return core * self.inv_sales - self.sigma * v + self.dkappa @ v

    def rmatvec(self, u: np.ndarray) -> np.ndarray:
        w = u * self.inv_sales
        core = self.F.T @ w - (1.0 - self.sigma) * (self.A @ (self.G.T @ w))
        return core - self.sigma * u + self.dkappa * u.sum()


def _gmres(linear: _Linear, rhs: np.ndarray, rtol: float, max_dim: int) -> np.ndarray:
    """Minimal-residual solution of J d = rhs in a Krylov space (Saad & Schultz 1986).

    Right-preconditioned by −1/σ (J ≈ −σ I for a small open economy); x0 = 0.
    """
    n = rhs.size
    beta = float(np.linalg.norm(rhs))
    if beta == 0.0:
        return np.zeros(n)
    scale = -1.0 / linear.sigma
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
    """Where a solve ended."""

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
        max_iter: cap on Newton (or fixed-point) iterations.
        method: ``auto`` (Newton up to :data:`DENSE_MAX` economies, Newton–Krylov
            above), ``newton``, ``krylov`` or ``fixed_point`` (plain, no fallback).
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
    krylov = method == "krylov" or (method == "auto" and n > DENSE_MAX)
    iterations = fallback = 0
    omega = 1.0
    while state.gap > tol and iterations < max_iter:
        iterations += 1
        candidate = _line_search(problem, state, _capped(_newton_direction(problem, state, krylov)))
        if candidate is None:  # Newton failed here: damped price adjustment
            candidate, omega, used = _fallback(problem, state, omega, max_fallback - fallback)
            fallback += used
            if candidate is None:
                break
        x = candidate.log_price
        state = candidate if abs(x.mean()) < 1.0 else evaluate(problem, x - x.mean())
    return Outcome(state, iterations, fallback, bool(state.gap <= tol))


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
