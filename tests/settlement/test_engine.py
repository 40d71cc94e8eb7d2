"""The engine's evaluation (static terms cached per lever set) equals the readable functions."""

from __future__ import annotations

import numpy as np
import pytest

from sim.settlement import SettlementConfig, SettlementPhase
from sim.settlement.choice import logit_probabilities
from sim.settlement.config import HazardEntry, LeverEntry
from sim.settlement.costs import economy_liquidity, group_costs, option_costs
from sim.settlement.outputs import settlement_table
from sim.settlement.phase import realized_costs
from sim.settlement.quarters import quarter_range

from .conftest import BLOCS, world


@pytest.fixture
def phase():
    eco, cur, f = world(("ARM", "KAZ", "RUS", "CHN", "EUU"), seed=2)
    c = SettlementConfig()
    c.traders.n_traders = 3000
    c.event_hazards = False  # only the hazard below
    c.costs.dated_liquidity = False
    c.hazards = [HazardEntry(scope="RUS", from_quarter="2022Q1", hazard=0.2)]
    c.card_entries = [LeverEntry(scope="EAEU", from_quarter="2022Q2", value=0.4)]
    c.subsidies = [
        LeverEntry(scope="CIS", from_quarter="2022Q2", to_quarter="2022Q4", value=0.0, ramp_to=0.01)
    ]
    c.mandates = [LeverEntry(scope="KAZ-RUS", from_quarter="2022Q3", value=0.003)]
    return SettlementPhase(eco, cur, BLOCS, c, f, np.random.default_rng(5), "2021Q4"), f


def test_evaluate_equals_reference_every_quarter(phase):
    ph, f = phase
    core, m = ph.core, ph.market
    flows = core.pair_flows(f)
    for q in quarter_range("2021Q4", "2023Q2"):  # levers change in 2022Q1-Q4, then stay
        ev = core.evaluate(q, flows, ph.shares)
        lev = core.schedule.at(q)
        liq = economy_liquidity(m.incidence, flows, ph.shares, core.exogenous)
        oc = option_costs(
            m, liq, lev.density, lev.hazard, lev.interconnection, lev.cards,
            lev.subsidy, lev.mandate, core.cfg.costs,
        )  # fmt: skip
        cost, block = group_costs(
            oc, core.segment_of_group, core.exposure_of_group, core.cfg.costs.loss_given_block
        )
        avail = m.available(int(q[:4]) * 4 + int(q[-1]) - 1)
        prob = logit_probabilities(core.intercepts, cost, core.cfg.logit_scale, avail)
        np.testing.assert_allclose(ev.cost, cost, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(ev.block, block, rtol=1e-12)
        np.testing.assert_allclose(ev.prob, prob, rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(ev.available, avail)
        ph.step(q, f)


def test_table_builder_equals_reference(phase):
    ph, f = phase
    m = ph.market
    for q in quarter_range("2021Q4", "2022Q4"):
        ev = ph.core.evaluate(q, ph.core.pair_flows(f), ph.shares)
        held = ph._count_shares > 0
        r = ph.step(q, f)
        _, mean = realized_costs(ph.traders, ev.cost, ph.shares, ph.group_weights)
        ref = settlement_table(q, m, ev.available | held, ph.shares, ph._count_shares, mean)
        assert r.table.dtypes.equals(ref.dtypes)
        assert list(r.table.columns) == list(ref.columns)
        new = ph._table(q, ev.available | held, ph.shares, ph._count_shares, mean)
        assert new.equals(ref)


def test_headline_equals_direct_sums(phase):
    ph, f = phase
    m = ph.market
    for q in quarter_range("2021Q4", "2022Q3"):
        h = ph.step(q, f).headline
    flows = ph.core.pair_flows(f)
    s = ph.shares
    rus = m.exp == m.economies.index("RUS")
    rub = m.currencies.index("RUB")
    assert h["rus_exports_rub"] == pytest.approx(flows[rus] @ s[rus, rub] / flows[rus].sum())
    eaeu = m.bloc_pairs("EAEU")
    nat = (s * m.national)[eaeu].sum(axis=1)
    assert h["national_currency_share_eaeu"] == pytest.approx(flows[eaeu] @ nat / flows[eaeu].sum())
    assert np.isnan(h["rus_irn_national"])  # IRN not in this world: documented NaN
