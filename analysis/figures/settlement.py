"""Figure 5: settlement-currency shares as stacked areas, per bloc and for chosen pairs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analysis.blocs import blocs as shipped_blocs
from analysis.figures.base import NotApplicable, panel_grid
from analysis.palette import OTHER, colours
from analysis.quarters import quarter_axis, quarter_labels, with_quarter_index
from analysis.reportdata import FigureSpec, ReportData
from analysis.style import styled

DEFAULT_PAIRS: tuple[tuple[str, str], ...] = (("RUS", "CHN"), ("RUS", "KAZ"), ("RUS", "IND"))


def _weighted(settlement: pd.DataFrame, pairs: pd.DataFrame | None) -> pd.DataFrame:
    df = settlement.copy()
    if "run" not in df:
        df["run"] = 0
    if pairs is not None and "flow" in pairs:
        w = pairs[["run", "quarter", "exporter", "importer", "flow"]].rename(columns={"flow": "w"})
        df = df.merge(w, on=["run", "quarter", "exporter", "importer"], how="left")
        df["w"] = df["w"].fillna(0.0)
    else:
        df["w"] = 1.0
    return df


def currency_shares(df: pd.DataFrame) -> pd.DataFrame:
    """Trade-weighted currency shares per quarter, averaged over runs.

    Args:
        df: Settlement rows of one group of pairs with weight column ``w``
            (pair flow, or 1), ``run``, ``quarter_index``, ``currency`` and
            ``share_by_value``.

    Returns:
        Quarters × currencies; each row sums to one.
    """
    df = df.assign(ws=df["w"] * df["share_by_value"])
    num = df.groupby(["run", "quarter_index", "currency"])["ws"].sum().unstack(fill_value=0.0)
    tot = df.drop_duplicates(["run", "quarter_index", "exporter", "importer"])
    tot = tot.groupby(["run", "quarter_index"])["w"].sum()
    shares = num.div(tot.where(tot > 0), axis=0).dropna(how="all")
    return shares.groupby(level="quarter_index").mean().fillna(0.0)


@styled
def settlement_areas(
    settlement: pd.DataFrame,
    pairs: pd.DataFrame | None = None,
    blocs: Mapping[str, Sequence[str]] | None = None,
    chosen_pairs: Sequence[tuple[str, str]] | None = None,
    max_currencies: int = 6,
    title: str = "Settlement-currency shares (by value)",
) -> Figure:
    """Stacked areas of the settlement-currency mix over time.

    A bloc panel covers trade with both ends in the bloc; a pair panel covers
    both directions of the pair. Pairs are weighted by their flow when
    ``pairs`` is given (equal weights otherwise); replications are averaged.

    Args:
        settlement: Columns ``quarter``, ``exporter``, ``importer``, ``currency``,
            ``share_by_value`` (and ``run``).
        pairs: Pairs table for flow weights, or None.
        blocs: Bloc name → members, one panel each; default: CIS and EAEU of the World.
        chosen_pairs: Pairs with one panel each; default: RUS–CHN, RUS–KAZ, RUS–IND
            where present.
        max_currencies: Currencies shown by name; the rest are summed as "other".
        title: Figure title.

    Returns:
        One stacked-area panel per bloc and pair.

    Raises:
        NotApplicable: If no bloc or pair has settlement records.
    """
    blocs = shipped_blocs() if blocs is None else blocs
    df = with_quarter_index(_weighted(settlement, pairs))
    present = set(zip(df["exporter"], df["importer"], strict=True))
    if chosen_pairs is None:
        chosen_pairs = [p for p in DEFAULT_PAIRS if p in present or p[::-1] in present]
    groups: dict[str, pd.DataFrame] = {}
    for name, members in blocs.items():
        sel = df[df["exporter"].isin(members) & df["importer"].isin(members)]
        if not sel.empty:
            groups[f"intra-{name}"] = sel
    for a, b in chosen_pairs:
        sel = df[
            ((df["exporter"] == a) & (df["importer"] == b))
            | ((df["exporter"] == b) & (df["importer"] == a))
        ]
        if not sel.empty:
            groups[f"{a}–{b}"] = sel
    if not groups:
        raise NotApplicable("No bloc or chosen pair has settlement records.")
    shares = {k: currency_shares(v) for k, v in groups.items()}
    overall = pd.concat(shares.values()).mean().sort_values(ascending=False)
    named = list(overall.index[:max_currencies])
    order = named + (["other"] if len(overall) > max_currencies else [])
    colour = colours("currency", named)
    colour["other"] = OTHER
    labels = quarter_labels(df)
    fig, axes = panel_grid(len(shares), ncols=3, row_height=1.9)
    for ax, (name, s) in zip(axes, shares.items(), strict=True):
        s = s.reindex(columns=named, fill_value=0.0).assign(
            other=1.0 - s.reindex(columns=named, fill_value=0.0).sum(axis=1)
        )[order]
        ax.stackplot(
            s.index, (100 * s.clip(lower=0)).T.to_numpy(), colors=[colour[c] for c in order], lw=0
        )
        ax.set_ylim(0, 100)
        ax.set_title(name, loc="left")
        ax.set_ylabel("% of trade value")
        ax.grid(False)
        quarter_axis(ax, labels, max_ticks=3)
    handles = [Patch(color=colour[c], label=c) for c in order]
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 7))
    fig.suptitle(title)
    return fig


MAX_FIGURES = 3
"""Settlement figures drawn at most (one per scenario, in display order)."""


def report_specs(d: ReportData) -> list[FigureSpec]:
    """One settlement-currency figure per scenario (the first three)."""
    if d.tables["settlement"] is None:

        def absent() -> Figure:
            raise NotApplicable("The runs have no settlement table (settlement layer off).")

        return [FigureSpec("settlement", "Settlement-currency shares", "", absent)]
    specs = []
    for sc in d.order:
        s, p = d.table("settlement", sc), d.table("pairs", sc)
        if s is None or len(specs) == MAX_FIGURES:
            continue
        specs.append(
            FigureSpec(
                f"settlement_{len(specs)}",
                f"Settlement-currency shares: {sc}",
                "Share of trade value settled in each currency, weighted by bilateral flow and "
                "averaged over replications; a bloc covers trade with both ends in it, a pair "
                "both directions. Each currency has the same colour in every figure.",
                lambda s=s, p=p, sc=sc: settlement_areas(
                    s, p, title=f"Settlement-currency shares (by value): {sc}"
                ),
            )
        )
    return specs
