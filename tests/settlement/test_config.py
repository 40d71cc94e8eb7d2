"""Bad input gives ConfigError naming the settlement.* key."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import ConfigError
from sim.settlement import SettlementConfig, SettlementPhase
from sim.settlement.config import HazardEntry, LeverEntry, ThirdCurrencyRule

from .conftest import BLOCS, world

ECO = ("KAZ", "RUS", "ROW")


def test_default_config_is_valid():
    SettlementConfig().validate(ECO)


@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        (lambda c: setattr(c, "revision_rate", 1.5), "settlement.revision_rate"),
        (lambda c: setattr(c, "revision_rate", 0.0), "settlement.revision_rate"),
        (lambda c: setattr(c, "logit_scale", -1.0), "settlement.logit_scale"),
        (lambda c: setattr(c, "link_density", -0.1), "settlement.link_density"),
        (lambda c: setattr(c, "link_density", float("nan")), "settlement.link_density"),
        (lambda c: setattr(c, "card_acceptance", 1.2), "settlement.card_acceptance"),
        (lambda c: setattr(c.initial, "national_share", 1.5), "settlement.initial.national_share"),
        (lambda c: setattr(c.traders, "retail_share", -0.2), "settlement.traders.retail_share"),
        (
            lambda c: setattr(c.traders, "exposure_weights", [0.5, 0.6, 0, 0]),
            "settlement.traders.exposure_weights",
        ),
        (lambda c: setattr(c.costs, "vehicle_spread", -0.01), "settlement.costs.vehicle_spread"),
        (
            lambda c: setattr(c.costs, "delay_cost_per_day", -1e-4),
            "settlement.costs.delay_cost_per_day",
        ),
        (
            lambda c: setattr(c.costs, "national_spread_max", 0.0),
            "settlement.costs.national_spread_max",
        ),
        (
            lambda c: c.link_entries.append(LeverEntry(scope="RUS", value=-0.5)),
            "settlement.link_entries[2].value",
        ),
        (
            lambda c: c.link_entries.append(LeverEntry(scope="XYZ", value=0.5)),
            "settlement.link_entries[2].scope",
        ),
        (
            lambda c: c.subsidies.append(LeverEntry(scope="EAEU", value=-0.01)),
            "settlement.subsidies[0].value",
        ),
        (
            lambda c: c.hazards.append(HazardEntry(scope="RUS", hazard=2.0)),
            "settlement.hazards[0].hazard",
        ),
        (
            lambda c: c.hazards.append(HazardEntry(scope="RUS", hazard=0.1, currencies=["XXX"])),
            "settlement.hazards[0].currencies[0]",
        ),
        (
            lambda c: c.hazards.append(HazardEntry(scope="RUS", from_quarter="2022Q5")),
            "settlement.hazards[0].from_quarter",
        ),
        (
            lambda c: c.third_currency_rules.append(ThirdCurrencyRule(currency="ABC")),
            "settlement.third_currency_rules[2].currency",
        ),
        (lambda c: setattr(c, "vehicles", ["EUR"]), "settlement.vehicles"),
        (
            lambda c: setattr(c.costs, "exogenous_liquidity", {"CNY": 1.5}),
            "settlement.costs.exogenous_liquidity.CNY",
        ),
        (lambda c: setattr(c.initial, "intercepts", "some"), "settlement.initial.intercepts"),
        (
            lambda c: setattr(c, "onshore_currencies", {"USD": "2022Q1"}),
            "settlement.onshore_currencies.USD",
        ),
        (
            lambda c: setattr(c, "onshore_currencies", {"RUB": "2022Q5"}),
            "settlement.onshore_currencies.RUB",
        ),
        (
            lambda c: setattr(c, "onshore_currencies", {"XYZ": "2022Q1"}),
            "settlement.onshore_currencies",
        ),
    ],
)
def test_bad_values_name_the_key(mutate, key):
    c = SettlementConfig()
    mutate(c)
    with pytest.raises(ConfigError) as err:
        c.validate(ECO)
    assert err.value.key == key
    assert str(err.value).startswith(key + ":")


def test_malformed_world_currency_and_bad_flows():
    eco, cur, f = world(("KAZ", "RUS"))
    c = SettlementConfig()
    c.traders.n_traders = 500
    rng = np.random.default_rng(0)
    with pytest.raises(ConfigError, match=r"settlement\.currencies\[1\]"):
        SettlementPhase(eco, ("KZT", "rub1", "USD"), BLOCS, c, f, rng, "2021Q4")
    bad = f.copy()
    bad[0, 1] = -1.0
    with pytest.raises(ConfigError, match=r"settlement\.base_flows"):
        SettlementPhase(eco, cur, BLOCS, c, bad, rng, "2021Q4")
    with pytest.raises(ConfigError, match=r"settlement\.start_quarter"):
        SettlementPhase(eco, cur, BLOCS, c, f, rng, "2021-4")
    ph = SettlementPhase(eco, cur, BLOCS, c, f, rng, "2021Q4")
    nan = f.copy()
    nan[1, 0] = np.nan
    with pytest.raises(ConfigError, match=r"settlement\.flows"):
        ph.step("2022Q1", nan)
    c.traders.n_traders = 3
    with pytest.raises(ConfigError, match=r"settlement\.traders\.n_traders"):
        SettlementPhase(eco, cur, BLOCS, c, f, rng, "2021Q4")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (np.inf, "must be finite"),
        (-np.inf, "must be finite"),
        (np.nan, "must be finite"),
        (-0.5, "must be >= 0, got minimum -0.5"),
    ],
)
def test_bad_quarter_flows_are_named(value, message):
    eco, cur, f = world(("KAZ", "RUS"))
    c = SettlementConfig()
    c.traders.n_traders = 500
    ph = SettlementPhase(eco, cur, BLOCS, c, f, np.random.default_rng(0), "2021Q4")
    bad = f.copy()
    bad[2, 2] = value  # also the diagonal is checked
    with pytest.raises(ConfigError, match=rf"settlement\.flows: {message}"):
        ph.step("2022Q1", bad)


def _refused(overrides: list[str]) -> str:
    """The one-line message ``caravan`` prints for overrides, in-process (exit code 2)."""
    import contextlib
    import io

    from sim.cli import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as done:
        main([*overrides, "sim.quarters=1"])
    assert done.value.code == 2
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err.getvalue()
    return lines[0]


def test_too_few_traders_for_the_pairs_is_refused_before_the_run():
    line = _refused(["settlement.traders.n_traders=100"])
    assert line.startswith("error: settlement.traders.n_traders: must be >= 1200")


def test_too_many_traders_for_memory_is_refused_before_the_run():
    line = _refused(["settlement.traders.n_traders=100000000000"])
    assert line.startswith("error: settlement.traders.n_traders: needs about")
    assert "bytes per trader" in line


def test_memory_estimate_is_an_upper_bound_of_what_a_phase_holds():
    """BYTES_PER_TRADER covers the per-trader arrays of the traders and the phase."""
    from sim.settlement.config import BYTES_PER_TRADER

    eco, cur, f = world(("KAZ", "RUS", "CHN"))
    c = SettlementConfig()
    c.traders.n_traders = 100_000
    ph = SettlementPhase(eco, cur, BLOCS, c, f, np.random.default_rng(0), "2021Q4")
    held = sum(
        a.nbytes for a in vars(ph.traders).values() if isinstance(a, np.ndarray) and a.size > 1000
    )
    assert held / c.traders.n_traders < BYTES_PER_TRADER / 2


def test_a_hazard_at_the_initial_state_is_refused_before_the_run():
    line = _refused(["settlement.hazards=[{scope:ALL,hazard:0.05}]"])
    assert line.startswith("error: settlement.hazards[0].from_quarter: a hazard (0.05) active")
    # a dated hazard (after the initial state) is fine, and the run builds
    eco, cur, f = world(("KAZ", "RUS", "CHN"))
    c = SettlementConfig()
    c.traders.n_traders = 5000
    c.hazards = [HazardEntry(scope="ALL", from_quarter="2022Q1", hazard=1.0)]
    c.validate(eco)
    SettlementPhase(eco, cur, BLOCS, c, f, np.random.default_rng(0), "2021Q4").step("2022Q1", f)
