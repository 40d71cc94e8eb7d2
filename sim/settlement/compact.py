"""Compact (option-slot) layout of the quarter's choice problem for :class:`SettlementPhase`.

A pair offers only a handful of the C currencies (its parties' currencies, the
vehicles and at most one third currency), so the per-quarter arrays are stored
per *option slot* instead of per currency: slot k of pair p is the k-th
currency (in currency order) ever offered on p, or held by a trader at start;
K = max slots per pair, shorter pairs are padded with never-offered slots.
Arrays are slot-major, ``(K, P·G)`` with column ``p·G + g`` (the trader's
``row``), so every step is a vector operation over contiguous rows.

Every number equals the one the full ``(P, G, C)`` computation in
:meth:`SettlementCore.evaluate` and :meth:`SettlementPhase.step` produces, bit
for bit: the element-wise operations are the same, the row maximum is exact in
any order, the logit denominator repeats numpy's pairwise summation order over
the C currency columns (options not offered contribute exact zeros), and the
cumulative table adds the offered columns in currency order, as the column loop
does (adding an exact zero changes nothing).
"""

from __future__ import annotations

import numpy as np

from sim.settlement.traders import Traders, revision_clocks


def pairwise_program(n: int) -> tuple[list[list[int]], list[int]] | None:
    """Order in which numpy's ``add.reduce`` sums a contiguous row of n float64.

    numpy sums rows of length < 8 left to right; rows of 8..128 in eight
    interleaved accumulators (columns j, j + 8, j + 16, ... up to the largest
    multiple of 8), combined as ``((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))``,
    then adds the remaining columns left to right.

    Args:
        n: Row length.

    Returns:
        ``(chains, rest)``: the eight accumulator chains (column lists) and the
        remaining columns; ``chains`` is empty for n < 8 (then ``rest`` is every
        column). None for n > 128 (recursive blocking, not reproduced).
    """
    if n > 128:
        return None
    if n < 8:
        return [], list(range(n))
    m = n - n % 8
    return [list(range(j, m, 8)) for j in range(8)], list(range(m, n))


def pairwise_sum_rows(y: np.ndarray, program: tuple[list[list[int]], list[int]]) -> np.ndarray:
    """Column sums of ``y`` (C, R) in the order of numpy's row reduction of ``y.T``."""
    chains, rest = program
    if chains:
        m = len(chains[0]) * 8  # accumulators run over columns 0..m-1, eight at a time
        r = y[0:8].copy() if m == 8 else y[0:8] + y[8:16]
        for i in range(16, m, 8):
            r += y[i : i + 8]
        a = r[0::2] + r[1::2]  # r0+r1, r2+r3, r4+r5, r6+r7
        out = a[0] + a[1]
        out += a[2] + a[3]
    else:
        out = np.zeros(y.shape[1])
    for k in rest:
        out += y[k]
    return out


def float32_threshold(p: np.ndarray) -> np.ndarray:
    """Smallest float32 >= each float64 probability.

    For a float32 draw x, ``x < p`` (compared in float64) holds exactly when
    ``x < float32_threshold(p)``: a float32 below p is below the smallest float32
    at or above p, and a float32 at or above p is at least that one. So a blocking
    draw compares in float32 with the same outcome.

    Args:
        p: float64 probabilities in [0, 1].

    Returns:
        float32 array of the same shape.
    """
    t = p.astype(np.float32)
    up = t < p
    t[up] = np.nextafter(t[up], np.float32(np.inf))
    return t


class CompactChoice:
    """Slot layout of one phase and its per-quarter arithmetic.

    Args:
        slots: (P, C) bool, the options that get a slot (ever offered, or held).
        n_groups: G.
    """

    def __init__(self, slots: np.ndarray, n_groups: int) -> None:
        p, c = slots.shape
        g = n_groups
        k = int(slots.sum(axis=1).max())
        self.n_pairs, self.n_currencies, self.n_groups, self.n_slots = p, c, g, k
        opt = np.zeros((p, k), dtype=np.int64)
        valid = np.zeros((p, k), dtype=bool)
        for i in range(p):
            cols = np.flatnonzero(slots[i])
            opt[i, : cols.size] = cols
            valid[i, : cols.size] = True
        self.opt = opt  # (P, K) currency of each slot (0 on padding)
        self.valid = valid  # (P, K)
        self.opt_flat = opt.reshape(-1).astype(np.int32)  # as Traders.currency
        slot_of = np.full((p, c), -1, dtype=np.int64)
        pp, kk = np.nonzero(valid)
        slot_of[pp, opt[pp, kk]] = kk
        self.slot_of = slot_of  # (P, C) slot of a currency, -1 if none
        pg = p * g
        self.rows = pg
        # (K, P) flat index into (P, C) arrays; (K, P·G) flat index into (P·G, C) arrays
        self.idx_pc = (np.arange(p)[None, :] * c + opt.T).reshape(-1)
        self.idx_pc2 = np.repeat(self.idx_pc, 2)  # (K, P, 2): the same for both segments
        row_pair = np.repeat(np.arange(p), g)
        self.idx_pgc = (np.arange(pg)[None, :] * c + opt[row_pair].T).reshape(-1)
        self.valid_pg = valid[row_pair].T.copy()  # (K, P·G)
        # scatter of every (K, P·G) slot into a position-major (C + 1, P·G) buffer whose
        # currencies without a slot stay exactly 0 (padding goes to the spare row C)
        dst = np.where(valid[row_pair].T, opt[row_pair].T, c) * pg + np.arange(pg)[None, :]
        self.pos_dst = dst.reshape(-1)
        self._pos = np.zeros((c + 1, pg))
        # scatter of the (K, P·G) slots into a flat (P·G, C) array (valid slots only)
        self.scatter_dst = self.idx_pgc.reshape(k, pg)[self.valid_pg]
        self.program = pairwise_program(c)
        # the last slot's cumulative probability is exactly 1, never below a draw u <= 1
        self._slot_offsets = (np.arange(k - 1, dtype=np.intp) * pg)[:, None]
        self._static_key: object = None
        self.block_threshold = np.zeros(0, dtype=np.float32)
        self._buf = np.zeros((k, pg))  # exp(v) by slot

    def gather_static(self, st) -> None:  # noqa: ANN001 - engine._Static
        """Slot arrays of the liquidity-independent terms (once per static object)."""
        if self._static_key is st:
            return
        p, g, k = self.n_pairs, self.n_groups, self.n_slots
        e = g // 2
        vp = self.valid_pg

        def pgc(a: np.ndarray, pad: float) -> np.ndarray:
            return np.where(vp, a.reshape(-1)[self.idx_pgc].reshape(k, -1), pad)

        def seg(a: np.ndarray) -> np.ndarray:  # (P, 2, C) -> (K·P·2,)
            flat = np.take_along_axis(
                a, np.broadcast_to(self.opt[:, None, :], (p, 2, k)), axis=2
            )  # (P, 2, K)
            out = np.where(self.valid[:, None, :], flat, 0.0).transpose(2, 0, 1)
            return np.ascontiguousarray(out).reshape(-1)

        self.fixed = pgc(st.fixed, 0.0).reshape(k, p, 2, e)
        self.v_fixed = pgc(st.v_fixed, -np.inf).reshape(k, p, 2, e)
        self.block = pgc(st.block, 0.0).reshape(-1)
        self.block_threshold = float32_threshold(self.block)  # (K·P·G,) float32
        self.coef_imp = seg(st.coef_imp)
        self.coef_exp = seg(st.coef_exp)
        self.beta = st.beta
        self._static_key = st

    def evaluate(self, di: np.ndarray, de: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(K, P·G) cost and cumulative choice probabilities (inverse-CDF table).

        Args:
            di: (P, C) direct-conversion spread of the importer.
            de: (P, C) direct-conversion spread of the exporter.
        """
        k = self.n_slots
        # the direct spreads move the cost per (slot, pair, segment); exposure classes
        # (the last axis of fixed) share it, so it is repeated over them once
        moving = self.coef_imp * di.take(self.idx_pc2)
        moving += self.coef_exp * de.take(self.idx_pc2)
        moving = moving.repeat(self.n_groups // 2)
        cost = (self.fixed.reshape(-1) + moving).reshape(k, -1)
        moving *= self.beta
        v = self._buf
        np.subtract(self.v_fixed.reshape(k, -1), moving.reshape(k, -1), out=v)
        v -= np.maximum.reduce(v, axis=0)
        np.exp(v, out=v)
        if self.program is not None:
            self._pos.reshape(-1)[self.pos_dst] = v.reshape(-1)
            total = pairwise_sum_rows(self._pos[: self.n_currencies], self.program)
        else:  # pragma: no cover - more than 128 currencies
            full = np.zeros(self.rows * self.n_currencies)
            full[self.scatter_dst] = v[self.valid_pg]
            total = full.reshape(self.rows, -1).sum(axis=1)
        v /= total
        cum = np.empty_like(v)
        cum[0] = v[0]
        for j in range(1, k):
            np.add(cum[j - 1], v[j], out=cum[j])
        cum[: k - 1] /= cum[k - 1]
        cum[k - 1] = 1.0  # x / x
        return cost, cum

    def full_cost(self, cost: np.ndarray) -> np.ndarray:
        """(P, G, C) cost with the slots' values (0 for currencies without a slot)."""
        full = np.zeros(self.rows * self.n_currencies)
        full[self.scatter_dst] = cost[self.valid_pg]
        return full.reshape(self.n_pairs, self.n_groups, self.n_currencies)

    def revise(
        self,
        t: Traders,
        thr: np.ndarray,
        pair_k: np.ndarray,
        cum: np.ndarray,
        any_hazard: bool,
        rate: float,
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`~sim.settlement.traders.revise` on the slot tables, in place.

        Same draws in the same order.

        Args:
            t: Traders (``currency`` and ``clock`` updated).
            thr: (N,) float32 blocking threshold of every trader's current option,
                ``block_threshold`` at its slot (see :func:`float32_threshold`);
                with a hazard, updated for the traders that revise.
            pair_k: (N,) ``pair · K`` of every trader.
            cum: (K, P·G) cumulative choice probabilities (:meth:`evaluate`).
            any_hazard: Whether any blocking probability is positive.
            rate: Calvo revision rate.
            rng: Random generator.

        Returns:
            ``(idx, opt, srow)``: the indices of the traders that revised, their new
            option ``pair · K + slot`` (flat index into (P, K) tables) and its
            ``slot · P·G + row`` (flat index into (K, P·G) tables).
        """
        t.clock -= 1
        due = t.clock <= 0
        if any_hazard:
            due |= rng.random(t.n, dtype=np.float32) < thr
        idx = np.flatnonzero(due)
        opt = new = idx
        if idx.size:
            rows = t.row.take(idx)
            u = 1.0 - rng.random(idx.size)
            # first slot whose cumulative probability reaches u = number of slots below u
            below = cum.take(rows + self._slot_offsets) < u
            s = np.add.reduce(below, axis=0, dtype=np.intp)
            opt = pair_k.take(idx) + s
            t.currency[idx] = self.opt_flat.take(opt)
            new = s * self.rows + rows
            if any_hazard:
                thr[idx] = self.block_threshold.take(new)
            t.clock[idx] = revision_clocks(rng, rate, idx.size)
        return idx, opt, new
