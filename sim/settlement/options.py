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
class PackedColumns:
    """The True columns of each row of an (R, C) bool mask, packed to the left.

    Attributes:
        rows: (M,) row of each True entry, row-major.
        cols: (M,) its column in the mask.
        pos: (M,) its column in the packed (R, K) layout, K the most True entries of a row.
        column: (R, K) mask column of each packed column; padding repeats the row's last.
        n: (R,) True entries of each row.
    """

    rows: np.ndarray
    cols: np.ndarray
    pos: np.ndarray
    column: np.ndarray
    n: np.ndarray

    @classmethod
    def of(cls, mask: np.ndarray) -> PackedColumns:
        """Pack an (R, C) bool mask with at least one True entry per row."""
        n = mask.sum(axis=1)
        k = int(n.max())
        rows, cols = np.nonzero(mask)  # row-major: each row's entries in order
        pos = np.arange(rows.size) - np.repeat(np.cumsum(n) - n, n)
        column = np.repeat(cols[np.cumsum(n) - 1][:, None], k, axis=1)
        column[rows, pos] = cols
        return cls(rows=rows, cols=cols, pos=pos, column=column, n=n)


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
        packed = PackedColumns.of(offered)
        k = packed.column.shape[1]
        return cls(column=packed.column, valid=np.arange(k)[None, :] < packed.n[:, None])

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
