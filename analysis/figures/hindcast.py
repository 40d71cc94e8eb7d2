"""Figure 7: simulated settlement shares against every published figure they overlap."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis.figures.base import NotApplicable, panel_grid
from analysis.indicators import by_column
from analysis.published import USES, errors, overlapping
from analysis.quarters import quarter_axis, quarter_labels, with_quarter_index
from analysis.reportdata import FigureSpec, ReportData
from analysis.stats import band_label, spread
from analysis.style import OKABE_ITO, styled

#: Marker per use: fitted points filled, held-out points hollow, context points small.
USE_STYLE: dict[str, dict] = {
    "initial": {"marker": "s", "mfc": "black", "mec": "black"},
    "calibration": {"marker": "o", "mfc": OKABE_ITO["vermillion"], "mec": "black"},
    "validation": {"marker": "o", "mfc": "white", "mec": OKABE_ITO["vermillion"], "mew": 1.4},
    "context": {"marker": "D", "mfc": "#BBBBBB", "mec": "#555555", "ms": 3.5},
}
QUALIFIER_MARK = {"over": "≥", "under": "≤", "approx": "~"}


@styled
def hindcast_chart(world: pd.DataFrame, targets: pd.DataFrame, title: str) -> Figure:
    """One panel per published series: simulated band and median, every published point, its error.

    Args:
        world: World table of one scenario's runs (``quarter``, ``run``, the series columns).
        targets: Published figures (:func:`analysis.published.read_targets`).
        title: Figure title.

    Returns:
        Share in % on the y axis, quarters on the x axis; each published point is
        annotated with the simulated median minus the published value (pp).

    Raises:
        NotApplicable: If no published figure falls in a simulated quarter of a
            series the runs have.
    """
    over = overlapping(targets, world)
    if over.empty:
        quarters = sorted(world["quarter"].astype(str).unique())
        pub = sorted(targets["quarter"].astype(str).unique())
        raise NotApplicable(
            f"The runs ({quarters[0]}–{quarters[-1]}) overlap no published settlement figure "
            f"({pub[0]}–{pub[-1]}); run scenario=hindcast_2022 for the hindcast."
        )
    err = errors(over, world)
    world = with_quarter_index(world)
    labels = quarter_labels(world)
    index = {v: k for k, v in labels.items()}
    series = list(dict.fromkeys(err["series"]))
    n_runs = int(world["run"].nunique()) if "run" in world else 1
    fig, axes = panel_grid(len(series), ncols=3, row_height=1.9)
    colour = OKABE_ITO["blue"]
    for ax, col in zip(axes, series, strict=True):
        lo, mid, hi = spread(world, col, 100.0)
        if n_runs > 1:
            ax.fill_between(lo.index, lo, hi, color=colour, alpha=0.25, lw=0)
        ax.plot(mid.index, mid, color=colour, lw=1.2)
        for r in err[err["series"] == col].itertuples(index=False):
            x = index[str(r.quarter)]
            style = {"ms": 4.5, "mew": 0.6, **USE_STYLE.get(str(r.use), USE_STYLE["context"])}
            ax.plot(x, r.published_pct, ls="none", **style)
            mark = QUALIFIER_MARK.get(str(r.qualifier), "")
            ax.annotate(
                f"{mark}{r.published_pct:.0f}: {r.error_pp:+.1f}",
                (x, r.published_pct),
                xytext=(3, -9 if r.error_pp > 0 else 4),
                textcoords="offset points",
                fontsize=5.5,
            )
        ax.set_title(textwrap.fill(by_column(col).label, 30), loc="left", fontsize=7)
        ax.set_ylim(0, 100)
        ax.set_ylabel("%")
        ax.set_xlabel("")
        quarter_axis(ax, labels, max_ticks=3)
    handles = [
        Line2D([], [], color=colour, label="simulated, median"),
        *(
            [Patch(color=colour, alpha=0.25, label=f"simulated, {band_label(n_runs)}")]
            if n_runs > 1
            else []
        ),
    ]
    for use in dict.fromkeys(err["use"].astype(str)):
        style = {"ms": 4.5, "mew": 0.6, **USE_STYLE.get(use, USE_STYLE["context"])}
        handles.append(Line2D([], [], ls="none", label=f"published, {USES.get(use, use)}", **style))
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=6.5)
    fig.suptitle(title + "\n(label: published value: simulated − published, pp; ≥ a lower bound)")
    return fig


def report_specs(d: ReportData) -> list[FigureSpec]:
    """The hindcast figure: only where the runs overlap published figures."""
    sc = d.baseline or d.order[0]

    def draw() -> Figure:
        if d.targets is None:
            raise NotApplicable(
                "No published settlement figures (sim/data/settlement/targets.csv)."
            )
        world = d.table("world", sc)
        return hindcast_chart(world, d.targets, f"Hindcast: {sc} against published figures")

    return [
        FigureSpec(
            "hindcast",
            "Hindcast against published settlement figures",
            f"Every published settlement figure that falls in a simulated quarter ({sc}), against "
            "the simulated median and spread across runs; each point is labelled with its "
            "error (simulated minus published, pp). Filled points were fitted (2022), hollow "
            "points are held out (2023), grey ones are context only "
            "(sim/data/settlement/targets.csv gives each figure's source).",
            draw,
        )
    ]


def error_table(d: ReportData) -> pd.DataFrame:
    """The hindcast errors of the report's first scenario (empty if nothing overlaps)."""
    if d.targets is None:
        return pd.DataFrame()
    world = d.table("world", d.baseline or d.order[0])
    over = overlapping(d.targets, world)
    if over.empty:
        return pd.DataFrame()
    e = errors(over, world)
    cols = ["series", "quarter", "use", "published_pct", "simulated_pct", "error_pp", "who_said"]
    cols += [c for c in ("source",) if c in e]
    return e[cols].assign(error_pp=np.round(e["error_pp"], 1))
