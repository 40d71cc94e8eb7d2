"""Baseline growth path: real endowments Q_i grow with IMF WEO real GDP growth.

The endowment index for quarter q relative to the calibration is

    Q̂_i(q) = Π_{s = start..q} (1 + g_i(year(s)))^(1/4)

where g_i(y) is the WEO real GDP growth rate of economy i in year y (shipped
in ``sim/data/cis2023/growth.csv`` with its source). Years after the last
observed one keep the last observed rate (a documented flat extrapolation);
``mode="flat"`` sets g = 0. RoW uses the world rate shipped for ``ROW``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.data.loader import load_growth
from sim.data.world import World
from sim.quarters import parse_quarter


def annual_growth(world: World, year: int) -> np.ndarray:
    """Real growth rate per economy (fraction) for ``year``, extrapolated flat."""
    table = load_growth(world.name)
    rates = np.zeros(world.n)
    for i, code in enumerate(world.economies):
        series = table.get(code, {})
        if not series:
            continue
        usable = [y for y in series if y <= year]
        rates[i] = series[max(usable)] if usable else series[min(series)]
    return rates


def endowment_path(world: World, quarters: Sequence[str], mode: str) -> np.ndarray:
    """Cumulative endowment index Q̂ per quarter (rows) and economy (columns)."""
    if mode == "flat":
        return np.ones((len(quarters), world.n))
    growth = np.array([annual_growth(world, parse_quarter(q)[0]) for q in quarters])
    return np.cumprod((1.0 + growth) ** 0.25, axis=0)
