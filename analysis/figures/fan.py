"""Figure 1: headline indicators over time, fan charts across replications."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis.figures.base import NotApplicable, panel_grid
from analysis.indicators import Indicator, available
from analysis.quarters import quarter_axis, quarter_labels
from analysis.stats import quantile_bands
from analysis.style import GREY, colour_map, styled


@styled
def fan_chart(
    world: pd.DataFrame,
    indicators: Sequence[Indicator] | None = None,
    scenarios: Sequence[str] | None = None,
) -> Figure:
    """Median and 50 % / 90 % bands of each headline indicator, per scenario.

    Args:
        world: World table with ``scenario``, ``run``, ``quarter_index`` (and
            ``quarter``) columns, one row per run and quarter.
        indicators: Indicators to draw; default: every headline indicator present.
        scenarios: Scenarios in legend order; default: all, sorted.

    Returns:
        One panel per indicator.

    Raises:
        NotApplicable: If no scenario has two or more replications, or no
            indicator is present.
    """
    inds = list(indicators) if indicators is not None else available(world)
    if not inds:
        raise NotApplicable("The world table holds none of the headline indicators.")
    scenarios = list(scenarios) if scenarios is not None else sorted(world["scenario"].unique())
    reps = world.groupby("scenario")["run"].nunique()
    if reps.reindex(scenarios).fillna(0).max() < 2:
        raise NotApplicable(
            "A single replication per scenario has no spread across runs: "
            "a fan chart needs at least two seeds of a scenario."
        )
    colours = colour_map(scenarios)
    labels = quarter_labels(world)
    fig, axes = panel_grid(len(inds))
    for ax, ind in zip(axes, inds, strict=True):
        bands = quantile_bands(world, ind.column)
        qcols = ["q05", "q25", "q50", "q75", "q95"]
        bands[qcols] = bands[qcols] * ind.scale
        for sc in scenarios:
            b = bands[bands["scenario"] == sc]
            if b.empty:
                continue
            x, c = b["quarter_index"], colours[sc]
            ax.fill_between(x, b["q05"], b["q95"], color=c, alpha=0.18, lw=0)
            ax.fill_between(x, b["q25"], b["q75"], color=c, alpha=0.38, lw=0)
            ax.plot(x, b["q50"], color=c)
        ax.set_title(ind.label, loc="left")
        ax.set_ylabel(ind.unit)
        quarter_axis(ax, labels, max_ticks=5)
    handles = [Line2D([], [], color=colours[s], label=s) for s in scenarios]
    handles += [
        Patch(color=GREY, alpha=0.6, label="50 % of runs"),
        Patch(color=GREY, alpha=0.25, label="90 % of runs"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 5))
    lo, hi = int(reps.min()), int(reps.max())
    runs = f"{lo}" if lo == hi else f"{lo}–{hi}"
    fig.suptitle(f"Headline indicators across replications ({runs} runs per scenario)")
    return fig
