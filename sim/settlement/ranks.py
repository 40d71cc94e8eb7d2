"""Ranks within groups, and the exposure class a trader's rank in its pair gives (readable).

:func:`random_rank` orders each group's members at random; :func:`exposure_classes`
turns a trader's rank in its pair into its exposure class (systematic sampling).
The model calls the fast path :func:`~sim.settlement._fast_exposure.exposure_classes_fast`,
tested equal to :func:`exposure_classes`.
"""

from __future__ import annotations

import numpy as np


def exposure_classes(
    pair: np.ndarray, counts: np.ndarray, u: np.ndarray, offset: np.ndarray, cum: np.ndarray
) -> np.ndarray:
    """Exposure class of each trader: systematic sampling over a random order of its pair.

    The traders of a pair of n, ranked 0..n−1 by ``u`` (:func:`random_rank`), sit
    at ``(rank + offset)/n`` in (0, 1); a trader's class is the interval of the
    cumulative class weights ``cum`` that holds it, so each class gets its
    weight's share of every pair, up to one trader.

    Args:
        pair: (N,) pair of each trader.
        counts: (P,) traders per pair, ``np.bincount(pair)``.
        u: (N,) uniforms (the random order).
        offset: (P,) uniforms (each pair's systematic start).
        cum: (E,) cumulative class weights (the last is 1).

    Returns:
        (N,) int32 class index in 0..E−1.
    """
    rank = random_rank(pair, counts, u)
    return class_of_rank(rank, offset[pair], counts[pair], cum)


def class_of_rank(
    rank: np.ndarray, offset: np.ndarray, count: np.ndarray, cum: np.ndarray
) -> np.ndarray:
    """Class of the trader of ``rank`` in a pair of ``count``: where (rank + offset)/count falls.

    ``min(searchsorted(cum, (rank + offset)/count, side="right"), E − 1)``.
    """
    pos = (rank + offset) / count
    return np.minimum(np.searchsorted(cum, pos, side="right"), cum.size - 1).astype(np.int32)


def random_rank(key: np.ndarray, size: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Rank 0..n−1 of each element within its group of equal ``key``, in the order of ``u``.

    With ``u`` independent uniforms this is a uniformly random order within each
    group. One sort of ``key + u/2`` (groups stay apart, since u/2 < 1/2); equal
    to ``np.lexsort((u, key))`` except for u that round to the same sort key
    (below ~2^-36 apart), whose order is then arbitrary (but deterministic) and
    still random.

    Args:
        key: (N,) non-negative integer group of each element.
        size: (K,) group sizes, ``np.bincount(key)``.
        u: (N,) uniforms in [0, 1).
    """
    order = np.argsort(key + 0.5 * u)
    start = np.concatenate([[0], np.cumsum(size)[:-1]])
    rank = np.empty(key.size, dtype=np.int64)
    rank[order] = np.arange(key.size) - start[key[order]]
    return rank
