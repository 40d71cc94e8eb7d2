"""The report's numbers: key indicators, scenario differences and data provenance."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.indicators import available
from analysis.stats import difference


def key_numbers(world: pd.DataFrame, scenarios: list[str]) -> pd.DataFrame:
    """Headline indicators at the first and last quarter, per scenario.

    Args:
        world: World table with ``scenario``, ``run``, ``quarter_index``.
        scenarios: Scenarios, in row order.

    Returns:
        One row per scenario and indicator: ``runs``, ``first`` (median at the
        first quarter), ``last`` (median at the last quarter), ``last_p05``,
        ``last_p95`` (5th/95th percentile across runs), in display units.
    """
    rows = []
    q0, q1 = world["quarter_index"].min(), world["quarter_index"].max()
    for sc in scenarios:
        w = world[world["scenario"] == sc]
        for ind in available(world):
            first = w.loc[w["quarter_index"] == q0, ind.column] * ind.scale
            last = w.loc[w["quarter_index"] == q1, ind.column] * ind.scale
            rows.append(
                {
                    "scenario": sc,
                    "indicator": ind.label,
                    "unit": ind.unit,
                    "runs": int(w["run"].nunique()),
                    "first": first.median(),
                    "last": last.median(),
                    "last_p05": last.quantile(0.05),
                    "last_p95": last.quantile(0.95),
                }
            )
    return pd.DataFrame(rows)


def final_differences(
    scenarios: pd.DataFrame, baseline: pd.DataFrame, level: float = 0.95
) -> pd.DataFrame:
    """Scenario minus baseline at the last common quarter, with a confidence interval.

    Returns:
        One row per scenario and indicator: ``unit``, ``mean``, ``lo``, ``hi``,
        ``n``, ``paired`` (see :func:`analysis.stats.difference`).
    """
    rows = []
    for sc in sorted(scenarios["scenario"].unique()):
        s = scenarios[scenarios["scenario"] == sc]
        for ind in available(s):
            if ind.column not in baseline:
                continue
            d = difference(s, baseline, ind.column, ind.change, ind.scale, level)
            if d.empty:
                continue
            last = d.iloc[-1]
            rows.append(
                {
                    "scenario": sc,
                    "indicator": ind.label,
                    "unit": ind.change_unit,
                    "mean": last["mean"],
                    "lo": last["lo"],
                    "hi": last["hi"],
                    "n": int(last["n"]),
                    "paired": bool(last["paired"]),
                }
            )
    return pd.DataFrame(rows)


def provenance_summary(pairs: pd.DataFrame | None) -> pd.DataFrame | None:
    """Share of baseline pair cells by provenance, by count and by trade value.

    Uses the first quarter of the first run (provenance describes the baseline
    cell, so it is the same in every quarter and run).

    Returns:
        One row per provenance class: ``cells``, ``share_cells`` (%),
        ``share_value`` (% of first-quarter trade value); None if the pairs
        table is absent or has no ``provenance`` column.
    """
    if pairs is None or "provenance" not in pairs:
        return None
    p = pairs
    if "run" in p:
        p = p[p["run"] == p["run"].min()]
    p = p[p["quarter_index"] == p["quarter_index"].min()]
    g = p.groupby(p["provenance"].astype(str))
    out = pd.DataFrame({"cells": g.size(), "value": g["flow"].sum()})
    out["share_cells"] = 100.0 * out["cells"] / out["cells"].sum()
    total = out["value"].sum()
    out["share_value"] = 100.0 * out["value"] / total if total > 0 else np.nan
    return out.drop(columns="value").sort_values("cells", ascending=False).reset_index()


def imputed_share(prov: pd.DataFrame | None) -> tuple[float, float] | None:
    """(% of cells, % of trade value) whose baseline value is imputed, or None."""
    if prov is None:
        return None
    row = prov[prov["provenance"] == "imputed"]
    if row.empty:
        return (0.0, 0.0)
    return float(row["share_cells"].iloc[0]), float(row["share_value"].iloc[0])
