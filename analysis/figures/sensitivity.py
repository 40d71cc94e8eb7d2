"""Figure 6: Sobol or Morris sensitivity indices as bars, with a convergence check.

Sobol indices estimated from too few design rows come out negative, with the
total index below the first-order one, and with confidence half-widths near 1;
:func:`convergence` says so in words, and the figure and the report carry it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analysis.figures.base import NotApplicable, panel_grid
from analysis.indicators import by_column
from analysis.reportdata import FigureSpec, ReportData
from analysis.style import OKABE_ITO, styled
from sim.sweep.sensitivity import convergence

#: Indices drawn per method, with their axis label.
METHOD_INDICES: dict[str, tuple[tuple[str, ...], str]] = {
    "sobol": (("S1", "ST"), "Sobol index (share of output variance)"),
    "morris": (("mu_star", "sigma"), "Morris elementary effect (output units)"),
}
INDEX_LABELS = {"S1": "first order S1", "ST": "total ST", "mu_star": "μ*", "sigma": "σ"}

#: Display names of the design parameters the shipped sweeper config samples.
PARAMETER_LABELS: dict[str, str] = {
    "trade.sigma": "elasticity of substitution σ",
    "trade.adjustment": "share of the gap to the GE target closed per quarter",
    "tariff.cis_fta_exemption_share": "CIS FTA exemption share",
}


def parameter_label(key: str) -> str:
    """``"trade.sigma"`` → ``"elasticity of substitution σ (trade.sigma)"``."""
    return f"{PARAMETER_LABELS[key]} ({key})" if key in PARAMETER_LABELS else key


@styled
def sensitivity_bars(indices: pd.DataFrame, method: str = "sobol") -> Figure:
    """Horizontal bars of sensitivity indices per parameter, one panel per output.

    Args:
        indices: Columns ``output``, ``parameter``, ``method``, ``index``,
            ``value``, ``conf`` (half-width of the confidence interval, may be NaN).
        method: ``"sobol"`` (S1 and ST) or ``"morris"`` (μ* and σ).

    Returns:
        Parameters on the y axis (largest total effect on top), error bars from
        ``conf``; outputs and parameters by their names; a red warning line under
        the title when :func:`convergence` finds the indices unresolved.

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
    fig, axes = panel_grid(len(outputs), ncols=1, row_height=0.5 + 0.3 * df["parameter"].nunique())
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
            xerr = None if err is None or err.isna().all() else err.fillna(0).abs().to_numpy()
            ax.barh(
                y + (k - 0.5) * height,
                wide[idx],
                height,
                color=colours[idx],
                xerr=xerr,
                error_kw={"lw": 0.7, "capsize": 1.5},
            )
        ax.set_yticks(y, [parameter_label(p) for p in wide.index])
        ax.tick_params(axis="y", labelsize=6)
        ax.set_title(by_column(output).label, loc="left")
        ax.set_xlabel(xlabel)
        ax.grid(axis="y", visible=False)
        ax.axvline(0, color="#555555", lw=0.6)
    handles = [Patch(color=colours[i], label=INDEX_LABELS[i]) for i in which]
    fig.legend(
        handles=handles + [Patch(color="none", label="bars: 95 % CI where given")],
        loc="outside lower center",
        ncols=3,
    )
    title = f"Sensitivity: {method.capitalize()} indices"
    warning = convergence(indices, method)
    fig.suptitle(
        title + ("\nNOT RESOLVED: see the report's caveats" if warning else ""),
        color="#B00000" if warning else "black",
    )
    return fig


CAPTIONS = {
    "sobol": "First-order (S1) and total (ST) Sobol indices: the share of each output's "
    "variance due to a parameter alone and with its interactions; bars are 95 % CIs. "
    "Design rows share seeds (common random numbers) unless the sweep set sweep.seeds.",
    "morris": "Morris screening: μ* (mean absolute elementary effect, output units) and σ "
    "(its spread; high σ = non-linear or interacting).",
}


def report_specs(d: ReportData) -> list[FigureSpec]:
    """One sensitivity figure per method in the sweep's index table."""
    idx = d.results.indices

    def fail(reason: str) -> list[FigureSpec]:
        def draw() -> Figure:
            raise NotApplicable(reason)

        return [FigureSpec("sensitivity", "Sensitivity indices", "", draw)]

    if idx is None:
        return fail("This is not a sensitivity sweep (no sensitivity/indices.parquet).")
    methods = [m for m in ("sobol", "morris") if m in set(idx["method"])]
    if not methods:
        return fail("The sensitivity table holds neither Sobol nor Morris indices.")
    for m in methods:
        if warning := convergence(idx, m):
            d.notes.append(warning)
    return [
        FigureSpec(
            f"sensitivity_{m}",
            f"Sensitivity: {m.capitalize()}",
            CAPTIONS[m] + (f" Warning: {w}" if (w := convergence(idx, m)) else ""),
            lambda m=m: sensitivity_bars(idx, m),
        )
        for m in methods
    ]
