"""``caravan-sensitivity SWEEP_DIR``: Sobol or Morris indices from a finished SALib sweep.

Reads the sweep's design (``sweep/design.json``) and its collected world
table (``sweep/world.parquet``; collected first if absent), takes each world
series at one quarter (the last by default) as an output, averages
replications of the same design row, and computes with SALib:

- Sobol (Saltelli design): ``S1`` and ``ST`` with bootstrap confidence intervals;
- Morris: ``mu_star`` (with its bootstrap confidence interval) and ``sigma``.

The indices go to ``<sweep_dir>/sensitivity/indices.parquet`` (columns
``output, parameter, method, index, value, conf``) and are printed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import CaravanError
from sim.sweep.design import Design, read_design
from sim.sweep.rundirs import COLLECT_DIR

OUTPUTS = ("world_trade", "intra_cis_trade_share", "intra_eaeu_trade_share", "cis_real_income")
COLUMNS = ["output", "parameter", "method", "index", "value", "conf"]


def design_outputs(
    sweep_dir: Path, design: Design, outputs: Sequence[str], quarter: str = "last"
) -> pd.DataFrame:
    """One row per design row (``sample``), one column per output, replicates averaged.

    Raises:
        CaravanError: if an output is unknown or a design row has no completed run.
    """
    world_path = sweep_dir / COLLECT_DIR / "world.parquet"
    if not world_path.is_file():
        from sim.sweep.collect import collect

        collect(sweep_dir)
    if not world_path.is_file():
        raise CaravanError(f"{sweep_dir}: no completed run to analyse")
    world = pd.read_parquet(world_path)
    is_output = {c for c in world.columns if world[c].dtype.kind == "f" and "." not in c}
    unknown = [name for name in outputs if name not in is_output]  # swept keys are inputs
    if unknown:
        allowed = ", ".join(c for c in world.columns if c in is_output)
        raise CaravanError(f"--outputs: unknown output {unknown[0]!r}; allowed: {allowed}")
    if "sweep.sample" in world.columns:
        sample = world["sweep.sample"]
    else:
        runs = pd.read_parquet(sweep_dir / COLLECT_DIR / "runs.parquet", columns=["run", "sample"])
        sample = world["run"].map(runs.set_index("run")["sample"])
    world = world.assign(sample=sample.to_numpy())
    if quarter == "last":
        world = world[
            world["quarter_index"] == world.groupby("run")["quarter_index"].transform("max")
        ]
    else:
        world = world[world["quarter"] == quarter]
        if world.empty:
            raise CaravanError(f"--quarter: no rows for quarter {quarter!r}")
    means = world.groupby("sample")[list(outputs)].mean()
    rows = len(design.samples)
    missing = sorted(set(range(rows)) - set(means.index.astype(int)))
    if missing:
        shown = ", ".join(str(m) for m in missing[:10])
        raise CaravanError(
            f"{sweep_dir}: {len(missing)} of {rows} design rows have no completed run "
            f"(sweep.sample {shown}{', …' if len(missing) > 10 else ''}); {design.method} indices "
            "need every row — relaunch the sweep into the same directory to redo them"
        )
    return means.reindex(range(rows))


def indices(
    design: Design,
    values: pd.DataFrame,
    *,
    conf_level: float = 0.95,
    resamples: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Sobol or Morris indices of every output column of ``values`` (rows = design rows).

    Raises:
        CaravanError: for a Latin hypercube design (no Sobol/Morris structure).
    """
    from SALib.analyze import morris, sobol

    problem = design.problem()
    x = np.asarray(design.samples, dtype=float)
    rows: list[dict[str, object]] = []
    for output in values.columns:
        y = values[output].to_numpy(dtype=float)
        if design.method == "sobol":
            result = sobol.analyze(
                problem,
                y,
                calc_second_order=design.calc_second_order,
                num_resamples=resamples,
                conf_level=conf_level,
                seed=seed,
            )
            pairs = [("S1", "S1_conf"), ("ST", "ST_conf")]
        elif design.method == "morris":
            result = morris.analyze(
                problem,
                x,
                y,
                num_resamples=resamples,
                conf_level=conf_level,
                num_levels=design.num_levels,
                seed=seed,
            )
            pairs = [("mu_star", "mu_star_conf"), ("sigma", None)]
        else:
            raise CaravanError(
                f"design method {design.method!r} has no Sobol/Morris structure; "
                "sample with hydra.sweeper.method=sobol or morris"
            )
        for i, name in enumerate(design.names):
            for index, conf in pairs:
                rows.append(
                    {
                        "output": output,
                        "parameter": name,
                        "method": design.method,
                        "index": index,
                        "value": float(result[index][i]),
                        "conf": float(result[conf][i]) if conf else float("nan"),
                    }
                )
    return pd.DataFrame(rows, columns=COLUMNS)


def sensitivity(
    sweep_dir: Path,
    outputs: Sequence[str] = OUTPUTS,
    quarter: str = "last",
    conf_level: float = 0.95,
    resamples: int = 1000,
    seed: int = 0,
) -> tuple[pd.DataFrame, Path]:
    """Compute the indices of a sweep and write them; return them with the file's path."""
    from sim.io.run_dir import write_table

    sweep_dir = Path(sweep_dir)
    if not sweep_dir.is_dir():
        raise CaravanError(f"{sweep_dir}: no such sweep directory")
    design = read_design(sweep_dir / COLLECT_DIR)
    values = design_outputs(sweep_dir, design, outputs, quarter)
    table = indices(design, values, conf_level=conf_level, resamples=resamples, seed=seed)
    path = sweep_dir / "sensitivity" / "indices.parquet"
    write_table(table, path)
    return table, path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="caravan-sensitivity",
        description="Sobol or Morris sensitivity indices from a finished SALib sweep.",
    )
    parser.add_argument("sweep_dir", type=Path, help="the sweep directory (hydra.sweep.dir)")
    parser.add_argument(
        "--outputs",
        default=",".join(OUTPUTS),
        help="comma-separated world.parquet columns (default: %(default)s)",
    )
    parser.add_argument("--quarter", default="last", help="quarter label YYYYQn, or last")
    parser.add_argument("--conf-level", type=float, default=0.95, help="confidence level")
    parser.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    return parser


#: A Sobol index is taken as resolved when its 95 % half-width is below this.
SOBOL_MAX_HALF_WIDTH = 0.1
#: Estimation noise tolerated below 0 and in ST − S1 before an index counts as unresolved.
SOBOL_TOLERANCE = 0.05


def convergence(indices: pd.DataFrame, method: str) -> str | None:
    """A sentence saying why the indices are not resolved, or None if they are.

    Sobol: an index below −0.05, a total index more than 0.05 below the
    first-order one, or a 95 % half-width above 0.1. Morris: a μ* whose 95 %
    half-width exceeds the μ* itself for the most influential parameter of an output.
    """
    df = indices[indices["method"] == method]
    if df.empty:
        return None
    if method == "sobol":
        wide = df.pivot_table(index=["output", "parameter"], columns="index", values="value")
        conf = df["conf"].abs()
        negative = int((df["value"] < -SOBOL_TOLERANCE).sum())
        inverted = (
            int((wide["ST"] < wide["S1"] - SOBOL_TOLERANCE).sum())
            if {"S1", "ST"} <= set(wide)
            else 0
        )
        wide_ci = int((conf > SOBOL_MAX_HALF_WIDTH).sum())
        if not (negative or inverted or wide_ci):
            return None
        return (
            f"Sobol indices are not resolved at this sample size: {negative} of {len(df)} "
            f"indices below −{SOBOL_TOLERANCE}, {inverted} of {len(wide)} parameters with "
            f"ST < S1, {wide_ci} of {len(df)} with a 95 % half-width above "
            f"{SOBOL_MAX_HALF_WIDTH} (largest {float(conf.max()):.2f}); read them as "
            "noise and rerun with a larger hydra.sweeper.n."
        )
    mu = df[df["index"] == "mu_star"]
    bad = 0
    for _, g in mu.groupby("output"):
        top = g.loc[g["value"].idxmax()]
        bad += int(pd.notna(top["conf"]) and top["conf"] > top["value"])
    if not bad:
        return None
    return (
        f"Morris screening is not resolved: for {bad} of {mu['output'].nunique()} outputs the "
        "most influential parameter's μ* has a 95 % half-width larger than μ* itself; rerun "
        "with more trajectories (hydra.sweeper.n)."
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``caravan-sensitivity``."""
    args = _parser().parse_args(argv)
    try:
        if not 0 < args.conf_level < 1:
            raise CaravanError(f"--conf-level: must be in (0, 1), got {args.conf_level}")
        if args.resamples < 10:
            raise CaravanError(f"--resamples: must be ≥ 10, got {args.resamples}")
        outputs = [name.strip() for name in args.outputs.split(",") if name.strip()]
        table, path = sensitivity(
            args.sweep_dir, outputs, args.quarter, args.conf_level, args.resamples, args.seed
        )
    except CaravanError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    for method in sorted(set(table["method"])):
        if (diagnostic := convergence(table, method)) is not None:
            print(f"warning: {diagnostic}", file=sys.stderr)
    with pd.option_context("display.width", 120, "display.max_rows", 500):
        shown = table.assign(value=table["value"].round(4), conf=table["conf"].round(4))
        print(shown.to_string(index=False))
    print(f"indices: {path}")
