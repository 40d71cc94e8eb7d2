"""Settlement on whatever economies and currencies the World gives (the World is the registry)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import ConfigError
from sim.quarters import quarters_through
from sim.settlement import SettlementConfig, SettlementPhase
from sim.settlement.config import HazardEntry, LeverEntry, ThirdCurrencyRule
from sim.settlement.registry import registry

from .conftest import world

#: A world with two economies the shipped data do not have (Georgia, Mongolia).
CODES = ("GEO", "KAZ", "MNG", "RUS", "CHN")
CURRENCIES = ("GEL", "KZT", "MNT", "RUB", "CNY")
BLOCS = {"CIS": ("KAZ", "RUS"), "EAEU": ("KAZ", "RUS"), "NEIGH": ("GEO", "MNG")}


def _phase(cfg: SettlementConfig, seed: int = 0) -> tuple[SettlementPhase, np.ndarray]:
    eco, cur, f = world(CODES, seed=seed, currencies=CURRENCIES)
    return SettlementPhase(eco, cur, BLOCS, cfg, f, np.random.default_rng(seed), "2021Q4"), f


def test_registry_reads_the_shipped_world_and_puts_the_run_first():
    reg = registry(("GEO", "RUS", "ROW"), ("GEL", "RUB", "USD"))
    assert reg.currency_of("GEO") == "GEL" and reg.issuer("GEL") == "GEO"
    assert reg.issuer("CNY") == "CHN"  # from the shipped world, outside the run's
    assert reg.issuer("USD") == "ROW"
    assert registry().currency_of("KAZ") == "KZT"


def test_a_world_with_new_economies_and_currencies_runs():
    cfg = SettlementConfig()
    cfg.traders.n_traders = 6000
    cfg.initial.table = ""  # the 2021 table is written for the shipped economies
    cfg.initial.national_share = 0.2
    cfg.link_entries = [
        LeverEntry(scope="NEIGH", value=0.9),
        LeverEntry(scope="GEO-RUS", value=0.7),
    ]
    cfg.third_currency_rules = [ThirdCurrencyRule(currency="GEL", scope="NEIGH")]
    cfg.hazards = [HazardEntry(scope="MNG", from_quarter="2022Q1", hazard=0.3, currencies=["MNT"])]
    ph, f = _phase(cfg)
    m = ph.market
    assert {"GEL", "MNT"} <= set(m.currencies)
    gel, mnt = m.currencies.index("GEL"), m.currencies.index("MNT")
    geo_mng = m.pair_index("GEO", "MNG")
    kaz_rus = m.pair_index("KAZ", "RUS")
    assert m.national[geo_mng, gel] and m.national[geo_mng, mnt]
    assert m.option_from[kaz_rus, gel] > 10**5  # GEL is not offered between KAZ and RUS
    assert m.codes.index("GEO") == 0 and m.issuer_u[gel] == 0
    for q in quarters_through("2021Q4", "2022Q4"):
        r = ph.step(q, f)
    np.testing.assert_allclose(ph.shares.sum(axis=1), 1.0, rtol=1e-12)
    assert ph.shares[geo_mng, gel] > 0
    # the hazard on MNT moves Mongolia's traders out of it
    mng_out = m.exp == m.economies.index("MNG")
    assert ph.shares[mng_out, mnt].mean() < ph.initial_target[mng_out, mnt].mean()
    assert np.isfinite(r.cost).all()


def test_a_currency_no_economy_uses_is_refused():
    cfg = SettlementConfig()
    cfg.hazards = [HazardEntry(scope="GEO", from_quarter="2022Q1", hazard=0.1, currencies=["XYZ"])]
    with pytest.raises(ConfigError, match=r"settlement\.hazards\[0\]\.currencies\[0\]"):
        cfg.validate(("GEO", "RUS", "ROW"), BLOCS, ("GEL", "RUB", "USD"))
    cfg.hazards[0].currencies = ["GEL"]  # the run's world's currency is known
    cfg.validate(("GEO", "RUS", "ROW"), BLOCS, ("GEL", "RUB", "USD"))
