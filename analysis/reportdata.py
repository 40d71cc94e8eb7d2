"""What the report draws from: all runs with the baseline named, and the figure spec type.

Each figure module (``analysis/figures/*.py``) has a ``report_specs(data)``
function returning the :class:`FigureSpec` s it contributes to the report; the
report (:mod:`analysis.report`) only walks them in order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd
from matplotlib.figure import Figure

from analysis.loading import Results
from analysis.network import Network
from analysis.quarters import with_quarter_index

TABLES = ("world", "economies", "pairs", "segments", "settlement")


@dataclass(frozen=True)
class FigureSpec:
    """One figure of the report.

    Attributes:
        key: File stem and HTML anchor (``fan``, ``corridor_map``, …).
        title: Heading shown above the figure.
        caption: What the figure shows, in words a reader can check against it.
        draw: Builds the figure; raises :class:`~analysis.figures.base.NotApplicable`
            with a sentence saying why when the data do not allow it.
    """

    key: str
    title: str
    caption: str
    draw: Callable[[], Figure]


@dataclass
class ReportData:
    """All runs of the report, with the baseline named.

    Attributes:
        results: The runs of the main path.
        base: The runs of ``--baseline``, or None.
        tables: Table name → all runs' rows (baseline included), or None if absent.
        order: Scenarios in display order, baseline first.
        baseline: Scenario the others are compared with; None without a comparison.
        network: Corridor network geometry for the maps, or None.
        targets: Published settlement figures (:func:`analysis.published.read_targets`).
        map_quarters: Quarters the user asked the corridor maps to show (may be empty).
        notes: Warnings a figure raised while drawing (shown in the caveats).
    """

    results: Results
    base: Results | None
    tables: dict[str, pd.DataFrame | None]
    order: list[str]
    baseline: str | None
    network: Network | None = None
    targets: pd.DataFrame | None = None
    map_quarters: Sequence[str] = ()
    notes: list[str] = field(default_factory=list)

    def table(self, name: str, scenario: str | None = None) -> pd.DataFrame | None:
        """Table ``name``, restricted to ``scenario`` when given (None if empty)."""
        df = self.tables[name]
        if df is None or scenario is None:
            return df
        sub = df[df["scenario"] == scenario]
        return None if sub.empty else sub

    @property
    def others(self) -> list[str]:
        """Scenarios other than the baseline."""
        return [s for s in self.order if s != self.baseline]

    def runs(self, scenario: str) -> int:
        """Completed runs of ``scenario`` in the world table."""
        w = self.tables["world"]
        return int(w.loc[w["scenario"] == scenario, "run"].nunique())


def combine(results: Results, base: Results | None) -> ReportData:
    """The report's data: ``results`` alone, or with the first scenario of ``base`` prepended."""
    if base is None:
        tables = {name: getattr(results, name) for name in TABLES}
        order = results.scenarios
        baseline = order[0] if len(order) >= 2 else None
        return ReportData(results, None, tables, order, baseline)
    bname = base.scenarios[0]
    label = f"{bname} (--baseline)" if bname in results.scenarios else bname
    tables = {}
    for name in TABLES:
        b, r = base.table(name, bname), getattr(results, name)
        if b is not None:
            b = b.assign(scenario=label)
        frames = [f for f in (b, r) if f is not None]
        tables[name] = pd.concat(frames, ignore_index=True) if frames else None
    return ReportData(results, base, tables, [label, *results.scenarios], label)


def at_quarter(df: pd.DataFrame, quarter: str | None = None) -> pd.DataFrame:
    """Rows of ``quarter`` (default: the last quarter of ``df``)."""
    df = with_quarter_index(df)
    if quarter is None:
        return df[df["quarter_index"] == df["quarter_index"].max()]
    return df[df["quarter"].astype(str) == quarter]


def first_quarter(df: pd.DataFrame) -> pd.DataFrame:
    """Rows of the first quarter of ``df``."""
    df = with_quarter_index(df)
    return df[df["quarter_index"] == df["quarter_index"].min()]


def quarter_of(df: pd.DataFrame) -> str:
    """The quarter label of ``df``'s first row (``"?"`` if none)."""
    return str(df["quarter"].iloc[0]) if "quarter" in df and len(df) else "?"
