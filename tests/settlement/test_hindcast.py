"""Hindcast 2022-2024: fitted on 2022, checked on 2023, 2024 held out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.data.loader import load_world
from sim.quarters import quarters_through
from sim.settlement.config import HazardEntry, SettlementConfig
from sim.settlement.events import event_hazards
from sim.settlement.fitted import fitted_parameters, fitted_record
from sim.settlement.hindcast import (
    END,
    WORLD,
    calibration_world,
    fit_table,
    hindcast_config,
    model_trade_path,
    run_hindcast,
    targets,
)

#: Out-of-sample points (2023): None = within ±7 pp with the shipped fit, else the reason
#: for the miss (numbers from ``python -m sim.settlement.hindcast``). Misses are reported,
#: not tuned away; strict xfails, so a change that makes them pass (or breaks a passing
#: one) fails the suite and the report must be updated.
OUT_OF_SAMPLE = {
    ("national_currency_share_eaeu", "2023Q1"): None,
    ("rus_exports_usd_eur", "2023Q4"): None,
    ("rus_exports_rub", "2023Q4"): None,  # +6.4 pp: inside ±7, outside the ±5 target
    ("rus_chn_national", "2023Q4"): (
        "miss: -21.2 pp (73.8 % vs 95 %, Nov 2023): the simulated Russia-China path is concave "
        "(already ~40 % in 2022Q2 against ~30 %, ~74 % in 2023Q4 against 95 %): the 2022 events "
        "put one hazard per screening on USD/EUR payments of every pair with Russia, and the "
        "yuan's Moscow depth lowers the CNY spread for every Russian pair, not the pace on "
        "Russia-China alone; trade is not the cause (the EU bans' trade path and its refit "
        "move it by -0.2 pp)"
    ),
}
POINTS = [
    pytest.param(
        k, marks=() if why is None else pytest.mark.xfail(strict=True, reason=why), id="-".join(k)
    )
    for k, why in OUT_OF_SAMPLE.items()
]


@pytest.fixture(scope="module")
def record():
    return fitted_record()


def fitted_n() -> int | None:
    """Trader count the shipped fit was computed with (its group weights)."""
    return fitted_record()["provenance"]["n_traders"]


@pytest.fixture(scope="module")
def series():
    return run_hindcast(n_traders=fitted_n())


def test_fit_uses_only_2022_and_later_points_are_out_of_sample(record):
    cal = targets(("calibration",))
    val = targets(("validation",))
    held = targets(("held_out",))
    assert cal["quarter"].str.startswith("2022").all()
    assert val["quarter"].str.startswith("2023").all()
    assert held["quarter"].str.startswith("2024").all() and (held["weight"] == 0).all()
    assert "2022 points only" in record["provenance"]["fitted_on"]
    assert set(record["parameters"]) == {
        "revision_rate",
        "logit_scale",
        "liquidity_decay",
        "hazard_2022",
    }


def test_fit_is_on_the_hindcast_world(record):
    """The fit must be redone when the hindcast world's tables change."""
    w = load_world(WORLD)
    cw = calibration_world()
    assert cw.economies == w.economies and cw.currencies == w.currencies
    assert np.array_equal(cw.flows, w.flows)
    assert record["provenance"]["trade_matrix"] == cw.source


def _pairs(world, quarters, scale):
    """A model-like ``pairs`` table: the world's flows times ``scale(quarter)``."""
    rows = []
    for k, q in enumerate(quarters):
        for i, x in enumerate(world.economies):
            for j, m in enumerate(world.economies):
                rows.append((q, x, m, float(world.flows[i, j]) * scale(k)))
    return pd.DataFrame(rows, columns=["quarter", "exporter", "importer", "flow"])


def test_model_trade_path_is_the_previous_quarters_flows():
    """The step of quarter q sees the flows realised in q - 1 (sim.model), the first the world's."""
    w = calibration_world()
    path = model_trade_path(_pairs(w, ["2021Q4", "2022Q1", "2022Q2"], lambda k: 2.0 + k), w)
    assert list(path) == ["2021Q4", "2022Q1", "2022Q2", "2022Q3"]
    np.testing.assert_array_equal(path["2021Q4"], w.flows)
    np.testing.assert_allclose(path["2022Q1"], 2.0 * w.flows)
    np.testing.assert_allclose(path["2022Q3"], 4.0 * w.flows)


def test_trade_path_enters_the_hindcast(series):
    """The shipped path is the default; a path given as the world's flows is the fixed-trade run.

    And more Russia-China trade gives more CNY in Russia's receipts.
    """
    w = calibration_world()
    qs = quarters_through("2021Q4", END)
    pd.testing.assert_frame_equal(run_hindcast(n_traders=fitted_n(), trade=w.trade), series)
    fixed_world = calibration_world(dated_trade=False)
    fixed = run_hindcast(n_traders=fitted_n(), world=fixed_world)
    same = run_hindcast(n_traders=fitted_n(), trade={q: w.flows for q in qs})
    pd.testing.assert_frame_equal(same, fixed)
    assert not np.allclose(fixed["rus_exports_usd_eur"], series["rus_exports_usd_eur"])
    e = list(w.economies)
    more = w.flows.copy()
    more[e.index("RUS"), e.index("CHN")] *= 2.0
    moved = run_hindcast(n_traders=fitted_n(), trade={q: more for q in qs}, end="2022Q4")
    assert moved.loc["2022Q3", "rus_exports_cny"] > fixed.loc["2022Q3", "rus_exports_cny"] + 0.01


def test_hindcast_runs_through_2024q4(series):
    assert list(series.index) == quarters_through("2021Q4", END) and END == "2024Q4"


def test_initial_state_reproduces_2021_figures(series):
    s = series.loc["2021Q4"]
    assert s["national_currency_share_eaeu"] == pytest.approx(0.735, abs=0.005)
    assert s["rus_exports_usd"] == pytest.approx(0.52, abs=0.01)
    assert s["rus_exports_eur"] == pytest.approx(0.35, abs=0.01)


def test_record_matches_a_fresh_run(record, series):
    fresh = fit_table(series)
    stored = {(r["series"], r["quarter"]): r["simulated"] for r in record["fit"]}
    for row in fresh.itertuples():
        assert row.simulated == pytest.approx(stored[(row.series, row.quarter)], abs=1e-9)


def test_default_config_is_the_hindcast_config():
    """One parameter set: the hindcast uses the defaults, the defaults are the fit."""
    assert hindcast_config() == SettlementConfig()
    p = fitted_parameters()
    d = SettlementConfig()
    assert (d.revision_rate, d.logit_scale) == (p["revision_rate"], p["logit_scale"])
    assert d.costs.liquidity_decay == p["liquidity_decay"]
    assert d.hazard_levels == {"hazard_2022": p["hazard_2022"]}


@pytest.mark.parametrize("point", POINTS)
def test_out_of_sample_2023_within_7pp(point, series):
    table = fit_table(series, ("validation",)).set_index(["series", "quarter"])
    assert abs(float(table.loc[point, "error_pp"])) <= 7.0


def test_secondary_events_add_risk_on_the_vehicles_not_a_flight_from_cny(series):
    """EO 14114 (2023Q4) and Chinese banks' refusals (2024Q1) are a separate component.

    Without them the path is the same through 2023Q3; with them less USD/EUR at 2024Q4
    (the vehicles carry both risks).
    """
    base = SettlementConfig()
    base.event_hazards = False
    base.hazards = [
        HazardEntry(**h._asdict())
        for h in event_hazards(base.hazard_levels)
        if h.component == "primary"
    ]
    without = run_hindcast(base=base, n_traders=fitted_n())
    assert without.loc["2023Q3"].equals(series.loc["2023Q3"])
    assert (
        series.loc["2024Q4", "rus_exports_usd_eur"] < without.loc["2024Q4", "rus_exports_usd_eur"]
    )


def test_agent_hindcast_tracks_meanfield(series):
    agents = run_hindcast(engine="agents", seed=0, end="2023Q4")
    for key in ("national_currency_share_eaeu", "rus_exports_usd_eur", "rus_chn_national"):
        assert agents.loc["2023Q4", key] == pytest.approx(series.loc["2023Q4", key], abs=0.02), key
