"""Altair charts of the dashboard, built from plain DataFrames (no Solara, no model).

Altair builds a Vega-Lite spec on the server (a few ms) and the browser draws
it, so re-drawing every quarter stays cheap. Colours come from
:mod:`analysis.palette`: an economy, currency or corridor has the same colour
here and in the report.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import altair as alt
import pandas as pd

from analysis.indicators import by_column
from analysis.palette import colours

CORRIDOR_DIR = Path(__file__).resolve().parents[1] / "data" / "corridors"
WIDTH, HEIGHT = 340, 200
CLOSED_COLOUR = "#D00000"

#: The headline shares, each drawn on an axis of its own so that a change of a
#: few tenths of a percentage point is visible.
HEADLINE_SERIES: tuple[str, ...] = ("intra_cis_trade_share", "national_currency_share_cis")
SHARE_LABELS: dict[str, str] = {
    "national": "national currencies",
    "vehicle": "USD/EUR (vehicle)",
    "other": "third currencies (CNY, …)",
}
SHARE_COLOURS: dict[str, str] = {
    "national currencies": "#BE0032",
    "USD/EUR (vehicle)": "#0067A5",
    "third currencies (CNY, …)": "#F38400",
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
    """Hubs and segments joined with the last quarter's volumes (Mt in the quarter)."""
    tables = corridor_tables()
    if tables is None:
        return None
    hubs, segments = tables
    segments = segments.copy()
    segments["volume_mt"] = (
        segments["segment"].map(volumes).fillna(0.0).astype(float) / 1e6
        if volumes is not None
        else 0.0
    )
    state = segments["status"].where(segments["status"] == "open", "planned")
    if closed:
        state = state.mask(segments["corridor"] == closed, "closed")
    segments["state"] = state
    return hubs, segments


def corridor_map(
    volumes: pd.Series | None, closed: str | None = None, title: str = "Corridor network"
) -> alt.Chart | None:
    """Hubs at their real lon/lat; width = Mt carried in the last quarter; a closure in red."""
    frames = corridor_frame(volumes, closed)
    if frames is None:
        return None
    hubs, segments = frames
    names = sorted(segments["corridor"].unique())
    palette = colours("corridor", names)
    x = alt.X("from_lon:Q", title="longitude (°E)", scale=alt.Scale(zero=False))
    y = alt.Y("from_lat:Q", title="latitude (°N)", scale=alt.Scale(zero=False))
    width = (
        alt.Size("volume_mt:Q", title="Mt per quarter", scale=alt.Scale(range=[0.5, 9]))
        if volumes is not None
        else alt.value(1.2)
    )
    lines = (
        alt.Chart(segments[segments["state"] != "closed"])
        .mark_rule(opacity=0.8)
        .encode(
            x=x,
            y=y,
            x2="to_lon:Q",
            y2="to_lat:Q",
            color=alt.Color(
                "corridor:N",
                scale=alt.Scale(domain=names, range=[palette[n] for n in names]),
                legend=alt.Legend(orient="bottom", columns=3, symbolLimit=30),
            ),
            strokeWidth=width,
            strokeDash=alt.StrokeDash(
                "state:N",
                title="segment",
                scale=alt.Scale(domain=["open", "planned"], range=[[1, 0], [4, 3]]),
            ),
            tooltip=[
                "segment",
                "corridor",
                "mode",
                "state",
                alt.Tooltip("volume_mt:Q", title="Mt this quarter", format=".2f"),
            ],
        )
    )
    layers = [lines]
    shut = segments[segments["state"] == "closed"]
    if not shut.empty:
        layers.append(
            alt.Chart(shut)
            .mark_rule(color=CLOSED_COLOUR, strokeWidth=4, strokeDash=[2, 2])
            .encode(
                x=x,
                y=y,
                x2="to_lon:Q",
                y2="to_lat:Q",
                tooltip=["segment", "corridor", alt.Tooltip("volume_mt:Q", format=".2f")],
            )
        )
    layers.append(
        alt.Chart(hubs)
        .mark_circle(size=24, color="black")
        .encode(x="lon:Q", y="lat:Q", tooltip=["name", "economy", "kind"])
    )
    if volumes is None:
        subtitle = "press Step: line width will show the tonnes carried in each quarter"
    else:
        subtitle = "line width = million tonnes carried in the latest quarter"
    if closed:
        subtitle += f"; red dashes = {closed}, closed"
    return alt.layer(*layers).properties(
        width=WIDTH, height=HEIGHT + 90, title=alt.TitleParams(title, subtitle=subtitle)
    )


def headline_frame(history: list[dict[str, float | str]]) -> pd.DataFrame:
    """Long table quarter × series × value of the headline shares that have data."""
    frame = pd.DataFrame(history)
    if frame.empty:
        return pd.DataFrame(columns=["quarter", "series", "value"])
    keys = [k for k in HEADLINE_SERIES if k in frame.columns and frame[k].notna().any()]
    long = frame.melt(id_vars="quarter", value_vars=keys, var_name="series", value_name="value")
    long["series"] = long["series"].map(lambda k: by_column(k).label)
    return long.dropna(subset=["value"])


def share_chart(history: list[dict[str, float | str]], key: str, colour: str) -> alt.Chart:
    """One headline share by quarter, its y axis fitted to the data (not from zero)."""
    frame = pd.DataFrame(history)
    if frame.empty or key not in frame:
        frame = pd.DataFrame({"quarter": pd.Series(dtype=str), key: pd.Series(dtype=float)})
    return (
        alt.Chart(frame[["quarter", key]].dropna())
        .mark_line(point={"color": colour}, color=colour)
        .encode(
            x=alt.X("quarter:O", title=None),
            y=alt.Y(
                f"{key}:Q",
                title=None,
                scale=alt.Scale(zero=False, nice=False, padding=8),
                axis=alt.Axis(format=".2%", tickCount=5),
            ),
            tooltip=["quarter:O", alt.Tooltip(f"{key}:Q", format=".3%")],
        )
        .properties(width=WIDTH, height=HEIGHT // 2 + 10, title=by_column(key).label)
    )


def headline_chart(history: list[dict[str, float | str]]) -> alt.VConcatChart:
    """The headline shares (intra-CIS trade, national-currency settlement), one axis each."""
    return alt.vconcat(
        share_chart(history, "intra_cis_trade_share", "#0067A5"),
        share_chart(history, "national_currency_share_cis", "#BE0032"),
    )


def real_income_chart(real_income: pd.DataFrame) -> alt.Chart:
    """Real income by economy (base = 1) by quarter, one fixed colour per economy."""
    codes = list(dict.fromkeys(real_income["economy"]))
    palette = colours("economy", codes)
    return (
        alt.Chart(real_income)
        .mark_line(point=True)
        .encode(
            x=alt.X("quarter:O", title=None),
            y=alt.Y(
                "real_income:Q",
                title=None,
                scale=alt.Scale(zero=False),
                axis=alt.Axis(format=".3f"),
            ),
            color=alt.Color(
                "economy:N",
                title=None,
                scale=alt.Scale(domain=codes, range=[palette[c] for c in codes]),
                legend=alt.Legend(orient="bottom", columns=6),
            ),
            tooltip=["quarter:O", "economy:N", alt.Tooltip("real_income:Q", format=".4f")],
        )
        .properties(width=WIDTH, height=HEIGHT, title="Real income by economy (1 = calibration)")
    )


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
    domain = list(SHARE_COLOURS)
    return (
        alt.Chart(frame)
        .mark_area()
        .encode(
            x=alt.X("quarter:O", title=None),
            y=alt.Y("share:Q", stack="normalize", title=None, axis=alt.Axis(format="%")),
            color=alt.Color(
                "currency:N",
                title=None,
                scale=alt.Scale(domain=domain, range=[SHARE_COLOURS[d] for d in domain]),
                legend=alt.Legend(orient="bottom", columns=1),
            ),
            tooltip=["quarter:O", "currency:N", alt.Tooltip("share:Q", format=".1%")],
        )
        .properties(width=WIDTH, height=HEIGHT, title="Settlement shares, CIS trade")
    )
