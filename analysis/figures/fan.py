"""Figure 1: headline indicators over time, fan charts across replications.

Shares are drawn as levels. Levels that grow with output (world trade, real
income) are dominated by the growth path they share, so when there is a
baseline they are drawn as the percent difference of each run from the
baseline's median path instead: the baseline's own band then shows the model's
noise around zero, and a scenario's band shows its effect.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis.figures.base import NotApplicable, panel_grid
from analysis.indicators import Indicator, available
from analysis.palette import scenario_colour
from analysis.quarters import quarter_axis, quarter_labels
from analysis.reportdata import FigureSpec, ReportData
from analysis.stats import MIN_RUNS_FOR_QUANTILES, band_label, spread
from analysis.style import GREY, styled

#: The middle 50 % band is drawn from this many runs per scenario on.
MIN_RUNS_FOR_IQR = 8


def _vs_baseline(world: pd.DataFrame, ind: Indicator, baseline: str) -> pd.DataFrame:
    """``world`` with ``ind.column`` as % difference from the baseline's median per quarter."""
    base = world[world["scenario"] == baseline].groupby("quarter_index")[ind.column].median()
    ref = world["quarter_index"].map(base)
    return world.assign(**{ind.column: 100.0 * (world[ind.column] / ref - 1.0)})


@styled
def fan_chart(
    world: pd.DataFrame,
    indicators: Sequence[Indicator] | None = None,
    scenarios: Sequence[str] | None = None,
    baseline: str | None = None,
) -> Figure:
    """Median and bands of each headline indicator across runs, per scenario.

    Args:
        world: World table with ``scenario``, ``run``, ``quarter_index`` (and
            ``quarter``) columns, one row per run and quarter.
        indicators: Indicators to draw; default: every headline indicator present.
        scenarios: Scenarios in legend order; default: all, sorted.
        baseline: Scenario whose median path levels are compared with (growing
            levels are then drawn as % difference from it); None draws levels.

    Returns:
        One panel per indicator. The outer band is min–max below 20 runs per
        scenario (and says so), else 5–95 %; the middle 50 % band from 8 runs on.

    Raises:
        NotApplicable: If no scenario has two or more replications, or no
            indicator is present.
    """
    inds = list(indicators) if indicators is not None else available(world)
    if not inds:
        raise NotApplicable("The world table holds none of the headline indicators.")
    scenarios = list(scenarios) if scenarios is not None else sorted(world["scenario"].unique())
    reps = world.groupby("scenario")["run"].nunique().reindex(scenarios).fillna(0)
    if reps.max() < 2:
        raise NotApplicable(
            "A single replication per scenario has no spread across runs: "
            "a fan chart needs at least two seeds of a scenario."
        )
    n_min = int(reps[reps > 0].min())
    labels = quarter_labels(world)
    fig, axes = panel_grid(len(inds))
    for ax, ind in zip(axes, inds, strict=True):
        relative = baseline is not None and ind.change == "pct"
        data = _vs_baseline(world, ind, baseline) if relative else world
        scale = 1.0 if relative else ind.scale
        if relative:
            ax.axhline(0, color=GREY, lw=0.8)
        for sc in scenarios:
            s = data[data["scenario"] == sc]
            if s.empty:
                continue
            c = scenario_colour(sc)
            lo, mid, hi = spread(s, ind.column, scale)
            ax.fill_between(lo.index, lo, hi, color=c, alpha=0.18, lw=0)
            if reps[sc] >= MIN_RUNS_FOR_IQR:
                g = s.groupby("quarter_index")[ind.column]
                ax.fill_between(
                    lo.index,
                    scale * g.quantile(0.25),
                    scale * g.quantile(0.75),
                    color=c,
                    alpha=0.35,
                    lw=0,
                )
            ax.plot(mid.index, mid, color=c)
        title = f"{ind.label}, vs baseline" if relative else ind.label
        ax.set_title(title, loc="left")
        ax.set_ylabel(f"% vs {baseline} median" if relative else ind.unit)
        quarter_axis(ax, labels, max_ticks=5)
    handles = [Line2D([], [], color=scenario_colour(s), label=s) for s in scenarios]
    if n_min >= MIN_RUNS_FOR_IQR:
        handles.append(Patch(color=GREY, alpha=0.6, label="middle 50 % of runs"))
    handles.append(Patch(color=GREY, alpha=0.25, label=band_label(n_min)))
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4))
    lo_n, hi_n = int(reps.min()), int(reps.max())
    runs = f"{lo_n}" if lo_n == hi_n else f"{lo_n}–{hi_n}"
    fig.suptitle(f"Headline indicators across replications ({runs} runs per scenario)")
    return fig


def report_specs(d: ReportData) -> list[FigureSpec]:
    """The fan chart of the report."""
    n = min(d.runs(s) for s in d.order)
    band = (
        f"the band spans the lowest to the highest run (fewer than {MIN_RUNS_FOR_QUANTILES} "
        "runs per scenario)"
        if n < MIN_RUNS_FOR_QUANTILES
        else "the bands hold the middle 50 % and 90 % of runs"
    )
    relative = (
        f" World trade and real income, which grow along the same path in every scenario, "
        f"are drawn as percent difference from {d.baseline}'s median path; shares as levels."
        if d.baseline is not None
        else ""
    )
    return [
        FigureSpec(
            "fan",
            "Headline indicators over time",
            f"Median across replications (line); {band}.{relative}",
            lambda: fan_chart(d.tables["world"], scenarios=d.order, baseline=d.baseline),
        )
    ]
