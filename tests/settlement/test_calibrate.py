"""The calibration reads only the 2022 points; its variants change what they say."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim.settlement.calibrate as cal
from sim.settlement.config import SettlementConfig
from sim.settlement.fitted import fitted_parameters


def test_bounded_coordinates_round_trip():
    p = {"revision_rate": 0.07, "logit_scale": 333.0, "hazard_2022": 0.2, "liquidity_decay": 9.0}
    back = cal._to_params(cal._to_z(p))
    assert back == pytest.approx(p, rel=1e-9)
    extreme = cal._to_params(np.array([-50.0, 50.0, 0.0, 50.0]))
    for name, (lo, hi) in cal.BOUNDS.items():
        assert lo <= extreme[name] <= hi


def test_objective_ignores_the_2023_points(monkeypatch):
    params = fitted_parameters()
    before = cal.objective(params, seed=0, n_traders=None)
    real = cal.targets

    def moved(uses=("calibration", "validation", "context")):
        t = real(uses).copy()
        later = ~t["quarter"].str.startswith("2022")
        t.loc[later, "value"] = 0.0  # a wildly different 2023 would not change the fit
        return t

    monkeypatch.setattr(cal, "targets", moved)
    assert cal.objective(params, seed=0, n_traders=None) == before
    # and the objective does read the 2022 points
    monkeypatch.setattr(
        cal, "targets", lambda uses: real(uses).assign(value=lambda d: d["value"] * 0.5)
    )
    assert cal.objective(params, seed=0, n_traders=None) != before


@pytest.mark.parametrize("name", sorted(cal.VARIANTS))
def test_each_variant_changes_only_what_it_names(name):
    variant = cal.VARIANTS[name]
    cfg = SettlementConfig()
    if variant.edit is not None:
        variant.edit(cfg)
    default = SettlementConfig()
    changed = {
        "default": cfg == default,
        "no_dated_liquidity": cfg.costs.dated_liquidity is False,
        "uncapped_cross": cfg.costs.synthetic_cross is False,
        "vehicle_leg_hazard": cfg.costs.vehicle_leg_hazard == 1.0,
        "vehicle_leg_share": cfg == default,
        "offshore_rub": cfg.onshore_currencies == {} and default.onshore_currencies != {},
        "china_links_0.9": {(e.scope, e.value) for e in cfg.link_entries}
        == {("CIS", 0.9), ("CHN", 0.9), ("RUS-CHN", 0.9)},
        "onset_by_quarter": cfg.event_onset_by_date is False and default.event_onset_by_date,
        "one_screening": cfg.event_legs is False and default.event_legs,
        "trade_2021": cfg == default and variant.dated_trade is False,
    }[name]
    assert changed
    if variant.edit is not None:
        assert cfg != default
    assert variant.dated_trade == (name != "trade_2021")
    plain = variant.edit is None and not variant.extra and variant.dated_trade
    assert plain == (name == "default")


def test_extra_parameters_are_bounded_and_round_trip():
    bounds = {**cal.BOUNDS, "extra": (-0.5, 0.8)}
    p = {"revision_rate": 0.07, "logit_scale": 333.0, "hazard_2022": 0.2}
    p |= {"liquidity_decay": 9.0, "extra": -0.1}
    assert cal._to_params(cal._to_z(p, bounds), bounds) == pytest.approx(p, rel=1e-9)
    extreme = cal._to_params(np.array([-800.0, 800.0, 0.0, 0.0, 800.0]), bounds)
    assert extreme["extra"] == 0.8
    assert extreme["revision_rate"] == 0.005


def test_profile_slices_every_parameter():
    params = fitted_parameters()
    table = cal.profile(params, points=2)
    assert list(dict.fromkeys(table["parameter"])) == list(cal.BOUNDS)
    assert (table["objective_pp2"] > 0).all()
    lo = table.groupby("parameter")["value"].min().to_dict()
    assert lo == {k: pytest.approx(b[0]) for k, b in cal.BOUNDS.items()}


def test_fit_table_columns_are_complete():
    table = pd.DataFrame(cal.run_hindcast())
    fit = cal.fit_table(table)
    assert {"target", "simulated", "error_pp", "within_7pp", "source"} <= set(fit.columns)
    assert fit["simulated"].notna().all()


def test_starts_are_the_best_points_and_the_best_at_each_spread_value():
    """Three best grid points, then the best of every κ value not already among them."""
    grid = [
        (1.0, 0, {"kappa": 40.0, "beta": 1.0}),
        (2.0, 1, {"kappa": 40.0, "beta": 2.0}),
        (3.0, 2, {"kappa": 40.0, "beta": 3.0}),
        (9.0, 3, {"kappa": 8.0, "beta": 1.0}),
        (7.0, 4, {"kappa": 8.0, "beta": 2.0}),
        (5.0, 5, {"kappa": 2.0, "beta": 1.0}),
        (4.0, 6, {"kappa": 40.0, "beta": 4.0}),
    ]
    starts = cal.start_points(grid, "kappa")
    assert cal.STARTS == 3
    assert starts == [grid[0][2], grid[1][2], grid[2][2], grid[5][2], grid[4][2]]
