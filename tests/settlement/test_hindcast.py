"""Hindcast of the 2022 payment-blocking shock: fitted on 2022, checked on 2023."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest

from sim.data.loader import load_world
from sim.settlement.config import HazardEntry
from sim.settlement.hindcast import (
    SHOCKED,
    calibration_world,
    escalating_hazards,
    fit_table,
    hindcast_config,
    run_hindcast,
    targets,
)

#: Out-of-sample points (2023): None = within ±7 pp with the shipped fit, else the reason
#: for the miss (numbers from ``python -m sim.settlement.calibrate`` on the default world
#: cis2023). Misses are reported, not tuned away; they are strict xfails, so a change that
#: makes them pass (or breaks a passing one) fails the suite and the report must be updated.
OUT_OF_SAMPLE = {
    ("national_currency_share_eaeu", "2023Q1"): None,
    ("rus_exports_usd_eur", "2023Q4"): None,
    ("rus_exports_rub", "2023Q4"): (
        "miss: simulated 48.3 % vs CBR 36.1 % (Dec 2023), +12.2 pp. Exports to the rest of "
        "the world and the EU (32 % of Russia's exports in the 2023 matrix) end 66 % in RUB: "
        "an importer whose home currency is USD/EUR buys RUB in a vehicle leg that carries no "
        "blocking hazard, so RUB beats CNY (two national legs); CNY is under-predicted already "
        "in-sample (6.8 % vs 14 %, Sep 2022). The point is not robust to that assumption: "
        "refitted with costs.vehicle_leg_hazard the miss is -8.5 pp, with an uncapped cross "
        "+3.6 pp (python -m sim.settlement.calibrate --variant ...)"
    ),
    ("rus_chn_national", "2023Q4"): (
        "miss: simulated 76.4 % vs 95 % (Overchuk, Nov 2023), -18.6 pp, and -17.9 to -19.0 pp "
        "under every refitted variant with a constant hazard. The simulated path is concave "
        "(a constant hazard blocks the most exposed traders first; 45.4 % vs ~30 % in "
        "2022Q2), the published one convex (30 -> 70 -> 80 -> 95 % over 2022-23). A hazard "
        "escalating at a rate fitted on 2022 (--variant hazard_growth, g = 0.46/quarter) hits "
        "it (+0.3 pp) but empties USD/EUR from all of Russia's receipts (USD+EUR -20.4 pp, "
        "RUB +27.6 pp): one hazard on every pair with Russia cannot escalate on China alone"
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
    path = resources.files("sim").joinpath("data", "settlement", "fitted_parameters.json")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def series():
    return run_hindcast()


def test_fit_uses_only_2022_and_2023_is_out_of_sample(record):
    cal = targets(("calibration",))
    val = targets(("validation",))
    assert cal["quarter"].str.startswith("2022").all()
    assert val["quarter"].str.startswith("2023").all()
    assert "2022 points only" in record["provenance"]["fitted_on"]
    assert set(record["parameters"]) == {"revision_rate", "logit_scale", "hazard"}


def test_fit_is_on_the_shipped_default_world(record):
    """The fit must be redone when the default world's tables change."""
    w = load_world("cis2023")
    cw = calibration_world()
    assert cw.economies == w.economies and cw.currencies == w.currencies
    assert np.array_equal(cw.flows, w.flows)
    assert record["provenance"]["trade_matrix"] == cw.source
    assert w.data_version in cw.source


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


@pytest.mark.parametrize("point", POINTS)
def test_out_of_sample_2023_within_7pp(point, series):
    table = fit_table(series, ("validation",)).set_index(["series", "quarter"])
    assert abs(float(table.loc[point, "error_pp"])) <= 7.0


def test_agent_hindcast_tracks_meanfield(series):
    agents = [run_hindcast(engine="agents", seed=s, n_traders=60_000) for s in (0, 1)]
    for key in ("national_currency_share_eaeu", "rus_exports_usd_eur"):
        mean = np.mean([a.loc["2023Q4", key] for a in agents])
        assert mean == pytest.approx(series.loc["2023Q4", key], abs=0.06), key


def test_escalating_hazards_grow_geometrically_and_cap_at_one():
    entries = escalating_hazards(0.1, np.log(2.0), end="2023Q4")
    rus = [e for e in entries if e.scope == "RUS"]
    assert {e.scope for e in entries} == set(SHOCKED)
    assert [e.from_quarter for e in rus] == [f"{y}Q{k}" for y in (2022, 2023) for k in range(1, 5)]
    assert [e.hazard for e in rus] == pytest.approx([0.1, 0.2, 0.4, 0.8, 1, 1, 1, 1])
    assert all(e.to_quarter == e.from_quarter for e in rus[:-1])
    assert rus[-1].to_quarter == ""  # the last level holds after the hindcast


def test_zero_hazard_growth_is_the_constant_hazard():
    params = {"revision_rate": 0.05, "logit_scale": 300.0, "hazard": 0.2}
    constant = hindcast_config(params)
    assert constant.hazards == [
        HazardEntry(scope=e, from_quarter="2022Q1", hazard=0.2) for e in SHOCKED
    ]
    assert hindcast_config({**params, "hazard_growth": 0.0}) == constant
    rising = run_hindcast({**params, "hazard_growth": 0.3}, end="2022Q4")
    flat = run_hindcast(params, end="2022Q4")
    # same shock quarter, then a higher hazard pushes more of Russia's receipts out of USD/EUR
    assert rising.loc["2022Q1"].equals(flat.loc["2022Q1"])
    assert rising.loc["2022Q4", "rus_exports_usd_eur"] < flat.loc["2022Q4", "rus_exports_usd_eur"]
