"""The 2022 hindcast inside the full model: fitted on 2022, checked on 2023.

The model (trade responding, settlement agents) is composed with
:func:`sim.settlement.hindcast.hindcast_overrides` — start 2021Q4, 9 quarters,
flat growth, the fitted revision rate, logit scale and blocking hazard of
``sim/data/settlement/fitted_parameters.json`` — and its ``world.parquet``
headline series are compared with the published points of
``sim/data/settlement/targets.csv``: the 2022 points (in sample: the fit used
them) and the 2023 points (out of sample: never used).

Trader sizes are Pareto with α ≈ 1 (Zipf), so a pair's value share is granular:
one run's headline shares vary by 2-12 pp (sd) across seeds, and the spread
does not shrink with more traders. The comparison therefore uses the mean of
``SEEDS`` runs (fixed seeds, so the result is reproducible bit for bit).

Tolerances:

- in sample: the weighted RMSE (calibration weights) of the ensemble mean at the
  2022 points is at most the stand-alone calibration's own RMSE + 2 pp, and every
  2022 point of the ensemble is within 10 pp of the stand-alone calibrated
  (mean-field, trade fixed) path;
- out of sample: ±7 pp per point; misses are strict xfails with the numbers.

Run ``uv run pytest tests/test_hindcast_model.py -s`` to see the table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.cli import compose_and_validate
from sim.runner import simulate
from sim.settlement.hindcast import (
    fit_table,
    hindcast_overrides,
    rounded_parameters,
    run_hindcast,
    targets,
)
from sim.settlement.quarters import quarter_range

SEEDS = tuple(range(8))
IN_SAMPLE_RMSE_MARGIN_PP = 2.0
IN_SAMPLE_VS_CALIBRATION_PP = 10.0
OUT_OF_SAMPLE_PP = 7.0

#: Out-of-sample points: None = within ±7 pp, else why it misses (ensemble of SEEDS).
OUT_OF_SAMPLE = {
    ("national_currency_share_eaeu", "2023Q1"): None,
    ("rus_exports_usd_eur", "2023Q4"): None,
    ("rus_exports_rub", "2023Q4"): (
        "miss: model 46.9 % vs CBR 36.1 % (Dec 2023), +10.8 pp (stand-alone fit +12.2 pp): "
        "exports to the rest of the world and the EU move from USD/EUR to RUB, not CNY, "
        "because a USD/EUR importer buys RUB without touching the blocked channel; with "
        "costs.vehicle_leg_hazard the stand-alone refit misses by -8.5 pp instead"
    ),
    ("rus_chn_national", "2023Q4"): (
        "miss: model 72.9 % vs 95 % RUB+CNY (Overchuk, Nov 2023), -22.1 pp (stand-alone fit "
        "-18.6 pp, and -17.9 to -19.0 pp under every refitted variant with a constant "
        "hazard): the simulated path is concave (a constant hazard blocks the most exposed "
        "traders first), the published one convex (30 -> 70 -> 80 -> 95 % over 2022-23); an "
        "escalating hazard fitted on 2022 fixes it only by emptying USD/EUR from all of "
        "Russia's receipts (stand-alone --variant hazard_growth)"
    ),
}


def _table(ensemble: pd.DataFrame, standalone: pd.DataFrame, spread: pd.DataFrame):
    t = fit_table(ensemble)
    t["standalone"] = fit_table(standalone)["simulated"].to_numpy()
    t["seed_sd"] = [float(spread.loc[q, s]) for q, s in zip(t["quarter"], t["series"], strict=True)]
    return t


@pytest.fixture(scope="module")
def hindcast():
    overrides = hindcast_overrides()
    runs = []
    for seed in SEEDS:
        cfg = compose_and_validate([*overrides, f"seed={seed}"])
        _, tables = simulate(cfg)
        runs.append(tables["world"].set_index("quarter"))
    cols = [c for c in runs[0].columns if runs[0][c].dtype.kind == "f"]
    stack = np.stack([r[cols].to_numpy() for r in runs])
    index = runs[0].index
    ensemble = pd.DataFrame(stack.mean(axis=0), index=index, columns=cols)
    spread = pd.DataFrame(stack.std(axis=0), index=index, columns=cols)
    standalone = run_hindcast(rounded_parameters())
    table = _table(ensemble, standalone, spread)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(f"\nhindcast in the full model, mean of {len(SEEDS)} seeds ({overrides})")
        cols_out = ["series", "quarter", "use", "target", "simulated", "seed_sd"]
        print(table[[*cols_out, "standalone", "error_pp"]].round(4).to_string(index=False))
    return {"runs": runs, "ensemble": ensemble, "table": table}


def test_overrides_reach_the_model(hindcast):
    cfg = compose_and_validate(hindcast_overrides())
    p = rounded_parameters()
    assert cfg.sim.start == "2021Q4" and cfg.sim.quarters == 9 and cfg.sim.growth == "flat"
    assert cfg.settlement.revision_rate == p["revision_rate"]
    assert cfg.settlement.logit_scale == p["logit_scale"]
    assert [(h.scope, h.from_quarter, h.hazard) for h in cfg.settlement.hazards] == [
        ("RUS", "2022Q1", p["hazard"]),
        ("BLR", "2022Q1", p["hazard"]),
    ]
    run = hindcast["runs"][0]
    assert list(run.index) == quarter_range("2021Q4", "2023Q4")
    # the initial settlement state is the 2021 one, not a spun-up state
    assert hindcast["ensemble"].loc["2021Q4", "national_currency_share_eaeu"] == pytest.approx(
        0.735, abs=0.05
    )


def test_scenario_file_matches_the_fit():
    """``scenarios/hindcast_2022.yaml`` must carry the same values as hindcast_overrides()."""
    from_scenario = compose_and_validate(["scenario=hindcast_2022"])
    expected = compose_and_validate(hindcast_overrides())
    assert from_scenario.sim == expected.sim
    s, e = from_scenario.settlement, expected.settlement
    assert (s.revision_rate, s.logit_scale) == (e.revision_rate, e.logit_scale), (
        "update scenarios/hindcast_2022.yaml: `uv run python -m sim.settlement.hindcast`"
    )
    assert s.hazards == e.hazards
    assert s.initial.table == e.initial.table


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
