"""The mechanism: a tipping point in link density, and path dependence."""

from __future__ import annotations

import numpy as np
import pytest

from sim.quarters import quarters_through
from sim.settlement import SettlementConfig, SettlementPhase
from sim.settlement.config import LeverEntry

from .conftest import BLOCS, world

ECO, CUR, FLOWS = world(("KAZ", "KGZ", "RUS"), row_flow=0.5)
QUARTERS = quarters_through("2020Q1", "2029Q4")  # 40 quarters


def config(density_entries, start_share=0.7) -> SettlementConfig:
    """No intercepts, no hazard: only costs and the liquidity externality act."""
    c = SettlementConfig()
    c.traders.n_traders = 3000
    c.event_hazards = False
    c.costs.dated_liquidity = False
    c.initial.table = ""
    c.initial.intercepts = "none"
    c.initial.national_share = start_share
    c.initial.national_currency = "RUB"
    c.logit_scale = 1000.0
    c.costs.liquidity_decay = 6.0  # the spread curve the thresholds below are for
    c.revision_rate = 0.2
    c.link_density = 0.0
    c.link_entries = density_entries
    return c


def final_share(cfg, engine="meanfield", seed=0) -> tuple[float, float]:
    ph = SettlementPhase(ECO, CUR, BLOCS, cfg, FLOWS, np.random.default_rng(seed), QUARTERS[0])
    if engine == "meanfield":
        mf, f = ph.meanfield(), ph.core.pair_flows(FLOWS)
        series = [mf.step(q, f)["national_currency_share_cis"] for q in QUARTERS]
    else:
        series = [ph.step(q, FLOWS).headline["national_currency_share_cis"] for q in QUARTERS]
    return series[0], series[-1]


def test_tipping_point_in_link_density():
    finals = {}
    for d in (0.0, 0.5, 0.8, 0.9, 1.0):
        first, last = final_share(config([LeverEntry(scope="ALL", value=d)]))
        finals[d] = last
        assert 0.6 < first < 0.75
    # below the threshold the national share decays to the indifference level...
    for d in (0.0, 0.5, 0.8, 0.9):
        assert finals[d] < 0.5
    # ...above it, it grows to dominance
    assert finals[1.0] > 0.85
    # and the agent-based populations do the same
    assert final_share(config([LeverEntry(scope="ALL", value=0.5)]), "agents")[1] < 0.55
    assert final_share(config([LeverEntry(scope="ALL", value=1.0)]), "agents")[1] > 0.8


@pytest.mark.parametrize("engine", ["meanfield", "agents"])
def test_path_dependence_same_final_policy(engine):
    # history A: full link density throughout
    a = config([LeverEntry(scope="ALL", value=1.0)])
    # history B: a three-year spell of sparse links, then the same full density
    b = config(
        [
            LeverEntry(scope="ALL", value=1.0),
            LeverEntry(scope="ALL", from_quarter="2020Q1", to_quarter="2022Q4", value=0.5),
        ]
    )
    share_a = final_share(a, engine)[1]
    share_b = final_share(b, engine)[1]
    assert share_a > 0.85
    assert share_b < 0.55
    assert share_a - share_b > 0.3
