"""Trader arrays: allocation, sizes, revision."""

from __future__ import annotations

import numpy as np
import pytest

from sim.settlement.choice import cumulative_rows
from sim.settlement.config import TraderConfig
from sim.settlement.traders import allocate_traders, draw_sizes, make_traders, revise


def test_allocation_sums_and_minimum():
    v = np.array([100.0, 1.0, 0.0, 10.0])
    c = allocate_traders(v, 1000, 5)
    assert c.sum() == 1000 and c.min() >= 5
    assert c[0] > c[3] > c[1]
    # proportional to value beyond the minimum (largest remainder)
    assert np.all(np.abs((c - 5) - 980 * v / v.sum()) < 1)


def test_pareto_tail_exponent_hill_estimator():
    cfg = TraderConfig(pareto_alpha=1.06, size_cap=1e12)
    x = np.sort(draw_sizes(400_000, cfg, np.random.default_rng(0)))[::-1]
    k = 4000
    hill = 1 / np.mean(np.log(x[:k] / x[k]))
    assert hill == pytest.approx(1.06, rel=0.05)
    assert x.max() <= 1e12


def test_population_structure():
    cfg = TraderConfig(n_traders=3000, min_per_pair=3, retail_share=0.3)
    t = make_traders(np.array([5.0, 1.0, 2.0]), cfg, np.random.default_rng(1))
    assert np.allclose(np.bincount(t.pair, weights=t.weight), 1.0)
    for p in range(3):
        sel = t.pair == p
        retail, whole = t.size[sel & t.retail], t.size[sel & ~t.retail]
        assert retail.max() <= whole.min()  # retail = the smallest traders
        assert sel[t.retail].sum() == np.floor(0.3 * t.counts[p])


def test_revision_rule_frequencies_and_determinism():
    cfg = TraderConfig(n_traders=200_000, min_per_pair=1)
    rows_prob = np.array([[0.2, 0.5, 0.3]])
    cum = cumulative_rows(rows_prob, np.ones((1, 3), bool))

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
    cum = cumulative_rows(np.array([[0.0, 1.0]]), np.ones((1, 2), bool))
    block = np.array([1.0, 0.0])  # currency 0 always blocked
    t.currency[:500] = 0
    t.currency[500:] = 1
    n = revise(t, cum, block, 0.01, np.random.default_rng(0))
    assert n == 500 and np.all(t.currency == 1)


@pytest.mark.parametrize("rate", [1e-9, 0.005, 0.15, 0.2499, 0.25, 0.5, 1.0])
@pytest.mark.parametrize("inversion", [True, False])
def test_revision_clocks_equal_capped_geometric_draws(rate, inversion, monkeypatch):
    from sim.settlement import traders

    if not inversion:  # the fallback when numpy samples geometric variates another way
        monkeypatch.setattr(traders, "_inversion_ok", False)
    a, b = np.random.default_rng(11), np.random.default_rng(11)
    for n in (0, 1, 5000):
        ref = np.minimum(a.geometric(rate, n), traders.CLOCK_MAX)
        got = traders.revision_clocks(b, rate, n)
        assert np.array_equal(got, ref)
    assert a.random() == b.random()  # same draws consumed
    if rate < 1e-6:
        assert got.max() == traders.CLOCK_MAX
