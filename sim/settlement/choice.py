"""Logit choice, intercept calibration and the expected (mean-field) revision step.

Pure functions on arrays. Indices: pair p, trader group g (segment x exposure
class), currency c.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.errors import ModelError
from sim.settlement.options import PackedColumns


def logit_probabilities(
    intercepts: np.ndarray, cost: np.ndarray, beta: float, available: np.ndarray
) -> np.ndarray:
    """Multinomial logit over the available options.

    ``P[p, g, c] = 1{c offered}·exp(a_pc − β·cost_pgc) / Σ_k 1{k offered}·exp(a_pk − β·cost_pgk)``
    (McFadden 1974).

    Args:
        intercepts: (P, C) alternative-specific constants a_pc.
        cost: (P, G, C) ad-valorem cost.
        beta: Logit scale β > 0 (per unit of ad-valorem cost).
        available: (P, C) bool; each row must offer at least one option.

    Returns:
        (P, G, C) probabilities, zero where not offered, rows summing to 1.
    """
    v = intercepts[:, None, :] - beta * cost
    v = np.where(available[:, None, :], v, -np.inf)
    v = v - v.max(axis=2, keepdims=True)
    w = np.exp(v)
    return w / w.sum(axis=2, keepdims=True)


def calibrate_intercepts(
    target: np.ndarray,
    available: np.ndarray,
    cost: np.ndarray,
    group_weights: np.ndarray,
    beta: float,
    free: np.ndarray | None = None,
    tol: float = 1e-11,
    max_iter: int = 5000,
) -> np.ndarray:
    """Intercepts that make ``target`` the value-weighted stationary choice.

    Solves ``Σ_g W_pg P_pgc(a) = t_pc`` for the free intercepts by the
    contraction ``a ← a + ln t − ln s(a)`` (Berry 1994, RAND J. Econ. 25(2));
    other intercepts stay 0, so only the total share of the non-free options
    is matched and their split follows from costs. With no blocking, every
    trader revises at the same rate, so the stationary share of each group is
    its choice probability and the matched shares are a steady state.

    Args:
        target: (P, C) target shares, > 0 where free, rows summing to 1.
        available: (P, C) bool.
        cost: (P, G, C) cost at the calibration point.
        group_weights: (P, G) value weight of each group in each pair, rows sum to 1.
        beta: Logit scale.
        free: (P, C) bool, intercepts to calibrate (default: all available).
        tol: Convergence tolerance on max |ln t − ln s|.
        max_iter: Iteration cap.

    Returns:
        (P, C) intercepts (0 where not free; if every available option is
        free, normalized to mean zero per row).

    Raises:
        ModelError: If the contraction does not converge.
    """
    free = available if free is None else (free & available)
    logt = np.log(np.where(free, target, 1.0))
    # closed-form start (exact when all groups face the same cost)
    vbar = -beta * (group_weights[:, :, None] * cost).sum(axis=1)
    other = available & ~free
    t_other = np.where(other, target, 0.0).sum(axis=1, keepdims=True)
    v_other = np.where(other, vbar, -np.inf)
    vmax = np.max(np.where(other, vbar, -1e300), axis=1, keepdims=True)
    lse = vmax + np.log(np.maximum(np.exp(v_other - vmax).sum(axis=1, keepdims=True), 1e-300))
    has_other = other.any(axis=1, keepdims=True)
    base = np.where(has_other, lse - np.log(np.maximum(t_other, 1e-300)), 0.0)
    a = np.where(free, logt + base - vbar, 0.0)
    for _ in range(max_iter):
        p = logit_probabilities(a, cost, beta, available)
        s = (group_weights[:, :, None] * p).sum(axis=1)
        logs = np.log(np.where(free, np.maximum(s, 1e-300), 1.0))
        gap = np.where(free, logt - logs, 0.0)
        a = a + gap
        if np.max(np.abs(gap)) < tol:
            break
    else:
        raise ModelError("settlement intercept calibration did not converge")
    all_free = (free == available).all(axis=1, keepdims=True)
    n_av = available.sum(axis=1, keepdims=True)
    mean = np.where(available, a, 0.0).sum(axis=1, keepdims=True) / n_av
    return np.where(free, a - np.where(all_free, mean, 0.0), 0.0)


def revision_probability(block: np.ndarray, rate: float) -> np.ndarray:
    """Probability that a trader revises in a quarter.

    A trader revises when its revision clock expires (probability ``rate``,
    Calvo 1983) or when a payment in its current currency is blocked
    (probability ``block``): ``q = 1 − (1 − rate)·(1 − block)``.

    Args:
        block: Blocking probability per quarter, any shape, in [0, 1].
        rate: Calvo revision rate in (0, 1].

    Returns:
        Revision probability, same shape.
    """
    return 1.0 - (1.0 - rate) * (1.0 - block)


def meanfield_step(state: np.ndarray, prob: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Expected shares after one quarter of revision (law of large numbers).

    ``m'_pgc = m_pgc·(1 − q_pgc) + P_pgc · Σ_k m_pgk·q_pgk``: traders in c who
    revise leave c, all revisers choose by the logit.

    Args:
        state: (P, G, C) share of group g of pair p settled in c (rows sum to 1).
        prob: (P, G, C) logit probabilities.
        q: (P, G, C) revision probability by current currency.

    Returns:
        (P, G, C) new shares (rows still sum to 1).
    """
    moved = state * q
    return state - moved + prob * moved.sum(axis=2, keepdims=True)


@dataclass(frozen=True)
class ChoiceTable:
    """Inverse-CDF table of each row's offered options, for :func:`draw_choice`.

    Compact: column k of row r is the row's k-th offered option (in currency
    order), K = the most options any row offers (a pair offers a handful of the
    C currencies), so a draw compares K, not C, numbers.

    Attributes:
        cum: (R, K) cumulative probabilities; exactly 1 from the last offered option on.
        option: (R, K) currency index of each column.
    """

    cum: np.ndarray
    option: np.ndarray


def choice_table(prob: np.ndarray, available: np.ndarray) -> ChoiceTable:
    """The :class:`ChoiceTable` of probabilities ``prob`` over the ``available`` options.

    The cumulative value is set to exactly 1 from the last offered option on,
    so a uniform draw u in (0, 1] always lands on an offered option.

    Args:
        prob: (R, C) probabilities, 0 where not available.
        available: (R, C) bool, at least one option per row.
    """
    return ChoiceLayout.of(available).table(prob)


@dataclass(frozen=True)
class ChoiceLayout:
    """The part of :func:`choice_table` that depends on ``available`` only.

    Where each row's offered options go in the compact table, and from which
    column on the cumulative value is 1. A caller whose options stay the same
    over several quarters builds it once and calls :meth:`table` each quarter.

    Attributes:
        rows: Row of each offered option (row-major order).
        cols: Its column in the (R, C) input.
        pos: Its column in the compact (R, K) table.
        option: (R, K) int32 option index of each compact column (padding repeats the last).
        last: (R, K) bool, at or after the row's last offered option.
    """

    rows: np.ndarray
    cols: np.ndarray
    pos: np.ndarray
    option: np.ndarray
    last: np.ndarray

    @classmethod
    def of(cls, available: np.ndarray) -> ChoiceLayout:
        """The layout of an (R, C) bool mask with at least one option per row."""
        p = PackedColumns.of(available)
        last = np.arange(p.column.shape[1])[None, :] >= (p.n - 1)[:, None]
        option = p.column.astype(np.int32)
        return cls(rows=p.rows, cols=p.cols, pos=p.pos, option=option, last=last)

    def table(self, prob: np.ndarray) -> ChoiceTable:
        """The :class:`ChoiceTable` of (R, C) probabilities ``prob`` (0 where not offered)."""
        compact = np.zeros(self.option.shape)
        compact[self.rows, self.pos] = prob[self.rows, self.cols]
        cum = np.cumsum(compact, axis=1)
        cum[self.last] = 1.0
        return ChoiceTable(cum=cum, option=self.option)


def draw_choice(table: ChoiceTable, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse-CDF draws: for each u, the first option of its row whose cumulative reaches u.

    Args:
        table: :class:`ChoiceTable`.
        rows: (k,) row of each draw.
        u: (k,) uniforms in (0, 1].

    Returns:
        (k,) int32 currency indices.
    """
    # a row's cumulatives rise until one reaches 1 (a rounded cumsum may pass 1 just before
    # the last offered option, which is exactly 1) and u <= 1, so the columns below u come
    # first and the first column reaching u is their number: counted one column at a time
    # (the same as argmax(cum[rows] >= u, axis=1), without the (k, K) gather)
    k = table.cum.shape[1]
    col = np.zeros(rows.size, dtype=np.intp)
    for j in range(k - 1):  # the last column is 1 >= u
        col += np.ascontiguousarray(table.cum[:, j]).take(rows) < u
    return table.option.reshape(-1).take(rows * k + col)
