"""Each pair's option set as compact columns: a sparse view of (P, C) arrays.

A pair can settle in its two partners' own currencies, the vehicles and the few
third currencies the market offers it, a handful of the C currencies of the
world (C = 135 on ``dots2020``). Work that only concerns offered options (the
intercept calibration of the initial state) runs on (P, K) / (P, G, K) arrays,
K = the most options any pair has, and is scattered back to (P, C) at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OptionSet:
    """Slot k of pair p is currency ``column[p, k]``; padded slots are not ``valid``.

    Attributes:
        column: (P, K) currency index of each slot, in currency order; padding
            repeats the pair's last option.
        valid: (P, K) bool, the slot is one of the pair's options.
    """

    column: np.ndarray
    valid: np.ndarray

    @classmethod
    def of(cls, offered: np.ndarray) -> OptionSet:
        """The option set of a (P, C) bool mask (each row with at least one option)."""
        n = offered.sum(axis=1)
        k = int(n.max())
        rows, cols = np.nonzero(offered)  # row-major: each row's options in order
        pos = np.arange(rows.size) - np.repeat(np.cumsum(n) - n, n)
        column = np.repeat(cols[np.cumsum(n) - 1][:, None], k, axis=1)
        column[rows, pos] = cols
        return cls(column=column, valid=np.arange(k)[None, :] < n[:, None])

    def slot_of(self, n_currencies: int) -> np.ndarray:
        """(P, C) int32 slot of each pair's option currency, −1 where not an option."""
        rows, k = np.nonzero(self.valid)
        out = np.full((self.column.shape[0], n_currencies), -1, dtype=np.int32)
        out[rows, self.column[rows, k]] = k
        return out

    def gather(self, dense: np.ndarray) -> np.ndarray:
        """(P, ..., K) values of a (P, ..., C) array at each pair's slots, 0 on padded slots."""
        lead = self.column.shape[:1] + (1,) * (dense.ndim - 2) + (-1,)
        values = np.take_along_axis(dense, self.column.reshape(lead), axis=-1)
        return np.where(self.valid.reshape(lead), values, np.zeros((), dense.dtype))

    def scatter(self, compact: np.ndarray, n_currencies: int) -> np.ndarray:
        """(P, ..., C) array with the valid slots of ``compact`` (P, ..., K), 0 elsewhere."""
        rows, k = np.nonzero(self.valid)
        out = np.zeros(compact.shape[:-1] + (n_currencies,))
        out[rows, ..., self.column[rows, k]] = compact[rows, ..., k]
        return out
