"""Trader arrays: allocation, sizes, revision."""

from __future__ import annotations

import numpy as np
import pytest

from sim.settlement.choice import choice_table
from sim.settlement.config import TraderConfig
from sim.settlement.traders import (
    allocate_traders,
    make_traders,
    retail_threshold,
    revise,
    revision_clocks,
    systematic_uniforms,
    value_quantile,
)


def test_allocation_sums_and_minimum():
    v = np.array([100.0, 1.0, 0.0, 10.0])
    c = allocate_traders(v, 1000, 5)
    assert c.sum() == 1000 and c.min() >= 5
    assert c[0] > c[3] > c[1]
    # proportional to value beyond the minimum (largest remainder)
    assert np.all(np.abs((c - 5) - 980 * v / v.sum()) < 1)


@pytest.mark.parametrize("alpha", [0.8, 1.0, 1.06, 2.5])
def test_value_quantiles_are_the_size_biased_pareto(alpha):
    """A value-weighted sample of Pareto sizes has the distribution value_quantile inverts."""
    cfg = TraderConfig(pareto_alpha=alpha, size_cap=1e4)
    rng = np.random.default_rng(0)
    u = rng.random(400_000)
    firms = (1.0 - u * (1.0 - cfg.size_cap ** (-alpha))) ** (-1.0 / alpha)  # count-weighted
    for q in (0.1, 0.5, 0.9):
        s = value_quantile(np.array([q]), cfg)[0]
        share = firms[firms <= s].sum() / firms.sum()  # value share of firms below s
        assert share == pytest.approx(q, abs=0.02)
    r = retail_threshold(TraderConfig(pareto_alpha=alpha, size_cap=1e4, retail_share=0.3))
    assert np.mean(firms < r) == pytest.approx(0.3, abs=0.01)


def test_population_is_value_stratified():
    cfg = TraderConfig(n_traders=4000, min_per_pair=3, retail_share=0.3)
    t = make_traders(np.array([5.0, 1.0, 2.0]), cfg, np.random.default_rng(1))
    assert np.allclose(np.bincount(t.pair, weights=t.weight), 1.0)
    w = np.asarray(cfg.exposure_weights)
    for p in range(3):
        sel = t.pair == p
        n = t.counts[p]
        assert np.allclose(t.weight[sel], 1.0 / n)  # equal value per trader
        retail, whole = t.size[sel & t.retail], t.size[sel & ~t.retail]
        assert retail.max() <= whole.min()  # retail = the smallest traders
        # exposure classes: each class its weight's share of the pair, up to one trader
        counts = np.bincount(t.exposure_class[sel], minlength=w.size)
        assert np.all(np.abs(counts - w * n) <= 1)
    # the retail segment's value share is the size distribution's (small for Zipf sizes)
    u = np.linspace(0, 1, 100_001)[1:-1]
    expected = np.mean(value_quantile(u, cfg) < retail_threshold(cfg))
    assert t.retail.mean() == pytest.approx(expected, abs=0.01)


def test_systematic_uniforms_cover_each_group():
    key = np.repeat(np.arange(3), [10, 1, 7])
    u = systematic_uniforms(key, np.random.default_rng(3))
    assert np.all((u > 0) & (u <= 1))
    for k, n in enumerate((10, 1, 7)):
        strata = np.floor((1.0 - u[key == k]) * n).astype(int)
        assert sorted(strata) == list(range(n))


def test_revision_rule_frequencies_and_determinism():
    cfg = TraderConfig(n_traders=200_000, min_per_pair=1)
    rows_prob = np.array([[0.2, 0.5, 0.3]])
    cum = choice_table(rows_prob, np.ones((1, 3), bool))

    def run(seed):
        t = make_traders(np.array([1.0]), cfg, np.random.default_rng(seed))
        t.row[:] = 0
        n = revise(t, cum, None, 1.0, np.random.default_rng(seed))
        return t, n

    t, n = run(4)
    assert n == t.n  # clocks start at 1: everyone revises
    freq = np.bincount(t.currency, minlength=3) / t.n
    assert np.allclose(freq, rows_prob[0], atol=0.005)
    assert np.all(t.clock >= 1)
    t2, _ = run(4)
    assert np.array_equal(t.currency, t2.currency)


def test_blocking_forces_revision():
    cfg = TraderConfig(n_traders=1000, min_per_pair=1)
    t = make_traders(np.array([1.0]), cfg, np.random.default_rng(0))
    t.row[:] = 0
    t.clock[:] = 100
    cum = choice_table(np.array([[0.0, 1.0]]), np.ones((1, 2), bool))
    block = np.array([1.0, 0.0])  # currency 0 always blocked
    t.currency[:500] = 0
    t.currency[500:] = 1
    n = revise(t, cum, block, 0.01, np.random.default_rng(0))
    assert n == 500 and np.all(t.currency == 1)


def test_revision_clocks_are_capped_geometric_draws():
    a, b = np.random.default_rng(11), np.random.default_rng(11)
    got = revision_clocks(b, 0.15, 5000)
    assert np.array_equal(got, np.minimum(a.geometric(0.15, 5000), 2**30))
    assert revision_clocks(b, 1e-12, 100).max() == 2**30
