"""Headline indicators: which world-table columns they are, their labels and display units.

What each column measures and its stored unit are declared once, in
:mod:`sim.reporters` (also written into the tables' Parquet metadata); this
module adds only how the report and the dashboard show them: a short label, the
display unit after scaling, and how a scenario is compared with the baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd


@dataclass(frozen=True)
class Indicator:
    """One headline indicator from ``world.parquet``.

    Attributes:
        column: Column in the world table.
        label: Display name.
        unit: Unit of the displayed value (after ``scale``).
        scale: Factor from the stored value to the displayed value.
        change: How a scenario is compared with the baseline: ``"pct"`` (percent
            change of a level) or ``"pp"`` (difference of shares in percentage points).
    """

    column: str
    label: str
    unit: str
    scale: float
    change: Literal["pct", "pp"]

    @property
    def description(self) -> str:
        """What the column measures, from its declaration in :mod:`sim.reporters`."""
        from sim.reporters import reporter

        declared = reporter("world", self.column)
        return declared.description if declared is not None else ""

    @property
    def change_unit(self) -> str:
        """Unit of the scenario-minus-baseline difference."""
        return "% vs baseline" if self.change == "pct" else "pp vs baseline"


HEADLINE: tuple[Indicator, ...] = (
    Indicator("world_trade", "World trade", "US$ bn, annual rate", 1.0, "pct"),
    Indicator("cis_real_income", "CIS real income", "index, base = 1", 1.0, "pct"),
    Indicator("intra_cis_trade_share", "Intra-CIS trade share", "% of CIS trade", 100.0, "pp"),
    Indicator("intra_eaeu_trade_share", "Intra-EAEU trade share", "% of EAEU trade", 100.0, "pp"),
    Indicator(
        "national_currency_share_cis",
        "National-currency settlement, CIS",
        "% of intra-CIS trade value",
        100.0,
        "pp",
    ),
    Indicator(
        "national_currency_share_eaeu",
        "National-currency settlement, EAEU",
        "% of intra-EAEU trade value",
        100.0,
        "pp",
    ),
    Indicator(
        "vehicle_currency_share",
        "Vehicle-currency settlement",
        "% of trade value",
        100.0,
        "pp",
    ),
)


#: Labels of the settlement series compared with published figures (hindcast panels).
SETTLEMENT_SERIES: tuple[Indicator, ...] = tuple(
    Indicator(column, label, "% of trade value", 100.0, "pp")
    for column, label in (
        ("rus_exports_rub", "Russia's export receipts in RUB"),
        ("rus_exports_usd", "Russia's export receipts in USD"),
        ("rus_exports_eur", "Russia's export receipts in EUR"),
        ("rus_exports_cny", "Russia's export receipts in CNY"),
        ("rus_exports_usd_eur", "Russia's export receipts in USD + EUR"),
        ("rus_exports_friendly", "Russia's export receipts, 'friendly' currencies"),
        ("eaeu_rub", "EAEU mutual settlements in RUB"),
        ("eaeu_usd", "EAEU mutual settlements in USD"),
        ("rus_chn_national", "Russia–China in RUB + CNY"),
        ("rus_kaz_national", "Russia–Kazakhstan in RUB + KZT"),
        ("rus_irn_national", "Russia–Iran in RUB + IRR"),
        ("rus_ind_national", "Russia–India in RUB + INR"),
    )
)


def available(world: pd.DataFrame, indicators: tuple[Indicator, ...] = HEADLINE) -> list[Indicator]:
    """The indicators whose column is present with at least one value in ``world``."""
    return [i for i in indicators if i.column in world and world[i.column].notna().any()]


def by_column(column: str) -> Indicator:
    """The indicator stored in ``column`` (a generic one if unknown)."""
    for ind in (*HEADLINE, *SETTLEMENT_SERIES):
        if ind.column == column:
            return ind
    from sim.reporters import reporter

    declared = reporter("world", column)
    unit = declared.unit if declared is not None else "as stored"
    return Indicator(column, column.replace("_", " "), unit, 1.0, "pct")
