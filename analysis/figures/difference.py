"""Figure 2: scenario minus baseline over time, with confidence intervals."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis.figures.base import NotApplicable, panel_grid
from analysis.indicators import Indicator, available
from analysis.palette import scenario_colour
from analysis.quarters import quarter_axis, quarter_labels
from analysis.reportdata import FigureSpec, ReportData
from analysis.stats import difference
from analysis.style import GREY, styled


@styled
def difference_chart(
    scenarios: pd.DataFrame,
    baseline: pd.DataFrame,
    indicators: Sequence[Indicator] | None = None,
    level: float = 0.95,
) -> Figure:
    """Mean difference of each headline indicator from the baseline, with a CI band.

    Args:
        scenarios: World table of the scenario runs (one or more scenarios, told
            apart by the ``scenario`` column).
        baseline: World table of the baseline runs.
        indicators: Indicators to draw; default: those present on both sides.
        level: Confidence level of the band.

    Returns:
        One panel per indicator, one line per scenario.

    Raises:
        NotApplicable: If there is no scenario to compare or no common indicator.
    """
    if scenarios.empty or baseline.empty:
        raise NotApplicable("There is no scenario other than the baseline to compare.")
    if indicators is None:
        inds = [i for i in available(scenarios) if i.column in baseline]
    else:
        inds = list(indicators)
    if not inds:
        raise NotApplicable("Scenario and baseline share no headline indicator.")
    names = sorted(scenarios["scenario"].unique())
    colours = {s: scenario_colour(s) for s in names}
    labels = quarter_labels(scenarios)
    fig, axes = panel_grid(len(inds))
    paired, any_ci = True, False
    for ax, ind in zip(axes, inds, strict=True):
        ax.axhline(0, color=GREY, lw=0.8)
        for sc in names:
            d = difference(
                scenarios[scenarios["scenario"] == sc],
                baseline,
                ind.column,
                ind.change,
                ind.scale,
                level,
            )
            if d.empty:
                continue
            paired &= bool(d["paired"].all())
            if np.isfinite(d["lo"]).any():
                any_ci = True
                ax.fill_between(d["quarter_index"], d["lo"], d["hi"], color=colours[sc], alpha=0.3)
            ax.plot(d["quarter_index"], d["mean"], color=colours[sc])
        ax.set_title(ind.label, loc="left")
        ax.set_ylabel(ind.change_unit)
        quarter_axis(ax, labels, max_ticks=5)
    handles: list = [Line2D([], [], color=colours[s], label=f"{s} − baseline") for s in names]
    if any_ci:
        how = "paired by seed" if paired else "independent samples"
        handles.append(Patch(color=GREY, alpha=0.4, label=f"{level:.0%} CI of the mean ({how})"))
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 3))
    fig.suptitle("Scenario minus baseline")
    return fig


def report_specs(d: ReportData) -> list[FigureSpec]:
    """The scenario-minus-baseline figure of the report."""
    world = d.tables["world"]

    def draw() -> Figure:
        if d.baseline is None:
            raise NotApplicable(
                "There is a single scenario, so there is no difference from a baseline "
                "(pass --baseline PATH, or sweep over scenarios)."
            )
        return difference_chart(
            world[world["scenario"].isin(d.others)], world[world["scenario"] == d.baseline]
        )

    return [
        FigureSpec(
            "difference",
            "Scenario minus baseline",
            "Mean difference from the baseline across replications, with its 95 % confidence "
            "interval (paired by seed where the runs share seeds); levels as percent change, "
            "shares in percentage points.",
            draw,
        )
    ]
