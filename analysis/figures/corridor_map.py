"""Figure 3: the corridor map, before and after a scenario.

Hubs sit at their real longitude/latitude (equirectangular projection, no
basemap: nothing is downloaded); segments are lines whose width is the volume
carried and whose colour is the utilization (volume / capacity).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from analysis.figures.base import NotApplicable
from analysis.style import A4_WIDTH, new_figure, styled

#: Utilization colours: perceptually uniform "plasma" (dark = idle, bright = full),
#: cut before its palest yellow so that thin lines stay visible on white.
UTILIZATION_CMAP = LinearSegmentedColormap.from_list(
    "caravan_utilization", colormaps["plasma"](np.linspace(0.0, 0.85, 256))
)


UNCAPACITATED_COLOR = (0.62, 0.62, 0.62, 0.9)


def _geometry(hubs: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    pts = hubs.dropna(subset=["lon", "lat"]).drop_duplicates("hub").set_index("hub")
    xy = pts[["lon", "lat"]]
    geo = segments.join(xy, on="from_hub").join(
        xy.rename(columns={"lon": "lon_to", "lat": "lat_to"}), on="to_hub"
    )
    return geo.dropna(subset=["lon", "lat", "lon_to", "lat_to"])


def _labelled(pts: pd.DataFrame, state: pd.DataFrame, max_labels: int) -> pd.DataFrame:
    """The hubs to name: the ``max_labels`` with the most volume through them."""
    through = pd.concat(
        [
            state.groupby("from_hub")["volume_t"].sum(),
            state.groupby("to_hub")["volume_t"].sum(),
        ]
    )
    through = through.groupby(level=0).sum()
    pts = pts.assign(through=pts["hub"].map(through).fillna(0.0))
    if "label" not in pts:
        pts = pts.assign(label=pts["hub"])
    pts = pts.assign(label=pts["label"].fillna(pts["hub"]).astype(str))
    return pts.sort_values("through", ascending=False).head(max_labels)


@styled
def corridor_map(
    hubs: pd.DataFrame,
    segments: pd.DataFrame,
    before: pd.DataFrame,
    after: pd.DataFrame,
    titles: Sequence[str] = ("Before", "After"),
    max_width: float = 6.0,
    max_labels: int = 12,
) -> Figure:
    """Two maps of the corridor network with segment volume and utilization.

    Args:
        hubs: Columns ``hub``, ``lon``, ``lat`` (degrees; rows without coordinates
            are skipped).
        segments: Columns ``segment``, ``from_hub``, ``to_hub``, ``corridor``.
        before: Columns ``segment``, ``volume_t`` (tonnes), ``utilization``.
        after: The same, for the second panel.
        titles: Panel titles.
        max_width: Line width (points) of the largest volume on either panel.
        max_labels: Hubs named on each panel, those with the most volume through them
            (the ``label`` column of ``hubs`` if present, else ``hub``).

    Returns:
        Two map panels side by side with a shared colour scale and width key.

    Raises:
        NotApplicable: If no segment of the data can be placed on the network.
    """
    geo = _geometry(hubs, segments)
    states = []
    for df in (before, after):
        states.append(geo.merge(df[["segment", "volume_t", "utilization"]], on="segment"))
    if all(s.empty for s in states):
        raise NotApplicable(
            "No segment in the segment table has both end hubs on the corridor network "
            "with coordinates."
        )
    vmax_vol = max(float(s["volume_t"].max()) for s in states if not s.empty) or 1.0
    umax = max(1.0, *(float(np.nan_to_num(s["utilization"].max())) for s in states if not s.empty))
    norm = Normalize(0.0, umax)
    used = set(geo["from_hub"]) | set(geo["to_hub"])
    pts = hubs.dropna(subset=["lon", "lat"]).drop_duplicates("hub")
    pts = pts[pts["hub"].isin(used)]
    lat0 = float(np.deg2rad(pts["lat"].mean()))
    fig = new_figure(height=3.4, width=A4_WIDTH)
    axes = fig.subplots(1, 2, sharex=True, sharey=True)
    for ax, state, title in zip(axes, states, titles, strict=True):
        lines = [[(r.lon, r.lat), (r.lon_to, r.lat_to)] for r in state.itertuples(index=False)]
        widths = 0.4 + (max_width - 0.4) * state["volume_t"].to_numpy() / vmax_vol
        utilization = state["utilization"].to_numpy(dtype=float)
        colors = UTILIZATION_CMAP(norm(np.nan_to_num(utilization, nan=0.0)))
        colors[np.isnan(utilization)] = UNCAPACITATED_COLOR  # no capacity figure: grey
        lc = LineCollection(
            lines,
            linewidths=widths,
            colors=colors,
            capstyle="round",
            zorder=2,
        )
        ax.add_collection(lc)
        ax.scatter(pts["lon"], pts["lat"], s=9, color="black", zorder=3, linewidths=0)
        for r in _labelled(pts, state, max_labels).itertuples(index=False):
            ax.annotate(
                r.label,
                (r.lon, r.lat),
                xytext=(2, 2),
                textcoords="offset points",
                fontsize=5.5,
                zorder=4,
            )
        ax.set_aspect(1 / np.cos(lat0))
        ax.set_title(title, loc="left")
        ax.set_xlabel("longitude (°E)")
        ax.autoscale_view()
    axes[0].set_ylabel("latitude (°N)")
    pad_x = 0.05 * (pts["lon"].max() - pts["lon"].min() + 1)
    pad_y = 0.05 * (pts["lat"].max() - pts["lat"].min() + 1)
    axes[0].set_xlim(pts["lon"].min() - pad_x, pts["lon"].max() + 4 * pad_x)
    axes[0].set_ylim(pts["lat"].min() - pad_y, pts["lat"].max() + pad_y)
    sm = ScalarMappable(norm=norm, cmap=UTILIZATION_CMAP)
    fig.colorbar(
        sm,
        ax=axes,
        orientation="horizontal",
        shrink=0.45,
        aspect=30,
        label="utilization (volume / capacity); grey = uncapacitated",
        location="bottom",
    )
    keys = [vmax_vol * f for f in (0.1, 0.5, 1.0)]
    handles = [
        Line2D(
            [],
            [],
            color="#555555",
            lw=0.4 + (max_width - 0.4) * k / vmax_vol,
            label=f"{k / 1e6:.3g} Mt",
        )
        for k in keys
    ]
    fig.legend(
        handles=handles,
        title="volume",
        loc="outside lower left",
        ncols=3,
        fontsize=6,
        title_fontsize=6.5,
    )
    fig.suptitle("Corridor network: segment volume (width) and utilization (colour)")
    return fig
