"""Summaries across replications: quantile bands and scenario-minus-baseline differences."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

BANDS: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)


def quantile_bands(
    df: pd.DataFrame,
    value: str,
    by: Sequence[str] = ("scenario", "quarter_index"),
    quantiles: Sequence[float] = BANDS,
) -> pd.DataFrame:
    """Quantiles of ``value`` across runs for each group.

    Args:
        df: Long table with ``value`` and the ``by`` columns (one row per run and group).
        value: Column to summarise.
        by: Grouping columns.
        quantiles: Quantiles to compute, named ``q05``, ``q50``, … in the result.

    Returns:
        One row per group with a column per quantile and ``n`` (runs).
    """
    grouped = df.groupby(list(by), sort=True)[value]
    out = grouped.quantile(list(quantiles)).unstack()
    out.columns = [f"q{round(q * 100):02d}" for q in quantiles]
    out["n"] = grouped.count()
    return out.reset_index()


def difference(
    scenario: pd.DataFrame,
    baseline: pd.DataFrame,
    value: str,
    change: Literal["pct", "pp"],
    scale: float = 1.0,
    level: float = 0.95,
) -> pd.DataFrame:
    """Scenario minus baseline over time, with a confidence interval for the mean.

    When both sides share at least two seeds the comparison is paired by seed
    (common random numbers): the difference is computed run by run and the
    interval is a t interval of the mean difference. Otherwise the two sides
    are compared as independent samples (Welch interval of the difference in
    means; for ``"pct"`` the interval is divided by the baseline mean, which is
    treated as known).

    Args:
        scenario: Rows ``quarter_index``, ``seed``, ``value`` of the scenario runs.
        baseline: The same for the baseline runs.
        value: Column to compare.
        change: ``"pct"`` for percent change of a level, ``"pp"`` for a
            difference in (scaled) units, e.g. percentage points of a share.
        scale: Factor applied to ``"pp"`` differences (100 turns shares into pp).
        level: Confidence level.

    Returns:
        One row per ``quarter_index``: ``mean``, ``lo``, ``hi`` (NaN when fewer
        than two replications), ``n`` and ``paired``.
    """
    s = scenario[["quarter_index", "seed", value]].dropna()
    b = baseline[["quarter_index", "seed", value]].dropna()
    common = set(s["seed"]) & set(b["seed"])
    if len(common) >= 2:
        m = s.merge(b, on=["quarter_index", "seed"], suffixes=("_s", "_b"))
        if change == "pct":
            m["d"] = 100.0 * (m[f"{value}_s"] / m[f"{value}_b"] - 1.0)
        else:
            m["d"] = scale * (m[f"{value}_s"] - m[f"{value}_b"])
        rows = [_t_interval(g["d"].to_numpy(), q, level) for q, g in m.groupby("quarter_index")]
        out = pd.DataFrame(rows)
        out["paired"] = True
        return out
    rows = []
    for q in sorted(set(s["quarter_index"]) & set(b["quarter_index"])):
        xs = s.loc[s["quarter_index"] == q, value].to_numpy(float)
        xb = b.loc[b["quarter_index"] == q, value].to_numpy(float)
        rows.append(_welch(xs, xb, q, change, scale, level))
    out = pd.DataFrame(rows, columns=["quarter_index", "mean", "lo", "hi", "n"])
    out["paired"] = False
    return out


def _t_interval(d: np.ndarray, q: int, level: float) -> dict:
    n = len(d)
    mean = float(np.mean(d))
    if n < 2:
        return {"quarter_index": q, "mean": mean, "lo": np.nan, "hi": np.nan, "n": n}
    half = stats.t.ppf(0.5 + level / 2, n - 1) * np.std(d, ddof=1) / np.sqrt(n)
    return {"quarter_index": q, "mean": mean, "lo": mean - half, "hi": mean + half, "n": n}


def _welch(xs: np.ndarray, xb: np.ndarray, q: int, change: str, scale: float, level: float) -> dict:
    ms, mb = float(np.mean(xs)), float(np.mean(xb))
    factor = 100.0 / mb if change == "pct" else scale
    mean = factor * (ms - mb)
    n = min(len(xs), len(xb))
    if n < 2:
        return {"quarter_index": q, "mean": mean, "lo": np.nan, "hi": np.nan, "n": n}
    vs, vb = np.var(xs, ddof=1) / len(xs), np.var(xb, ddof=1) / len(xb)
    se = np.sqrt(vs + vb)
    if se == 0:
        half = 0.0
    else:
        dof = se**4 / (vs**2 / (len(xs) - 1) + vb**2 / (len(xb) - 1))
        half = stats.t.ppf(0.5 + level / 2, dof) * se
    half *= abs(factor)
    return {"quarter_index": q, "mean": mean, "lo": mean - half, "hi": mean + half, "n": n}


#: Below this many runs the outer band is drawn as min–max, and said so: a 5 %/95 %
#: quantile of fewer runs is an interpolation between the extreme runs.
MIN_RUNS_FOR_QUANTILES = 20


def band_label(n_runs: int) -> str:
    """What the outer band of a fan holds, for ``n_runs`` runs."""
    if n_runs < MIN_RUNS_FOR_QUANTILES:
        return f"min–max of {n_runs} runs"
    return "90 % of runs"


def spread(
    df: pd.DataFrame, value: str, scale: float = 1.0
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Outer band and median of ``value`` across runs per ``quarter_index``.

    The band is min–max below :data:`MIN_RUNS_FOR_QUANTILES` runs, else 5–95 %.

    Returns:
        ``(low, median, high)``, each indexed by ``quarter_index``, times ``scale``.
    """
    g = df.groupby("quarter_index")[value]
    n = int(df["run"].nunique()) if "run" in df else 1
    if n < MIN_RUNS_FOR_QUANTILES:
        lo, hi = g.min(), g.max()
    else:
        lo, hi = g.quantile(0.05), g.quantile(0.95)
    return scale * lo, scale * g.median(), scale * hi
