"""Fast path of :func:`~sim.settlement.ranks.exposure_classes`: the same classes, no full sort.

The readable version ranks every trader within its pair by one argsort of
250,000 floats (:func:`~sim.settlement.ranks.random_rank`, about a quarter
of a settlement construction) and then maps the rank to a class. But a
trader's class depends only on which of its pair's few class *intervals* of
ranks its rank falls in: the class is a step function of the rank, with at
most E − 1 steps per pair. So for a pair of n traders it is enough to know the
values at the ranks where the class steps (order statistics, ``np.partition``:
O(n), not O(n log n)) and to compare every trader's sort key with them.

Exactly the readable version's classes, checked on the way:

- the class of each rank is computed with the readable version's own float
  expression on the same numbers (rank ``k`` of the pair at position ``k``),
  its ``searchsorted`` done as a count of comparisons (the same integers);
- a trader has rank >= R exactly when its key is >= the R-th smallest key of
  its pair, *unless* that key ties the (R−1)-th: there the readable argsort
  orders the tie arbitrarily, so any such tie sends the whole call to the
  readable version (keys tie with probability ~1e-5 a call);
- pairs too small to gain (below :data:`SMALL`) are ranked together by one
  argsort of their traders' keys, which equals the full argsort's ranks when
  no two keys of a pair are equal (checked; else the readable version).

Tested against the readable version (``tests/settlement/test_fast_exposure.py``).
"""

from __future__ import annotations

import numpy as np

import sim.settlement.ranks as ranks  # the readable version (and the fallback)

SMALL = 2048
"""Pairs with fewer traders are ranked by one shared argsort (a partition each costs more)."""


def exposure_classes_fast(
    pair: np.ndarray, counts: np.ndarray, u: np.ndarray, offset: np.ndarray, cum: np.ndarray
) -> np.ndarray:
    """:func:`~sim.settlement.ranks.exposure_classes` (same arguments, same result).

    Requires ``pair`` sorted (traders contiguous by pair, as :func:`make_traders` makes them).
    """
    n = pair.size
    if n == 0 or np.any(pair[1:] < pair[:-1]):
        return ranks.exposure_classes(pair, counts, u, offset, cum)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    k = np.arange(n) - start[pair]  # position of rank k in the pair's sorted order
    # the class of rank k of the pair: class_of_rank's position, counted as it counts
    pos = (k + offset[pair]) / counts[pair]
    by_rank = np.minimum(_count_at_or_below(cum, pos), cum.size - 1).astype(np.int32)
    key = pair + 0.5 * u  # random_rank's sort key
    out = np.empty(n, dtype=np.int32)
    small = counts < SMALL
    if small.any():
        idx = np.flatnonzero(small[pair])
        sorted_key = key[idx]
        order = np.argsort(sorted_key)
        sorted_key = sorted_key[order]
        if not np.all(sorted_key[1:] > sorted_key[:-1]):  # a tie: its order is argsort's own
            return ranks.exposure_classes(pair, counts, u, offset, cum)
        rank = np.empty(idx.size, dtype=np.int64)
        sub_start = np.concatenate([[0], np.cumsum(counts[small])[:-1]])
        group = np.cumsum(small) - 1  # index of each small pair among the small ones
        rank[order] = np.arange(idx.size) - sub_start[group[pair[idx[order]]]]
        out[idx] = by_rank[start[pair[idx]] + rank]
    for p in np.flatnonzero(~small):
        s, m = int(start[p]), int(counts[p])
        block = by_rank[s : s + m]
        steps = np.flatnonzero(block[1:] != block[:-1]) + 1  # ranks where the class changes
        if steps.size == 0:
            out[s : s + m] = block[0]
            continue
        part = np.partition(key[s : s + m], np.concatenate([steps - 1, steps]))
        below, at = part[steps - 1], part[steps]
        if np.any(below == at):  # a tie across a step: argsort's order decides it
            return ranks.exposure_classes(pair, counts, u, offset, cum)
        levels = block[np.concatenate([[0], steps])]
        out[s : s + m] = levels[_count_at_or_below(at, key[s : s + m])]
    return out


def _count_at_or_below(edges: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``np.searchsorted(edges, x, side="right")`` for a few sorted ``edges``, by comparisons.

    The number of edges <= x, one vectorized comparison per edge (a binary search
    per element costs more when there are only a handful of edges).
    """
    count = np.zeros(x.shape, dtype=np.intp)
    for edge in edges:
        count += x >= edge
    return count
