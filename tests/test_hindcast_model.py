"""The 2022 hindcast inside the full model: fitted on 2022, checked on 2023.

The model (trade responding, settlement agents) is composed with
``scenario=hindcast_2022`` — start 2021Q4, 13 quarters to 2024Q4, flat growth,
and the default settlement parameters, which are the fitted ones of
``sim/data/settlement/fitted_parameters.json`` — and its ``world.parquet``
headline series are compared with the published points of
``sim/data/settlement/targets.csv``: the 2022 points (in sample: the fit used
them) and the 2023 points (out of sample: never used).

Traders are value-stratified (``sim.settlement.traders.make_traders``), so one
run's headline shares differ across seeds by well under 1 pp (sd); the
comparison still uses the mean of ``SEEDS`` runs (fixed seeds, reproducible).

Tolerances:

- in sample: the weighted RMSE (calibration weights) of the ensemble mean at the
  2022 points is at most the stand-alone calibration's own RMSE + 2 pp, and every
  2022 point of the ensemble is within 10 pp of the stand-alone calibrated
  (mean-field, on the trade path of hindcast_trade.csv) path;
- out of sample: ±7 pp per point; misses are strict xfails with the numbers.

Run ``uv run pytest tests/test_hindcast_model.py -s`` to see the table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.cli import compose_and_validate
from sim.quarters import quarters_through
from sim.runner import simulate
from sim.settlement.config import SettlementConfig
from sim.settlement.fitted import fitted_record
from sim.settlement.hindcast import (
    END,
    calibration_world,
    fit_table,
    hindcast_overrides,
    model_trade_path,
    run_hindcast,
    targets,
)

SEEDS = tuple(range(4))
IN_SAMPLE_RMSE_MARGIN_PP = 2.0
IN_SAMPLE_VS_CALIBRATION_PP = 10.0
OUT_OF_SAMPLE_PP = 7.0
#: On the model's own trade path the stand-alone hindcast must agree with the calibration's
#: (its trade table) to the seed-SD bound of the headlines (issue #13 §3).
TRADE_PATH_PP = 1.0

#: Out-of-sample points: None = within ±7 pp, else why it misses (ensemble of SEEDS).
OUT_OF_SAMPLE = {
    ("national_currency_share_eaeu", "2023Q1"): None,
    ("rus_exports_usd_eur", "2023Q4"): None,
    ("rus_exports_rub", "2023Q4"): None,  # +6.6 pp: inside ±7, outside the ±5 target
    ("rus_chn_national", "2023Q4"): (
        "miss: model -21.3 pp (73.7 % vs 95 %, Nov 2023): the simulated Russia-China path is "
        "concave (too fast in 2022, too slow in 2023) under one hazard per screening on USD/EUR "
        "payments of every pair with Russia; see tests/settlement/test_hindcast.py"
    ),
}


def _table(ensemble: pd.DataFrame, standalone: pd.DataFrame, spread: pd.DataFrame):
    t = fit_table(ensemble)
    t["standalone"] = fit_table(standalone)["simulated"].to_numpy()
    t["seed_sd"] = [float(spread.loc[q, s]) for q, s in zip(t["quarter"], t["series"], strict=True)]
    return t


@pytest.fixture(scope="module")
def hindcast():
    overrides = ["scenario=hindcast_2022"]
    runs, pairs = [], []
    for seed in SEEDS:
        cfg = compose_and_validate([*overrides, f"seed={seed}"])
        _, tables = simulate(cfg)
        runs.append(tables["world"].set_index("quarter"))
        pairs.append(tables["pairs"])
    cols = [c for c in runs[0].columns if runs[0][c].dtype.kind == "f"]
    stack = np.stack([r[cols].to_numpy() for r in runs])
    index = runs[0].index
    ensemble = pd.DataFrame(stack.mean(axis=0), index=index, columns=cols)
    spread = pd.DataFrame(stack.std(axis=0), index=index, columns=cols)
    standalone = run_hindcast(n_traders=fitted_record()["provenance"]["n_traders"])
    table = _table(ensemble, standalone, spread)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(f"\nhindcast in the full model, mean of {len(SEEDS)} seeds ({overrides})")
        cols_out = ["series", "quarter", "use", "target", "simulated", "seed_sd"]
        print(table[[*cols_out, "standalone", "error_pp"]].round(4).to_string(index=False))
    return {
        "runs": runs,
        "pairs": pairs,
        "ensemble": ensemble,
        "table": table,
        "standalone": standalone,
    }


def test_scenario_is_the_horizon_on_the_default_parameters(hindcast):
    cfg = compose_and_validate(["scenario=hindcast_2022"])
    assert cfg.sim.start == "2021Q4" and cfg.sim.quarters == 13 and cfg.sim.growth == "flat"
    assert cfg.world.name == "cis2021"
    assert cfg.sim == compose_and_validate(hindcast_overrides()).sim
    assert cfg.settlement == SettlementConfig()  # one parameter set: the fitted defaults
    # the EU's dated import bans of 2022-23 move trade (written once, in their own scenario)
    bans = compose_and_validate(["scenario=eu_russia_import_bans"]).tariff.bans
    assert cfg.tariff.bans == bans and len(bans) == 5
    run = hindcast["runs"][0]
    assert list(run.index) == quarters_through("2021Q4", END)
    # the initial settlement state is the 2021 one, not a spun-up state
    assert hindcast["ensemble"].loc["2021Q4", "national_currency_share_eaeu"] == pytest.approx(
        0.735, abs=0.05
    )


def test_in_sample_2022_fit_is_close(hindcast):
    t = hindcast["table"]
    cal = t[t["use"] == "calibration"]
    w = targets(("calibration",))["weight"].to_numpy()
    rmse_model = float(np.sqrt((w * cal["error_pp"] ** 2).sum() / w.sum()))
    err_alone = 100 * (cal["standalone"] - cal["target"])
    rmse_alone = float(np.sqrt((w * err_alone**2).sum() / w.sum()))
    print(f"\nin-sample weighted RMSE: model {rmse_model:.2f} pp, stand-alone {rmse_alone:.2f} pp")
    assert rmse_model <= rmse_alone + IN_SAMPLE_RMSE_MARGIN_PP
    gap = 100 * (cal["simulated"] - cal["standalone"]).abs()
    assert gap.max() <= IN_SAMPLE_VS_CALIBRATION_PP, cal.assign(gap_pp=gap)


def test_calibration_trade_is_consistent_with_the_models(hindcast):
    """The fit's trade path and the trade the full model's core produces give the same hindcast.

    The settlement steps of the full model see the flows its trade core realised the quarter
    before (:func:`model_trade_path`); the stand-alone hindcast on that path (seed 0) must
    match the calibration's (``hindcast_trade.csv``: the same bans, settlement off) at every
    published point, 2023 and 2024 included. If the trade core, the bans or the settlement
    feedback on trade change enough, this fails: regenerate the table
    (``python -m sim.settlement.hindcast_trade``) and refit.
    """
    n = fitted_record()["provenance"]["n_traders"]
    path = model_trade_path(hindcast["pairs"][0], calibration_world())
    on_path = fit_table(run_hindcast(n_traders=n, trade=path))
    fixed = fit_table(hindcast["standalone"])
    gap = 100 * (on_path["simulated"] - fixed["simulated"]).abs()
    print(f"\nstand-alone on the model's trade path vs the calibration's: max {gap.max():.2f} pp")
    assert gap.max() <= TRADE_PATH_PP, fixed.assign(on_path=on_path["simulated"], gap_pp=gap)


@pytest.mark.parametrize(
    "point",
    [
        pytest.param(
            k,
            marks=() if why is None else pytest.mark.xfail(strict=True, reason=why),
            id="-".join(k),
        )
        for k, why in OUT_OF_SAMPLE.items()
    ],
)
def test_out_of_sample_2023(point, hindcast):
    t = hindcast["table"].set_index(["series", "quarter"])
    assert t.loc[point, "use"] == "validation"
    assert abs(float(t.loc[point, "error_pp"])) <= OUT_OF_SAMPLE_PP
