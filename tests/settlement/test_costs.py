"""Option costs against their closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from sim.quarters import quarter_ordinal
from sim.settlement.config import HazardEntry, LeverEntry, SettlementConfig
from sim.settlement.costs import (
    combine_components,
    conversion_spread,
    economy_liquidity,
    option_costs,
)
from sim.settlement.levers import LeverSchedule
from sim.settlement.market import build_market

from .conftest import BLOCS

ECO = ("KAZ", "RUS", "ROW")
CUR = ("KZT", "RUB", "USD")


def setup(d=0.7, d_chn=0.4, x=0.0, cards=0.0, hazard=0.0, subsidy=0.0, mandate=0.0):
    cfg = SettlementConfig()
    cfg.link_density = d
    cfg.link_entries = [LeverEntry(scope="CHN", value=d_chn)]
    cfg.interconnection = x
    cfg.card_acceptance = cards
    cfg.subsidies = [LeverEntry(scope="ALL", value=subsidy)] if subsidy else []
    cfg.mandates = [LeverEntry(scope="ALL", value=mandate)] if mandate else []
    m = build_market(ECO, CUR, BLOCS, cfg)
    lev = LeverSchedule(m, cfg).at("2022Q2")
    h = np.zeros((m.n_pairs, m.n_currencies))
    h[:, m.currencies.index("USD")] = hazard
    liq = np.random.default_rng(1).uniform(0, 1, (3, m.n_currencies))
    oc = option_costs(
        m, liq, lev.density, h, lev.interconnection, lev.cards, lev.subsidy, lev.mandate, cfg.costs
    )
    return cfg, m, liq, oc


def test_spread_closed_form_and_monotone():
    liq = np.linspace(0, 1, 11)
    s = conversion_spread(liq, 0.001, 0.03, 6.0)
    assert s[0] == pytest.approx(0.03)
    assert s[-1] == pytest.approx(0.001 + 0.029 * np.exp(-6.0))
    assert np.all(np.diff(s) < 0)


def test_vehicle_option_is_two_vehicle_conversions_plus_delay():
    cfg, m, _, oc = setup()
    p, usd = m.pair_index("KAZ", "RUS"), m.currencies.index("USD")
    c = cfg.costs
    expected = 2 * c.vehicle_spread + c.vehicle_delay_days * c.delay_cost_per_day
    assert oc.base[p, 0, usd] == pytest.approx(expected, abs=1e-15)
    assert oc.base[p, 1, usd] == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize("d", [0.0, 0.3, 1.0])
@pytest.mark.parametrize("x", [0.0, 0.5])
def test_national_option_closed_form(d, x):
    cfg, m, liq, oc = setup(d=d, x=x, hazard=0.2)
    c = cfg.costs
    p, rub = m.pair_index("KAZ", "RUS"), m.currencies.index("RUB")
    kaz = m.economies.index("KAZ")
    s = conversion_spread(
        liq[kaz, rub], c.national_spread_min, c.national_spread_max, c.liquidity_decay
    )
    conv = d * min(s, 2 * c.vehicle_spread) + (1 - d) * 2 * c.vehicle_spread
    d_dir = c.national_delay_days + x * (c.interconnected_delay_days - c.national_delay_days)
    days = d * d_dir + (1 - d) * 2 * c.vehicle_delay_days
    assert oc.base[p, 0, rub] == pytest.approx(conv + days * c.delay_cost_per_day, abs=1e-15)
    # an indirect national payment passes through the vehicle channel
    assert oc.hazard[p, 0, rub] == pytest.approx((1 - d) * 0.2, abs=1e-15)
    assert oc.hazard[p, 0, m.currencies.index("USD")] == pytest.approx(0.2)


def test_uncapped_cross_when_synthetic_cross_off():
    cfg = SettlementConfig()
    cfg.link_density = 1.0
    cfg.link_entries = []
    cfg.costs.synthetic_cross = False
    m = build_market(ECO, CUR, BLOCS, cfg)
    lev = LeverSchedule(m, cfg).at("2022Q2")
    liq = np.zeros((3, m.n_currencies))
    h = np.zeros((m.n_pairs, m.n_currencies))
    oc = option_costs(
        m, liq, lev.density, h, lev.interconnection, lev.cards, lev.subsidy, lev.mandate, cfg.costs
    )
    p, rub = m.pair_index("KAZ", "RUS"), m.currencies.index("RUB")
    assert oc.conversion[p, 0, rub] == pytest.approx(cfg.costs.national_spread_max)


@pytest.mark.parametrize("on", [False, True])
def test_vehicle_leg_into_a_party_currency_carries_the_hazard_only_when_enabled(on):
    cfg = SettlementConfig()
    cfg.costs.vehicle_leg_hazard = on
    m = build_market(ECO, CUR, BLOCS, cfg)
    lev = LeverSchedule(m, cfg).at("2022Q2")
    usd, rub, cny = (m.currencies.index(c) for c in ("USD", "RUB", "CNY"))
    h = np.zeros((m.n_pairs, m.n_currencies))
    h[:, usd] = 0.2
    liq = np.zeros((3, m.n_currencies))
    oc = option_costs(
        m, liq, lev.density, h, lev.interconnection, lev.cards, lev.subsidy, lev.mandate, cfg.costs
    )
    to_row, from_row = m.pair_index("RUS", "ROW"), m.pair_index("ROW", "RUS")
    # ROW's home currency is USD: buying (or selling) RUB is a vehicle leg with Russia's banks
    assert oc.hazard[to_row, 0, rub] == pytest.approx(0.2 if on else 0.0, abs=1e-15)
    assert oc.hazard[from_row, 0, rub] == pytest.approx(0.2 if on else 0.0, abs=1e-15)
    # CNY is bought outside both parties: only its indirect national leg carries the hazard
    off = SettlementConfig()
    oc_off = option_costs(
        m, liq, lev.density, h, lev.interconnection, lev.cards, lev.subsidy, lev.mandate, off.costs
    )
    assert oc.hazard[to_row, 0, cny] == pytest.approx(oc_off.hazard[to_row, 0, cny], abs=1e-15)
    # a national leg (KZT-RUB) is unchanged
    p = m.pair_index("KAZ", "RUS")
    assert oc.hazard[p, 0, rub] == pytest.approx(oc_off.hazard[p, 0, rub], abs=1e-15)


def test_third_currency_needs_both_links():
    cfg, m, liq, oc = setup(d=0.9, d_chn=0.4)
    p, cny = m.pair_index("KAZ", "RUS"), m.currencies.index("CNY")
    assert oc.delay_days[p, 0, cny] == pytest.approx(
        0.16 * cfg.costs.national_delay_days + 0.84 * 2 * cfg.costs.vehicle_delay_days
    )


def test_card_acceptance_gives_retail_a_direct_channel():
    _, m, _, oc0 = setup(d=0.2, cards=0.0)
    cfg, m, liq, oc = setup(d=0.2, cards=0.5)
    p, rub = m.pair_index("KAZ", "RUS"), m.currencies.index("RUB")
    d_r = 1 - 0.8 * 0.5
    kaz = m.economies.index("KAZ")
    c = cfg.costs
    s = conversion_spread(
        liq[kaz, rub], c.national_spread_min, c.national_spread_max, c.liquidity_decay
    )
    s = min(s, 2 * c.vehicle_spread)
    assert oc.conversion[p, 1, rub] == pytest.approx(d_r * s + (1 - d_r) * 2 * c.vehicle_spread)
    assert oc.base[p, 0, rub] == oc0.base[p, 0, rub]  # wholesale unaffected


def test_subsidy_and_mandate_wedges():
    _, m, _, oc0 = setup()
    _, _, _, oc = setup(subsidy=0.01, mandate=0.02)
    nat = m.national[:, None, :]
    diff = oc.base - oc0.base
    assert np.allclose(diff[np.broadcast_to(nat, diff.shape)], -0.01)
    assert np.allclose(diff[~np.broadcast_to(nat, diff.shape)], 0.02)


def test_liquidity_is_trade_weighted_share():
    inc = np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])  # e0 in both pairs
    flows = np.array([3.0, 1.0])
    shares = np.array([[1.0, 0.0], [0.0, 1.0]])
    liq = economy_liquidity(inc, flows, shares, np.array([0.0, 0.5]))
    assert liq[0] == pytest.approx([0.75, 0.25 + 0.5])
    assert liq[1] == pytest.approx([1.0, 0.5])
    assert liq[2] == pytest.approx([0.0, 1.0])  # capped at 1


def test_options_and_national_definition():
    cfg = SettlementConfig()
    m = build_market(
        ("KAZ", "KGZ", "RUS", "EUU", "ROW"), ("KZT", "KGS", "RUB", "EUR", "USD"), BLOCS, cfg
    )
    cur = m.currencies
    p = m.pair_index("KAZ", "KGZ")
    # RUB is offered on a CIS pair without Russia and counts as national there
    assert m.option_from[p, cur.index("RUB")] < 0 and m.national[p, cur.index("RUB")]
    # CNY only on Russia pairs, from 2022Q1
    q21, q22 = quarter_ordinal("2021Q4"), quarter_ordinal("2022Q1")
    prus = m.pair_index("RUS", "EUU")
    assert not m.available(q21)[prus, cur.index("CNY")]
    assert m.available(q22)[prus, cur.index("CNY")]
    assert not m.ever_available()[p, cur.index("CNY")]
    # EUR on a pair with the EU is a vehicle, not national
    assert not m.national[prus, cur.index("EUR")]
    assert m.national[prus, cur.index("RUB")]


@pytest.mark.parametrize("d", [0.0, 0.4, 1.0])
def test_onshore_rub_is_a_national_leg_for_a_usd_importer_from_its_quarter(d):
    """From 2022Q1 a USD-home importer buys RUB through Russian banks, not a deep market."""
    cfg = SettlementConfig()
    cfg.link_density, cfg.link_entries = d, []
    m = build_market(ECO, CUR, BLOCS, cfg)
    sched = LeverSchedule(m, cfg)
    p, rub, usd = m.pair_index("RUS", "ROW"), m.currencies.index("RUB"), m.currencies.index("USD")
    row = m.economies.index("ROW")
    h = np.zeros((m.n_pairs, m.n_currencies))
    h[:, usd] = 0.2
    liq = np.random.default_rng(2).uniform(0, 1, (3, m.n_currencies))
    c = cfg.costs

    def costs(quarter):
        lev = sched.at(quarter)
        return option_costs(
            m, liq, lev.density, h, lev.interconnection, lev.cards, lev.subsidy, lev.mandate,
            c, lev.onshore,
        )  # fmt: skip

    before, after = costs("2021Q4"), costs("2022Q1")
    assert not sched.at("2021Q4").onshore[rub] and sched.at("2022Q1").onshore[rub]
    # offshore: one vehicle conversion, no hazard
    vehicle = c.vehicle_spread + c.vehicle_delay_days * c.delay_cost_per_day
    assert before.base[p, 0, rub] == pytest.approx(vehicle, abs=1e-15)
    assert before.hazard[p, 0, rub] == 0.0
    # onshore: direct with the link density, else through USD with the USD hazard
    s = conversion_spread(
        liq[row, rub], c.national_spread_min, c.national_spread_max, c.liquidity_decay
    )
    conv = d * min(s, 2 * c.vehicle_spread) + (1 - d) * 2 * c.vehicle_spread
    days = d * c.national_delay_days + (1 - d) * 2 * c.vehicle_delay_days
    assert after.base[p, 0, rub] == pytest.approx(conv + days * c.delay_cost_per_day, abs=1e-15)
    assert after.hazard[p, 0, rub] == pytest.approx((1 - d) * 0.2, abs=1e-15)
    # nothing else moves: the USD option and the same pair without the rule
    np.testing.assert_array_equal(after.base[:, :, usd], before.base[:, :, usd])
    cfg.onshore_currencies = {}
    m0 = build_market(ECO, CUR, BLOCS, cfg)
    assert not LeverSchedule(m0, cfg).at("2022Q1").onshore.any()


def test_components_combine_as_independent_events_and_entries_by_the_maximum():
    cfg = SettlementConfig()
    cfg.event_hazards = False
    cfg.hazards = [
        HazardEntry(scope="RUS", from_quarter="2022Q1", hazard=0.2),
        HazardEntry(scope="RUS", from_quarter="2022Q1", hazard=0.1),  # same risk: max
        HazardEntry(scope="RUS", from_quarter="2022Q2", hazard=0.3, component="secondary"),
    ]
    m = build_market(ECO, CUR, BLOCS, cfg)
    sched = LeverSchedule(m, cfg)
    p, usd = m.pair_index("KAZ", "RUS"), m.currencies.index("USD")
    assert sched.at("2022Q1").hazard[p, usd] == pytest.approx(0.2)
    assert sched.at("2022Q2").hazard[p, usd] == pytest.approx(1 - 0.8 * 0.7)
    assert sched.at("2022Q2").hazard_parts[:, p, usd] == pytest.approx([0.2, 0.3])
    assert combine_components(np.array([0.0]), np.array([1.0]))[0] == 1.0


@pytest.mark.parametrize("d", [0.0, 0.4, 1.0])
def test_a_risk_on_every_currency_leaves_a_national_option_no_riskier_than_the_vehicle(d):
    """Secondary risk s on every currency, primary h on USD: RUB's indirect part counts s once."""
    cfg = SettlementConfig()
    cfg.link_density, cfg.link_entries = d, []
    m = build_market(ECO, CUR, BLOCS, cfg)
    lev = LeverSchedule(m, cfg).at("2022Q2")
    usd, rub = m.currencies.index("USD"), m.currencies.index("RUB")
    h, s = 0.2, 0.15
    primary = np.zeros((m.n_pairs, m.n_currencies))
    primary[:, usd] = h
    secondary = np.full_like(primary, s)
    parts = np.stack([primary, secondary])
    oc = option_costs(
        m, np.zeros((3, m.n_currencies)), lev.density, combine_components(*parts),
        lev.interconnection, lev.cards, lev.subsidy, lev.mandate, cfg.costs,
        hazard_parts=parts,
    )  # fmt: skip
    p = m.pair_index("KAZ", "RUS")
    vehicle = 1 - (1 - h) * (1 - s)
    assert oc.hazard[p, 0, usd] == pytest.approx(vehicle)
    assert oc.hazard[p, 0, rub] == pytest.approx(d * s + (1 - d) * vehicle)
    assert oc.hazard[p, 0, rub] <= oc.hazard[p, 0, usd] + 1e-15
