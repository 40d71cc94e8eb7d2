"""Stochastic user-equilibrium assignment by the method of successive averages (MSA).

One call assigns all pairs of one quarter: a few sparse matrix-vector products
per iteration on the path-segment incidence matrix, no Python loop over flows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from sim.routing.costs import (
    PRICE_CEILING,
    SMALLEST_STEP,
    bpr_factor,
    capacity_gap,
    capacity_prices,
    congested_volume,
    damped_steps,
    generalized_cost,
    logit_shares,
    mean_pair_scale,
    response_weight,
    segment_scale,
)

#: Largest 1 / weight of an iteration's auxiliary shares when capacities are priced: the
#: prices move the auxiliary shares every iteration, and 1/(n + 1) would let the averaged
#: shares lag them for hundreds of iterations. Measured on the test network to tol 1e-8:
#: 3 converges at 1x, 40x and 200x the gravity flows (24, 108, 68 iterations), 2 cycles
#: at 40x; on the default network 3 takes about 21 iterations from a cold start.
MAX_DIVISOR = 3


@dataclass(frozen=True)
class Assignment:
    """The outcome of :func:`msa_assign`.

    Attributes:
        shares: Route share of each path within its pair (sums to 1 per pair).
        path_tonnes: Tonnes per path (= share × pair tonnes).
        segment_volume: Tonnes per segment (= incidenceᵀ · path_tonnes).
        segment_days: Congested days per segment at ``segment_volume``.
        path_days: Days per path at ``segment_volume``.
        path_cost: Generalized cost per tonne of each path at ``segment_volume``.
        iterations: MSA iterations run.
        gap: Final max over capacitated segments of |y − v| / c (0 if none); with
            capacity prices, the larger of that and :func:`~sim.routing.costs.capacity_gap`.
        shadow_price: Capacity price per segment (US$/t; 0 where uncapacitated, not
            full, or with ``price_step`` 0), part of ``path_cost``.
    """

    shares: np.ndarray
    path_tonnes: np.ndarray
    segment_volume: np.ndarray
    segment_days: np.ndarray
    path_days: np.ndarray
    path_cost: np.ndarray
    iterations: int
    gap: float
    shadow_price: np.ndarray


def msa_assign(
    incidence: sparse.csr_matrix,
    ptr: np.ndarray,
    pair_tonnes: np.ndarray,
    segment_money: np.ndarray,
    time_value: np.ndarray,
    scale: np.ndarray,
    available: np.ndarray,
    free_days: np.ndarray,
    capacity: np.ndarray,
    alpha: float,
    beta: float,
    max_iter: int,
    tol: float,
    path_of: np.ndarray | None = None,
    start_shares: np.ndarray | None = None,
    row_extra: np.ndarray | None = None,
    price_step: float = 0.0,
    start_prices: np.ndarray | None = None,
) -> Assignment:
    """Logit assignment with BPR congestion, iterated to a fixed point by MSA.

    Iteration n (Sheffi 1985, *Urban Transportation Networks*, ch. 12):
    BPR factor f = f(v_n); path costs C = A (m f) + δV · (A (t0 f)); auxiliary shares
    σ* = logit(C); auxiliary volumes y = Aᵀ (σ* · q); stop if
    max_{s capacitated} |y_s − v_s| / c_s ≤ tol; else σ_{n+1} = σ_n + (σ* − σ_n) · λ_n,
    λ_n = 1 / (n + 1) (with capacity prices, at least 1 / :data:`MAX_DIVISOR`)
    and v_{n+1} = Aᵀ (σ_{n+1} · q). It starts from the free-flow logit shares or
    from ``start_shares``; equal inputs give bit-identical outputs. The stop test
    sees capacitated volumes only, so a warm start is sound only from shares
    solved at the same free-flow costs and open paths (tonnes and capacities may
    differ): the caller's job (:class:`sim.routing.phase.CorridorPhase`).
    Averaging shares keeps Σ_paths tonnes = pair tonnes exactly (up to rounding).
    Pairs none of whose paths cross a capacitated segment keep their free-flow
    shares, which is what the iteration would give them; only the others are
    iterated.

    With ``price_step`` θ > 0 capacities are hard: each iteration also moves the
    shadow prices μ of the capacitated segments by one dual-ascent step
    (:func:`~sim.routing.costs.capacity_prices`, from the auxiliary volumes y; a
    segment's step halves each time it overshoots, :func:`~sim.routing.costs.damped_steps`) and
    the path costs include A μ; the stop test then also needs v ≤ c and μ > 0
    only on full segments (:func:`~sim.routing.costs.capacity_gap`), within ``tol``.
    θ = 0 is the BPR-only assignment (capacities soft: a full segment gets dearer
    but is not capped).

    Several choice rows may share one physical path (the commodity groups of a
    pair): ``path_of`` maps each row to its path, so path days and money are
    computed once per path and row tonnes are summed per path before Aᵀ.

    Args:
        incidence: A, P×S path-segment incidence (1 if path p uses segment s).
        ptr: Pair offsets of the paths (see :mod:`sim.routing.costs`).
        pair_tonnes: q_k, tonnes per pair for the period.
        segment_money: m_s, freight + fees per tonne of each segment (US$/t),
            free-flow; congestion multiplies it by the BPR factor as it does days.
        time_value: δ·V_p, US$ per tonne-day of each path.
        scale: Logit cost scale μ of each path's pair (US$/t).
        available: True where the path is open.
        free_days: Free-flow days per segment (running + border).
        capacity: Capacity per segment in tonnes per the same period (NaN = none).
        alpha: BPR α.
        beta: BPR β.
        path_of: Row → path index into ``incidence`` (default: row r is path r).
            ``ptr``, ``time_value``, ``scale`` and ``available`` are per row.
        start_shares: Shares per row to start the iteration from (e.g. the
            previous quarter's equilibrium at the same free-flow costs; shares
            are per pair, so they fit any tonnes);
            a pair with share on a closed path restarts from its free-flow
            logit shares. Default: start from the free-flow logit shares.
        max_iter: Maximum MSA iterations (≥ 1).
        tol: Convergence tolerance on the capacity-relative volume gap.
        row_extra: US$/t added to each row's cost, not congested (a pair-scoped
            route premium, :class:`sim.routing.config.RoutePremium`); None = none.
        price_step: θ ≥ 0 of the capacity prices (0: soft capacities).
        start_prices: Capacity prices per segment to start from (e.g. the previous
            quarter's); default 0.
    """
    n_paths = incidence.shape[0]
    if path_of is None:
        path_of = np.arange(n_paths)
    at = incidence.T.tocsr()
    row_tonnes = np.repeat(pair_tonnes, np.diff(ptr))
    capped = np.isfinite(capacity) & (capacity > 0)

    def costs_at(volume: np.ndarray, rows: np.ndarray, tv: np.ndarray, extra):
        """Row costs and days, segment factor, at segment volumes ``volume``."""
        f = bpr_factor(congested_volume(volume, capacity, price_step > 0), capacity, alpha, beta)
        days = (incidence @ (free_days * f))[rows]
        cost = generalized_cost((incidence @ (segment_money * f))[rows], days, tv)
        return (cost if extra is None else cost + extra), days, f

    def volume_of(rows: np.ndarray, tonnes: np.ndarray) -> np.ndarray:
        return at @ np.bincount(rows, weights=tonnes, minlength=n_paths)

    cost, path_days, f = costs_at(np.zeros_like(free_days), path_of, time_value, row_extra)
    shares = logit_shares(cost, scale, available, ptr)
    volume = volume_of(path_of, shares * row_tonnes)
    gap = 0.0
    iterations = 0
    price = np.zeros_like(free_days)
    if capped.any():
        # Only pairs with a path over a capacitated segment can change their
        # shares: iterate on those (the others' shares stay at the free-flow
        # logit, exactly as the full iteration would leave them).
        touches = ((incidence @ capped.astype(float)) > 0)[path_of]
        live_pair = np.maximum.reduceat(touches, ptr[:-1])
        live = np.repeat(live_pair, np.diff(ptr))
        rows, sub_tv, sub_q = path_of[live], time_value[live], row_tonnes[live]
        sub_ptr = np.concatenate([[0], np.cumsum(np.diff(ptr)[live_pair])])
        sub_scale, sub_available = scale[live], available[live]
        sub_extra = None if row_extra is None else row_extra[live]
        fixed = volume_of(path_of[~live], (shares * row_tonnes)[~live])
        sub_shares = shares[live]
        if start_shares is not None:
            warm = np.asarray(start_shares, dtype=float)[live]
            on_closed = np.add.reduceat(np.where(sub_available, 0.0, warm), sub_ptr[:-1]) > 0
            restart = np.repeat(on_closed, np.diff(sub_ptr))
            sub_shares = np.where(restart, sub_shares, warm)
            volume = fixed + volume_of(rows, sub_shares * sub_q)
        if price_step > 0 and start_prices is not None:
            price = np.where(capped, start_prices, 0.0)
        pair_scale = mean_pair_scale(volume_of(rows, sub_q * sub_scale), volume_of(rows, sub_q))
        ceiling = PRICE_CEILING * pair_scale[capped]
        steps, was_over = np.full(int(capped.sum()), price_step), None
        for n in range(1, max_iter + 1):
            iterations = n
            priced = _plus(sub_extra, (incidence @ price)[rows])
            sub_cost, _, _ = costs_at(volume, rows, sub_tv, priced)
            aux = logit_shares(sub_cost, sub_scale, sub_available, sub_ptr)
            target = fixed + volume_of(rows, aux * sub_q)
            gap = float(np.max(np.abs(target[capped] - volume[capped]) / capacity[capped]))
            if price_step > 0:
                gap = max(
                    gap, capacity_gap(volume[capped], capacity[capped], price[capped], ceiling)
                )
            if gap <= tol:
                break
            if price_step > 0:
                seg_scale = segment_scale(
                    target - fixed,
                    volume_of(rows, response_weight(aux, sub_q, sub_scale)),
                    pair_scale,
                )
                over = target[capped] > capacity[capped]
                steps = damped_steps(steps, over, was_over, price_step * SMALLEST_STEP)
                price[capped] = capacity_prices(
                    price[capped], target[capped], capacity[capped], seg_scale[capped],
                    steps, ceiling,
                )  # fmt: skip
                was_over = over
            sub_shares = sub_shares + (aux - sub_shares) / msa_divisor(n, price_step)
            volume = fixed + volume_of(rows, sub_shares * sub_q)
        shares = shares.copy()
        shares[live] = sub_shares
        cost, path_days, f = costs_at(
            volume, path_of, time_value, _plus(row_extra, (incidence @ price)[path_of])
        )
    seg_days = free_days * f
    return Assignment(
        shares=shares,
        path_tonnes=shares * row_tonnes,
        segment_volume=volume,
        segment_days=seg_days,
        path_days=path_days,
        path_cost=cost,
        iterations=iterations,
        gap=gap,
        shadow_price=price,
    )


def msa_divisor(n: int, price_step: float) -> int:
    """1 / weight of iteration n's auxiliary shares: n + 1, at most MAX_DIVISOR with prices."""
    return n + 1 if price_step <= 0 else min(n + 1, MAX_DIVISOR)


def _plus(extra: np.ndarray | None, add: np.ndarray) -> np.ndarray | None:
    """``extra + add``, or ``extra`` (None too) where ``add`` is all zero."""
    if not add.any():
        return extra
    return add if extra is None else extra + add
