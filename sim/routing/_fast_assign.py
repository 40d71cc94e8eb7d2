"""Fast path of :func:`sim.routing.assign.msa_assign`: the same MSA iterates, less work each.

Private to :mod:`sim.routing`; ``tests/routing/test_fast_assign.py`` checks it
against the readable :func:`~sim.routing.assign.msa_assign` (same iterates,
same iteration count, results equal to 1e-9).

Why it is the same iteration: the BPR factor is 1 on uncapacitated segments,
so a row's cost at volumes v is its free-flow cost plus a term over the K
capacitated segments only,

    C_r(v) = C⁰_r + Σ_{s capped} A_rs (f_s(v_s) − 1) (m_s + δV_r · t0_s),

which is zero on the rows that cross no capacitated segment; the stopping
test and the BPR factors need only the capacitated volumes v_c = Aᵀ_c (σ · q).
So each iteration works on the *hot* rows only (those crossing a capacitated
segment; about a fifth of the rows of the iterated pairs), with
B = A[hot rows, capped] (sparse, K ≈ a dozen columns). The logit numerators
are e0_r · exp(−extra_r / μ_r), with e0 = exp(z⁰ − max_pair z⁰) at free flow
computed once (extra ≥ 0, so nothing overflows). A pair's other (cold) rows
keep e0_r in the numerator, so their MSA shares stay e0_r · w_pair and only the
scalar w_pair = average of 1 / Σ_pair numerators is iterated. If congestion
makes a pair's numerators underflow, the readable function is called
instead. Volumes on uncapacitated segments are computed once, at the end.

Everything before the tonnes enter (free-flow costs and shares, the hot and
cold rows, B) is :func:`prepare`'s; the routing phase keeps it while a
quarter's segment state and capacities are the previous quarter's, and the
iterates are then the same floats (tested).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from sim.routing.assign import Assignment, msa_assign, msa_divisor
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


@dataclass(frozen=True)
class HotRows:
    """The rows the MSA iterates and the capacitated segments they cross (:func:`prepare`).

    Rows are candidate paths of a pair (entries of ``path_of``); K is the number of
    capacitated segments, H the hot rows, C the cold rows and I the iterated pairs.

    Attributes:
        by_path: Path × K incidence on the capacitated segments (sparse).
        hot_pair_row: Per row, whether its pair is iterated (has a hot row).
        hot_rows: The rows that cross a capacitated segment (H).
        cold_rows: The iterated pairs' other rows (C).
        iterated: I, the number of iterated pairs.
        hot_ptr: Offsets of each iterated pair's hot rows in ``hot_rows`` (I + 1).
        hot_slot: Per hot row, its pair's index among the iterated pairs (H).
        cold_slot: Per cold row, its pair's index among the iterated pairs (C).
        b: B = A[hot rows, capacitated] (H × K, sparse).
        bt: Bᵀ (K × H, sparse).
        tv_hot: The value of time δ·V of each hot row (US$ per tonne-day).
        scale_hot: The logit scale μ of each hot row (US$/t).
        cap_idx: The capacitated segments' indices (K).
        cap_c: The capacitated segments' capacities (tonnes per the period of the tonnes).
        m_c: Their money cost (US$/t).
        t0_c: Their free-flow days (running + border).
        e0_hot: Free-flow logit numerators exp(z⁰ − max_pair z⁰) of the hot rows.
        e0_cold: The same for the cold rows.
        cold_sum: Per iterated pair, the sum of its cold rows' numerators (I).
    """

    by_path: sparse.csr_matrix
    hot_pair_row: np.ndarray
    hot_rows: np.ndarray
    cold_rows: np.ndarray
    iterated: int
    hot_ptr: np.ndarray
    hot_slot: np.ndarray
    cold_slot: np.ndarray
    b: sparse.csr_matrix
    bt: sparse.csr_matrix
    tv_hot: np.ndarray
    scale_hot: np.ndarray
    cap_idx: np.ndarray
    cap_c: np.ndarray
    m_c: np.ndarray
    t0_c: np.ndarray
    e0_hot: np.ndarray
    e0_cold: np.ndarray
    cold_sum: np.ndarray


@dataclass(frozen=True)
class Prepared:
    """What :func:`msa_assign_fast` computes before it reads the tonnes (:func:`prepare`).

    It depends on the network, the segment state (money, days, capacities, open
    segments) and the row extras only, so a caller whose quarters share all of
    these (the routing phase, within a year's capacities and unchanged levers)
    prepares once and passes it to each call. Attributes as in the function body;
    ``hot`` is None when no segment is capacitated. Its arrays are read-only.
    """

    n_paths: int
    path_of: np.ndarray
    capacity: np.ndarray
    cost: np.ndarray
    path_days: np.ndarray
    f: np.ndarray
    shares: np.ndarray
    hot: HotRows | None


def prepare(
    incidence: sparse.csr_matrix,
    ptr: np.ndarray,
    segment_money: np.ndarray,
    time_value: np.ndarray,
    scale: np.ndarray,
    available: np.ndarray,
    free_days: np.ndarray,
    capacity: np.ndarray,
    alpha: float,
    beta: float,
    path_of: np.ndarray | None = None,
    row_extra: np.ndarray | None = None,
) -> Prepared:
    """The tonnes-independent part of :func:`msa_assign_fast` (same arguments, less the tonnes)."""
    n_paths = incidence.shape[0]
    if path_of is None:
        path_of = np.arange(n_paths)
    capped = np.isfinite(capacity) & (capacity > 0)
    cost, path_days, f = _full_costs(
        incidence, path_of, free_days, segment_money, time_value, row_extra, capacity,
        alpha, beta, np.zeros_like(free_days),
    )  # fmt: skip
    shares = logit_shares(cost, scale, available, ptr)
    hot = None
    if capped.any():
        cap_idx = np.flatnonzero(capped)
        by_path = incidence[:, cap_idx].tocsr()  # P × K
        is_hot = (by_path.getnnz(axis=1) > 0)[path_of]  # rows whose cost congestion moves
        hot_pair = np.maximum.reduceat(is_hot, ptr[:-1])  # pairs that are iterated
        pair = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
        hot_rows = np.flatnonzero(is_hot)
        cold_rows = np.flatnonzero(~is_hot & hot_pair[pair])  # the iterated pairs' other rows
        pair_of_hot = pair[hot_rows]
        # Hot rows are contiguous per pair and every iterated pair has one: offsets.
        iterated = np.flatnonzero(hot_pair)
        slot = np.full(len(ptr) - 1, -1)
        slot[iterated] = np.arange(iterated.size)
        hot_ptr = np.concatenate([[0], np.cumsum(np.bincount(slot[pair_of_hot]))])
        cold_slot = slot[pair[cold_rows]]
        b = by_path[path_of[hot_rows]]  # hot rows × K
        # Free-flow logit numerators, shifted by the pair maximum: e0 = exp(z0 − max z0).
        z0 = np.where(available, -cost / scale, -np.inf)
        z0 -= np.maximum.reduceat(z0, ptr[:-1])[pair]
        e0 = np.exp(z0)
        e0_cold = e0[cold_rows]
        hot = HotRows(
            by_path=by_path, hot_pair_row=hot_pair[pair], hot_rows=hot_rows,
            cold_rows=cold_rows, iterated=iterated.size, hot_ptr=hot_ptr,
            hot_slot=slot[pair_of_hot], cold_slot=cold_slot, b=b, bt=b.T.tocsr(),
            tv_hot=time_value[hot_rows], scale_hot=scale[hot_rows], cap_idx=cap_idx,
            cap_c=capacity[cap_idx],
            m_c=segment_money[cap_idx], t0_c=free_days[cap_idx], e0_hot=e0[hot_rows],
            e0_cold=e0_cold,
            cold_sum=np.bincount(cold_slot, weights=e0_cold, minlength=iterated.size),
        )  # fmt: skip
    for array in (cost, path_days, f, shares):
        array.flags.writeable = False
    return Prepared(n_paths, path_of, capacity, cost, path_days, f, shares, hot)


def _full_costs(
    incidence, path_of, free_days, segment_money, time_value, row_extra, capacity, alpha, beta,
    volume, priced=False,
):  # fmt: skip
    """Rows' generalized cost, days and the segments' BPR factor at segment ``volume``."""
    f = bpr_factor(congested_volume(volume, capacity, priced), capacity, alpha, beta)
    days = (incidence @ (free_days * f))[path_of]
    money = (incidence @ (segment_money * f))[path_of]
    cost = generalized_cost(money, days, time_value)
    return (cost if row_extra is None else cost + row_extra), days, f


def msa_assign_fast(
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
    prepared: Prepared | None = None,
) -> Assignment:
    """Same arguments and result as :func:`sim.routing.assign.msa_assign`.

    ``prepared``: :func:`prepare` of the same arguments, if the caller kept it.
    """
    p = prepared or prepare(
        incidence, ptr, segment_money, time_value, scale, available, free_days, capacity,
        alpha, beta, path_of, row_extra,
    )  # fmt: skip
    n_paths, path_of = p.n_paths, p.path_of
    row_tonnes = np.repeat(pair_tonnes, np.diff(ptr))

    def full_costs(volume: np.ndarray, price: np.ndarray):
        extra = row_extra
        if price.any():
            priced = (incidence @ price)[path_of]
            extra = priced if row_extra is None else row_extra + priced
        return _full_costs(
            incidence, path_of, free_days, segment_money, time_value, extra, capacity,
            alpha, beta, volume, price_step > 0,
        )  # fmt: skip

    def full_volume(shares: np.ndarray) -> np.ndarray:
        per_path = np.bincount(path_of, weights=shares * row_tonnes, minlength=n_paths)
        return incidence.T @ per_path

    cost, path_days, f, shares = p.cost, p.path_days, p.f, p.shares
    volume = full_volume(shares)
    gap = 0.0
    iterations = 0
    price = np.zeros_like(free_days)
    if p.hot is None:
        return _result(
            shares.copy(), row_tonnes, volume, free_days * f, path_days.copy(), cost.copy(), 0,
            0.0, price,
        )  # fmt: skip
    h = p.hot
    hot_rows, cold_rows, hot_ptr, hot_slot = h.hot_rows, h.cold_rows, h.hot_ptr, h.hot_slot
    cold_slot, b, bt, e0_hot, e0_cold = h.cold_slot, h.b, h.bt, h.e0_hot, h.e0_cold
    tv_hot, scale_hot, cold_sum = h.tv_hot, h.scale_hot, h.cold_sum
    cap_c, m_c, t0_c = h.cap_c, h.m_c, h.t0_c
    q_hot = row_tonnes[hot_rows]
    # A cold row's share stays e0_r · w_pair: track w per iterated pair.
    start = shares if start_shares is None else _warm(shares, start_shares, available, ptr)
    s_hot = start[hot_rows]
    w = _pair_weight(start[cold_rows], e0_cold, cold_slot, h.iterated)
    fixed_c = h.by_path.T @ np.bincount(
        path_of, weights=np.where(h.hot_pair_row, 0.0, shares * row_tonnes), minlength=n_paths
    )
    v_c = fixed_c + bt @ (s_hot * q_hot)
    price_c = np.zeros_like(cap_c)
    pair_scale_c = mean_pair_scale(bt @ (q_hot * scale_hot), bt @ q_hot)
    ceiling_c = PRICE_CEILING * pair_scale_c
    steps, was_over = np.full_like(cap_c, price_step), None
    if price_step > 0 and start_prices is not None:
        price_c = np.asarray(start_prices, dtype=float)[h.cap_idx]
    for n in range(1, max_iter + 1):
        iterations = n
        extra = bpr_factor(congested_volume(v_c, cap_c, price_step > 0), cap_c, alpha, beta) - 1.0
        extra_cost = b @ (m_c * extra + price_c) + tv_hot * (b @ (t0_c * extra))
        e_hot = e0_hot * np.exp(-extra_cost / scale_hot)
        total = cold_sum + np.add.reduceat(e_hot, hot_ptr[:-1])
        if not np.all(total > 1e-300):  # so congested that exp underflows: the exact form
            return msa_assign(
                incidence, ptr, pair_tonnes, segment_money, time_value, scale, available,
                free_days, capacity, alpha, beta, max_iter, tol, path_of, start_shares,
                row_extra, price_step, start_prices,
            )  # fmt: skip
        aux_hot = e_hot / total[hot_slot]
        target_c = fixed_c + bt @ (aux_hot * q_hot)
        gap = float(np.max(np.abs(target_c - v_c) / cap_c))
        if price_step > 0:
            gap = max(gap, capacity_gap(v_c, cap_c, price_c, ceiling_c))
        if gap <= tol:
            break
        if price_step > 0:
            response = bt @ response_weight(aux_hot, q_hot, scale_hot)
            scale_c = segment_scale(target_c - fixed_c, response, pair_scale_c)
            over = target_c > cap_c
            steps = damped_steps(steps, over, was_over, price_step * SMALLEST_STEP)
            price_c = capacity_prices(price_c, target_c, cap_c, scale_c, steps, ceiling_c)
            was_over = over
        divisor = msa_divisor(n, price_step)
        s_hot = s_hot + (aux_hot - s_hot) / divisor
        w = w + (1.0 / total - w) / divisor
        v_c = fixed_c + bt @ (s_hot * q_hot)
    shares = start.copy()
    shares[hot_rows] = s_hot
    shares[cold_rows] = e0_cold * w[cold_slot]
    volume = full_volume(shares)
    price[h.cap_idx] = price_c
    cost, path_days, f = full_costs(volume, price)
    return _result(
        shares, row_tonnes, volume, free_days * f, path_days, cost, iterations, gap, price
    )


def _warm(free: np.ndarray, start: np.ndarray, available: np.ndarray, ptr: np.ndarray):
    """Start shares; a pair with share on a closed path restarts from ``free``."""
    warm = np.asarray(start, dtype=float)
    on_closed = np.add.reduceat(np.where(available, 0.0, warm), ptr[:-1]) > 0
    return np.where(np.repeat(on_closed, np.diff(ptr)), free, warm)


def _pair_weight(
    s_cold: np.ndarray, e0_cold: np.ndarray, cold_slot: np.ndarray, n: int
) -> np.ndarray:
    """The weight w per iterated pair with s_cold = e0 · w (Σ s / Σ e0 over the pair's cold rows).

    Exact when the start shares are logit shares at the same free-flow costs
    (a cold start, or the phase's warm start at an unchanged free-flow state).
    """
    num = np.bincount(cold_slot, weights=s_cold, minlength=n)
    den = np.bincount(cold_slot, weights=e0_cold, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, 0.0)


def _result(
    shares, row_tonnes, volume, seg_days, path_days, cost, iterations, gap, price
) -> Assignment:
    """The :class:`~sim.routing.assign.Assignment` of final shares and volumes."""
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
