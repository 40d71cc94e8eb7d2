"""The engine's evaluation (static terms cached per lever set) equals the readable functions."""

from __future__ import annotations

import numpy as np
import pytest

from sim.quarters import quarters_through
from sim.settlement import SettlementConfig, SettlementPhase
from sim.settlement.choice import logit_probabilities
from sim.settlement.config import HazardEntry, LeverEntry
from sim.settlement.costs import economy_liquidity, group_costs, option_costs

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
    for q in quarters_through("2021Q4", "2023Q2"):  # levers change in 2022Q1-Q4, then stay
        ev = core.evaluate(q, flows, ph.shares)
        lev = core.schedule.at(q)
        liq = economy_liquidity(m.incidence, flows, ph.shares, core.exogenous)
        oc = option_costs(
            m, liq, lev.density, lev.hazard, lev.interconnection, lev.cards,
            lev.subsidy, lev.mandate, core.cfg.costs, lev.onshore,
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


def test_tallies_equal_per_trader_sums(phase):
    ph, f = phase
    m, t = ph.market, ph.traders
    c = m.n_currencies
    for q in quarters_through("2021Q4", "2022Q4"):
        ev = ph.core.evaluate(q, ph.core.pair_flows(f), ph.shares)
        held = ph.shares > 0
        r = ph.step(q, f)
        # reference: every trader's value weight and the cost of its own (row, currency)
        key = t.pair.astype(np.int64) * c + t.currency
        share = np.bincount(key, weights=t.weight, minlength=m.n_pairs * c).reshape(-1, c)
        paid = ev.cost.reshape(-1)[t.row.astype(np.int64) * c + t.currency]
        spent = np.bincount(key, weights=t.weight * paid, minlength=m.n_pairs * c).reshape(-1, c)
        np.testing.assert_allclose(ph.shares, share, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(r.cost.reshape(-1)[ph.core.pair_flat], spent.sum(1), rtol=1e-12)
        tab = r.table
        shown = ev.available | held
        assert len(tab) == shown.sum()
        assert list(tab.columns) == [
            "quarter", "exporter", "importer", "currency",
            "share_by_value", "share_by_count", "mean_cost",
        ]  # fmt: skip
        pp, cc = np.nonzero(shown)
        np.testing.assert_allclose(tab["share_by_value"], share[pp, cc], rtol=1e-12, atol=1e-15)
        used = share[pp, cc] > 0
        mean = spent[pp, cc][used] / share[pp, cc][used]
        np.testing.assert_allclose(tab["mean_cost"].to_numpy()[used], mean, rtol=1e-12)
        assert (tab["exporter"] == np.asarray(m.economies)[m.exp[pp]]).all()
        assert (tab["currency"] == np.asarray(m.currencies)[cc]).all()
        assert (tab["quarter"] == q).all()
        # Σ_c share · mean = pair cost, also where a currency is not used
        total = (
            (tab["share_by_value"] * tab["mean_cost"])
            .groupby([tab["exporter"], tab["importer"]], sort=False)
            .sum()
        )
        np.testing.assert_allclose(total.to_numpy(), spent.sum(1), rtol=1e-12)


def test_headline_equals_direct_sums(phase):
    ph, f = phase
    m = ph.market
    for q in quarters_through("2021Q4", "2022Q3"):
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
