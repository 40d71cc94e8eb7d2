"""Structural-gravity general equilibrium (endowment economy, Armington/CES).

The model (Anderson & van Wincoop 2003; Yotov, Piermartini, Monteiro & Larch
2016, *An Advanced Guide to Trade Policy Analysis*, ch. 2, eqs. 1-6 and the
"full endowment general equilibrium" of §2.C):

    X_ij = (Y_i E_j / Y) · (t_ij / (Π_i P_j))^(1−σ)
    Π_i^(1−σ) = Σ_j (t_ij / P_j)^(1−σ) · E_j / Y          (outward resistance)
    P_j^(1−σ) = Σ_i (t_ij / Π_i)^(1−σ) · Y_i / Y          (inward resistance)
    Y_i = p_i Q_i,   E_j = φ_j Y_j                        (φ_j fixed at baseline)

Holding every φ_j fixed cannot keep world spending equal to world output
once relative incomes change (Σ φ_j Y'_j ≠ Σ Y'_j), so the ratios are held
up to one common factor κ that restores Walras' law; κ = 1 whenever trade
is balanced or the baseline is unchanged.

One inward resistance (the ``reference`` importer's) is the numéraire:
P_ref = 1 in both equilibria, as in the book (Germany there).

Counterfactuals are solved in changes (exact hat algebra, Dekle, Eaton &
Kortum 2007), which gives the same fixed point as iterating the level
system to convergence. With x̂ = x'/x, λ_ij = X_ij/E_j, importer-price
flows and ad-valorem tariffs τ_ij whose revenue R_j is rebated to the
importer's expenditure:

    λ'_ij  = λ_ij (p̂_i t̂_ij T̂_ij)^(1−σ) / P̂_j^(1−σ),   T̂_ij = (1+τ'_ij)/(1+τ_ij)
    Y'_i   = p̂_i Q̂_i Y_i,    Y_i = Σ_j X_ij / (1+τ_ij)
    E'_j   = κ φ_j Y'_j + R'_j = κ φ_j Y'_j / (1 − Σ_i λ'_ij τ'_ij/(1+τ'_ij))
    φ_j    = (E_j − R_j) / Y_j      (baseline spending out of income)
    κ      = Σ_i Y'_i / Σ_i φ_i Y'_i    (spending on producers adds up to world output)
    p̂_i Q̂_i Y_i = Σ_j λ'_ij E'_j / (1+τ'_ij)                   (market clearing)

The market-clearing system is solved on ln p̂ by :mod:`sim.economics.solver`:
Newton (dense analytic Jacobian up to 96 economies, Newton–Krylov above) with
a line search, and a damped price-adjustment fallback wherever Newton cannot
lower the excess demand, so every world with an equilibrium is solved.
A world split into groups with no trade between them has no single price
level; that, and a world whose excess demand no step can reduce, raise
:class:`NoEquilibriumError` with the economies named.

Bans (``allowed`` a_ij < 1) cut demand, λ'_ij ∝ a_ij λ_ij (p̂_i t̂_ij)^(1−σ); they
leave every deficit ratio φ_j at its baseline (:func:`spending_ratios`), so a ban
moves no income between economies and changes welfare only through prices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.economics.demand import expenditure_shares
from sim.economics.solver import Problem, evaluate, solve
from sim.errors import ModelError

_TOL = 1e-12
_MAX_ITER = 200
_BALANCE_RTOL = 1e-6


class NoEquilibriumError(ModelError):
    """No trade equilibrium exists (or none the solver can reach) for the given shock.

    Args:
        template: the message, with ``{economies}`` where the economies are named.
        economies: indices of the economies concerned.
    """

    def __init__(self, template: str, economies: list[int]) -> None:
        self.template = template
        self.economies = [int(i) for i in economies]
        super().__init__(self.named([f"#{i}" for i in self.economies]))

    def named(self, codes: list[str]) -> str:
        """The message with the economies named by ``codes`` (one per index, in order)."""
        return self.template.format(economies=", ".join(codes))


class GravityInputError(ValueError):
    """Invalid input to the gravity solver (shape, sign, NaN, σ ≤ 1, index)."""


@dataclass(frozen=True)
class EquilibriumChange:
    """Result of a counterfactual; ratios are new/base unless stated.

    Attributes:
        price: factory-gate price changes p̂_i.
        real_gdp: real-output changes p̂_i Q̂_i / P̂_i.
        inward_resistance: P̂_j (the CES price index, numéraire P̂_ref = 1 when
            a reference is given).
        outward_resistance: Π̂_i.
        expenditure: Ê_j (tariff revenue included).
        real_income: real expenditure Ê_j / P̂_j.
        tariff_revenue: R'_j in levels (same units as the flows).
        flows_base: n×n baseline flows (levels, importer prices).
        flows_new: n×n counterfactual flows (levels, importer prices).
        iterations: solver iterations used.
        converged: True when the max relative excess demand is below tolerance.
    """

    price: np.ndarray
    real_gdp: np.ndarray
    inward_resistance: np.ndarray
    outward_resistance: np.ndarray
    expenditure: np.ndarray
    real_income: np.ndarray
    tariff_revenue: np.ndarray
    flows_base: np.ndarray
    flows_new: np.ndarray
    iterations: int
    converged: bool


def _as_float_array(name: str, value: object, ndim: int) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    if array.ndim != ndim:
        raise GravityInputError(f"{name} must be {ndim}-D, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise GravityInputError(f"{name} contains NaN or infinite values")
    return array


def _check_sigma(sigma: float) -> float:
    sigma = float(sigma)
    if not np.isfinite(sigma) or sigma <= 1.0:
        raise GravityInputError(f"sigma must be a finite number > 1, got {sigma}")
    return sigma


def _check_square(name: str, array: np.ndarray, n: int) -> None:
    if array.shape != (n, n):
        raise GravityInputError(f"{name} must have shape ({n}, {n}), got {array.shape}")


def _check_reference(reference: int | None, n: int) -> None:
    if reference is not None and not (0 <= int(reference) < n):
        raise GravityInputError(f"reference must be an index in [0, {n - 1}], got {reference}")


def solve_resistances(
    output: np.ndarray,
    expenditure: np.ndarray,
    trade_cost: np.ndarray,
    sigma: float,
    reference: int = 0,
    tol: float = 1e-14,
    max_iter: int = 20_000,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Solve the multilateral-resistance system for given Y, E and t.

    Π_i^(1−σ) = Σ_j (t_ij/P_j)^(1−σ) E_j/Y and P_j^(1−σ) = Σ_i (t_ij/Π_i)^(1−σ) Y_i/Y
    (Yotov et al. 2016, ch. 2, eqs. 2-3), normalised by P_ref = 1. This is a
    matrix-scaling problem, solved by alternating (Sinkhorn) updates.

    Args:
        output: length-n Y_i.
        expenditure: length-n E_j (Σ E = Σ Y).
        trade_cost: n×n iceberg multipliers t_ij ≥ 1 (any positive values allowed).
        sigma: elasticity of substitution σ > 1.
        reference: index of the numéraire importer.
        tol: convergence tolerance on the relative change of the scaling factors.
        max_iter: iteration cap.

    Returns:
        (Π, P, iterations).

    Raises:
        ModelError: if the iteration does not converge.
    """
    world = output.sum()
    kernel = trade_cost ** (1.0 - sigma)
    y_share, e_share = output / world, expenditure / world
    inward_pow = np.ones_like(expenditure)  # P_j^(1−σ)
    for iteration in range(1, max_iter + 1):
        outward_pow = kernel @ (e_share / inward_pow)  # Π_i^(1−σ)
        new_inward = (y_share / outward_pow) @ kernel
        new_inward = new_inward / new_inward[reference]
        change = np.max(np.abs(new_inward / inward_pow - 1.0))
        inward_pow = new_inward
        if change < tol:
            outward_pow = kernel @ (e_share / inward_pow)
            return (
                outward_pow ** (1.0 / (1.0 - sigma)),
                inward_pow ** (1.0 / (1.0 - sigma)),
                iteration,
            )
    raise ModelError(f"multilateral resistances did not converge in {max_iter} iterations")


def gravity_flows(
    output: np.ndarray,
    expenditure: np.ndarray,
    trade_cost: np.ndarray,
    outward: np.ndarray,
    inward: np.ndarray,
    sigma: float,
) -> np.ndarray:
    """Structural gravity flows X_ij = (Y_i E_j / Y) (t_ij / (Π_i P_j))^(1−σ).

    Source: Yotov et al. (2016), ch. 1, eq. 1.
    """
    world = output.sum()
    return (
        np.outer(output, expenditure)
        / world
        * (trade_cost / np.outer(outward, inward)) ** (1.0 - sigma)
    )


def _unchanged(flows_base: np.ndarray, tariff_base: np.ndarray) -> EquilibriumChange:
    n = flows_base.shape[0]
    ones = np.ones(n)
    return EquilibriumChange(
        price=ones.copy(),
        real_gdp=ones.copy(),
        inward_resistance=ones.copy(),
        outward_resistance=ones.copy(),
        expenditure=ones.copy(),
        real_income=ones.copy(),
        tariff_revenue=(flows_base * tariff_base / (1.0 + tariff_base)).sum(axis=0),
        flows_base=flows_base,
        flows_new=flows_base.copy(),
        iterations=0,
        converged=True,
    )


def spending_ratios(producer_flows: np.ndarray) -> np.ndarray:
    """Spending out of income φ_j = E_j / Y_j at the baseline (the deficit closure).

    With producer-price flows F_ij = X_ij / (1+τ_ij), income Y_j = Σ_k F_jk and
    spending on producers Σ_i F_ij, φ_j = Σ_i F_ij / Y_j: each economy's trade
    deficit is held at its baseline share of its own income (Yotov et al. 2016,
    ch. 2, application 1; Dekle, Eaton & Kortum 2007), up to the common factor κ
    of :mod:`sim.economics.solver` that keeps world spending equal to world output.

    The closure is the same with and without bans (issue 17 §6). A ban changes
    demand only, never a deficit, so it moves no income from one economy to
    another: each economy's real income changes by κ̂ p̂_j Q̂_j / P̂_j (times the
    change in its tariff-revenue share), i.e. through its terms of trade p̂_j / P̂_j
    and the κ̂ common to all economies. Clearing the balance earned on banned
    flows instead (the rule this replaces) let an economy with a surplus on the
    banned goods spend that surplus at home, which showed as a welfare gain from
    being embargoed (+1.14 % for Russia in ``eu_russia_import_bans``).
    Where a ban leaves no price that can carry the fixed deficit
    (:func:`_unfinanceable`), the solver refuses the world in words.
    """
    income = producer_flows.sum(axis=1)
    return producer_flows.sum(axis=0) / income


def _unfinanceable(weights: np.ndarray, phi: np.ndarray) -> list[int]:
    """Economies whose fixed deficit no price can carry once the bans bite.

    An economy that can still import but can export nothing runs a deficit equal to
    its imports, so it needs φ_j > 1; one that can export but import nothing needs a
    surplus, φ_j < 1. With the other sign (or balanced trade) its market cannot
    clear at any price: excess supply or demand of its goods keeps one sign.
    """
    off = ~np.eye(weights.shape[0], dtype=bool)
    can_export = (weights * off).sum(axis=1) > 0
    can_import = (weights * off).sum(axis=0) > 0
    stuck = (can_import & ~can_export & (phi <= 1.0)) | (can_export & ~can_import & (phi >= 1.0))
    return [int(i) for i in np.flatnonzero(stuck)]


def _components(linked: np.ndarray) -> list[np.ndarray]:
    """Groups of economies connected by any positive flow (either direction)."""
    n = linked.shape[0]
    adjacency = linked | linked.T
    unseen = np.ones(n, dtype=bool)
    groups = []
    while unseen.any():
        reach = np.zeros(n, dtype=bool)
        reach[int(np.argmax(unseen))] = True
        while True:
            grown = reach | adjacency[reach].any(axis=0)
            if (grown == reach).all():
                break
            reach = grown
        groups.append(np.flatnonzero(reach))
        unseen &= ~reach
    return groups


def solve_in_changes(
    flows_base: np.ndarray,
    cost_hat: np.ndarray,
    sigma: float,
    tariff_base: np.ndarray | None = None,
    tariff_new: np.ndarray | None = None,
    endowment_hat: np.ndarray | None = None,
    reference: int | None = 0,
    tol: float = _TOL,
    max_iter: int = _MAX_ITER,
    allowed: np.ndarray | None = None,
    method: str = "auto",
) -> EquilibriumChange:
    """Full-endowment GE counterfactual in changes from observed baseline flows.

    Solves the system in the module docstring by :func:`sim.economics.solver.solve`
    (Newton or Newton–Krylov with a damped price-adjustment fallback). The
    baseline is reproduced exactly when ``cost_hat`` is all ones, tariffs are
    unchanged, ``endowment_hat`` is all ones and nothing is banned.

    Args:
        flows_base: n×n baseline flows X_ij at importer prices (tariff-inclusive), > 0
            on the diagonal, ≥ 0 elsewhere.
        cost_hat: n×n change in non-tariff trade costs t̂_ij > 0.
        sigma: elasticity of substitution σ > 1.
        tariff_base: n×n ad-valorem tariffs τ_ij ≥ 0 in the baseline (default 0).
        tariff_new: n×n tariffs τ'_ij ≥ 0 in the counterfactual (default = base).
        endowment_hat: length-n endowment changes Q̂_i > 0 (default 1).
        reference: numéraire importer index (P̂_ref = 1); ``None`` keeps world
            nominal output at its endowment-weighted baseline, Σ p̂_i Q̂_i Y_i = Σ Q̂_i Y_i.
        tol: tolerance on max |ln(sales_i / supply_i)|.
        max_iter: cap on Newton iterations (the fallback steps have their own cap).
        allowed: n×n share a_ij in [0, 1] of each flow that is still allowed (a ban
            on a share 1 − a_ij of the pair's goods: a prohibitive trade cost on
            them, λ'_ij ∝ a_ij λ_ij; the diagonal must be 1). Deficit ratios stay
            at baseline (:func:`spending_ratios`). Default: nothing banned.
        method: ``auto``, ``newton``, ``krylov`` or ``fixed_point`` (see
            :mod:`sim.economics.solver`).

    Returns:
        An :class:`EquilibriumChange`.

    Raises:
        GravityInputError: invalid shapes, signs, NaN, σ ≤ 1, reference or bans.
        NoEquilibriumError: bans or costs split the world into groups that cannot
            trade with each other, or no price vector clears every market.
    """
    sigma = _check_sigma(sigma)
    flows_base = _as_float_array("flows_base", flows_base, 2)
    n = flows_base.shape[0]
    _check_square("flows_base", flows_base, n)
    if np.any(flows_base < 0) or np.any(np.diag(flows_base) <= 0):
        raise GravityInputError("flows_base must be ≥ 0 with a positive diagonal")
    cost_hat = _as_float_array("cost_hat", cost_hat, 2)
    _check_square("cost_hat", cost_hat, n)
    if np.any(cost_hat <= 0):
        raise GravityInputError("cost_hat must be > 0 everywhere")
    zeros = np.zeros((n, n))
    tariff_base = zeros if tariff_base is None else _as_float_array("tariff_base", tariff_base, 2)
    tariff_new = tariff_base if tariff_new is None else _as_float_array("tariff_new", tariff_new, 2)
    for name, tariff in (("tariff_base", tariff_base), ("tariff_new", tariff_new)):
        _check_square(name, tariff, n)
        if np.any(tariff < 0):
            raise GravityInputError(f"{name} must be ≥ 0")
    endowment_hat = (
        np.ones(n) if endowment_hat is None else _as_float_array("endowment_hat", endowment_hat, 1)
    )
    if endowment_hat.shape != (n,) or np.any(endowment_hat <= 0):
        raise GravityInputError(f"endowment_hat must be length {n} and > 0")
    if allowed is not None:
        allowed = _as_float_array("allowed", allowed, 2)
        _check_square("allowed", allowed, n)
        if np.any(allowed < 0) or np.any(allowed > 1) or np.any(np.diag(allowed) != 1):
            raise GravityInputError("allowed must be in [0, 1] with 1 on the diagonal")
        if np.all(allowed == 1.0):
            allowed = None
    _check_reference(reference, n)
    if method not in ("auto", "newton", "krylov", "fixed_point"):
        raise GravityInputError(
            f"method must be auto, newton, krylov or fixed_point, got {method!r}"
        )

    expenditure = flows_base.sum(axis=0)
    producer_flows = flows_base / (1.0 + tariff_base)
    output = producer_flows.sum(axis=1)
    phi = spending_ratios(producer_flows)
    shares_base = expenditure_shares(flows_base)
    total_cost_hat = cost_hat * (1.0 + tariff_new) / (1.0 + tariff_base)
    inv_tariff_new = 1.0 / (1.0 + tariff_new)
    revenue_rate_new = tariff_new * inv_tariff_new
    scaled_output = output * endowment_hat

    if allowed is None and np.all(total_cost_hat == 1.0) and np.all(endowment_hat == 1.0):
        # Nothing changed: the baseline is the equilibrium, returned exactly.
        return _unchanged(flows_base, tariff_base)

    with np.errstate(over="ignore", under="ignore"):
        weights = shares_base * total_cost_hat ** (1.0 - sigma)
    if allowed is not None:
        weights = weights * allowed
    groups = _components(weights > 0)
    if len(groups) > 1:
        smallest = min(groups, key=len)
        raise NoEquilibriumError(
            "no trade equilibrium: the bans or trade costs leave {economies} with no "
            "trade at all with the other economies, and one world price level needs "
            "every economy linked to the rest by some trade",
            list(smallest),
        )
    stuck = _unfinanceable(weights, phi)
    if stuck:
        raise NoEquilibriumError(
            "no trade equilibrium: the bans cut all of {economies}'s exports but not its "
            "imports (or all imports but not exports), so its trade balance must have one "
            "sign while its deficit is held at its baseline share of income with the "
            "other; nothing in the model can finance that. Ban both directions, or less.",
            stuck,
        )
    problem = Problem(weights, inv_tariff_new, phi, scaled_output, sigma)
    outcome = solve(problem, tol, max_iter, method)
    state = outcome.state
    if not outcome.converged:
        worst = int(np.nanargmax(np.abs(state.residual))) if np.isfinite(state.merit) else 0
        raise NoEquilibriumError(
            "no trade equilibrium found: the market for {economies}'s goods "
            f"does not clear (excess demand {np.expm1(state.residual[worst]):+.1%} after "
            f"{outcome.iterations} Newton and {outcome.fallback_steps} price-adjustment "
            "steps, none of which could reduce it further); the shock cuts trade so far "
            "that the trade deficits, held at their baseline shares of income, cannot be "
            "financed at any prices. Make the shock smaller.",
            [worst],
        )
    log_price = state.log_price
    if reference is None:
        world = (np.exp(log_price) * scaled_output).sum() / scaled_output.sum()
        log_price = log_price - np.log(world)
    else:
        log_price = log_price - np.log(state.index_hat[reference])
    state = evaluate(problem, log_price)
    price_hat = np.exp(log_price)
    if not np.all(np.isfinite(price_hat)) or np.any(price_hat <= 0):
        raise NoEquilibriumError(
            "no trade equilibrium: prices would leave the range a computer can represent "
            "(the shock is too large; {economies} first)",
            [int(np.argmax(~np.isfinite(price_hat)))],
        )

    flows_new = state.shares * state.expenditure[None, :]
    index_hat = state.index_hat
    world_hat = state.supply.sum() / output.sum()
    # Π̂_i^(1−σ) = Σ_j (X_ij / Y_i)(t̂_ij / P̂_j)^(1−σ) Ê_j / Ŷ   (Yotov et al. eq. 2 in changes)
    expenditure_hat = state.expenditure / expenditure
    # With W = λ a t̂^(1−σ): (F_ij/Y_i)(t̂_ij a_ij^(1/(1−σ)))^(1−σ) = E_j W_ij / ((1+τ_ij) Y_i).
    kernel = weights * (expenditure[None, :] / (1.0 + tariff_base))
    with np.errstate(divide="ignore", over="ignore"):
        outward_pow = kernel @ (index_hat ** (sigma - 1.0) * expenditure_hat) / (output * world_hat)
    tariff_revenue = (flows_new * revenue_rate_new).sum(axis=0)
    return EquilibriumChange(
        price=price_hat,
        real_gdp=price_hat * endowment_hat / index_hat,
        inward_resistance=index_hat,
        outward_resistance=outward_pow ** (1.0 / (1.0 - sigma)),
        expenditure=expenditure_hat,
        real_income=expenditure_hat / index_hat,
        tariff_revenue=tariff_revenue,
        flows_base=flows_base,
        flows_new=flows_new,
        iterations=outcome.iterations + outcome.fallback_steps,
        converged=True,
    )


def solve_counterfactual(
    output: np.ndarray,
    expenditure: np.ndarray,
    trade_cost_base: np.ndarray,
    trade_cost_new: np.ndarray,
    sigma: float,
    reference: int = 0,
) -> EquilibriumChange:
    """Full-endowment structural-gravity counterfactual from levels of trade costs.

    Baseline flows are the structural-gravity flows implied by Y, E and
    t_base (multilateral resistances solved with P_ref = 1); the
    counterfactual changes t_ij to t_new with endowments and the deficit
    ratios φ_j = E_j / Y_j fixed (Yotov et al. 2016, ch. 2, application 1).

    Rule on the inputs: world expenditure must equal world output, ΣE = ΣY to a
    relative 10⁻⁶ (rounding in published data); otherwise the baseline flows
    would not add up and the input is refused, never rescaled silently.

    Args:
        output: length-n Y_i > 0.
        expenditure: length-n E_j > 0.
        trade_cost_base: n×n iceberg multipliers t_ij > 0 (the multiplier, not t^(1−σ)).
        trade_cost_new: n×n counterfactual multipliers t'_ij > 0.
        sigma: elasticity of substitution σ > 1.
        reference: index of the importer whose inward resistance is the numéraire.

    Returns:
        An :class:`EquilibriumChange` (ratios new/base; flows in levels).

    Raises:
        GravityInputError: shape mismatch, σ ≤ 1, NaN, non-positive cost or size,
            ΣE ≠ ΣY.
        ModelError: non-convergence or a non-positive price.
    """
    sigma = _check_sigma(sigma)
    output = _as_float_array("output", output, 1)
    expenditure = _as_float_array("expenditure", expenditure, 1)
    n = output.size
    if expenditure.shape != (n,):
        raise GravityInputError(
            f"expenditure must have length {n} like output, got {expenditure.shape}"
        )
    if np.any(output <= 0) or np.any(expenditure <= 0):
        raise GravityInputError("output and expenditure must be > 0")
    mismatch = expenditure.sum() / output.sum() - 1.0
    if abs(mismatch) > _BALANCE_RTOL:
        raise GravityInputError(
            f"world expenditure must equal world output (ΣE = ΣY within "
            f"{_BALANCE_RTOL:.0e}; the deficits of some must be the surpluses of others), "
            f"got ΣE/ΣY − 1 = {mismatch:+.2e}"
        )
    base = _as_float_array("trade_cost_base", trade_cost_base, 2)
    new = _as_float_array("trade_cost_new", trade_cost_new, 2)
    _check_square("trade_cost_base", base, n)
    _check_square("trade_cost_new", new, n)
    if np.any(base <= 0) or np.any(new <= 0):
        raise GravityInputError("trade costs must be > 0 everywhere")
    _check_reference(reference, n)
    outward, inward, _ = solve_resistances(output, expenditure, base, sigma, reference)
    flows_base = gravity_flows(output, expenditure, base, outward, inward, sigma)
    return solve_in_changes(flows_base, new / base, sigma, reference=reference)
