"""The hindcast's trade path: the full model's flows under the EU's dated import bans."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.settlement.hindcast import START, calibration_world
from sim.settlement.hindcast_trade import OVERRIDES, TABLE, trade_table
from sim.settlement.shipped import read_table


def _rus_export_share(m: np.ndarray, economies: list[str], partner: str) -> float:
    r = economies.index("RUS")
    row = m[r].copy()
    row[r] = 0.0
    return float(row[economies.index(partner)] / row.sum())


def test_path_starts_at_the_world_and_carries_the_bans():
    w = calibration_world()
    e = list(w.economies)
    np.testing.assert_array_equal(w.trade[START], w.flows)
    # the model's 2021Q4 trade, seen by the 2022Q1 step, is the world's: no ban yet
    # (the table holds no diagonal: domestic sales are not used by the settlement layer)
    off = ~np.eye(len(e), dtype=bool)
    np.testing.assert_allclose(w.trade["2022Q1"][off], w.flows[off], rtol=1e-8)
    # seaborne crude (Dec 2022) and oil products (Feb 2023) cut RUS -> EU; the core diverts
    eu0, eu1 = (_rus_export_share(w.trade[q], e, "EUU") for q in ("2022Q1", "2024Q1"))
    cn0, cn1 = (_rus_export_share(w.trade[q], e, "CHN") for q in ("2022Q1", "2024Q1"))
    assert eu1 < eu0 - 0.05 and cn1 > cn0


def test_fixed_trade_is_the_old_world():
    w = calibration_world(dated_trade=False)
    assert w.trade is None and "hindcast_trade" not in w.source


@pytest.mark.slow
def test_table_is_the_models_path():
    """Regenerating the table from the model gives the shipped one (else rerun the module)."""
    from sim.cli import compose_and_validate
    from sim.runner import simulate

    _, tables = simulate(compose_and_validate(list(OVERRIDES)))
    fresh = trade_table(tables["pairs"])
    shipped = read_table(TABLE)
    pd.testing.assert_frame_equal(fresh[["quarter", "exporter", "importer"]], shipped.iloc[:, :3])
    np.testing.assert_allclose(fresh["flow"], shipped["flow"], rtol=1e-8)
