"""Trader populations as numpy arrays (one row per trader; no Python object per trader).

Each trader has a pair, a size, a segment (retail = the smallest
``retail_share`` of the pair's traders), an exposure class to payment-blocking
risk, a current settlement currency and a revision clock (quarters until its
next revision; geometric with the Calvo rate, so revision is memoryless).

Value-stratified (:func:`make_traders`): every trader of a pair carries the
same share of the pair's trade value and stands for one stratum of the value
distribution of firm sizes, so the sampling noise of a pair's value share is
that of n equal traders, not of its few largest firms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from sim.errors import ConfigError
from sim.settlement._fast_exposure import exposure_classes_fast
from sim.settlement.choice import ChoiceTable, draw_choice
from sim.settlement.config import TraderConfig
from sim.settlement.ranks import random_rank

#: Cap of the revision clock (quarters), keeps it in int32.
CLOCK_MAX = 2**30


def revision_clocks(rng: np.random.Generator, rate: float, n: int) -> np.ndarray:
    """New revision clocks: ``min(Geometric(rate), CLOCK_MAX)``, n draws (Calvo 1983).

    Args:
        rng: Random generator.
        rate: Calvo revision rate in (0, 1].
        n: Number of draws.
    """
    return np.minimum(rng.geometric(rate, n), CLOCK_MAX)


@dataclass
class Traders:
    """Trader arrays, all of length N (mutable: ``currency`` and ``clock`` change).

    Attributes:
        pair: int32 pair index.
        size: float64 relative size (heavy-tailed).
        weight: float64 value weight within the pair (sums to 1 per pair).
        retail: bool, retail segment.
        exposure_class: int32 exposure class index.
        group: int32 group = segment · E + exposure class.
        row: int32 ``pair · G + group`` (row of per-group tables).
        currency: int32 index of the current settlement currency.
        clock: int32 quarters until the next scheduled revision (>= 1 after a step).
        counts: (P,) traders per pair.
    """

    pair: np.ndarray
    size: np.ndarray
    weight: np.ndarray
    retail: np.ndarray
    exposure_class: np.ndarray
    group: np.ndarray
    row: np.ndarray
    currency: np.ndarray
    clock: np.ndarray
    counts: np.ndarray

    @property
    def n(self) -> int:
        """Number of traders."""
        return int(self.pair.size)


def allocate_traders(values: np.ndarray, n_traders: int, min_per_pair: int) -> np.ndarray:
    """Traders per pair: ``min_per_pair`` each, the rest proportional to trade value.

    Largest-remainder (Hamilton) apportionment, so counts sum to ``n_traders``.

    Args:
        values: (P,) trade value of each pair, >= 0.
        n_traders: Total traders.
        min_per_pair: Minimum per pair.

    Returns:
        (P,) int64 counts.

    Raises:
        ConfigError: If ``n_traders < P · min_per_pair``.
    """
    npairs = values.size
    rest = n_traders - npairs * min_per_pair
    if rest < 0:
        raise ConfigError(
            "settlement.traders.n_traders",
            f"must be >= {npairs * min_per_pair} (pairs x min_per_pair), got {n_traders}",
        )
    total = float(values.sum())
    quota = rest * values / total if total > 0 else np.full(npairs, rest / npairs)
    base = np.floor(quota).astype(np.int64)
    short = rest - int(base.sum())
    if short > 0:
        order = np.argsort(-(quota - base), kind="stable")
        base[order[:short]] += 1
    return base + min_per_pair


def value_quantile(u: np.ndarray, cfg: TraderConfig) -> np.ndarray:
    """Size at value quantile u: the inverse CDF of the *size-biased* size distribution.

    A trader drawn in proportion to its value (size) has the size-biased density
    s·f(s)/E[s]. Truncated Pareto (scale 1, tail α, cap c):
    ``G(s) = (1 − s^(1−α)) / (1 − c^(1−α))``, so
    ``s = (1 − u·(1 − c^(1−α)))^(1/(1−α))`` (α = 1: ``s = c^u``); lognormal
    ``exp(σ·z)``: size-biased is ``exp(σ² + σ·Φ⁻¹(u))``.

    Args:
        u: Value quantiles in (0, 1).
        cfg: Trader config.
    """
    if cfg.size_distribution == "lognormal":
        s = cfg.lognormal_sigma
        return np.exp(s * s + s * ndtri(u))
    a, cap = cfg.pareto_alpha, cfg.size_cap
    if abs(a - 1.0) < 1e-12:
        return cap**u
    return (1.0 - u * (1.0 - cap ** (1.0 - a))) ** (1.0 / (1.0 - a))


def retail_threshold(cfg: TraderConfig) -> float:
    """Size below which a firm is retail: the ``retail_share`` quantile of firm counts.

    Truncated Pareto: ``(1 − r·(1 − c^−α))^(−1/α)``; lognormal: ``exp(σ·Φ⁻¹(r))``.
    """
    r = cfg.retail_share
    if cfg.size_distribution == "lognormal":
        return float(np.exp(cfg.lognormal_sigma * ndtri(r))) if 0 < r < 1 else np.inf * r
    a = cfg.pareto_alpha
    return float((1.0 - r * (1.0 - cfg.size_cap ** (-a))) ** (-1.0 / a))


def stratified(pair: np.ndarray, counts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Stratified uniforms: trader k of a pair with n traders gets (k + U_k)/n.

    Traders are contiguous by pair. Each pair's n draws cover (0, 1) with one draw
    per stratum of width 1/n, so the pair's sample of any distribution is spread
    over all of it (Latin-hypercube sampling in one dimension).
    """
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    k = np.arange(pair.size) - start[pair]
    return (k + rng.random(pair.size)) / counts[pair]


def make_traders(values: np.ndarray, cfg: TraderConfig, rng: np.random.Generator) -> Traders:
    """Create the population (currency and clock are filled in by the caller).

    Value-stratified by design, so that headline shares do not hang on a few
    giant traders: each of a pair's n traders carries the same share 1/n of the
    pair's trade value and stands for one stratum of width 1/n of the value
    distribution of firm sizes (the heavy-tailed sizes enter through that
    distribution, :func:`value_quantile`). A trader is retail if its size is
    below the firm-count quantile ``retail_share`` (:func:`retail_threshold`), so
    the retail segment's value share is the one the size distribution implies.
    Exposure classes are assigned by systematic sampling over a random order of
    the pair's traders (each class gets its weight's share of every pair, up to
    one trader).

    Args:
        values: (P,) pair trade values used to allocate traders.
        cfg: Trader config.
        rng: Random generator.

    Returns:
        :class:`Traders` with ``currency`` = 0 and ``clock`` = 1.
    """
    counts = allocate_traders(values, cfg.n_traders, cfg.min_per_pair)
    npairs = values.size
    pair = np.repeat(np.arange(npairs, dtype=np.int32), counts)
    n = pair.size
    size = value_quantile(stratified(pair, counts, rng), cfg)
    weight = 1.0 / counts[pair]
    retail = size < retail_threshold(cfg)
    # exposure: systematic sample over a random order within each pair
    u = rng.random(n)
    offset = rng.random(npairs)
    w = np.asarray(cfg.exposure_weights, dtype=float)
    cum = np.cumsum(w / w.sum())
    e = w.size
    # ranks.exposure_classes(pair, counts, u, offset, cum), without its full sort
    exposure_class = exposure_classes_fast(pair, counts, u, offset, cum)
    group = retail.astype(np.int32) * e + exposure_class
    return Traders(
        pair=pair,
        size=size,
        weight=weight,
        retail=retail,
        exposure_class=exposure_class,
        group=group,
        row=pair * np.int32(2 * e) + group,
        currency=np.zeros(n, dtype=np.int32),
        clock=np.ones(n, dtype=np.int32),
        counts=counts,
    )


def systematic_uniforms(key: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Uniforms in (0, 1] that cover (0, 1] evenly within each group of equal ``key``.

    The n members of a group, in random order, get ``(k + U)/n``, k = 0..n−1, with
    one uniform U per group (systematic sampling): a group's inverse-CDF draws then
    reproduce its probabilities up to one member, while who gets what is random.

    Args:
        key: (N,) non-negative integer group of each element.
        rng: Random generator.
    """
    size = np.bincount(key)
    rank = random_rank(key, size, rng.random(key.size))
    offset = rng.random(size.size)
    return 1.0 - (rank + offset[key]) / size[key]


def revise(
    traders: Traders,
    table: ChoiceTable,
    block_flat: np.ndarray | None,
    rate: float,
    rng: np.random.Generator,
    cells: np.ndarray | None = None,
) -> int:
    """One quarter of revision, in place; the number of traders that revised (:func:`revisers`)."""
    return int(revisers(traders, table, block_flat, rate, rng, cells).size)


def revisers(
    traders: Traders,
    table: ChoiceTable,
    block_flat: np.ndarray | None,
    rate: float,
    rng: np.random.Generator,
    cells: np.ndarray | None = None,
) -> np.ndarray:
    """One quarter of revision, in place; the indices of the traders that revised.

    Clocks count down; a trader revises when its clock reaches 0 or when a
    payment in its current currency is blocked (probability
    ``block[row, currency]``). Revisers draw a currency from their group's
    logit probabilities and a new clock ~ Geometric(rate).

    Args:
        traders: Population (``currency`` and ``clock`` updated in place).
        table: Logit choice table of each (pair, group) row (:func:`choice_table`).
        block_flat: (P·G·C,) blocking probability, or None if no hazard.
        rate: Calvo revision rate.
        rng: Random generator.
        cells: (n,) each trader's cell in ``block_flat`` (default ``row·C + currency``;
            given when ``block_flat`` is on option slots, see :func:`slot_cells`).

    Returns:
        (k,) increasing indices of the traders that revised (only their currency changed).
    """
    t = traders
    t.clock -= 1
    due = t.clock <= 0
    if block_flat is not None:
        if cells is None:
            n_currencies = block_flat.size // table.cum.shape[0]
            cells = t.row * np.int32(n_currencies) + t.currency
        pb = block_flat.take(cells)
        due |= rng.random(t.n, dtype=np.float32) < pb
    idx = np.flatnonzero(due)
    if idx.size:
        t.currency[idx] = draw_choice(table, t.row[idx], 1.0 - rng.random(idx.size))
        t.clock[idx] = revision_clocks(rng, rate, idx.size)
    return idx


def slot_cells(traders: Traders, slot_of: np.ndarray, n_groups: int, n_slots: int) -> np.ndarray:
    """(n,) cell ``row·K + slot`` of each trader's currency among its pair's K option slots.

    Args:
        traders: Population.
        slot_of: (P, C) slot of each option currency (:meth:`OptionSet.slot_of`).
        n_groups: Groups per pair G (``row = pair·G + group``).
        n_slots: Slots per pair K.
    """
    pair = traders.row // np.int32(n_groups)
    slot = slot_of.reshape(-1).take(pair * np.int32(slot_of.shape[1]) + traders.currency)
    return traders.row * np.int32(n_slots) + slot


@dataclass(frozen=True)
class SlotIndex:
    """:func:`slot_cells` with each trader's fixed part computed once.

    A trader's cell is ``row·K + slot_of[pair, currency]`` and only the
    currency changes over a run, so ``row·K`` (``base``) and the trader's row
    of ``slot_of`` in the flat array (``lookup = pair·C``) are kept: a
    quarter's cells are then one gather and one addition, the same integers
    as :func:`slot_cells` (``tests/settlement/test_options.py`` checks it).

    Attributes:
        base: (n,) ``row·K``.
        lookup: (n,) ``pair·C`` (index of the trader's pair row in ``slot_flat``).
        slot_flat: (P·C,) ``slot_of`` flattened.
    """

    base: np.ndarray
    lookup: np.ndarray
    slot_flat: np.ndarray

    @classmethod
    def of(cls, traders: Traders, slot_of: np.ndarray, n_groups: int, n_slots: int) -> SlotIndex:
        """The index of a population (arguments as :func:`slot_cells`)."""
        row = traders.row.astype(np.intp)
        pair = row // n_groups
        return cls(base=row * n_slots, lookup=pair * slot_of.shape[1], slot_flat=slot_of.ravel())

    def cells(self, currency: np.ndarray) -> np.ndarray:
        """(n,) :func:`slot_cells` of the population at ``currency``."""
        return self.base + self.slot_flat.take(self.lookup + currency)

    def update(
        self,
        cells: np.ndarray,
        currency: np.ndarray,
        which: np.ndarray,
        counts: np.ndarray | None = None,
    ) -> None:
        """Recompute, in place, the cells of the traders ``which`` (their currency changed).

        After :func:`revisers` only the revisers' currency has changed, so this
        gives :meth:`cells` of the whole population at a fraction of the work.

        Args:
            cells: (n,) the population's cells before the change (updated in place).
            currency: (n,) the currencies after it.
            which: Indices of the traders whose currency may have changed.
            counts: :func:`slot_counts` of ``cells`` (R, K), if kept: updated in
                place to the counts of the new cells (integers, so exactly equal).
        """
        if not which.size:
            return
        new = self.base[which] + self.slot_flat.take(self.lookup[which] + currency[which])
        if counts is not None:
            flat = counts.reshape(-1)  # a view: counts change in place
            flat += np.bincount(new, minlength=flat.size)
            flat -= np.bincount(cells[which], minlength=flat.size)
        cells[which] = new


def slot_counts(cells: np.ndarray, n_rows: int, n_slots: int) -> np.ndarray:
    """(R, K) traders of each (pair, group) row in each option slot (:func:`slot_cells`)."""
    return np.bincount(cells, minlength=n_rows * n_slots).reshape(n_rows, n_slots)


def cell_counts(traders: Traders, n_rows: int, n_currencies: int) -> np.ndarray:
    """(R, C) number of traders of each (pair, group) row settling in each currency.

    ``n[r, c] = #{i : row_i = r, currency_i = c}``, R = P·G: one pass over the
    traders; every tally of the quarter (:func:`tallies`) is computed from it.
    """
    key = traders.row * np.int32(n_currencies) + traders.currency
    return np.bincount(key, minlength=n_rows * n_currencies).reshape(n_rows, n_currencies)


def tallies(
    counts: np.ndarray, pair_counts: np.ndarray, cost: np.ndarray, offered: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Value shares, the pair's settlement cost and the mean cost per currency.

    Traders are value-stratified (:func:`make_traders`): each of pair p's n_p
    traders carries the value weight 1/n_p, so with n_pgc traders of group g in c

    - value share ``s_pc = Σ_g n_pgc / n_p`` (equal to the count share),
    - pair cost ``K_p = Σ_g Σ_c n_pgc · cost_pgc / n_p``,
    - mean cost ``m_pc = Σ_g n_pgc · cost_pgc / (n_p · s_pc)`` where ``s_pc > 0``,
      else ``offered_pc`` (the cost the pair's traders would face), so
      ``Σ_c s_pc · m_pc = K_p``.

    Args:
        counts: (P, G, C) traders per (pair, group, currency) (:func:`cell_counts`).
        pair_counts: (P,) traders per pair.
        cost: (P, G, C) option costs of the quarter.
        offered: (P, C) group-weighted option cost ``Σ_g W_pg cost_pgc``.

    Returns:
        ``(shares (P, C), pair_cost (P,), mean (P, C))``.
    """
    n = pair_counts[:, None].astype(float)
    shares = counts.sum(axis=1) / n
    paid = np.einsum("pgc,pgc->pc", counts, cost) / n
    used = shares > 0
    mean = np.where(used, paid / np.where(used, shares, 1.0), offered)
    return shares, paid.sum(axis=1), mean
