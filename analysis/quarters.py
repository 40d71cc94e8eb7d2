"""Quarter labels (``"2024Q1"``) on axes and as decimal years."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def decimal_year(label: str) -> float:
    """Mid-point of a quarter as a decimal year: ``"2024Q1"`` → 2024.125."""
    m = _QUARTER.match(str(label))
    if m is None:
        raise ValueError(f"not a quarter label: {label!r}")
    return int(m.group(1)) + (int(m.group(2)) - 0.5) / 4


def with_quarter_index(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with a ``quarter_index`` column, derived from ``quarter`` if absent."""
    if "quarter_index" in df:
        return df
    order = sorted(df["quarter"].astype(str).unique())
    out = df.copy()
    out["quarter_index"] = out["quarter"].astype(str).map({q: i for i, q in enumerate(order)})
    return out


def quarter_labels(df: pd.DataFrame) -> dict[int, str]:
    """Map ``quarter_index`` → ``quarter`` label from a table holding both."""
    if "quarter" not in df:
        return {}
    pairs = df[["quarter_index", "quarter"]].drop_duplicates("quarter_index")
    return dict(zip(pairs["quarter_index"].astype(int), pairs["quarter"].astype(str), strict=True))


def quarter_axis(ax: Axes, labels: dict[int, str], max_ticks: int = 7) -> None:
    """Label the x axis of ``ax`` with quarter labels at no more than ``max_ticks`` ticks."""
    if not labels:
        ax.set_xlabel("quarter (0 = first simulated)")
        return
    idx = np.array(sorted(labels))
    step = max(1, int(np.ceil(len(idx) / max_ticks)))
    ticks = idx[::step]
    ax.set_xticks(ticks, [labels[int(t)] for t in ticks])
    ax.set_xlabel("quarter")
