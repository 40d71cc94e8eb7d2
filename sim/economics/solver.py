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

- up to :data:`CHORD_MAX` economies, unless the world is open (own-market shares
  below :data:`CHORD_MIN_HOME_SHARE`, :func:`home_share`), M = J(0)⁻¹, the inverse
  Jacobian at the start, LU-factored once (a chord iteration; Kelley 2003, §5.4), so
  each step costs one evaluation and two triangular solves instead of a Jacobian and
  a factorisation; memory 5;
- above, where the n³ factorisation costs more steps than it saves, and in an open
  world, where J(0) is a poor model of J along the path and the exact inverse saves
  no steps (:func:`_preconditioner`),
  M = D⁻¹(2I − J(0) D⁻¹), the first two terms of the Neumann series of J(0)⁻¹
  around D, the diagonal of J(0) counting each economy's own market only
  (:meth:`_Linear.own_market_diagonal`, O(n) once): a polynomial preconditioner
  (Dubois, Greenbaum & Rodrigue 1979; Saad 2003, *Iterative Methods for Sparse
  Linear Systems*, §12.3; J(0) there less its rank-one κ term) costing one product
  with J(0) a step, two n×n matrix–vector products (:meth:`_Linear.neumann`);
  memory 5. With D⁻¹ alone
  (Jacobi) the stage took 13–15 steps on random worlds of 150–300 economies, with
  it 8–10, and the extra product is cheaper than the evaluations saved.

The crossover, n = 75, was measured on random worlds (σ = 3–8, the generator of
``tests/economics/test_solver.py``, none the benchmark's; CPU time, interleaved):
on six worlds each of 45, 60 and 75 economies (seeds 301–306 plus n) the chord
took 0.80–0.94 of the polynomial's time at 45 and 60 (medians 0.88, 0.87) and
0.93–1.08 at 75 (median 1.01); on three each of 90 and 120 (seeds 201–203 plus n)
1.14–1.38 (the polynomial faster).

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

Two plain undamped iterations are kept as the references the benchmark measures
the others against, one evaluation of r a step:

- ``fixed_point``: x ← x + r(x)/σ, each market cleared by its own price with the
  others' prices, the price indices and incomes held (a nonlinear Jacobi
  iteration; 1/σ is the own-price Newton step of a small economy);
- ``fixed_point_yotov``: x ← x + r(x)/(σ−1), the factory-gate price update of
  Yotov, Piermartini, Monteiro & Larch (2016, ch. 2, the GEPPML procedure of
  Anderson, Larch & Yotov 2018), p̂_i = (exp π_i^CFL / exp π_i^BLN)^(1/(1−σ)) with
  exp π_i = Y_i / Π_i^(1−σ), the exporter effect, at the last iterate's incomes,
  with the multilateral resistances swept once per step instead of re-estimated
  to convergence. It holds the own output value fixed, so in an open economy
  (small domestic share, own-price derivative of r near −σ) the error is
  multiplied by about −1/(σ−1) a step: there it needs σ > 2.

With every step lowering f, the iteration ends either at a root (the
equilibrium) or at a point where no direction lowers f (no equilibrium
reachable: the caller reports it in words).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

DENSE_MAX = 96
"""Largest number of economies for which the Newton step uses the dense Jacobian."""
CHORD_MAX = 75
"""Largest number of economies for which the accelerated fixed point uses J(0)⁻¹ (above:
a Neumann polynomial in J(0) around its diagonal); the n³ inverse costs about one Newton
step, paid once."""
CHORD_MIN_HOME_SHARE = 0.5
"""Smallest output-weighted own-market share Σ Y_i λ'_ii / Σ Y_i at the start for which the
accelerated fixed point uses J(0)⁻¹ (below, in an open world, the Neumann polynomial at
every size; :func:`home_share`)."""

_MAX_LOG_STEP = 1.0  # cap on max |Δ ln p̂| in one step
_ARMIJO = 1e-4
_BACKTRACKS = 30
_GMRES_MAX = 60
_CHORD_MEMORY = 5  # Anderson memory m (differences kept) with M = J(0)⁻¹
_NEUMANN_MEMORY = 5  # ... and with M = D⁻¹(2I − J(0) D⁻¹)
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
        self.merit = merit if math.isfinite(merit) else math.inf

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
        return float(np.abs(self.residual).max()) if math.isfinite(self.merit) else math.inf


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
        self._product: Callable[[np.ndarray], np.ndarray] | None = None

    def dense(self) -> np.ndarray:
        """J as an n×n array: one n×n product and three scalings.

        With u = price_pow, P = index_pow, g = E/P and c = E/(P² colsum),
        F = diag(u) B diag(g) and G Aᵀ = diag(u) B diag(c) Bᵀ diag(u); B diag(g) =
        B diag(c) diag(P colsum), so both fold into one product:
        J = diag(u/sales) B diag(c) [(σ−1) Bᵀ diag(u) + diag(P colsum)]
        − σ I + 1 (∂ ln κ/∂x)ᵀ.
        """
        st = self.state
        n = st.sales.size
        u, ip, e, B = st.price_pow, st.index_pow, st.expenditure, self.B
        right = B.T * ((self.sigma - 1.0) * u)[None, :]
        right.flat[:: n + 1] += ip * st.colsum
        jac = (B * (e / (ip * ip * st.colsum))[None, :]) @ right
        jac *= (u * self.inv_sales)[:, None]
        jac += self.dkappa[None, :]
        jac.flat[:: n + 1] -= self.sigma
        return jac

    def diagonal(self, own_market_only: bool = False) -> np.ndarray:
        """diag(J), O(n²): F_ii − (1−σ) Σ_j G_ij A_ij over sales, − σ + ∂ ln κ/∂x_i.

        With ``own_market_only`` the sum keeps its j = i term only, O(n)
        (:meth:`own_market_diagonal`).
        """
        st = self.state
        u, ip, e = st.price_pow, st.index_pow, st.expenditure
        a_diag = u * np.diag(self.B) / ip
        F_diag = a_diag * e
        if own_market_only:
            ga = a_diag * F_diag / st.colsum  # G_ii A_ii
        else:
            # Σ_j G_ij A_ij = u_i² Σ_j B_ij² E_j / (colsum_j P_j²)
            ga = u**2 * (self.problem.producer_weights_squared @ (e / (st.colsum * ip**2)))
        d = (F_diag - (1.0 - self.sigma) * ga) * self.inv_sales - self.sigma + self.dkappa
        return np.where(np.abs(d) > 1e-12, d, -self.sigma)

    def own_market_diagonal(self) -> np.ndarray:
        """diag(J) with each economy's own market only in the sum over markets, O(n).

        :meth:`diagonal` with Σ_j G_ij A_ij replaced by its j = i term G_ii A_ii =
        A_ii² E'_i / (Σ_k A_ki): an economy's price moves its sales abroad through its
        share of each foreign market, which is small next to its home share for all
        but the largest. A preconditioner only (the fixed point does not depend on
        it): on five random worlds of 150 and 300 economies (σ = 3–8, the generator
        of ``tests/economics/test_solver.py``, seeds 101–105, none the benchmark's) the
        accelerated stage took the same steps as with the full diagonal, or one fewer
        (13–14), and that diagonal costs an n×n product (B², for every new problem).
        """
        return self.diagonal(own_market_only=True)

    def product(self) -> Callable[[np.ndarray], np.ndarray]:
        """The product v ↦ J v, O(n²), with the state's vectors folded in once.

        F v and G Aᵀ v share their product with B: with Aᵀ v = Bᵀ(u v) / P and
        F_ij = u_i B_ij E'_j / P_j, G_ij = F_ij / colsum_j,
        (F − (1−σ) G Aᵀ) v = u ⊙ B [E'/P ⊙ (v + (σ−1) Bᵀ(u v) / (P colsum))],
        so J v costs two matrix–vector products with B.
        """
        st = self.state
        u, B, sigma, dkappa = st.price_pow, self.B, self.sigma, self.dkappa
        inner = (sigma - 1.0) / (st.index_pow * st.colsum)
        outer = st.expenditure / st.index_pow
        rows = u * self.inv_sales

        def apply(v: np.ndarray) -> np.ndarray:
            core = B @ ((v + ((u * v) @ B) * inner) * outer)
            return core * rows - sigma * v + dkappa @ v

        return apply

    def neumann(self, inverse: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        """The step r ↦ −M r, M = D⁻¹(2I − J̃ D⁻¹), for ``inverse`` = the diagonal of D⁻¹.

        J̃ is J without its rank-one term 1 (∂ ln κ/∂x)ᵀ (M is only a preconditioner:
        with and without it the accelerated stage took the same steps, 161 in all, on
        16 random worlds of 90–250 economies, seeds 501–504 plus n, none the benchmark's).
        With w = D⁻¹ r, −M r = D⁻¹ J̃ w − 2w, and J̃ w is :meth:`product`'s without
        the last term, so a step is two products with B and a few scalings.
        """
        st = self.state
        u, B, sigma = st.price_pow, self.B, self.sigma
        inner = (sigma - 1.0) / (st.index_pow * st.colsum)
        outer = st.expenditure / st.index_pow
        rows = u * self.inv_sales * inverse
        own = sigma * inverse + 2.0

        def step(residual: np.ndarray) -> np.ndarray:
            w = residual * inverse
            result = (B @ ((w + ((u * w) @ B) * inner) * outer)) * rows
            result -= own * w
            return result

        return step

    def matvec(self, v: np.ndarray) -> np.ndarray:
        """J v (:meth:`product`)."""
        if self._product is None:
            self._product = self.product()
        return self._product(v)

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


def home_share(state: State) -> float:
    """The output-weighted own-market share Σ_i Y'_i λ'_ii / Σ_i Y'_i, O(n).

    λ'_ii = u_i W_ii / P_i, the share of economy i's spending on its own goods: near 1 in
    a closed world, small in an open one (the Yotov world without borders: 0.23).
    """
    own = state.price_pow * np.diagonal(state.problem.weights) / state.index_pow
    return float((own * state.supply).sum() / state.supply.sum())


def _preconditioner(problem: Problem, state: State) -> tuple[Callable, int]:
    """The step r ↦ −M r of the accelerated iteration and the Anderson memory to use with it.

    M = J(0)⁻¹ up to :data:`CHORD_MAX` economies when the world is not open
    (:func:`home_share` at least :data:`CHORD_MIN_HOME_SHARE`; memory
    :data:`_CHORD_MEMORY`), else M = D⁻¹(2I − J D⁻¹) with D J's own-market diagonal
    (memory :data:`_NEUMANN_MEMORY`; :meth:`_Linear.neumann`).

    Why openness (measured with ``benchmarks/ge_chord_rule.py``: CPU time, interleaved,
    15 repeats, one BLAS thread, random worlds of 20–75 economies, none the benchmark's):
    fitted on 40 border-cost worlds (seed 77, load 4.2), the polynomial was faster at home
    shares below 0.3 (10 worlds, median 1.21×, 1.07–1.49×) and 0.3–0.5 (8, 1.21×,
    0.97–1.39×); above 0.5 the winner moved with the load (at 4.2: 1.12× and 1.08× for
    the polynomial in 0.5–0.7 and above 0.7; in an earlier draw at load 1.6 the chord was
    faster above 0.7, median 1.05×, saving 0.9 steps), so the threshold is 0.5, where
    the polynomial won in every run. Held out (seed 78, half from the generator of
    ``tests/economics/test_solver.py``): the 18 worlds the rule changes ran median 1.13×
    faster with it (0.85–1.27×; slower on 5). In an open world J(0) is a poor model of J
    along the path (the Yotov world: J(0)⁻¹ alone contracts the gap 0.45× a step, the
    polynomial 0.1×), so the exact inverse buys no steps for its factorisation.

    J is singular (J·1 = 0, homogeneity), so, as in the Newton step, the largest
    economy's equation is replaced by the normalisation Σ Δx = 0 (its residual is
    redundant by Walras' law). J is LU-factored once (LAPACK ``getrf`` on Jᵀ, which
    is J's memory read in Fortran order, so nothing is copied); each step is then
    two triangular solves with the transpose (``getrs``, trans = 1), O(n²). A
    singular or non-finite J falls back to the polynomial.
    """
    from scipy.linalg import lapack

    linear = _Linear(problem, state)
    if problem.output.size <= CHORD_MAX and home_share(state) >= CHORD_MIN_HOME_SHARE:
        jac = linear.dense()
        dropped = int(np.argmax(problem.output))
        jac[dropped] = 1.0
        lu, pivots, info = lapack.dgetrf(jac.T, overwrite_a=True)
        if info == 0 and math.isfinite(lu.sum()):

            def chord(residual: np.ndarray) -> np.ndarray:
                rhs = -residual
                rhs[dropped] = 0.0
                return lapack.dgetrs(lu, pivots, rhs, trans=1, overwrite_b=True)[0]

            return chord, _CHORD_MEMORY
    return linear.neumann(1.0 / linear.own_market_diagonal()), _NEUMANN_MEMORY


def _accelerated(problem: Problem, state: State, tol: float, budget: int) -> tuple[State, int]:
    """Anderson-accelerated preconditioned price adjustment (module docstring).

    With g(x) = x − M r(x) and f_k = g(x_k) − x_k, each step takes
    x_{k+1} = x_k + f_k − ΔG γ, γ = argmin ‖f_k − ΔF γ‖ over the last m
    differences ΔF of f and ΔG of g (ΔG = ΔX + ΔF; Walker & Ni 2011, eq. 2.2 with
    β = 1), by the normal equations ΔFᵀΔF γ = ΔFᵀ f_k of that small problem. The
    differences are kept in a ring of m rows and their Gram matrix ΔFᵀΔF is updated
    by one row per step, so a step costs one evaluation, one application of M and
    O(m n) besides.

    Returns:
        The state with the smallest merit reached, and the steps taken.
    """
    from scipy.linalg import lapack

    step, memory = _preconditioner(problem, state)
    n = problem.output.size
    # max |r| ≤ tol needs ½‖r‖² ≤ ½ n tol²: the gap is only computed below that merit.
    near = 0.5 * n * tol * tol
    best, best_gap = state, state.gap
    f = step(state.residual)
    g = state.log_price + f  # g(x_k): the next proposal before the Anderson correction
    d_f, d_g = np.empty((memory, n)), np.empty((memory, n))  # rows: ΔF, ΔG (a ring)
    gram = np.empty((memory, memory))  # ΔF ΔFᵀ, diagonal × (1 + 1e-10) (Tikhonov)
    stored = since_best = steps = 0
    while steps < budget and best_gap > tol and since_best < _ACCEL_STALL:
        steps += 1
        proposal = g
        rows = min(stored, memory)
        if rows:
            gamma, info = lapack.dposv(gram[:rows, :rows], d_f[:rows] @ f)[1:]
            if info == 0 and math.isfinite(gamma.sum()):
                proposal = g - gamma @ d_g[:rows]
        candidate = evaluate(problem, proposal)
        if not math.isfinite(candidate.merit):
            break
        f_new = step(candidate.residual)
        g_new = proposal + f_new
        if memory:
            slot = stored % memory
            np.subtract(f_new, f, out=d_f[slot])
            np.subtract(g_new, g, out=d_g[slot])
            stored += 1
            rows = min(stored, memory)
            gram[slot, :rows] = gram[:rows, slot] = d_f[:rows] @ d_f[slot]
            gram[slot, slot] *= 1.0 + 1e-10
        f, g = f_new, g_new
        if candidate.merit < best.merit:
            best, since_best = candidate, 0
            best_gap = candidate.gap if candidate.merit <= near else math.inf
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
            (the accelerated fixed point alone), ``newton``, ``krylov``, ``fixed_point``
            or ``fixed_point_yotov`` (the plain references, no fallback; module
            docstring).
        max_fallback: cap on damped price-adjustment and descent steps in all.

    Returns:
        An :class:`Outcome`; ``converged`` False when the caps were hit or no
        step lowers the merit any more.
    """
    n = problem.output.size
    state = evaluate(problem, np.zeros(n))
    if method in ("fixed_point", "fixed_point_yotov"):
        own = problem.sigma - 1.0 if method == "fixed_point_yotov" else problem.sigma
        rate = 1.0 / own
        iterations = 0
        while state.gap > tol and iterations < max_iter and math.isfinite(state.merit):
            iterations += 1
            state = evaluate(problem, state.log_price + rate * state.residual)
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
