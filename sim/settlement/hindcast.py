"""Hindcast ``hindcast_2022``: the 2022–2024 settlement transition, stand-alone.

Start in 2021Q4 (the initial state reproduces the 2021 / Jan-2022 figures:
EAEU mutual settlements 73.5 % national, Russia's export receipts USD 52 /
EUR 35 %); from 2022Q1 the dated payment-blocking events of
``sim/data/settlement/payment_events.csv`` apply (the 2022 reserve freeze and
SWIFT disconnections on USD/EUR payments of pairs with Russia and Belarus; then,
as a separate secondary-sanctions component, US Executive Order 14114 on
third-country banks' USD/EUR business with Russia from 2023Q4 and Chinese
banks' refusals of every currency on Russia–China from 2024Q1), and
the yuan market in Moscow deepens as the Moscow Exchange reports
(``fx_liquidity.csv``). The trade matrix of 2021Q4 is the 2021 world's
(:func:`calibration_world`, ``cis2021``) starts the hindcast, and from there trade
follows the full model's path under the EU's dated import bans of 2022–23
(``hindcast_trade.csv``, :mod:`sim.settlement.hindcast_trade`), the trade the
model's own hindcast sees. The behavioural parameters (Calvo revision rate,
logit scale, the two 2022 hazard levels) are fitted on the 2022 points only
(``python -m sim.settlement.calibrate``); the 2023 points are out of sample;
2024 published figures are held out (2024 enters only through event dates).

``run_hindcast()`` returns the simulated headline series by quarter;
``fit_table()`` compares them with the published points of
``sim/data/settlement/targets.csv``; ``python -m sim.settlement.hindcast``
prints the table.
"""

from __future__ import annotations

import argparse
import copy
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sim.data.loader import load_world
from sim.quarters import quarters_through, shift_quarter
from sim.settlement.config import SettlementConfig
from sim.settlement.fitted import BEHAVIOURAL, fitted_parameters, fitted_record
from sim.settlement.hindcast_trade import TABLE as TRADE_TABLE
from sim.settlement.phase import SettlementPhase
from sim.settlement.shipped import read_table

START, SHOCK, END = "2021Q4", "2022Q1", "2024Q4"
#: World of the hindcast: the default economies calibrated to 2021 (``sim/data/cis2021``).
WORLD = "cis2021"


@dataclass(frozen=True)
class CalibrationWorld:
    """Economies, currencies, blocs and trade of the stand-alone hindcast.

    ``flows`` is the world's trade (the first quarter's); ``trade`` maps each quarter
    to the matrix its settlement step sees (None: ``flows`` throughout).
    """

    economies: tuple[str, ...]
    currencies: tuple[str, ...]
    blocs: dict[str, tuple[str, ...]]
    flows: np.ndarray
    source: str
    trade: dict[str, np.ndarray] | None = None


def calibration_world(name: str = WORLD, dated_trade: bool = True) -> CalibrationWorld:
    """The world of the stand-alone hindcast (``sim.data.loader.load_world(name)``).

    The same economies, currencies, blocs and trade matrix the model's
    ``hindcast_2022`` scenario starts from, and, with ``dated_trade``, the trade
    path the model's trade core produces under the scenario's EU import bans
    (``hindcast_trade.csv``, written by :mod:`sim.settlement.hindcast_trade`), so the
    calibration and the model's hindcast see the same trade weights. Without the bans
    the core moves Russia's export weights by under 1 pp through 2024Q4; with them the
    EU's share falls and China's rises (README, "Settlement hindcast"). The diagonal
    (domestic sales) is not used by the settlement layer.

    Args:
        name: World (default the hindcast's, ``cis2021``).
        dated_trade: Trade follows the shipped path (else the world's flows throughout).
    """
    w = load_world(name)
    flows = np.array(w.flows, dtype=float)
    source = f"sim.data.loader.load_world({name!r}) data_version {w.data_version}"
    world = CalibrationWorld(
        economies=tuple(w.economies),
        currencies=tuple(w.currencies),
        blocs={b: tuple(m) for b, m in w.blocs.items()},
        flows=flows,
        source=source,
    )
    if not dated_trade:
        return world
    path = model_trade_path(read_table(TRADE_TABLE), world)
    return replace(world, trade=path, source=f"{source}; trade by quarter {TRADE_TABLE}")


#: Horizon of the hindcast inside the full model: 2021Q4 .. 2024Q4, output held flat.
MODEL_HORIZON: dict[str, str] = {"start": START, "quarters": "13", "growth": "flat"}
#: World of the hindcast inside the full model.
MODEL_WORLD = f"world.name={WORLD}"


def model_trade_path(pairs: pd.DataFrame, world: CalibrationWorld) -> dict[str, np.ndarray]:
    """Trade matrix each quarter's settlement step sees in the full model.

    In ``sim.model`` the settlement step of quarter q reads the flows realised at
    the end of q − 1 (the ``pairs`` table's ``flow`` of q − 1), and the first
    quarter reads the world's flows.

    Args:
        pairs: The model's ``pairs`` table (quarter, exporter, importer, flow).
        world: The world the run started from (economy order, first quarter's flows).

    Returns:
        Quarter → flows (economies × economies, the world's order), from the first
        quarter of ``pairs`` to the quarter after its last.
    """
    index = {e: i for i, e in enumerate(world.economies)}
    first = min(pairs["quarter"])
    path = {first: np.array(world.flows, dtype=float)}
    for q, g in pairs.groupby("quarter"):
        m = np.zeros_like(path[first])
        m[g["exporter"].map(index).to_numpy(), g["importer"].map(index).to_numpy()] = g["flow"]
        path[shift_quarter(str(q), 1)] = m
    return path


def hindcast_overrides() -> list[str]:
    """Hydra overrides that make the full model run the hindcast (``scenario=hindcast_2022``).

    Only the horizon: the settlement parameters are the defaults (the fitted ones).
    """
    return [MODEL_WORLD, *(f"sim.{k}={v}" for k, v in MODEL_HORIZON.items())]


def hindcast_config(
    params: Mapping[str, float] | None = None, base: SettlementConfig | None = None
) -> SettlementConfig:
    """Config of the hindcast: ``base`` (default config) with the given parameters.

    Args:
        params: ``revision_rate``, ``logit_scale``, ``liquidity_decay`` and hazard
            levels (default: fitted).
        base: Starting config (copied).

    Returns:
        A new :class:`SettlementConfig`.
    """
    p = dict(fitted_parameters() if params is None else params)
    cfg = copy.deepcopy(base) if base is not None else SettlementConfig()
    cfg.revision_rate = float(p["revision_rate"])
    cfg.logit_scale = float(p["logit_scale"])
    cfg.costs.liquidity_decay = float(p["liquidity_decay"])
    if "vehicle_leg_hazard" in p:
        cfg.costs.vehicle_leg_hazard = float(p["vehicle_leg_hazard"])
    cfg.hazard_levels = {
        **cfg.hazard_levels,
        **{k: float(v) for k, v in p.items() if k not in BEHAVIOURAL},
    }
    return cfg


def run_hindcast(
    params: Mapping[str, float] | None = None,
    *,
    engine: str = "meanfield",
    seed: int = 0,
    n_traders: int | None = None,
    world: CalibrationWorld | None = None,
    end: str = END,
    base: SettlementConfig | None = None,
    trade: Mapping[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Run the hindcast with only the settlement layer, trade given by quarter.

    Args:
        params: Behavioural parameters (default: the fitted ones).
        engine: ``"meanfield"`` (expected shares; smooth, used for fitting) or
            ``"agents"`` (the trader arrays of :class:`SettlementPhase`).
        seed: Seed of the trader population (and of revisions for ``agents``).
        n_traders: Override of ``settlement.traders.n_traders``.
        world: Economies and trade matrix (default :func:`calibration_world`).
        end: Last quarter.
        base: Base config (default :class:`SettlementConfig`).
        trade: Quarter → trade matrix the step of that quarter sees, for every
            quarter ``START`` .. ``end`` (e.g. :func:`model_trade_path`; default:
            the world's ``trade``, else its flows throughout).

    Returns:
        DataFrame indexed by quarter (``START`` .. ``end``), one column per
        headline series; each row is the state at the end of that quarter.
    """
    w = world or calibration_world()
    cfg = hindcast_config(params, base)
    if n_traders is not None:
        cfg.traders.n_traders = int(n_traders)
    rng = np.random.default_rng(seed)
    phase = SettlementPhase(w.economies, w.currencies, w.blocs, cfg, w.flows, rng, START)
    rows = {}
    quarters = quarters_through(START, end)
    trade = w.trade if trade is None else trade
    flows = {q: w.flows for q in quarters} if trade is None else {q: trade[q] for q in quarters}
    if engine == "meanfield":
        mf = phase.meanfield()
        fixed = phase.core.pair_flows(w.flows) if trade is None else None
        for q in quarters:
            rows[q] = mf.step(q, phase.core.pair_flows(flows[q]) if fixed is None else fixed)
    elif engine == "agents":
        for q in quarters:
            rows[q] = phase.step(q, flows[q]).headline
    else:
        raise ValueError(f"engine must be 'meanfield' or 'agents', got {engine!r}")
    return pd.DataFrame.from_dict(rows, orient="index")


def targets(
    uses: tuple[str, ...] = ("calibration", "validation", "context", "held_out"),
) -> pd.DataFrame:
    """Published points of ``targets.csv`` and ``held_out.csv`` with the given ``use``."""
    # published 2024 figures live apart (held_out.csv): never fitted, compared only
    t = pd.concat([read_table("targets.csv"), read_table("held_out.csv")], ignore_index=True)
    return t[t["use"].isin(uses)].reset_index(drop=True)


def fit_table(
    series: pd.DataFrame,
    uses: tuple[str, ...] = ("calibration", "validation", "context", "held_out"),
) -> pd.DataFrame:
    """Compare simulated series with the published points.

    Args:
        series: Output of :func:`run_hindcast`.
        uses: Which target rows to include.

    Returns:
        DataFrame: series, quarter, use, bound, target, simulated, error_pp
        (simulated − target, percentage points; for a lower bound ``over``,
        0 when above it), within_7pp, who_said, source.
    """
    t = targets(uses)
    sim = np.array(
        [float(series.loc[q, s]) for q, s in zip(t["quarter"], t["series"], strict=True)]
    )
    err = 100 * (sim - t["value"].to_numpy())
    over = (t["bound"] == "over").to_numpy()
    err = np.where(over & (err > 0), 0.0, err)
    return pd.DataFrame(
        {
            "series": t["series"],
            "quarter": t["quarter"],
            "use": t["use"],
            "bound": t["bound"],
            "target": t["value"],
            "simulated": sim,
            "error_pp": err,
            "within_7pp": np.abs(err) <= 7.0,
            "who_said": t["who_said"],
            "source": t["source"],
        }
    )


def main(argv: list[str] | None = None) -> None:
    """Print the hindcast table (stand-alone, mean field) at the fitted parameters."""
    ap = argparse.ArgumentParser(description="Settlement hindcast table (fitted parameters).")
    ap.add_argument("--engine", choices=("meanfield", "agents"), default="meanfield")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    n = fitted_record()["provenance"]["n_traders"]  # the trader count of the fit
    series = run_hindcast(engine=args.engine, seed=args.seed, n_traders=n)
    table = fit_table(series)
    cols = ["series", "quarter", "use", "target", "simulated", "error_pp"]
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(table[cols].round(4).to_string(index=False))
        heads = ["rus_exports_usd_eur", "rus_exports_rub", "rus_exports_cny", "rus_chn_national"]
        heads += ["national_currency_share_eaeu"]
        print("\nmodel 2024 (published 2024 figures held out):")
        print(series.loc[quarters_through("2024Q1", "2024Q4"), heads].round(4).to_string())


if __name__ == "__main__":
    main()
