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


def congested_volume(volume: np.ndarray, capacity: np.ndarray, priced: bool) -> np.ndarray:
    """The volume BPR congestion sees: v, or min(v, c) when capacities are priced.

    With capacity prices (:func:`capacity_prices`) a segment's volume above its
    capacity is rationed by the price, not by more delay: BPR describes the
    delay of a segment up to its capacity (f ≤ 1 + α), the price the rest. This
    also keeps the iteration away from f = 1 + α (v/c)^β at v ≫ c, which is
    stiff (3.8e5 at v = 40 c).
    """
    if not priced:
        return volume
    return np.where(np.isfinite(capacity) & (capacity > 0), np.minimum(volume, capacity), volume)


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


#: Bound on y/c in one capacity-price step (:func:`capacity_prices`).
PRICE_RATIO_BOUND = 2.0
#: Ceiling of a capacity price in units of the logit scale μ of the pairs that cross the
#: segment (:func:`mean_pair_scale`): a price of 20 μ cuts the logit weight of the paths
#: that pay it by e^-20, so tonnes still over capacity there have no other open path
#: (they are reported, not priced on).
PRICE_CEILING = 20.0
#: Smallest per-segment price step, as a share of ``capacity_price_step`` (:func:`damped_steps`).
SMALLEST_STEP = 1.0 / 64.0


def response_weight(shares: np.ndarray, tonnes: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Per row, −∂y_r/∂μ: how fast its tonnes leave a path whose price rises (t per US$/t).

    A logit path's tonnes y_r = s_r q_r fall with its own cost C_r at
    ``∂y_r/∂C_r = −y_r (1 − s_r) / μ_r``; (1 − s_r) is floored at 0.1 so that a
    path with nearly all of its pair's tonnes (few alternatives) does not make
    the next price step unbounded (:func:`segment_scale`).
    """
    return shares * tonnes * np.maximum(1.0 - shares, 0.1) / scale


def segment_scale(
    volume: np.ndarray, response: np.ndarray, default: np.ndarray | float = 1.0
) -> np.ndarray:
    """Price scale σ_s of each segment: its tonnes over their price response (US$/t).

    ``σ_s = y_s / Σ_r A_rs y_r (1 − s_r) / μ_r``, the inverse of the relative
    response of the segment's tonnes to its price, ``−∂ ln y_s / ∂μ_s`` (rows
    from :func:`response_weight`), so that a price step σ_s · ln(y_s / c_s) is
    a Newton step on ln y_s (exact for one segment, paths not interacting).
    ``default`` (e.g. :func:`mean_pair_scale`) where no tonnes cross.

    Args:
        volume: y_s = Aᵀ y, tonnes per segment.
        response: Aᵀ of :func:`response_weight` per segment.
        default: σ where ``response`` is 0 (a scalar or one per segment; a
            non-finite value there counts as 1).
    """
    fallback = np.broadcast_to(np.asarray(default, dtype=float), np.shape(volume))
    out = np.where(np.isfinite(fallback), fallback, 1.0)
    np.divide(volume, response, out=out, where=response > 0)
    return out


def mean_pair_scale(scale_tonnes: np.ndarray, tonnes: np.ndarray) -> np.ndarray:
    """Mean logit scale μ̄_s of the pairs whose candidate paths cross each segment (US$/t).

    ``μ̄_s = Σ_r A_rs q_r μ_r / Σ_r A_rs q_r``, weighted by the pairs' tonnes q (all of a
    pair's tonnes, not the path's, so it does not move with the shares); given
    ``scale_tonnes`` = Aᵀ(q·μ) and ``tonnes`` = Aᵀ q. Infinite where no pair crosses.
    The price ceiling is :data:`PRICE_CEILING` · μ̄_s, and μ̄_s is the price scale of a
    segment that no tonnes cross at the current prices (:func:`segment_scale`).
    """
    mean = np.full(np.shape(tonnes), np.inf)
    np.divide(scale_tonnes, tonnes, out=mean, where=tonnes > 0)
    return mean


def damped_steps(
    steps: np.ndarray, over: np.ndarray, was_over: np.ndarray | None, smallest: float
) -> np.ndarray:
    """Per-segment price steps θ_s, halved where a segment flips between over and under.

    ``θ_s ← max(θ_s / 2, smallest)`` if ``over_s ≠ was_over_s``, else θ_s: a segment
    whose volume goes from above its capacity to below it (or back) between two
    iterations has overshot, so its next step is shorter. One Newton step per segment
    ignores the segments it is coupled with (pipelines in series, parallel lines to the
    same market), which can make a full step cycle (measured on the 2021-22 network:
    Druzhba and the Russia-EU gas lines); halving on each flip damps any such cycle
    geometrically, down to ``smallest``.

    Args:
        steps: θ_s > 0 per capacitated segment.
        over: y_s > c_s this iteration.
        was_over: The same at the previous iteration (None at the first).
        smallest: Floor of the steps.
    """
    if was_over is None:
        return steps
    return np.where(over != was_over, np.maximum(steps / 2.0, smallest), steps)


def capacity_prices(
    price: np.ndarray,
    target: np.ndarray,
    capacity: np.ndarray,
    scale: np.ndarray,
    step: np.ndarray | float,
    ceiling: np.ndarray,
) -> np.ndarray:
    """One dual-ascent step on the shadow prices of capacitated segments (US$/t).

    ``μ'_s = max(0, μ_s + θ · σ_s · ln(y_s / c_s))``: y_s the tonnes the logit
    sends over segment s at the current costs, c_s its capacity, σ_s its price
    scale (:func:`segment_scale`, so θ = 1 is a Newton step on ln y_s) and θ
    the step; y/c is bounded to [1/2, 2] (:data:`PRICE_RATIO_BOUND`) so that a
    segment the price has emptied does not send the price to 0 in one step, nor
    an overfull one overshoot; μ' is at most ``ceiling`` (:data:`PRICE_CEILING` ·
    :func:`mean_pair_scale`: tonnes with no other open path cannot be priced off a
    segment). The assignment shortens θ per segment where it overshoots
    (:func:`damped_steps`). A price falls
    back towards 0 when the segment is
    not full, so at the fixed point μ_s ≥ 0, y_s ≤ c_s and μ_s · (c_s − y_s) = 0:
    the capacity-constrained stochastic user equilibrium with its Lagrange
    multipliers as scarcity prices (Bell 1995, *Transportation Research B*
    29(4): 287-295, "Stochastic user equilibrium assignment in networks with
    queues"; Larsson & Patriksson 1995, *Transportation Research B* 29(6):
    433-455). A price stands for a queue or a slot premium: it is paid (it
    enters the path's cost, hence τ), it is not congestion time.

    Args:
        price: μ_s ≥ 0 per capacitated segment.
        target: y_s ≥ 0, tonnes per period.
        capacity: c_s > 0, tonnes per the same period.
        scale: σ_s > 0 (US$/t).
        step: θ ≥ 0, one for all or one per segment; 0 leaves the prices at ``price``.
        ceiling: Highest price per segment.
    """
    ratio = np.clip(target / capacity, 1.0 / PRICE_RATIO_BOUND, PRICE_RATIO_BOUND)
    raised = price + step * scale * np.log(ratio)
    return np.clip(raised, 0.0, ceiling)


def capacity_gap(
    volume: np.ndarray, capacity: np.ndarray, price: np.ndarray, ceiling: np.ndarray
) -> float:
    """Distance from the capacity conditions, as a share of capacity.

    ``max_s max((v_s − c_s)/c_s, 1[μ_s > 0] · (c_s − v_s)/c_s, 0)``, v the
    assignment's (averaged) volumes: a segment
    over its capacity, or priced while not full, is off the fixed point of
    :func:`capacity_prices`; a segment priced at its ``ceiling`` counts only if
    it is not full (its excess has no other path).
    """
    if volume.size == 0:
        return 0.0
    over = (volume - capacity) / capacity
    gap = np.where(price > 0, np.abs(over), over)
    gap = np.where((price >= ceiling) & (over > 0), 0.0, gap)
    return float(max(0.0, np.max(gap)))
