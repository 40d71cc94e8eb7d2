"""Figure 4: heatmap of bilateral flow changes, imputed baseline cells hatched."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from analysis.blocs import economy_order
from analysis.figures.base import NotApplicable
from analysis.reportdata import FigureSpec, ReportData, at_quarter, first_quarter, quarter_of
from analysis.style import A4_WIDTH, new_figure, styled


def flow_change_matrix(
    after: pd.DataFrame, before: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Percent change of the mean flow per exporter × importer, and the imputed mask.

    Args:
        after: Pairs rows (``exporter``, ``importer``, ``flow``) of the state
            compared, any number of runs.
        before: The same for the reference state; its ``provenance`` column (if
            any) flags imputed baseline cells.

    Returns:
        ``(change, imputed)``: exporters × importers frames of percent change and
        of booleans, in display order.
    """
    a = after.groupby(["exporter", "importer"])["flow"].mean()
    b = before.groupby(["exporter", "importer"])["flow"].mean()
    change = (100.0 * (a / b - 1.0)).unstack()
    order = economy_order(set(change.index) | set(change.columns))
    change = change.reindex(index=order, columns=order)
    if "provenance" in before:
        prov = before.drop_duplicates(["exporter", "importer"]).set_index(["exporter", "importer"])
        imputed = (prov["provenance"].astype(str) == "imputed").unstack()
        imputed = imputed.reindex(index=order, columns=order).fillna(False).astype(bool)
    else:
        imputed = pd.DataFrame(False, index=order, columns=order)
    return change, imputed


@styled
def flow_change_heatmap(
    after: pd.DataFrame,
    before: pd.DataFrame,
    title: str = "Bilateral flow change",
    change_label: str = "change in flow (%)",
) -> Figure:
    """Heatmap of the percent change in each bilateral flow (rows exporters).

    Args:
        after: Pairs rows of the state compared (e.g. the scenario's final quarter).
        before: Pairs rows of the reference (e.g. the baseline's final quarter),
            with ``provenance`` of the baseline cell.
        title: Figure title.
        change_label: Colour-bar label (with unit).

    Returns:
        A square heatmap; cells whose baseline value is imputed are hatched.

    Raises:
        NotApplicable: If the two tables share no pair.
    """
    change, imputed = flow_change_matrix(after, before)
    values = change.to_numpy(float)
    if not np.isfinite(values).any():
        raise NotApplicable("The compared pair tables share no exporter–importer pair.")
    lim = float(np.nanpercentile(np.abs(values), 99)) or 1.0
    fig = new_figure(height=5.2, width=A4_WIDTH * 0.85)
    ax = fig.subplots()
    im = ax.imshow(values, cmap="PuOr", vmin=-lim, vmax=lim, interpolation="nearest")
    ax.set_facecolor("#EEEEEE")
    n_rows, n_cols = values.shape
    rgba = im.cmap(im.norm(np.nan_to_num(values)))
    luminance = rgba[..., :3] @ np.array([0.299, 0.587, 0.114])
    for i in range(n_rows):
        for j in range(n_cols):
            if imputed.iat[i, j]:
                ink = "white" if luminance[i, j] < 0.5 else "#333333"
                ax.add_patch(
                    Rectangle(
                        (j - 0.5, i - 0.5), 1, 1, fill=False, hatch="////", edgecolor=ink, lw=0
                    )
                )
    ax.set_xticks(range(n_cols), change.columns, rotation=90)
    ax.set_yticks(range(n_rows), change.index)
    ax.set_xlabel("importer")
    ax.set_ylabel("exporter")
    ax.grid(False)
    ax.tick_params(length=0)
    fig.colorbar(im, ax=ax, shrink=0.8, label=change_label, extend="both")
    n_imp = int(imputed.to_numpy().sum())
    fig.legend(
        handles=[
            Patch(
                facecolor="white",
                edgecolor="#333333",
                hatch="////",
                label=f"baseline value imputed ({n_imp} cells); grey: no pair",
            )
        ],
        loc="outside lower left",
        fontsize=6.5,
    )
    ax.set_title(title, loc="left")
    return fig


def _states(d: ReportData) -> tuple[pd.DataFrame, pd.DataFrame, str, str]:
    """The two pair tables compared: baseline and scenario at the last quarter, or first/last."""
    if d.baseline is not None:
        sc = d.others[0]
        b, s = d.table("pairs", d.baseline), d.table("pairs", sc)
        if b is None or s is None:
            raise NotApplicable(
                f"The pairs table is missing for {d.baseline if b is None else sc}."
            )
        b, s = at_quarter(b), at_quarter(s)
        return b, s, f"{d.baseline}, {quarter_of(b)}", f"{sc}, {quarter_of(s)}"
    sc = d.order[0]
    t = d.table("pairs", sc)
    if t is None:
        raise NotApplicable("The run has no pairs table.")
    b, s = first_quarter(t), at_quarter(t)
    return b, s, f"{sc}, {quarter_of(b)}", f"{sc}, {quarter_of(s)}"


def report_specs(d: ReportData) -> list[FigureSpec]:
    """The bilateral flow-change heatmap of the report."""

    def draw() -> Figure:
        before, after, t0, t1 = _states(d)
        return flow_change_heatmap(
            after,
            before,
            title=f"Bilateral flow change\n{t1} vs {t0}",
            change_label="change in mean flow (%)",
        )

    return [
        FigureSpec(
            "flow_heatmap",
            "Bilateral flow changes",
            "Percent change of the mean bilateral flow (rows exporters, columns importers); "
            "hatched cells have an imputed baseline value (gravity estimate, not reported).",
            draw,
        )
    ]
