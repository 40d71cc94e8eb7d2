"""Published settlement-currency figures (the hindcast targets), for the hindcast figure.

The shipped file is ``sim/data/settlement/targets.csv``, the same table the
settlement calibration fits: one row per published figure with the world-table
column it is compared with (``series``), the model quarter it is compared at
(``quarter``), the value as a share (``value``), what it is used for (``use``:
``initial`` state, ``calibration`` = fitted, ``validation`` = held out, ``context``
= shown only), the qualifier of the statement and its source.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import sim
from sim.errors import DataError

SHIPPED = Path(sim.__file__).parent / "data" / "settlement" / "targets.csv"
REQUIRED = ("series", "quarter", "value")

#: How each ``use`` is drawn and named in the legend.
USES: dict[str, str] = {
    "initial": "initial state (2021Q4)",
    "calibration": "fitted (2022)",
    "validation": "held out (2023)",
    "context": "context, not fitted",
}


def read_targets(path: str | Path) -> pd.DataFrame:
    """Read published settlement figures in the format of ``targets.csv``.

    Needs columns ``series`` (world-table column), ``quarter`` (``2023Q1``) and
    ``value`` (a share in [0, 1]); ``use``, ``qualifier``, ``who_said``,
    ``source`` and ``note`` are kept when present (``use`` defaults to
    ``validation``).

    Raises:
        DataError: If the file is missing, unreadable or lacks a column, or a value
            is not a number.
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype={"quarter": str})
    except (OSError, pd.errors.ParserError, ValueError) as exc:
        raise DataError(str(path), f"unreadable CSV ({exc.__class__.__name__})") from None
    missing = [c for c in REQUIRED if c not in df]
    if missing:
        raise DataError(str(path), f"missing columns {missing}")
    value = pd.to_numeric(df["value"], errors="coerce")
    if value.isna().any():
        row = int(value.isna().to_numpy().argmax()) + 2
        raise DataError(
            str(path), f"row {row}: value {df['value'].iloc[row - 2]!r} is not a number"
        )
    out = df.assign(value=value.astype(float))
    if "use" not in out:
        out["use"] = "validation"
    for col, default in (("qualifier", "eq"), ("who_said", ""), ("source", ""), ("note", "")):
        if col not in out:
            out[col] = default
    return out.fillna({"qualifier": "eq", "who_said": "", "source": "", "note": ""})


def shipped_targets() -> pd.DataFrame | None:
    """The published figures shipped in ``sim/data/settlement/targets.csv`` (None if absent)."""
    return read_targets(SHIPPED) if SHIPPED.is_file() else None


def overlapping(targets: pd.DataFrame, world: pd.DataFrame) -> pd.DataFrame:
    """The published figures a run can be compared with.

    A figure is kept when its ``series`` is a column of ``world`` with values and
    its ``quarter`` is one of the simulated quarters.
    """
    quarters = set(world["quarter"].astype(str))
    cols = {c for c in targets["series"].unique() if c in world and world[c].notna().any()}
    keep = targets["series"].isin(cols) & targets["quarter"].astype(str).isin(quarters)
    return targets[keep].reset_index(drop=True)


def errors(targets: pd.DataFrame, world: pd.DataFrame) -> pd.DataFrame:
    """Simulated median minus published value, in percentage points, per published figure.

    Args:
        targets: Published figures that overlap the runs (see :func:`overlapping`).
        world: World table of the runs (one scenario), one row per run and quarter.

    Returns:
        ``targets`` with ``simulated_pct`` (median across runs), ``published_pct`` and
        ``error_pp``.
    """
    rows = []
    for r in targets.itertuples(index=False):
        sim_q = world.loc[world["quarter"].astype(str) == str(r.quarter), r.series]
        rows.append(100.0 * float(sim_q.median()))
    out = targets.assign(simulated_pct=rows, published_pct=100.0 * targets["value"])
    return out.assign(error_pp=out["simulated_pct"] - out["published_pct"])
