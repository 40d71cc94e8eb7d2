"""Figure 7: simulated settlement shares against the published data points."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from analysis.figures.base import NotApplicable, panel_grid
from analysis.style import OKABE_ITO, styled

#: Marker per published qualifier: exact, approximate, "over", "under", range.
QUALIFIER_MARKERS = {"eq": "o", "approx": "D", "over": "^", "under": "v", "range": "s"}
QUALIFIER_LABELS = {
    "eq": "published",
    "approx": "published, approximate",
    "over": "published, “over” (a lower bound)",
    "under": "published, “under” (an upper bound)",
    "range": "published range",
}


@styled
def hindcast_chart(
    simulated: pd.DataFrame,
    published: pd.DataFrame,
    scopes: Sequence[str] | None = None,
    measure: str | None = "national_currencies_share",
) -> Figure:
    """Simulated series (median, 90 % band) with the published points, per scope.

    Args:
        simulated: Columns ``scope``, ``year`` (decimal), ``value_pct`` and
            optionally ``run`` (replications give the band).
        published: Columns ``scope``, ``year`` (decimal), ``value_pct``, and
            optionally ``value_pct_high`` (top of a published range),
            ``qualifier`` and ``measure``.
        scopes: Scopes to draw; default: every scope with both simulated and
            published values.
        measure: Keep only published rows of this measure (when the column
            exists); None keeps all.

    Returns:
        One panel per scope, share in % on the y axis, calendar year on the x axis.

    Raises:
        NotApplicable: If no scope has both a simulated series and a published point.
    """
    pub = published
    if measure is not None and "measure" in pub:
        pub = pub[pub["measure"] == measure]
    if scopes is None:
        scopes = [s for s in dict.fromkeys(simulated["scope"]) if s in set(pub["scope"])]
    if not scopes:
        raise NotApplicable(
            "No simulated settlement share has a matching published series "
            f"(simulated scopes: {sorted(set(simulated['scope'])) or 'none'})."
        )
    fig, axes = panel_grid(len(scopes), ncols=2, row_height=2.3)
    colour = OKABE_ITO["blue"]
    for ax, scope in zip(axes, scopes, strict=True):
        s = simulated[simulated["scope"] == scope]
        q = s.groupby("year")["value_pct"].quantile([0.05, 0.5, 0.95]).unstack()
        ax.fill_between(q.index, q[0.05], q[0.95], color=colour, alpha=0.25, lw=0)
        ax.plot(q.index, q[0.5], color=colour)
        p = pub[pub["scope"] == scope]
        for r in p.itertuples(index=False):
            qual = getattr(r, "qualifier", "eq")
            marker = QUALIFIER_MARKERS.get(str(qual), "o")
            high = getattr(r, "value_pct_high", float("nan"))
            if pd.notna(high):
                ax.vlines(r.year, r.value_pct, high, color=OKABE_ITO["vermillion"], lw=1.2)
            ax.plot(
                r.year,
                r.value_pct,
                marker=marker,
                ls="none",
                ms=4.5,
                color=OKABE_ITO["vermillion"],
                mec="black",
                mew=0.4,
            )
        ax.set_title(scope.replace("_", " "), loc="left")
        ax.set_ylabel("national-currency share (%)")
        ax.set_xlabel("year")
        ax.set_ylim(0, 100)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    handles = [
        Line2D([], [], color=colour, label="simulated, median"),
        Patch(color=colour, alpha=0.25, label="simulated, 90 % of runs"),
    ]
    handles += [
        Line2D(
            [],
            [],
            marker=m,
            ls="none",
            color=OKABE_ITO["vermillion"],
            mec="black",
            mew=0.4,
            label=QUALIFIER_LABELS[q],
        )
        for q, m in QUALIFIER_MARKERS.items()
        if "qualifier" in pub and q in set(pub.loc[pub["scope"].isin(scopes), "qualifier"])
    ] or [Line2D([], [], marker="o", ls="none", color=OKABE_ITO["vermillion"], label="published")]
    fig.legend(handles=handles, loc="outside lower center", ncols=3)
    fig.suptitle("Hindcast: settlement in national currencies")
    return fig
