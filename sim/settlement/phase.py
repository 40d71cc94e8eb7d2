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
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.settlement.choice import (
    ChoiceLayout,
    ChoiceTable,
    calibrate_intercepts,
    choice_table,
    draw_choice,
)
from sim.settlement.config import SettlementConfig, checked_quarter
from sim.settlement.engine import Evaluation, SettlementCore
from sim.settlement.initial import synthetic_shares, table_shares, with_floor
from sim.settlement.meanfield import MeanFieldSettlement
from sim.settlement.outputs import TableBuilder, headline_spec
from sim.settlement.traders import (
    SlotIndex,
    cell_counts,
    make_traders,
    revisers,
    revision_clocks,
    slot_counts,
    systematic_uniforms,
    tallies,
)


class TableSource:
    """A quarter's long table not built yet: the phase and the quarter's arrays.

    Args:
        phase: The phase that stepped the quarter.
        arrays: Arguments of the phase's :class:`~sim.settlement.outputs.TableBuilder`.
    """

    __slots__ = ("phase", "arrays")

    def __init__(self, phase: SettlementPhase, arrays: tuple) -> None:
        self.phase = phase
        self.arrays = arrays

    def __call__(self) -> pd.DataFrame:
        """The quarter's table."""
        return self.phase._table(*self.arrays)


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
            return phase._table.many(*zip(*(s.arrays for s in sources), strict=True))
    return pd.concat([r.table for r in results], ignore_index=True)


def pair_matrix(n: int, pair_flat: np.ndarray, values: np.ndarray) -> np.ndarray:
    """(n, n) matrix with ``values`` at the pairs' flat positions, 0 elsewhere."""
    out = np.zeros(n * n)
    out[pair_flat] = values
    return out.reshape(n, n)


@dataclass
class SeedFreeSetup:
    """The part of a phase's construction that draws no random number (same for every seed).

    Built by :meth:`of`; a sweep worker keeps one per distinct input and gives each
    run a copy (:mod:`sim.setup_cache`), since runs that differ only in their seed
    share it.

    Attributes:
        core: The run's :class:`~sim.settlement.engine.SettlementCore` (the phase
            calibrates its intercepts).
        pair_flows: (P,) base flows of the pairs (allocate traders, weight the start).
        available: (P, C) options offered in the start quarter.
        target: (P, C) initial value shares (shipped table or synthetic rule).
        solved_initial: Shares the table's solved rows were given (empty if synthetic).
    """

    core: SettlementCore
    pair_flows: np.ndarray
    available: np.ndarray
    target: np.ndarray
    solved_initial: dict[str, float]

    @classmethod
    def of(
        cls,
        economies: Sequence[str],
        currencies: Sequence[str],
        blocs: dict[str, tuple[str, ...]],
        cfg: SettlementConfig,
        base_flows: np.ndarray,
        start_quarter: str,
    ) -> SeedFreeSetup:
        """Build it (arguments as :class:`SettlementPhase`'s; ConfigError names a bad key)."""
        core = SettlementCore(economies, currencies, blocs, cfg)
        m = core.market
        f0 = core.pair_flows(base_flows, "settlement.base_flows")
        avail0 = m.available(checked_quarter("settlement.start_quarter", start_quarter))
        if cfg.initial.table:
            target, solved = table_shares(m, f0, avail0, cfg.initial.table)
        else:
            target = synthetic_shares(
                m, avail0, cfg.initial.national_share, cfg.initial.national_currency
            )
            solved = {}
        return cls(core, f0, avail0, target, solved)


class SettlementPhase:
    """Trader populations choosing settlement currencies (numpy arrays, no agent objects).

    Args:
        economies: Economy codes of the World (ROW last).
        currencies: Currency of each economy (``World.currency_of``).
        blocs: Bloc name → member codes (``"CIS"``, ``"EAEU"``, ...).
        cfg: Settlement config (validated; ConfigError names the key).
        base_flows: (n, n) trade matrix at start (US$ bn/yr, row exporter):
            allocates traders to pairs and weights the initial state.
        rng: Source of all randomness of this phase.
        start_quarter: Label of the first quarter (``"YYYYQn"``).
        setup: :meth:`SeedFreeSetup.of` these arguments, if already built (the
            phase takes it over and changes its core's intercepts); default: built here.
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
        setup: SeedFreeSetup | None = None,
    ) -> None:
        if setup is None:
            setup = SeedFreeSetup.of(economies, currencies, blocs, cfg, base_flows, start_quarter)
        self.core = setup.core
        self.cfg = cfg
        self.rng = rng
        self.start_quarter = start_quarter
        m, g = self.core.market, self.core.n_groups
        f0 = setup.pair_flows
        self.traders = t = make_traders(f0, cfg.traders, rng)
        self.group_weights = np.bincount(t.row, weights=t.weight, minlength=m.n_pairs * g).reshape(
            m.n_pairs, g
        )
        avail0 = setup.available
        target, self.solved_initial = setup.target, setup.solved_initial
        self.initial_target = target
        prob0 = self._initial_probabilities(f0, target, avail0)
        self.initial_probabilities = prob0
        choices = choice_table(
            prob0.reshape(-1, m.n_currencies), np.repeat(avail0 | (prob0.sum(1) > 0), g, axis=0)
        )
        # systematic within each (pair, group): the initial shares are met up to one trader
        t.currency[:] = draw_choice(choices, t.row, systematic_uniforms(t.row, rng))
        t.clock[:] = revision_clocks(rng, cfg.revision_rate, t.n)
        self._slot_of = self.core.options.slot_of(m.n_currencies)
        self._choice_layout: tuple[np.ndarray, ChoiceLayout, np.ndarray] | None = None
        k = self.core.options.column.shape[1]
        self._slots = SlotIndex.of(t, self._slot_of, g, k)
        # each trader's option-slot cell; step() updates the revisers' with their currency
        # (the phase is the only writer of its traders' currencies)
        self._cells = self._slots.cells(t.currency)
        self._slot_counts = slot_counts(self._cells, m.n_pairs * g, k)  # kept with the cells
        self._table = TableBuilder(m)
        self._headline = headline_spec(m)
        counts = cell_counts(t, m.n_pairs * g, m.n_currencies).reshape(prob0.shape)
        self._shares = counts.sum(axis=1) / t.counts[:, None]
        # the start cost on the option slots (traders hold nothing else)
        ev0 = self.core.evaluate_options(start_quarter, f0, self.core.options.gather(self._shares))
        start_cost = self.tallies(counts, self.core.options.scatter(ev0.cost, m.n_currencies))[1]
        self._start_factor = 1.0 + self._matrix(start_cost)

    def _initial_probabilities(
        self, f0: np.ndarray, target: np.ndarray, avail0: np.ndarray
    ) -> np.ndarray:
        """(P, G, C) choice probabilities of the initial state (intercepts calibrated here).

        Fixed point: intercepts given liquidity (:func:`calibrate_intercepts`),
        liquidity given the shares the intercepts imply. Solved on each pair's
        option slots (:class:`~sim.settlement.options.OptionSet`), not on all C
        currencies of the world.
        """
        core, cfg, m, g = self.core, self.cfg, self.core.market, self.core.n_groups
        if cfg.initial.intercepts == "none":
            return np.broadcast_to(target[:, None, :], (m.n_pairs, g, m.n_currencies)).copy()
        # options offered only later keep intercept 0 (they are never vehicles)
        free = avail0 if cfg.initial.intercepts == "all" else avail0 & m.vehicle[None, :]
        opt, c = core.options, m.n_currencies
        free, offered = opt.gather(free), opt.gather(avail0)
        tgt = opt.gather(with_floor(target, avail0, cfg.initial.floor_share))
        liq_shares = opt.gather(target)
        for _ in range(50):
            ev = core.evaluate_options(self.start_quarter, f0, liq_shares)
            a = calibrate_intercepts(
                tgt, offered, ev.cost, self.group_weights, cfg.logit_scale, free=free
            )
            core.intercepts = opt.scatter(a, c)
            prob = core.evaluate_options(self.start_quarter, f0, liq_shares).prob
            implied = np.einsum("pg,pgc->pc", self.group_weights, prob)
            done = np.max(np.abs(implied - liq_shares)) < 1e-9
            liq_shares = implied
            if done:
                break
        return opt.scatter(prob, c)

    def tallies(
        self, counts: np.ndarray, cost: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Shares, pair cost and mean cost per currency of the quarter (:func:`tallies`)."""
        offered = np.einsum("pg,pgc->pc", self.group_weights, cost)
        return tallies(counts, self.traders.counts, cost, offered)

    def _matrix(self, pair_values: np.ndarray) -> np.ndarray:
        return pair_matrix(len(self.core.market.economies), self.core.pair_flat, pair_values)

    # --------------------------------------------------------------------- API
    @property
    def market(self):  # noqa: ANN201 - simple accessor
        """The static :class:`~sim.settlement.market.Market`."""
        return self.core.market

    @property
    def shares(self) -> np.ndarray:
        """(P, C) current value shares."""
        return self._shares

    def step(self, quarter: str, flows: np.ndarray) -> SettlementResult:
        """Advance one quarter: levers → option costs → logit → revisions → tallies.

        Args:
            quarter: Quarter label ``"YYYYQn"``.
            flows: (n, n) trade matrix of the quarter (liquidity and headline weights).

        Returns:
            :class:`SettlementResult` (the state at the end of the quarter).
        """
        t, m, o = self.traders, self.core.market, self.core.options
        c, k = m.n_currencies, o.column.shape[1]
        f = self.core.pair_flows(flows)
        # levers of the quarter, liquidity from last quarter's shares, option costs, logit,
        # all on each pair's K option slots (:class:`~sim.settlement.options.OptionSet`)
        ev: Evaluation = self.core.evaluate_options(quarter, f, o.gather(self._shares))
        choices = self._slot_choices(ev.prob.reshape(-1, k), ev.available)
        held_before = self._shares > 0
        # revisions: expired clocks and blocked payments choose again by the logit
        block = ev.block.reshape(-1) if ev.any_hazard else None
        cells = self._cells  # each trader's option slot (slot_cells), kept with t.currency
        idx = revisers(t, choices, block, self.cfg.revision_rate, self.rng, cells)
        # only the revisers' currency moved: their cells and the slot counts follow
        self._slots.update(cells, t.currency, idx, self._slot_counts)
        revised = idx.size
        # tallies: shares, the cost traders pay, the cost factor for trade, headlines
        counts = self._slot_counts.copy()  # slot_counts(cells, P·G, K)
        shares, pair_cost, mean = self.tallies(counts.reshape(ev.cost.shape), ev.cost)
        self._shares, mean = o.scatter(shares, c), o.scatter(mean, c)
        cost = self._matrix(pair_cost)
        head = self._headline(f, self._shares, pair_cost)
        head["revised_share"] = revised / t.n
        shown = self.core.offered(quarter) | held_before
        # value and count shares are equal by design (value-stratified traders)
        table = TableSource(self, (quarter, shown, self._shares, self._shares, mean))
        return SettlementResult(
            cost=cost, cost_ratio=(1.0 + cost) / self._start_factor, table=table, headline=head
        )

    def _slot_choices(self, prob: np.ndarray, offered: np.ndarray) -> ChoiceTable:
        """:func:`choice_table` of (P·G, K) slot probabilities, drawing currency indices.

        Args:
            prob: (P·G, K) probabilities on each pair's option slots.
            offered: (P, K) offered slots. The table's layout and the currency of each
                column depend on these only, so they are kept while the engine hands
                out the same array (one per constant lever period).
        """
        g = self.core.n_groups
        if self._choice_layout is None or self._choice_layout[0] is not offered:
            layout = ChoiceLayout.of(np.repeat(offered, g, axis=0))
            column = np.repeat(self.core.options.column, g, axis=0)
            option = np.take_along_axis(column, layout.option, axis=1).astype(np.int32)
            self._choice_layout = (offered, layout, option)
        _, layout, option = self._choice_layout
        return ChoiceTable(cum=layout.table(prob).cum, option=option)

    def meanfield(self) -> MeanFieldSettlement:
        """Expected-value dynamics of this population from its expected initial state."""
        return MeanFieldSettlement(
            self.core, self.group_weights, self.initial_probabilities, self.cfg.revision_rate
        )
