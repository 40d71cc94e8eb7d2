"""Altair charts of the dashboard, built from plain DataFrames (no Solara, no model).

Altair builds a Vega-Lite spec on the server (a few ms) and the browser draws
it, so re-drawing every quarter stays cheap.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

CORRIDOR_DIR = Path(__file__).resolve().parents[1] / "data" / "corridors"
WIDTH, HEIGHT = 340, 230

HEADLINE_LABELS: dict[str, str] = {
    "intra_cis_trade_share": "Intra-CIS trade share",
    "national_currency_share_cis": "National-currency settlement share (CIS)",
    "cis_real_income": "CIS real income (base = 1)",
}
SHARE_LABELS: dict[str, str] = {
    "national": "national currencies",
    "vehicle": "USD/EUR (vehicle)",
    "other": "third currencies (CNY, …)",
}


@lru_cache(maxsize=1)
def corridor_tables() -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """Hubs (with lon/lat) and segments with both ends' coordinates, or None if not shipped."""
    hubs_path, segments_path = CORRIDOR_DIR / "hubs.csv", CORRIDOR_DIR / "segments.csv"
    if not hubs_path.is_file() or not segments_path.is_file():
        return None
    hubs = pd.read_csv(hubs_path)[["hub", "name", "economy", "kind", "lat", "lon"]]
    hubs = hubs.dropna(subset=["lat", "lon"])
    segments = pd.read_csv(segments_path)[
        ["segment", "from_hub", "to_hub", "mode", "corridor", "status"]
    ]
    ends = hubs.set_index("hub")[["lon", "lat"]]
    for side in ("from", "to"):
        hub = segments[f"{side}_hub"].str.replace("~sea", "", regex=False)
        segments[f"{side}_lon"] = hub.map(ends["lon"])
        segments[f"{side}_lat"] = hub.map(ends["lat"])
    segments = segments.dropna(subset=["from_lon", "from_lat", "to_lon", "to_lat"])
    moves = (segments["from_lon"] != segments["to_lon"]) | (
        segments["from_lat"] != segments["to_lat"]
    )
    return hubs.reset_index(drop=True), segments[moves].reset_index(drop=True)


def corridor_frame(
    volumes: pd.Series | None, closed: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """Hubs and segments joined with the last quarter's volumes (Mt/yr; NaN if unknown)."""
    tables = corridor_tables()
    if tables is None:
        return None
    hubs, segments = tables
    segments = segments.copy()
    if volumes is not None:
        segments["volume_mt"] = segments["segment"].map(volumes).astype(float) / 1e6
    else:
        segments["volume_mt"] = np.nan
    state = np.where(segments["status"] == "open", "open", "planned")
    if closed:
        state = np.where(segments["corridor"] == closed, "closed", state)
    segments["state"] = state
    return hubs, segments


def corridor_map(
    volumes: pd.Series | None, closed: str | None = None, title: str = "Corridor network"
) -> alt.Chart | None:
    """Hubs at their real lon/lat; segment width = volume (Mt/yr) when routing is integrated."""
    frames = corridor_frame(volumes, closed)
    if frames is None:
        return None
    hubs, segments = frames
    has_volume = bool(segments["volume_mt"].notna().any())
    x = alt.X("from_lon:Q", title="longitude (°E)", scale=alt.Scale(zero=False))
    y = alt.Y("from_lat:Q", title="latitude (°N)", scale=alt.Scale(zero=False))
    width = (
        alt.Size("volume_mt:Q", title="Mt/yr", scale=alt.Scale(range=[0.5, 9]))
        if has_volume
        else alt.value(1.5)
    )
    lines = (
        alt.Chart(segments)
        .mark_rule(opacity=0.8)
        .encode(
            x=x,
            y=y,
            x2="to_lon:Q",
            y2="to_lat:Q",
            color=alt.Color(
                "corridor:N", legend=alt.Legend(orient="bottom", columns=3, symbolLimit=20)
            ),
            strokeWidth=width,
            strokeDash=alt.StrokeDash(
                "state:N",
                scale=alt.Scale(
                    domain=["open", "planned", "closed"], range=[[1, 0], [4, 3], [1, 3]]
                ),
            ),
            tooltip=[
                "segment",
                "corridor",
                "mode",
                "state",
                alt.Tooltip("volume_mt:Q", format=".2f"),
            ],
        )
    )
    points = (
        alt.Chart(hubs)
        .mark_circle(size=28, color="black")
        .encode(x="lon:Q", y="lat:Q", tooltip=["name", "economy", "kind"])
    )
    subtitle = (
        "width = tonnes carried last quarter"
        if has_volume
        else ("segment volumes appear once the corridor phase is in the model")
    )
    return alt.layer(lines, points).properties(
        width=WIDTH, height=HEIGHT + 60, title=alt.TitleParams(title, subtitle=subtitle)
    )


def headline_frame(history: list[dict[str, float | str]]) -> pd.DataFrame:
    """Long table quarter × series × value of the headline series that have data."""
    frame = pd.DataFrame(history)
    if frame.empty:
        return pd.DataFrame(columns=["quarter", "series", "value"])
    keys = [k for k in HEADLINE_LABELS if k in frame.columns and frame[k].notna().any()]
    long = frame.melt(id_vars="quarter", value_vars=keys, var_name="series", value_name="value")
    long["series"] = long["series"].map(HEADLINE_LABELS)
    return long.dropna(subset=["value"])


def line_chart(frame: pd.DataFrame, value: str, color: str, title: str, fmt: str) -> alt.Chart:
    """Lines of ``value`` by quarter, one per ``color``; independent y scale per chart."""
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("quarter:O", title=None),
            y=alt.Y(
                f"{value}:Q", title=None, scale=alt.Scale(zero=False), axis=alt.Axis(format=fmt)
            ),
            color=alt.Color(
                f"{color}:N", title=None, legend=alt.Legend(orient="bottom", columns=4)
            ),
            tooltip=["quarter:O", f"{color}:N", alt.Tooltip(f"{value}:Q", format=fmt)],
        )
        .properties(width=WIDTH, height=HEIGHT, title=title)
    )


def headline_chart(history: list[dict[str, float | str]]) -> alt.Chart:
    """The shares (intra-CIS trade, national-currency settlement) by quarter."""
    frame = headline_frame(history)
    shares = frame[frame["series"] != HEADLINE_LABELS["cis_real_income"]]
    return line_chart(shares, "value", "series", "Headline shares", ".1%")


def real_income_chart(real_income: pd.DataFrame) -> alt.Chart:
    """Real income by economy (base = 1) by quarter."""
    return line_chart(real_income, "real_income", "economy", "Real income by economy", ".3f")


def settlement_shares_frame(history: list[dict[str, float | str]]) -> pd.DataFrame:
    """CIS settlement by kind of currency (national / vehicle / other) by quarter."""
    frame = pd.DataFrame(history)
    needed = {"national_currency_share_cis", "vehicle_currency_share"}
    if frame.empty or not needed <= set(frame.columns):
        return pd.DataFrame(columns=["quarter", "currency", "share"])
    frame = frame.dropna(subset=sorted(needed))
    out = pd.DataFrame(
        {
            "quarter": frame["quarter"],
            "national": frame["national_currency_share_cis"],
            "vehicle": frame["vehicle_currency_share"],
        }
    )
    out["other"] = (1.0 - out["national"] - out["vehicle"]).clip(lower=0.0)
    long = out.melt(id_vars="quarter", var_name="currency", value_name="share")
    long["currency"] = long["currency"].map(SHARE_LABELS)
    return long


def settlement_chart(history: list[dict[str, float | str]]) -> alt.Chart:
    """Stacked shares of CIS trade settled in each kind of currency (empty before data)."""
    frame = settlement_shares_frame(history)
    return (
        alt.Chart(frame)
        .mark_area()
        .encode(
            x=alt.X("quarter:O", title=None),
            y=alt.Y("share:Q", stack="normalize", title=None, axis=alt.Axis(format="%")),
            color=alt.Color(
                "currency:N", title=None, legend=alt.Legend(orient="bottom", columns=1)
            ),
            tooltip=["quarter:O", "currency:N", alt.Tooltip("share:Q", format=".1%")],
        )
        .properties(width=WIDTH, height=HEIGHT, title="Settlement shares, CIS trade")
    )
