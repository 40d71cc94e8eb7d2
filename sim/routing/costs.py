"""Pure, vectorized transport-cost functions: congestion, generalized cost, logit, logsum.

Conventions: arrays over segments have length S; arrays over candidate paths
have length P, with the paths of one origin-destination pair stored
contiguously; ``ptr`` (length n_pairs + 1) holds the first path of each pair,
so pair k owns paths ``ptr[k]:ptr[k+1]``. Every pair has at least one path.
"""

from __future__ import annotations

import numpy as np


def bpr_factor(volume: np.ndarray, capacity: np.ndarray, alpha: float, beta: float) -> np.ndarray:
    """BPR congestion factor f = 1 + α · (v / c)^β on capacitated segments, 1 elsewhere.

    Source: Bureau of Public Roads (1964), *Traffic Assignment Manual*, U.S.
    Dept. of Commerce; α = 0.15, β = 4 are its standard values. The factor
    multiplies a segment's whole cost (days and money, see :func:`bpr_days`
    and :func:`congested_money`), so a full pipeline deters low-value oil,
    whose time costs little, as a full ferry deters containers.

    Args:
        volume: v, tonnes per period.
        capacity: c, tonnes per the same period; NaN or inf = uncapacitated.
        alpha: α ≥ 0.
        beta: β ≥ 0.
    """
    capped = np.isfinite(capacity) & (capacity > 0)
    ratio = np.zeros(np.shape(volume))
    np.divide(volume, capacity, out=ratio, where=capped)
    return 1.0 + alpha * ratio**beta


def bpr_days(
    free_days: np.ndarray,
    volume: np.ndarray,
    capacity: np.ndarray,
    alpha: float,
    beta: float,
) -> np.ndarray:
    """Congested segment time t = t0 · f(v), f the BPR factor (:func:`bpr_factor`).

    Args:
        free_days: t0, free-flow days per segment (running time + border delay).
        volume: v, tonnes per period.
        capacity: c, tonnes per the same period; NaN or inf = uncapacitated.
        alpha: α ≥ 0.
        beta: β ≥ 0.

    Returns:
        Congested days per segment; nondecreasing in ``volume``.
    """
    return free_days * bpr_factor(volume, capacity, alpha, beta)


def segment_money(km: np.ndarray, rate: np.ndarray, fee: np.ndarray) -> np.ndarray:
    """Out-of-pocket cost per tonne of each segment: m_s = km_s · rate_mode(s) + fee_s (US$/t).

    Rates per tonne-km by mode are assumed (``sim/data/corridors/modes.csv``).
    """
    return km * rate + fee


def generalized_cost(
    path_money: np.ndarray, path_days: np.ndarray, time_value: np.ndarray
) -> np.ndarray:
    """Generalized cost per tonne of each path: C_p = M_p + (δ · V_p) · T_p.

    M_p is freight and fees (US$/t), T_p the days in transit including border and
    transshipment delays, δ the value of time as an ad-valorem rate per day
    (Hummels & Schaur 2013, AER 103(7): 0.6-2.1 % per day) and V_p the value per
    tonne of the pair the path serves; ``time_value`` = δ · V_p (US$ per t-day).
    """
    return path_money + time_value * path_days


def _pair_of(ptr: np.ndarray) -> np.ndarray:
    return np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))


def logit_shares(
    cost: np.ndarray, scale: np.ndarray, available: np.ndarray, ptr: np.ndarray
) -> np.ndarray:
    """Multinomial-logit route shares within each pair.

    s_p = a_p · exp(−C_p / μ_k) / Σ_{r∈k} a_r · exp(−C_r / μ_k), with μ_k the
    pair's cost scale (μ_k = C_ref,k / θ: θ is a dimensionless dispersion, C_ref,k
    the pair's baseline cheapest cost) and a_p = 1 if the path is open. Computed
    with the per-pair maximum subtracted, so it does not overflow.

    Args:
        cost: C_p per path (finite).
        scale: μ of each path's pair, per path (> 0).
        available: True where the path is open; every pair needs one.
        ptr: pair offsets (see module docstring).

    Returns:
        Shares per path, summing to 1 within each pair (0 on closed paths).
    """
    z = np.where(available, -cost / scale, -np.inf)
    zmax = np.maximum.reduceat(z, ptr[:-1])
    pair = _pair_of(ptr)
    e = np.exp(z - zmax[pair])
    total = np.add.reduceat(e, ptr[:-1])
    return e / total[pair]


def logsum_cost(
    cost: np.ndarray,
    scale: np.ndarray,
    available: np.ndarray,
    ptr: np.ndarray,
    count: np.ndarray | None = None,
) -> np.ndarray:
    """Expected generalized cost of each pair: a logsum over its candidate paths.

    C*_k = μ_k · [ ln K_k − ln Σ_{r∈k} a_r · exp(−C_r / μ_k) ], where K_k is the
    number of candidate paths of the pair (open or not; ``count`` where given, e.g.
    the status quo's candidates only, so that paths a lever adds lower C*_k and the
    constant does not move). This is the logit logsum (Ben-Akiva & Lerman 1985,
    *Discrete Choice Analysis*, §5.8) shifted by the constant μ_k ln K_k, so that
    min_r C_r ≤ C*_k (positive when costs are) while at most K_k paths are open,
    and C*_k rises when a path closes or gets dearer and falls when one opens.

    Returns:
        C*_k per pair (US$/t).
    """
    z = np.where(available, -cost / scale, -np.inf)
    zmax = np.maximum.reduceat(z, ptr[:-1])
    pair = _pair_of(ptr)
    total = np.add.reduceat(np.exp(z - zmax[pair]), ptr[:-1])
    mu = scale[ptr[:-1]]
    n_candidates = np.diff(ptr) if count is None else count
    return mu * (np.log(n_candidates) - zmax - np.log(total))


def iceberg_tau(expected_cost: np.ndarray, value_per_tonne: np.ndarray) -> np.ndarray:
    """Iceberg transport cost τ = 1 + C* / V (C* US$/t, V US$/t); τ ≥ 1."""
    return 1.0 + expected_cost / value_per_tonne
