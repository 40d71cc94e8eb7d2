"""`SettlementPhase`: the settlement step of the quarter, as the model calls it.

Each quarter (:meth:`SettlementPhase.step`):

1. levers of the quarter (link density, interconnection, card acceptance,
   hazards, subsidies, mandates);
2. liquidity of every economy's currency markets from the recent (last
   quarter's) settlement shares, then every option's cost;
3. traders whose revision clock expires, or whose payment in their current
   currency is blocked, choose by logit over the costs;
4. the pair's value-weighted settlement cost, the long table and the
   headline series.

The initial state is the state at the *beginning* of ``start_quarter``;
``step(q)`` returns the state at the end of quarter q.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from sim.settlement.choice import calibrate_intercepts, cumulative_rows
from sim.settlement.compact import CompactChoice
from sim.settlement.config import SettlementConfig
from sim.settlement.engine import Evaluation, SettlementCore
from sim.settlement.initial import synthetic_shares, table_shares, with_floor
from sim.settlement.meanfield import MeanFieldSettlement
from sim.settlement.outputs import TableBuilder, headline_spec
from sim.settlement.quarters import quarter_index
from sim.settlement.traders import (
    currency_shares,
    draw_choices,
    make_traders,
    revision_clocks,
    systematic_uniforms,
)


class TableSource:
    """A quarter's long table not built yet: the phase and the quarter's arrays.

    Args:
        phase: The phase that stepped the quarter.
        arrays: Arguments of :meth:`SettlementPhase._table_columns`.
    """

    __slots__ = ("phase", "arrays")

    def __init__(self, phase: SettlementPhase, arrays: tuple) -> None:
        self.phase = phase
        self.arrays = arrays

    def __call__(self) -> pd.DataFrame:
        """The quarter's table."""
        return self.phase._table(*self.phase._table_columns(*self.arrays))


class SettlementResult:
    """Result of one quarter.

    Attributes:
        cost: (n, n) ad-valorem settlement cost of each pair (value-weighted over
            its traders, expected blocking loss included); 0 on the diagonal.
        cost_ratio: (n, n) (1 + cost) / (1 + cost at start); exactly 1 where
            nothing changed; 1 on the diagonal. Enters t_ij as a factor.
        table: Long table for ``settlement.parquet`` (quarter, exporter,
            importer, currency, share_by_value, share_by_count, mean_cost).
            ``mean_cost`` is the value-weighted cost over the traders settling
            in that currency; for a currency nobody uses, the cost the pair's
            traders would face (weighted by value). So for every pair
            Σ share_by_value · mean_cost = cost.
            Built on first access when given as a zero-argument callable (such as a
            :class:`TableSource`, which :func:`settlement_tables` can also use).
        headline: Headline series (see :mod:`sim.settlement.outputs`), plus
            ``revised_share`` (fraction of traders that revised).
    """

    __slots__ = ("cost", "cost_ratio", "headline", "_table", "_source")

    def __init__(
        self,
        cost: np.ndarray,
        cost_ratio: np.ndarray,
        table: pd.DataFrame | Callable[[], pd.DataFrame],
        headline: dict[str, float],
    ) -> None:
        self.cost = cost
        self.cost_ratio = cost_ratio
        self._table = table
        self._source = table if isinstance(table, TableSource) else None
        self.headline = headline

    @property
    def table(self) -> pd.DataFrame:
        """Long table for ``settlement.parquet`` (built on first access)."""
        if not isinstance(self._table, pd.DataFrame):
            self._table = self._table()
        return self._table

    def __reduce__(self) -> tuple:
        return (SettlementResult, (self.cost, self.cost_ratio, self.table, self.headline))

    def __repr__(self) -> str:
        return f"SettlementResult(cost={self.cost!r}, headline={self.headline!r})"


def settlement_tables(results: Sequence[SettlementResult]) -> pd.DataFrame:
    """Long tables of several quarters in one frame (``settlement.parquet``).

    Equals ``pd.concat([r.table for r in results], ignore_index=True)``. When every
    result comes from the same phase with its table source, the frame is assembled
    once from the quarters' arrays and no per-quarter table is built.

    Args:
        results: Results of successive quarters (at least one).
    """
    sources = [r._source for r in results]
    if sources and all(s is not None for s in sources):
        phase = sources[0].phase
        if all(s.phase is phase for s in sources):
            return phase._table.many(*phase._table_columns_many([s.arrays for s in sources]))
    return pd.concat([r.table for r in results], ignore_index=True)


class SettlementPhase:
    """Trader populations choosing settlement currencies (numpy arrays, no agent objects).

    Args:
        economies: Economy codes (any subset of the known 15, ROW last).
        currencies: ISO 4217 currency per economy.
        blocs: Bloc name → member codes (``"CIS"``, ``"EAEU"``, ...).
        cfg: Settlement config (validated; ConfigError names the key).
        base_flows: (n, n) trade matrix at start (US$ bn/yr, row exporter):
            allocates traders to pairs and weights the initial state.
        rng: Source of all randomness of this phase.
        start_quarter: Label of the first quarter (``"YYYYQn"``).
    """

    def __init__(
        self,
        economies: Sequence[str],
        currencies: Sequence[str],
        blocs: dict[str, tuple[str, ...]],
        cfg: SettlementConfig,
        base_flows: np.ndarray,
        rng: np.random.Generator,
        start_quarter: str,
    ) -> None:
        self.core = SettlementCore(economies, currencies, blocs, cfg)
        self.cfg = cfg
        self.rng = rng
        self.start_quarter = start_quarter
        m = self.core.market
        f0 = self.core.pair_flows(base_flows, "settlement.base_flows")
        self._base_pair_flows = f0
        self.traders = make_traders(f0, cfg.traders, rng)
        t = self.traders
        g = self.core.n_groups
        self.group_weights = np.bincount(t.row, weights=t.weight, minlength=m.n_pairs * g).reshape(
            m.n_pairs, g
        )

        q0 = quarter_index(start_quarter, "settlement.start_quarter")
        avail0 = m.available(q0)
        if cfg.initial.table:
            target, self.solved_initial = table_shares(m, f0, avail0, cfg.initial.table)
        else:
            target = synthetic_shares(
                m, avail0, cfg.initial.national_share, cfg.initial.national_currency
            )
            self.solved_initial = {}
        self.initial_target = target
        if cfg.initial.intercepts != "none":
            # options offered only later keep intercept 0 (they are never vehicles)
            free = avail0 if cfg.initial.intercepts == "all" else avail0 & m.vehicle[None, :]
            tgt = with_floor(target, avail0, cfg.initial.floor_share)
            # fixed point: intercepts given liquidity, liquidity given the implied shares
            liq_shares = target
            for _ in range(50):
                ev = self.core.evaluate(start_quarter, f0, liq_shares)
                self.core.intercepts = calibrate_intercepts(
                    tgt, avail0, ev.cost, self.group_weights, cfg.logit_scale, free=free
                )
                prob0 = self.core.evaluate(start_quarter, f0, liq_shares).prob
                implied = (self.group_weights[:, :, None] * prob0).sum(axis=1)
                done = np.max(np.abs(implied - liq_shares)) < 1e-9
                liq_shares = implied
                if done:
                    break
        else:
            prob0 = np.broadcast_to(target[:, None, :], (m.n_pairs, g, m.n_currencies)).copy()
        self.initial_probabilities = prob0
        cum = cumulative_rows(
            prob0.reshape(-1, m.n_currencies), np.repeat(avail0 | (prob0.sum(1) > 0), g, axis=0)
        )
        # systematic within each (pair, group): the initial shares are met up to one trader
        t.currency[:] = draw_choices(t.row, cum, rng, systematic_uniforms(t.row, rng))
        t.clock[:] = revision_clocks(rng, cfg.revision_rate, t.n)
        self._shares, count_shares = currency_shares(t, m.n_pairs, m.n_currencies)
        # per-trader flat index of its (pair, group) row in (P·G, C) tables
        self._row_c = t.row.astype(np.int64) * m.n_currencies
        self._pair_c = t.pair.astype(np.int64) * m.n_currencies
        self._compact = CompactChoice(m.ever_available() | (count_shares > 0), self.core.n_groups)
        slot = self._compact.slot_of[t.pair, t.currency]
        srow = slot * self._compact.rows + t.row  # flat index into (K, P·G) tables
        self._pair_k = t.pair.astype(np.intp) * self._compact.n_slots
        # (P·K,) pair · C + currency of every option slot
        self._key_of_opt = (
            np.arange(m.n_pairs, dtype=np.intp)[:, None] * m.n_currencies + self._compact.opt
        ).reshape(-1)
        # Per-bin sums by np.bincount add in trader order; feeding the traders interleaved
        # across pairs (rank within pair, then pair) keeps that order inside every
        # (pair, currency) bin, so the sums are identical, but consecutive additions hit
        # different bins (no dependency chain through one accumulator).
        start = np.concatenate([[0], np.cumsum(t.counts)[:-1]])
        self._perm = np.lexsort((t.pair, np.arange(t.n) - start[t.pair]))
        self._perm_pos = np.empty(t.n, dtype=np.intp)
        self._perm_pos[self._perm] = np.arange(t.n)
        self._weight_p = t.weight[self._perm]
        self._key_p = (self._pair_c + t.currency)[self._perm]
        self._srow_p = srow[self._perm]
        self._thr = np.zeros(t.n, dtype=np.float32)  # blocking thresholds (see revise)
        self._thr_static: object = None  # static terms they belong to
        self._wcost = np.empty(t.n)
        # (P·C,) trader counts; replaced, never changed in place, so results keep theirs
        self._count = np.bincount(self._key_p, minlength=m.n_pairs * m.n_currencies)
        self._table = TableBuilder(m)
        self._headline = headline_spec(m)
        ev0 = self.core.evaluate(start_quarter, f0, self._shares)
        self._start_pair_cost = self._realized(ev0)[0]
        self._start_matrix = self._matrix(self._start_pair_cost, 0.0)
        self._start_factor = 1.0 + self._start_matrix

    # ------------------------------------------------------------------ helpers
    def _realized(
        self, ev: Evaluation, key: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(P,) pair cost and (P, C) mean cost from the traders' current currencies."""
        m, t = self.core.market, self.traders
        c = m.n_currencies
        cost_n = ev.cost.reshape(-1)[self._row_c + t.currency]
        if key is None:
            key = self._pair_c + t.currency
        wc = np.bincount(key, weights=t.weight * cost_n, minlength=m.n_pairs * c).reshape(-1, c)
        pair_cost = wc.sum(axis=1)
        offered = np.matmul(self.group_weights[:, None, :], ev.cost)[:, 0, :]
        used = self._shares > 0
        mean = np.where(used, wc / np.where(used, self._shares, 1.0), offered)
        return pair_cost, mean

    def _matrix(self, pair_values: np.ndarray, diagonal: float) -> np.ndarray:
        n = len(self.core.market.economies)
        out = np.zeros(n * n) if diagonal == 0.0 else np.full(n * n, diagonal)
        out.put(self.core.pair_flat, pair_values)
        return out.reshape(n, n)

    # --------------------------------------------------------------------- API
    @property
    def market(self):  # noqa: ANN201 - simple accessor
        """The static :class:`~sim.settlement.market.Market`."""
        return self.core.market

    @property
    def shares(self) -> np.ndarray:
        """(P, C) current value shares."""
        return self._shares

    @property
    def _count_shares(self) -> np.ndarray:
        """(P, C) current count shares."""
        return self._count_shares_of(self._count)

    def _count_shares_of(self, count: np.ndarray) -> np.ndarray:
        """(P, C) count shares from the (P·C,) trader counts."""
        return count.reshape(-1, self.core.market.n_currencies) / self.traders.counts[:, None]

    def step(self, quarter: str, flows: np.ndarray) -> SettlementResult:
        """Advance one quarter.

        Args:
            quarter: Quarter label ``"YYYYQn"``.
            flows: (n, n) trade matrix of the quarter (liquidity and headline weights).

        Returns:
            :class:`SettlementResult`.
        """
        core, t, cfg, cc = self.core, self.traders, self.cfg, self._compact
        m = core.market
        c = m.n_currencies
        f = core.pair_flows(flows)
        # same numbers as core.evaluate + the inverse-CDF table, on the option slots
        st = core.static(quarter)
        cc.gather_static(st)
        cost, cum = cc.evaluate(*core.spreads(quarter, f, self._shares))
        if st is not self._thr_static:  # new blocking probabilities: every trader's threshold
            srow = self._srow_p.take(self._perm_pos)
            self._thr, self._thr_static = cc.block_threshold.take(srow), st
        idx, opt, srow = cc.revise(
            t, self._thr, self._pair_k, cum, st.any_hazard, cfg.revision_rate, self.rng
        )
        pos = self._perm_pos.take(idx)
        new_key = self._key_of_opt.take(opt)  # pair · C + new currency
        key_p, size = self._key_p, m.n_pairs * c
        before = self._count
        count = before + np.bincount(new_key, minlength=size)  # counts are exact integers
        count -= np.bincount(key_p.take(pos), minlength=size)
        self._count = count
        key_p[pos] = new_key
        self._srow_p[pos] = srow
        shares = np.bincount(key_p, weights=self._weight_p, minlength=size).reshape(-1, c)
        self._shares = shares
        # weight · cost of every trader, in a reused buffer (indices are valid: no checks)
        wcost = cost.reshape(-1).take(self._srow_p, out=self._wcost, mode="wrap")
        wcost *= self._weight_p
        wc = np.bincount(key_p, weights=wcost, minlength=size).reshape(-1, c)
        pair_cost = wc.sum(axis=1)
        mat = self._matrix(pair_cost, 0.0)
        ratio = (1.0 + mat) / self._start_factor
        table = TableSource(self, (quarter, st.available, before, shares, count, cost, wc))
        head = self._headline(f, shares, pair_cost)
        head["revised_share"] = idx.size / t.n
        return SettlementResult(cost=mat, cost_ratio=ratio, table=table, headline=head)

    def _table_columns(
        self,
        quarter: str,
        available: np.ndarray,
        count_before: np.ndarray,
        shares: np.ndarray,
        count: np.ndarray,
        cost: np.ndarray,
        wc: np.ndarray,
    ) -> tuple:
        """Arguments of the quarter's long table; mean cost as :meth:`_realized`.

        Rows: the options offered in the quarter or held at its start
        (``count_before`` > 0), and (in the builder) those held at its end.
        """
        full = self._compact.full_cost(cost)
        offered = np.matmul(self.group_weights[:, None, :], full)[:, 0, :]
        used = shares > 0
        mean = np.where(used, wc / np.where(used, shares, 1.0), offered)
        shown = available | (count_before.reshape(available.shape) > 0)
        return quarter, shown, shares, self._count_shares_of(count), mean

    def _table_columns_many(self, arrays: Sequence[tuple]) -> tuple:
        """:meth:`_table_columns` of several quarters, one sequence per column.

        Quarter by quarter: stacking the quarters' (P, G, C) costs would only add
        large temporaries.
        """
        return tuple(zip(*(self._table_columns(*a) for a in arrays), strict=True))

    def meanfield(self) -> MeanFieldSettlement:
        """Expected-value dynamics of this population from its expected initial state."""
        return MeanFieldSettlement(
            self.core, self.group_weights, self.initial_probabilities, self.cfg.revision_rate
        )
