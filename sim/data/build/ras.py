"""Biproportional scaling (RAS) with fixed cells and partial margins."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RASResult:
    """Scaled matrix, factors and diagnostics.

    Attributes:
        x: fixed + r_i · base_ij · s_j on free cells.
        r, s: Row and column factors (1 where the margin is not constrained).
        floored_rows, floored_cols: Margins not imposed because fixed cells exceed them.
        iterations: Sweeps used.
        max_gap: Largest relative margin gap at the end.
    """

    x: np.ndarray
    r: np.ndarray
    s: np.ndarray
    floored_rows: np.ndarray
    floored_cols: np.ndarray
    iterations: int
    max_gap: float


def ras(
    base: np.ndarray,
    free: np.ndarray,
    fixed: np.ndarray,
    row_target: np.ndarray,
    col_target: np.ndarray,
    floor_share: float,
    tol: float = 1e-12,
    max_iter: int = 10_000,
) -> RASResult:
    """Scale the free cells of ``base`` so that rows and columns meet their targets.

    X_ij = F_ij + r_i B_ij s_j (free cells), with r_i = (R_i - ΣF_i·)/Σ_j B_ij s_j
    and s_j = (C_j - ΣF_·j)/Σ_i r_i B_ij, iterated (Bacharach 1970; Miller &
    Blair 2009, ch. 7). A NaN target (or a margin without free cells) leaves that row or
    column unconstrained (factor 1). Where the fixed cells
    leave less than ``floor_share`` of a target for the free cells, the target
    contradicts them and is not imposed (factor 1; reported in ``floored_*``).

    Args:
        base: n×m base pattern (free cells > 0).
        free: Boolean mask of the cells to scale.
        fixed: Values of the cells kept as they are (0 elsewhere).
        row_target: Row margins (NaN = not constrained).
        col_target: Column margins (NaN = not constrained).
        floor_share: Minimum free share of a constrained margin.
        tol: Convergence tolerance on the relative margin gap.
        max_iter: Sweep cap.
    """
    b = np.where(free, base, 0.0)
    f = np.where(free, 0.0, fixed)
    # A margin with no free cell is fully determined by its fixed cells.
    rows_c = np.isfinite(row_target) & free.any(axis=1)
    cols_c = np.isfinite(col_target) & free.any(axis=0)
    need_r = np.where(rows_c, row_target - f.sum(axis=1), np.nan)
    need_c = np.where(cols_c, col_target - f.sum(axis=0), np.nan)
    floor_r = rows_c & (need_r < floor_share * np.nan_to_num(row_target))
    floor_c = cols_c & (need_c < floor_share * np.nan_to_num(col_target))
    # Such a margin contradicts the fixed cells: it is not imposed.
    rows_c &= ~floor_r
    cols_c &= ~floor_c
    r = np.ones(b.shape[0])
    s = np.ones(b.shape[1])
    gap = np.inf
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 (reported)
        rs = b @ s
        r = np.where(
            rows_c & (rs > 0), np.divide(need_r, rs, where=rs > 0, out=np.ones_like(rs)), 1.0
        )
        cs = r @ b
        s = np.where(
            cols_c & (cs > 0), np.divide(need_c, cs, where=cs > 0, out=np.ones_like(cs)), 1.0
        )
        x = r[:, None] * b * s[None, :]
        gr = np.abs(x.sum(axis=1) - need_r)[rows_c] / np.maximum(need_r[rows_c], 1e-300)
        gc = np.abs(x.sum(axis=0) - need_c)[cols_c] / np.maximum(need_c[cols_c], 1e-300)
        gap = float(max(gr.max(initial=0.0), gc.max(initial=0.0)))
        if gap < tol:
            break
    x = f + r[:, None] * b * s[None, :]
    return RASResult(x, r, s, floor_r, floor_c, it, gap)
