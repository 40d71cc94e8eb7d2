"""Figure 3: the corridor map at chosen quarters, and the difference between two states.

Hubs sit at their real longitude/latitude (equirectangular projection, no
basemap: nothing is downloaded); segments are lines whose width is the volume
carried in the quarter and whose colour is the utilization (volume / capacity).
The difference map colours each segment by the change in volume between two
states (scenario minus baseline at the same quarter).

Which quarters: by default the report draws, for a comparison, both scenarios at
the quarter where their segment volumes differ most (a closure shows wherever it
falls in the horizon), and for a single scenario the first quarter, the quarter
that differs most from it, and the last (before, during, after);
``caravan-report --map-quarters 2025Q2`` picks the quarters instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap, Normalize, TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from analysis.figures.base import NotApplicable
from analysis.reportdata import FigureSpec, ReportData
from analysis.style import A4_WIDTH, new_figure, styled

#: Utilization colours: perceptually uniform "plasma" (dark = idle, bright = full),
#: cut before its palest yellow so that thin lines stay visible on white.
UTILIZATION_CMAP = LinearSegmentedColormap.from_list(
    "caravan_utilization", colormaps["plasma"](np.linspace(0.0, 0.85, 256))
)
UNCAPACITATED_COLOR = (0.62, 0.62, 0.62, 0.9)
CHANGE_CMAP = colormaps["RdBu"]
UNIT = "Mt per quarter"
"""Volumes are tonnes carried in one quarter (``segments.parquet``: ``volume_t``)."""


def _geometry(hubs: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    pts = hubs.dropna(subset=["lon", "lat"]).drop_duplicates("hub").set_index("hub")
    xy = pts[["lon", "lat"]]
    geo = segments.join(xy, on="from_hub").join(
        xy.rename(columns={"lon": "lon_to", "lat": "lat_to"}), on="to_hub"
    )
    return geo.dropna(subset=["lon", "lat", "lon_to", "lat_to"])


def _labelled(pts: pd.DataFrame, state: pd.DataFrame, max_labels: int) -> pd.DataFrame:
    """Hubs to name: the busiest ones, skipping any too close to a name already placed."""
    weight = state["volume_t"].abs()
    through = (
        pd.concat([weight.groupby(state["from_hub"]).sum(), weight.groupby(state["to_hub"]).sum()])
        .groupby(level=0)
        .sum()
    )
    pts = pts.assign(through=pts["hub"].map(through).fillna(0.0))
    if "label" not in pts:
        pts = pts.assign(label=pts["hub"])
    pts = pts.assign(label=pts["label"].fillna(pts["hub"]).astype(str))
    span_x = max(float(pts["lon"].max() - pts["lon"].min()), 1.0)
    span_y = max(float(pts["lat"].max() - pts["lat"].min()), 1.0)
    chosen: list[int] = []
    for i, r in pts.sort_values("through", ascending=False).iterrows():
        if len(chosen) >= max_labels or r["through"] <= 0:
            break
        near = any(
            abs(r["lon"] - pts.at[j, "lon"]) < 0.2 * span_x
            and abs(r["lat"] - pts.at[j, "lat"]) < 0.08 * span_y
            for j in chosen
        )
        if not near:
            chosen.append(i)
    return pts.loc[chosen]


def _frame(ax, pts: pd.DataFrame, lat0: float, title: str) -> None:  # noqa: ANN001
    ax.scatter(pts["lon"], pts["lat"], s=5, color="black", zorder=3, linewidths=0)
    ax.set_aspect(1 / np.cos(lat0))
    ax.set_title(title, loc="left", fontsize=8)
    ax.set_xlabel("longitude (°E)")
    ax.tick_params(labelsize=6.5)


def _label(ax, pts: pd.DataFrame, state: pd.DataFrame, max_labels: int) -> None:  # noqa: ANN001
    for r in _labelled(pts, state, max_labels).itertuples(index=False):
        ax.annotate(
            r.label.split(" (")[0],
            (r.lon, r.lat),
            xytext=(2, 2),
            textcoords="offset points",
            fontsize=6,
            zorder=4,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7},
        )


def _limits(axes, pts: pd.DataFrame) -> None:  # noqa: ANN001
    pad_x = 0.04 * (pts["lon"].max() - pts["lon"].min() + 1)
    pad_y = 0.05 * (pts["lat"].max() - pts["lat"].min() + 1)
    axes[0].set_xlim(pts["lon"].min() - pad_x, pts["lon"].max() + 3 * pad_x)
    axes[0].set_ylim(pts["lat"].min() - pad_y, pts["lat"].max() + pad_y)


def _mt(t: float) -> str:
    """Tonnes per quarter as a legend label in Mt per quarter and per year."""
    mt = t / 1e6

    def num(x: float) -> str:
        return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"

    return f"{num(mt)} Mt/quarter ({num(4 * mt)} Mt/yr)"


def _points(hubs: pd.DataFrame, geo: pd.DataFrame) -> pd.DataFrame:
    used = set(geo["from_hub"]) | set(geo["to_hub"])
    pts = hubs.dropna(subset=["lon", "lat"]).drop_duplicates("hub")
    return pts[pts["hub"].isin(used)]


@styled
def corridor_map(
    hubs: pd.DataFrame,
    segments: pd.DataFrame,
    states: Sequence[tuple[str, pd.DataFrame]],
    max_width: float = 6.0,
    max_labels: int = 8,
) -> Figure:
    """Maps of the corridor network with segment volume and utilization, one per state.

    Args:
        hubs: Columns ``hub``, ``lon``, ``lat`` (degrees; rows without coordinates
            are skipped) and optionally ``label``.
        segments: Columns ``segment``, ``from_hub``, ``to_hub``, ``corridor``.
        states: (panel title, table) per panel; a table has columns ``segment``,
            ``volume_t`` (tonnes in the quarter) and ``utilization``.
        max_width: Line width (points) of the largest volume on any panel.
        max_labels: Hubs named per panel, the busiest that do not crowd each other.

    Returns:
        The panels side by side with a shared colour scale and width key.

    Raises:
        NotApplicable: If no segment of the data can be placed on the network.
    """
    geo = _geometry(hubs, segments)
    placed = [
        (t, geo.merge(df[["segment", "volume_t", "utilization"]], on="segment")) for t, df in states
    ]
    if all(s.empty for _, s in placed):
        raise NotApplicable(
            "No segment in the segment table has both end hubs on the corridor network "
            "with coordinates."
        )
    vmax_vol = max(float(s["volume_t"].max()) for _, s in placed if not s.empty) or 1.0
    umax = max(1.0, *(float(np.nan_to_num(s["utilization"].max())) for _, s in placed))
    norm = Normalize(0.0, umax)
    pts = _points(hubs, geo)
    lat0 = float(np.deg2rad(pts["lat"].mean()))
    n = len(placed)
    fig = new_figure(height=3.4 if n == 2 else 2.9, width=A4_WIDTH)
    axes = np.atleast_1d(fig.subplots(1, n, sharex=True, sharey=True))
    for ax, (title, state) in zip(axes, placed, strict=True):
        lines = [[(r.lon, r.lat), (r.lon_to, r.lat_to)] for r in state.itertuples(index=False)]
        widths = 0.3 + (max_width - 0.3) * state["volume_t"].to_numpy() / vmax_vol
        utilization = state["utilization"].to_numpy(dtype=float)
        colors = UTILIZATION_CMAP(norm(np.nan_to_num(utilization, nan=0.0)))
        colors[np.isnan(utilization)] = UNCAPACITATED_COLOR
        ax.add_collection(
            LineCollection(lines, linewidths=widths, colors=colors, capstyle="round", zorder=2)
        )
        _frame(ax, pts, lat0, title)
        _label(ax, pts, state, max_labels)
    axes[0].set_ylabel("latitude (°N)")
    _limits(axes, pts)
    fig.colorbar(
        ScalarMappable(norm=norm, cmap=UTILIZATION_CMAP),
        ax=list(axes),
        orientation="horizontal",
        shrink=0.45,
        aspect=30,
        label="utilization (volume / capacity); grey = no capacity limit",
        location="bottom",
    )
    handles = [
        Line2D([], [], color="#555555", lw=0.3 + (max_width - 0.3) * f, label=_mt(vmax_vol * f))
        for f in (0.1, 0.5, 1.0)
    ]
    fig.legend(
        handles=handles,
        title="volume carried in the quarter",
        loc="outside lower center",
        ncols=3,
        fontsize=6,
        title_fontsize=6.5,
    )
    fig.suptitle("Corridor network: volume carried in the quarter (width), utilization (colour)")
    return fig


@styled
def corridor_difference_map(
    hubs: pd.DataFrame,
    segments: pd.DataFrame,
    before: pd.DataFrame,
    after: pd.DataFrame,
    title: str,
    max_width: float = 6.0,
    max_labels: int = 10,
) -> Figure:
    """One map coloured by the change in segment volume, ``after`` minus ``before``.

    Args:
        hubs: As for :func:`corridor_map`.
        segments: As for :func:`corridor_map`.
        before: Columns ``segment``, ``volume_t`` of the reference state.
        after: The same for the compared state (same quarter, other scenario).
        title: Panel title (say which states and which quarter).
        max_width: Line width of the largest absolute change.
        max_labels: Hubs named, those next to the largest changes.

    Returns:
        One map: red = less volume than the reference, blue = more; width = size of
        the change; grey hairlines = segments whose volume does not change.

    Raises:
        NotApplicable: If no segment can be placed, or no segment's volume changes.
    """
    geo = _geometry(hubs, segments)
    m = before[["segment", "volume_t"]].merge(
        after[["segment", "volume_t"]], on="segment", suffixes=("_b", "_a")
    )
    m["volume_t"] = m["volume_t_a"] - m["volume_t_b"]
    state = geo.merge(m, on="segment")
    if state.empty:
        raise NotApplicable("No compared segment has both end hubs on the network.")
    vmax = float(state["volume_t"].abs().max())
    if not vmax > 0:
        raise NotApplicable("No segment carries a different volume in the two states compared.")
    pts = _points(hubs, geo)
    lat0 = float(np.deg2rad(pts["lat"].mean()))
    fig = new_figure(height=3.6, width=A4_WIDTH * 0.8)
    ax = fig.subplots()
    lines = [[(r.lon, r.lat), (r.lon_to, r.lat_to)] for r in state.itertuples(index=False)]
    change = state["volume_t"].to_numpy(float)
    still = np.abs(change) < 1e-3 * vmax
    norm = TwoSlopeNorm(0.0, -vmax, vmax)
    colors = CHANGE_CMAP(norm(change))
    colors[still] = (0.75, 0.75, 0.75, 0.8)
    widths = np.where(still, 0.4, 0.6 + (max_width - 0.6) * np.abs(change) / vmax)
    ax.add_collection(
        LineCollection(lines, linewidths=widths, colors=colors, capstyle="round", zorder=2)
    )
    _frame(ax, pts, lat0, title)
    _label(ax, pts, state, max_labels)
    ax.set_ylabel("latitude (°N)")
    _limits([ax], pts)
    fig.colorbar(
        ScalarMappable(norm=Normalize(-vmax / 1e6, vmax / 1e6), cmap=CHANGE_CMAP),
        ax=ax,
        orientation="horizontal",
        shrink=0.6,
        aspect=30,
        location="bottom",
        label=f"change in volume ({UNIT}); red = less, blue = more, grey = unchanged",
    )
    fig.suptitle("Corridor network: change in volume carried")
    return fig


# --------------------------------------------------------------------------- report


def _median_state(df: pd.DataFrame) -> pd.DataFrame:
    return df.groupby("segment")[["volume_t", "utilization"]].median().reset_index()


def _per_quarter(df: pd.DataFrame) -> pd.DataFrame:
    """Median volume per quarter × segment across runs: quarters as rows."""
    return df.groupby(["quarter", "segment"])["volume_t"].median().unstack(fill_value=0.0)


def _most_different(a: pd.DataFrame, b: pd.DataFrame) -> str:
    """The quarter at which two per-quarter volume tables differ most (summed |Δ|)."""
    common = a.index.intersection(b.index)
    cols = a.columns.union(b.columns)
    gap = (
        (
            a.reindex(index=common, columns=cols, fill_value=0.0)
            - b.reindex(index=common, columns=cols, fill_value=0.0)
        )
        .abs()
        .sum(axis=1)
    )
    return str(gap.idxmax())


def _check_quarters(seg: pd.DataFrame, quarters: Sequence[str]) -> list[str]:
    have = sorted(set(seg["quarter"].astype(str)))
    missing = [q for q in quarters if q not in have]
    if missing:
        raise NotApplicable(
            f"--map-quarters {', '.join(missing)} not in the runs ({have[0]}–{have[-1]})."
        )
    return list(quarters)


def report_specs(d: ReportData) -> list[FigureSpec]:
    """The corridor map(s) of the report: states at chosen quarters, and the difference map."""
    net = d.network
    seg_all = d.tables["segments"]

    def need() -> pd.DataFrame:
        if net is None:
            raise NotApplicable(
                "No corridor network geometry was found in sim/data/corridors/ and no "
                "--network directory was given."
            )
        if seg_all is None:
            raise NotApplicable("The runs have no segment table (routing layer off).")
        return seg_all

    def pick() -> tuple[list[tuple[str, pd.DataFrame]], str]:
        seg = need()
        if d.baseline is not None:
            base, sc = d.table("segments", d.baseline), d.table("segments", d.others[0])
            if base is None or sc is None:
                raise NotApplicable(
                    f"The segment table is missing for {d.baseline} or {d.others[0]}."
                )
            if d.map_quarters:
                q = _check_quarters(seg, d.map_quarters)[0]
                why = "chosen with --map-quarters"
            else:
                q = _most_different(_per_quarter(base), _per_quarter(sc))
                why = "the quarter where the two differ most"
            states = [(f"{d.baseline}, {q}", base), (f"{d.others[0]}, {q}", sc)]
            return [(t, _median_state(df[df["quarter"] == q])) for t, df in states], why
        sc = d.order[0]
        table = d.table("segments", sc)
        per = _per_quarter(table)
        if d.map_quarters:
            qs, why = _check_quarters(seg, d.map_quarters)[:3], "chosen with --map-quarters"
        else:
            first, last = str(per.index.min()), str(per.index.max())
            gap = (per - per.loc[first]).abs().sum(axis=1).drop(index=first)
            mid = str(gap.idxmax()) if len(gap) else last
            qs = list(dict.fromkeys([first, mid, last]))
            why = "first quarter, the quarter most unlike it, last quarter"
        tags = ["before", "during", "after"] if len(qs) == 3 and not d.map_quarters else [""] * 3
        return [
            (
                f"{sc}, {q}" + (f" ({tag})" if tag else ""),
                _median_state(table[table["quarter"] == q]),
            )
            for q, tag in zip(qs, tags, strict=False)
        ], why

    def draw_states() -> Figure:
        states, _ = pick()
        return corridor_map(net.hubs, net.segments, states)

    def draw_difference() -> Figure:
        states, _ = pick()
        if d.baseline is None:
            raise NotApplicable(
                "There is one scenario, so no difference map between scenarios "
                "(pass --baseline PATH, or sweep over scenarios)."
            )
        (t0, b), (t1, s) = states
        return corridor_difference_map(
            net.hubs, net.segments, b, s, title=f"{t1.split(',')[0]} − {t0}"
        )

    try:
        states, why = pick()
        shown = f" Shown here: {'; '.join(t for t, _ in states)} ({why})."
    except NotApplicable:
        shown = ""
    return [
        FigureSpec(
            "corridor_map",
            "Corridor map",
            "Hubs at their longitude/latitude; line width = tonnes carried in the quarter "
            f"({UNIT}; the legend also gives the annual rate), colour = utilization (volume / "
            "capacity), medians across replications. Quarters: for a comparison, the quarter "
            "where the scenarios' segment volumes differ most; for one scenario, before / "
            "during / after (first quarter, the quarter most unlike it, last quarter); "
            "`--map-quarters` chooses them." + shown,
            draw_states,
        ),
        FigureSpec(
            "corridor_difference",
            "Corridor map, scenario minus baseline",
            "Change in tonnes carried per segment at the quarter of the corridor map (scenario "
            "minus baseline, medians across replications): red = less cargo, blue = more, "
            "width = size of the change.",
            draw_difference,
        ),
    ]
