"""Stochastic user-equilibrium assignment by the method of successive averages (MSA).

One call assigns all pairs of one quarter: a few sparse matrix-vector products
per iteration on the path-segment incidence matrix, no Python loop over flows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from sim.routing.costs import bpr_days, generalized_cost, logit_shares


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
        gap: Final max over capacitated segments of |y − v| / c (0 if none).
    """

    shares: np.ndarray
    path_tonnes: np.ndarray
    segment_volume: np.ndarray
    segment_days: np.ndarray
    path_days: np.ndarray
    path_cost: np.ndarray
    iterations: int
    gap: float


def msa_assign(
    incidence: sparse.csr_matrix,
    ptr: np.ndarray,
    pair_tonnes: np.ndarray,
    path_money: np.ndarray,
    time_value: np.ndarray,
    scale: np.ndarray,
    available: np.ndarray,
    free_days: np.ndarray,
    capacity: np.ndarray,
    alpha: float,
    beta: float,
    max_iter: int,
    tol: float,
) -> Assignment:
    """Logit assignment with BPR congestion, iterated to a fixed point by MSA.

    Iteration n (Sheffi 1985, *Urban Transportation Networks*, ch. 12):
    segment days t = BPR(v_n); path costs C = M + δV · (A t); auxiliary shares
    σ* = logit(C); auxiliary volumes y = Aᵀ (σ* · q); stop if
    max_{s capacitated} |y_s − v_s| / c_s ≤ tol; else σ_{n+1} = σ_n + (σ* − σ_n) / (n + 1)
    and v_{n+1} = Aᵀ (σ_{n+1} · q). It starts from the free-flow logit shares,
    never from a previous quarter, so equal inputs give bit-identical outputs.
    Averaging shares keeps Σ_paths tonnes = pair tonnes exactly (up to rounding).

    Args:
        incidence: A, P×S path-segment incidence (1 if path p uses segment s).
        ptr: Pair offsets of the paths (see :mod:`sim.routing.costs`).
        pair_tonnes: q_k, tonnes per pair for the period.
        path_money: M_p, freight + fees per tonne of each path (US$/t).
        time_value: δ·V_p, US$ per tonne-day of each path.
        scale: Logit cost scale μ of each path's pair (US$/t).
        available: True where the path is open.
        free_days: Free-flow days per segment (running + border).
        capacity: Capacity per segment in tonnes per the same period (NaN = none).
        alpha: BPR α.
        beta: BPR β.
        max_iter: Maximum MSA iterations (≥ 1).
        tol: Convergence tolerance on the capacity-relative volume gap.
    """
    at = incidence.T.tocsr()
    path_pair_tonnes = np.repeat(pair_tonnes, np.diff(ptr))
    capped = np.isfinite(capacity) & (capacity > 0)

    def shares_at(volume: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        seg_days = bpr_days(free_days, volume, capacity, alpha, beta)
        path_days = incidence @ seg_days
        cost = generalized_cost(path_money, path_days, time_value)
        return logit_shares(cost, scale, available, ptr), seg_days, path_days, cost

    shares, seg_days, path_days, cost = shares_at(np.zeros_like(free_days))
    volume = at @ (shares * path_pair_tonnes)
    gap = 0.0
    iterations = 0
    if capped.any():
        for n in range(1, max_iter + 1):
            iterations = n
            aux, seg_days, path_days, cost = shares_at(volume)
            target = at @ (aux * path_pair_tonnes)
            gap = float(np.max(np.abs(target[capped] - volume[capped]) / capacity[capped]))
            if gap <= tol:
                break
            shares = shares + (aux - shares) / (n + 1)
            volume = at @ (shares * path_pair_tonnes)
        seg_days = bpr_days(free_days, volume, capacity, alpha, beta)
        path_days = incidence @ seg_days
        cost = generalized_cost(path_money, path_days, time_value)
    return Assignment(
        shares=shares,
        path_tonnes=shares * path_pair_tonnes,
        segment_volume=volume,
        segment_days=seg_days,
        path_days=path_days,
        path_cost=cost,
        iterations=iterations,
        gap=gap,
    )
