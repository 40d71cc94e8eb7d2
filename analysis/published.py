"""Published settlement-currency shares, for the hindcast figure."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

import sim
from analysis.quarters import decimal_year as quarter_year
from sim.errors import DataError

#: World-table column → published ``scope`` it is compared with.
SCOPES: dict[str, str] = {
    "national_currency_share_eaeu": "EAEU_mutual",
    "national_currency_share_cis": "CIS_commercial",
}

SHIPPED_DIR = Path(sim.__file__).parent / "data" / "settlement"


def decimal_year(date: str) -> float:
    """A published date as a decimal year at the middle of its period.

    ``"2021"`` → 2021.5, ``"2023-Q1"`` → 2023.125, ``"2022-08"`` → 2022.625,
    ``"2024Q2"`` → 2024.375.

    Raises:
        ValueError: If the date has none of these forms.
    """
    s = str(date).strip()
    if re.fullmatch(r"\d{4}", s):
        return int(s) + 0.5
    if m := re.fullmatch(r"(\d{4})-?Q([1-4])", s):
        return quarter_year(f"{m.group(1)}Q{m.group(2)}")
    if m := re.fullmatch(r"(\d{4})-(\d{2})", s):
        return int(m.group(1)) + (int(m.group(2)) - 0.5) / 12
    raise ValueError(f"not a date: {date!r}")


def _value(v: object) -> tuple[float, float]:
    """A published value and the top of its range: ``"89-90"`` → (89, 90), ``75`` → (75, nan)."""
    text = str(v).strip()
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)\s*[-–]\s*(\d+(?:\.\d+)?)", text):
        return float(m.group(1)), float(m.group(2))
    return float(text), float("nan")


def read_published(path: str | Path, strict: bool = True) -> pd.DataFrame:
    """Read published settlement shares and add ``year`` (decimal year).

    The CSV needs columns ``scope``, ``date``, ``value_pct``; ``value_pct_high``,
    ``measure`` and ``qualifier`` are used when present. A date ``"A/B"`` (two
    ways of stating one period) is read as ``A``; a value ``"89-90"`` as a range.

    Args:
        path: The CSV file.
        strict: Raise on a row whose date or value cannot be read; otherwise drop it.

    Raises:
        DataError: If the file is missing, or lacks a column, or (``strict``) has
            an unreadable date or value.
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype={"date": str, "value_pct": str})
    except (OSError, pd.errors.ParserError, ValueError) as exc:
        raise DataError(str(path), f"unreadable CSV ({exc.__class__.__name__})") from None
    missing = [c for c in ("scope", "date", "value_pct") if c not in df]
    if missing:
        raise DataError(str(path), f"missing columns {missing}")
    keep, years, lows, highs = [], [], [], []
    for i, (date, value) in enumerate(zip(df["date"], df["value_pct"], strict=True)):
        try:
            year = decimal_year(str(date).split("/")[0])
            low, high = _value(value)
        except ValueError:
            if strict:
                raise DataError(
                    str(path), f"row {i + 2}: cannot read date {date!r} or value {value!r}"
                ) from None
            continue
        keep.append(i)
        years.append(year)
        lows.append(low)
        highs.append(high)
    out = df.iloc[keep].copy()
    out["year"] = years
    out["value_pct"] = lows
    given = out["value_pct_high"] if "value_pct_high" in out else pd.Series(np.nan, out.index)
    out["value_pct_high"] = pd.to_numeric(given, errors="coerce").fillna(
        pd.Series(highs, out.index)
    )
    return out.reset_index(drop=True)


def shipped_published() -> pd.DataFrame | None:
    """The published shares shipped in ``sim/data/settlement/``, or None if not shipped."""
    if not SHIPPED_DIR.is_dir():
        return None
    for path in sorted(SHIPPED_DIR.glob("*.csv")):
        head = path.read_text().splitlines()[:1]
        cols = head[0].split(",") if head else []
        if {"scope", "date", "value_pct"} <= set(cols):
            return read_published(path, strict=False)
    return None


def simulated_series(world: pd.DataFrame) -> pd.DataFrame:
    """The world table's settlement shares as ``scope``, ``year``, ``value_pct``, ``run``."""
    frames = []
    for col, scope in SCOPES.items():
        if col in world and world[col].notna().any():
            frames.append(
                pd.DataFrame(
                    {
                        "scope": scope,
                        "year": [quarter_year(q) for q in world["quarter"].astype(str)],
                        "value_pct": 100.0 * world[col].to_numpy(float),
                        "run": world["run"].to_numpy() if "run" in world else 0,
                        "scenario": world["scenario"].to_numpy() if "scenario" in world else "",
                    }
                )
            )
    if not frames:
        return pd.DataFrame(columns=["scope", "year", "value_pct", "run", "scenario"])
    return pd.concat(frames, ignore_index=True)
