"""Figure 6: Sobol or Morris sensitivity indices as bars."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analysis.figures.base import NotApplicable, panel_grid
from analysis.style import OKABE_ITO, styled

#: Indices drawn per method, with their axis label.
METHOD_INDICES: dict[str, tuple[tuple[str, ...], str]] = {
    "sobol": (("S1", "ST"), "Sobol index (share of output variance)"),
    "morris": (("mu_star", "sigma"), "Morris elementary effect (output units)"),
}
INDEX_LABELS = {"S1": "first order S1", "ST": "total ST", "mu_star": "μ*", "sigma": "σ"}


@styled
def sensitivity_bars(indices: pd.DataFrame, method: str = "sobol") -> Figure:
    """Horizontal bars of sensitivity indices per parameter, one panel per output.

    Args:
        indices: Columns ``output``, ``parameter``, ``method``, ``index``,
            ``value``, ``conf`` (half-width of the confidence interval, may be NaN).
        method: ``"sobol"`` (S1 and ST) or ``"morris"`` (μ* and σ).

    Returns:
        Parameters on the y axis (largest total effect on top), error bars from ``conf``.

    Raises:
        NotApplicable: If the table has no rows for ``method``.
    """
    if method not in METHOD_INDICES:
        raise NotApplicable(f"Unknown sensitivity method {method!r}.")
    which, xlabel = METHOD_INDICES[method]
    df = indices[(indices["method"] == method) & indices["index"].isin(which)]
    if df.empty:
        raise NotApplicable(f"The sensitivity table has no {method} indices.")
    outputs = list(dict.fromkeys(df["output"]))
    colours = dict(zip(which, (OKABE_ITO["blue"], OKABE_ITO["orange"]), strict=True))
    fig, axes = panel_grid(len(outputs), ncols=2, row_height=0.6 + 0.28 * df["parameter"].nunique())
    height = 0.38
    for ax, output in zip(axes, outputs, strict=True):
        d = df[df["output"] == output]
        wide = d.pivot_table(index="parameter", columns="index", values="value")
        conf = d.pivot_table(index="parameter", columns="index", values="conf", dropna=False)
        wide = wide.sort_values(which[-1] if which[-1] in wide else which[0])
        y = np.arange(len(wide))
        for k, idx in enumerate(which):
            if idx not in wide:
                continue
            err = conf.reindex(index=wide.index).get(idx)
            xerr = None if err is None or err.isna().all() else err.fillna(0).to_numpy()
            ax.barh(
                y + (k - 0.5) * height,
                wide[idx],
                height,
                color=colours[idx],
                xerr=xerr,
                error_kw={"lw": 0.7, "capsize": 1.5},
            )
        ax.set_yticks(y, wide.index)
        ax.set_title(output, loc="left")
        ax.set_xlabel(xlabel)
        ax.grid(axis="y", visible=False)
        ax.set_xlim(left=0)
    handles = [Patch(color=colours[i], label=INDEX_LABELS[i]) for i in which]
    fig.legend(
        handles=handles + [Patch(color="none", label="bars: 95 % CI where given")],
        loc="outside lower center",
        ncols=3,
    )
    fig.suptitle(f"Sensitivity: {method.capitalize()} indices")
    return fig
