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
from sim.settlement.config import TraderConfig

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
    order = np.lexsort((rng.random(n), pair))
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - start[pair[order]]
    offset = rng.random(npairs)
    w = np.asarray(cfg.exposure_weights, dtype=float)
    cum = np.cumsum(w / w.sum())
    e = w.size
    pos = (rank + offset[pair]) / counts[pair]
    exposure_class = np.minimum(np.searchsorted(cum, pos, side="right"), e - 1).astype(np.int32)
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
    n = key.size
    order = np.lexsort((rng.random(n), key))
    size = np.bincount(key)
    start = np.concatenate([[0], np.cumsum(size)[:-1]])
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - start[key[order]]
    offset = rng.random(size.size)
    return 1.0 - (rank + offset[key]) / size[key]


def draw_choices(
    rows: np.ndarray, cum: np.ndarray, rng: np.random.Generator, u: np.ndarray | None = None
) -> np.ndarray:
    """Inverse-CDF draws of a currency for traders in the given table rows.

    Args:
        rows: (k,) row of each trader in ``cum``.
        cum: (R, C) cumulative probabilities from :func:`~sim.settlement.choice.cumulative_rows`.
        rng: Random generator.
        u: Optional (k,) uniforms in (0, 1] (e.g. :func:`systematic_uniforms`);
            default independent draws.

    Returns:
        (k,) currency indices.
    """
    if u is None:
        u = 1.0 - rng.random(rows.size)  # (0, 1]
    # first option whose cumulative probability reaches u (rows are non-decreasing and end
    # at exactly 1, so one exists); equals the count of entries below u
    return np.argmax(cum[rows] >= u[:, None], axis=1)


def revise(
    traders: Traders,
    cum: np.ndarray,
    block_flat: np.ndarray | None,
    rate: float,
    rng: np.random.Generator,
) -> int:
    """One quarter of revision, in place.

    Clocks count down; a trader revises when its clock reaches 0 or when a
    payment in its current currency is blocked (probability
    ``block[row, currency]``). Revisers draw a currency from their group's
    logit probabilities and a new clock ~ Geometric(rate).

    Args:
        traders: Population (``currency`` and ``clock`` updated in place).
        cum: (P·G, C) cumulative logit probabilities per (pair, group).
        block_flat: (P·G·C,) blocking probability, or None if no hazard.
        rate: Calvo revision rate.
        rng: Random generator.

    Returns:
        Number of traders that revised.
    """
    t = traders
    t.clock -= 1
    due = t.clock <= 0
    if block_flat is not None:
        pb = block_flat[t.row.astype(np.int64) * cum.shape[1] + t.currency]
        due |= rng.random(t.n, dtype=np.float32) < pb
    idx = np.flatnonzero(due)
    if idx.size:
        t.currency[idx] = draw_choices(t.row[idx], cum, rng)
        t.clock[idx] = revision_clocks(rng, rate, idx.size)
    return int(idx.size)


def currency_shares(
    traders: Traders, n_pairs: int, n_currencies: int, key: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Value and count shares of each currency on each pair.

    Args:
        traders: Population.
        n_pairs: P.
        n_currencies: C.
        key: Optional precomputed ``pair · C + currency`` of every trader.

    Returns:
        ``(by_value, by_count)``, each (P, C), rows summing to 1.
    """
    if key is None:
        key = traders.pair * n_currencies + traders.currency
    size = n_pairs * n_currencies
    val = np.bincount(key, weights=traders.weight, minlength=size).reshape(n_pairs, n_currencies)
    cnt = np.bincount(key, minlength=size).reshape(n_pairs, n_currencies)
    return val, cnt / traders.counts[:, None]
