"""Fast exposure classes equal the readable ones (random_rank + class_of_rank), ties included."""

from __future__ import annotations

import numpy as np
import pytest

from sim.settlement._fast_exposure import exposure_classes_fast
from sim.settlement.config import TraderConfig
from sim.settlement.ranks import exposure_classes
from sim.settlement.traders import make_traders


def population(seed: int, sizes: list[int], weights: list[float]):
    rng = np.random.default_rng(seed)
    counts = np.asarray(sizes, dtype=np.int64)
    pair = np.repeat(np.arange(counts.size, dtype=np.int32), counts)
    w = np.asarray(weights)
    return pair, counts, rng.random(pair.size), rng.random(counts.size), np.cumsum(w / w.sum())


SIZES = [37_000, 5, 3000, 50, 2047, 2048, 12_000, 1, 400]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    "weights", [[0.25] * 4, [0.1, 0.0, 0.6, 0.3], [1.0], [0.5, 0.5, 0.0]], ids=str
)
def test_equal_to_the_readable_classes(seed, weights):
    args = population(seed, SIZES, weights)
    fast = exposure_classes_fast(*args)
    assert fast.dtype == np.int32
    np.testing.assert_array_equal(fast, exposure_classes(*args))


def tie(u: np.ndarray, i: int, j: int) -> np.ndarray:
    u = u.copy()
    u[j] = u[i]
    return u


@pytest.mark.parametrize("where", ["big pair", "small pair"])
def test_tied_keys_give_the_readable_classes(where, monkeypatch):
    pair, counts, u, offset, cum = population(1, SIZES, [0.25] * 4)
    first = 0 if where == "big pair" else int(counts[:3].sum())  # pair 3 has 50 traders
    # tie the trader at each step of the class with its neighbour in the order
    order = first + np.argsort(u[first : first + counts[pair[first]]])
    step = int(counts[pair[first]] // 4)
    u = tie(u, order[step - 1], order[step])
    calls = []
    readable = exposure_classes
    from sim.settlement import ranks  # the fast path calls the readable one from here

    monkeypatch.setattr(ranks, "exposure_classes", lambda *a: calls.append(1) or readable(*a))
    fast = exposure_classes_fast(pair, counts, u, offset, cum)
    assert calls == [1]  # the tie sent the call to the readable version
    np.testing.assert_array_equal(fast, readable(pair, counts, u, offset, cum))


def test_unsorted_pairs_use_the_readable_version():
    pair, counts, u, offset, cum = population(2, [3000, 3000], [0.5, 0.5])
    pair = pair[::-1].copy()
    np.testing.assert_array_equal(
        exposure_classes_fast(pair, counts, u, offset, cum),
        exposure_classes(pair, counts, u, offset, cum),
    )


def test_make_traders_gets_the_readable_classes(monkeypatch):
    values = np.array([500.0, 3.0, 120.0, 0.2, 40.0])
    cfg = TraderConfig(n_traders=60_000, min_per_pair=10)
    fast = make_traders(values, cfg, np.random.default_rng(4))
    import sim.settlement.traders as traders

    monkeypatch.setattr(traders, "exposure_classes_fast", exposure_classes)
    slow = make_traders(values, cfg, np.random.default_rng(4))
    np.testing.assert_array_equal(fast.exposure_class, slow.exposure_class)
    np.testing.assert_array_equal(fast.row, slow.row)
