"""Hindcast ``hindcast_2022``: the 2022 payment-blocking shock, stand-alone.

Start in 2021Q4 (the initial state reproduces the 2021 / Jan-2022 figures:
EAEU mutual settlements 73.5 % national, Russia's export receipts USD 52 /
EUR 35 %); from 2022Q1 a blocking hazard on USD and EUR payments applies to
every pair with Russia or Belarus (both under the 2022 restrictions; one hazard
level for both is an assumption). The trade matrix is held at calibration
values (:func:`calibration_world`: the shipped default world ``cis2023``, 2023).
Behavioural parameters (Calvo revision rate, logit scale, hazard level) are
fitted on the 2022 points only (``python -m sim.settlement.calibrate``); the
2023 points are out of sample.

``run_hindcast()`` returns the simulated headline series by quarter;
``fit_table()`` compares them with the published points of
``sim/data/settlement/targets.csv``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from sim.data.loader import load_world
from sim.settlement.config import HazardEntry, SettlementConfig
from sim.settlement.initial import read_table
from sim.settlement.phase import SettlementPhase
from sim.settlement.quarters import quarter_range

START, SHOCK, END = "2021Q4", "2022Q1", "2023Q4"
SHOCKED = ("RUS", "BLR")
#: Parameters fitted by the calibration (used when no fitted file exists).
DEFAULT_PARAMS: dict[str, float] = {"revision_rate": 0.15, "logit_scale": 150.0, "hazard": 0.3}
FITTED_FILE = "fitted_parameters.json"


@dataclass(frozen=True)
class CalibrationWorld:
    """Economies, currencies, blocs and the trade matrix held fixed in the hindcast."""

    economies: tuple[str, ...]
    currencies: tuple[str, ...]
    blocs: dict[str, tuple[str, ...]]
    flows: np.ndarray
    source: str


def calibration_world() -> CalibrationWorld:
    """The model's shipped default world (``sim.data.loader.load_world("cis2023")``).

    The same economies, currencies, blocs and 2023 trade matrix the model starts
    from (cells carry provenance; method and gaps in
    ``sim/data/cis2023/DATA_REPORT.md``), so the calibration and the model's
    hindcast see the same trade weights. The diagonal (domestic sales) is not
    used by the settlement layer.
    """
    w = load_world("cis2023")
    return CalibrationWorld(
        economies=tuple(w.economies),
        currencies=tuple(w.currencies),
        blocs={b: tuple(m) for b, m in w.blocs.items()},
        flows=np.array(w.flows, dtype=float),
        source=f"sim.data.loader.load_world('cis2023') data_version {w.data_version}",
    )


def fitted_parameters() -> dict[str, float]:
    """Fitted parameters from the shipped file, else :data:`DEFAULT_PARAMS`."""
    path = resources.files("sim").joinpath("data", "settlement", FITTED_FILE)
    try:
        with path.open("r", encoding="utf-8") as fh:
            return {k: float(v) for k, v in json.load(fh)["parameters"].items()}
    except FileNotFoundError:
        return dict(DEFAULT_PARAMS)


#: Horizon of the hindcast inside the full model: 2021Q4 .. 2023Q4, output held flat (the
#: trade matrix is already at its 2023 level).
MODEL_HORIZON: dict[str, str] = {"start": START, "quarters": "9", "growth": "flat"}


def rounded_parameters(params: Mapping[str, float] | None = None) -> dict[str, float]:
    """Fitted parameters rounded as they appear in configs (4 significant digits).

    The scenario file and the model hindcast test both use these values, so they
    agree exactly; the rounding moves the stand-alone hindcast by < 0.1 pp.
    """
    p = dict(fitted_parameters() if params is None else params)
    return {k: float(f"{float(p[k]):.4g}") for k in ("revision_rate", "logit_scale", "hazard")}


def hindcast_overrides(
    params: Mapping[str, float] | None = None, horizon: bool = True
) -> list[str]:
    """Hydra overrides that make the full model run the 2022 hindcast.

    Args:
        params: ``revision_rate``, ``logit_scale``, ``hazard`` (default: the fitted
            ones of ``fitted_parameters.json``), rounded by :func:`rounded_parameters`.
        horizon: Include ``sim.start``, ``sim.quarters`` and ``sim.growth``.

    Returns:
        Overrides for :func:`sim.cli.compose_and_validate` or the ``caravan`` command,
        e.g. ``settlement.revision_rate=0.0158``.
    """
    p = rounded_parameters(params)
    out = [f"sim.{k}={v}" for k, v in MODEL_HORIZON.items()] if horizon else []
    hz = ",".join(f"{{scope:{e},from_quarter:{SHOCK},hazard:{p['hazard']!r}}}" for e in SHOCKED)
    out += [
        "settlement.initial.table=cis2021",
        f"settlement.revision_rate={p['revision_rate']!r}",
        f"settlement.logit_scale={p['logit_scale']!r}",
        f"settlement.hazards=[{hz}]",
    ]
    return out


def scenario_yaml(params: Mapping[str, float] | None = None) -> str:
    """The ``sim`` and ``settlement`` block of ``scenarios/hindcast_2022.yaml``."""
    p = rounded_parameters(params)
    lines = ["sim:"] + [f"  {k}: {v}" for k, v in MODEL_HORIZON.items()]
    lines += [
        "settlement:",
        "  # fitted on the 2022 points (sim/data/settlement/fitted_parameters.json,",
        "  # 4 significant digits; sim.settlement.hindcast.hindcast_overrides())",
        f"  revision_rate: {p['revision_rate']!r}",
        f"  logit_scale: {p['logit_scale']!r}",
        "  initial: {table: cis2021}",
        "  hazards:",
    ]
    lines += [
        f"    - {{scope: {e}, from_quarter: {SHOCK}, hazard: {p['hazard']!r}}}" for e in SHOCKED
    ]
    return "\n".join(lines) + "\n"


def hindcast_config(
    params: Mapping[str, float] | None = None, base: SettlementConfig | None = None
) -> SettlementConfig:
    """Config of the hindcast: ``base`` (default config) with the fitted parameters and shock.

    Args:
        params: ``revision_rate``, ``logit_scale``, ``hazard`` (default: fitted), and
            optionally ``hazard_growth`` (see :func:`escalating_hazards`; 0 = constant).
        base: Starting config (copied).

    Returns:
        A new :class:`SettlementConfig`.
    """
    p = dict(fitted_parameters() if params is None else params)
    cfg = copy.deepcopy(base) if base is not None else SettlementConfig()
    cfg.revision_rate = float(p["revision_rate"])
    cfg.logit_scale = float(p["logit_scale"])
    growth = float(p.get("hazard_growth", 0.0))
    if growth == 0.0:
        cfg.hazards = [
            HazardEntry(scope=e, from_quarter=SHOCK, hazard=float(p["hazard"])) for e in SHOCKED
        ]
    else:
        cfg.hazards = escalating_hazards(float(p["hazard"]), growth)
    return cfg


def escalating_hazards(hazard: float, growth: float, end: str = END) -> list[HazardEntry]:
    """One hazard entry per quarter from the shock: h_k = min(1, h · exp(g k)).

    k counts quarters from :data:`SHOCK` (k = 0 in 2022Q1); the last entry is
    open-ended. A structural sensitivity (``calibrate --variant hazard_growth``),
    not the shipped model: a sanction regime that tightens at a constant rate.

    Args:
        hazard: h, the hazard in the shock quarter, in [0, 1].
        growth: g, log growth of the hazard per quarter.
        end: Last quarter with its own entry.

    Returns:
        Entries for every economy of :data:`SHOCKED`.
    """
    quarters = quarter_range(SHOCK, end)
    levels = np.minimum(1.0, hazard * np.exp(growth * np.arange(len(quarters))))
    return [
        HazardEntry(
            scope=e,
            from_quarter=q,
            to_quarter="" if k == len(quarters) - 1 else q,
            hazard=float(levels[k]),
        )
        for k, q in enumerate(quarters)
        for e in SHOCKED
    ]


def run_hindcast(
    params: Mapping[str, float] | None = None,
    *,
    engine: str = "meanfield",
    seed: int = 0,
    n_traders: int | None = None,
    world: CalibrationWorld | None = None,
    end: str = END,
    base: SettlementConfig | None = None,
) -> pd.DataFrame:
    """Run the hindcast with only the settlement layer and a fixed trade matrix.

    Args:
        params: Behavioural parameters (default: the fitted ones).
        engine: ``"meanfield"`` (expected shares; smooth, used for fitting) or
            ``"agents"`` (the trader arrays of :class:`SettlementPhase`).
        seed: Seed of the trader population (and of revisions for ``agents``).
        n_traders: Override of ``settlement.traders.n_traders``.
        world: Economies and trade matrix (default :func:`calibration_world`).
        end: Last quarter.
        base: Base config (default :class:`SettlementConfig`).

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
    if engine == "meanfield":
        mf = phase.meanfield()
        f = phase.core.pair_flows(w.flows)
        for q in quarter_range(START, end):
            rows[q] = mf.step(q, f)
    elif engine == "agents":
        for q in quarter_range(START, end):
            rows[q] = phase.step(q, w.flows).headline
    else:
        raise ValueError(f"engine must be 'meanfield' or 'agents', got {engine!r}")
    return pd.DataFrame.from_dict(rows, orient="index")


def targets(uses: tuple[str, ...] = ("calibration", "validation", "context")) -> pd.DataFrame:
    """Published points of ``targets.csv`` with the given ``use``."""
    t = read_table("targets.csv")
    return t[t["use"].isin(uses)].reset_index(drop=True)


def fit_table(
    series: pd.DataFrame, uses: tuple[str, ...] = ("calibration", "validation", "context")
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


if __name__ == "__main__":
    print("\n".join(hindcast_overrides()))
    print()
    print(scenario_yaml(), end="")
