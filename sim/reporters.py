"""The collected series, declared once: name, unit and description of every column.

The model collects economy-, pair- and world-level series each quarter; the
tables ``economies``, ``pairs`` and ``world`` have one column per series. This
module is the one place they are defined: :func:`column_metadata` gives the
unit and description of each column, written into the Parquet schema metadata
of the run's tables (pandas ``attrs``, key ``PANDAS_ATTRS``), and read by
whatever labels them (the README's table, the report, the dashboard).

Columns whose name follows a pattern (one per corridor, one per currency) are
declared by prefix.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reporter:
    """One collected series.

    Attributes:
        name: Column name (or prefix, ending in ``_``, for a family of columns).
        unit: Unit, e.g. ``US$ bn/yr``, ``share`` (0-1), ``ratio to calibration``.
        description: One line on what it measures.
    """

    name: str
    unit: str
    description: str


INDEX = (
    Reporter("quarter", "YYYYQn", "Quarter simulated."),
    Reporter("quarter_index", "count", "Quarters since the start of the run (0 = first)."),
    Reporter("economy", "ISO3", "Economy (EUU = EU27, ROW = rest of the world)."),
    Reporter("exporter", "ISO3", "Exporting economy."),
    Reporter("importer", "ISO3", "Importing economy."),
)

ECONOMY = (
    Reporter("output", "US$ bn/yr", "Gross output at factory-gate prices, annual rate."),
    Reporter("price", "ratio to calibration", "Factory-gate price p̂ (world output numéraire)."),
    Reporter(
        "real_income", "ratio to calibration", "Real expenditure Ê/P̂ (income and tariff revenue)."
    ),
    Reporter("expenditure", "US$ bn/yr", "Spending at importer prices, tariff revenue included."),
    Reporter("exports", "US$ bn/yr", "International sales at importer prices."),
    Reporter("imports", "US$ bn/yr", "International purchases at importer prices."),
    Reporter("tariff_revenue", "US$ bn/yr", "Tariff revenue collected, rebated to spending."),
)

PAIRS = (
    Reporter("flow", "US$ bn/yr", "Trade flow exporter → importer at importer prices."),
    Reporter(
        "trade_cost",
        "ratio to calibration",
        "Change in the total trade cost t̂ (transport, settlement, NTB, tariff, bans excluded).",
    ),
    Reporter("tariff", "share", "Ad-valorem tariff in force (0.05 = 5 %)."),
    Reporter("banned_share", "share", "Share of the pair's trade under a ban (0 = none)."),
    Reporter("tau", "ratio", "Route-based transport cost multiplier τ_ij (≥ 1)."),
    Reporter("transit_days", "days", "Flow-weighted mean transit time over the routes used."),
    Reporter("route_share_", "share of tonnes", "Share of the pair's tonnes on this corridor."),
    Reporter("settlement_cost", "share of value", "Value-weighted settlement cost of the pair."),
    Reporter("provenance", "label", "Source of the calibration cell (reported, mirror, imputed)."),
)

WORLD = (
    Reporter("world_trade", "US$ bn/yr", "World international trade Σ_{i≠j} X_ij (RoW included)."),
    Reporter(
        "intra_cis_trade_share",
        "share",
        "Share of CIS members' exports that goes to other CIS members.",
    ),
    Reporter(
        "intra_eaeu_trade_share",
        "share",
        "Share of EAEU members' exports that goes to other EAEU members.",
    ),
    Reporter(
        "cis_real_income",
        "ratio to calibration",
        "GDP-weighted mean real income of the CIS members.",
    ),
    Reporter(
        "national_currency_share_",
        "share of value",
        "Share of the scope's trade settled in the partners' national currencies.",
    ),
    Reporter(
        "vehicle_currency_share",
        "share of value",
        "Share of CIS trade settled in a vehicle currency (USD, EUR).",
    ),
    Reporter(
        "vehicle_currency_share_",
        "share of value",
        "Share of the scope's trade settled in a vehicle currency (USD, EUR).",
    ),
    Reporter(
        "settlement_cost_", "share of value", "Value-weighted settlement cost over the scope."
    ),
    Reporter(
        "rus_exports_",
        "share of value",
        "Share of Russia's export receipts in the currency (or group) named.",
    ),
    Reporter("eaeu_", "share of value", "Share of EAEU mutual trade settled in the currency."),
    Reporter(
        "rus_",
        "share of value",
        "Share of Russia's trade with the partner named settled in national currencies.",
    ),
    Reporter("revised_share", "share of traders", "Share of traders who revised their currency."),
)

UNDECLARED = "not declared in sim/reporters.py"

TABLES = {"economies": INDEX + ECONOMY, "pairs": INDEX + PAIRS, "world": INDEX + WORLD}


def reporter(table: str, column: str) -> Reporter | None:
    """The declaration of ``column`` in ``table`` (exact name first, then longest prefix)."""
    declared = TABLES[table]
    for entry in declared:
        if entry.name == column:
            return entry
    prefixes = [e for e in declared if e.name.endswith("_") and column.startswith(e.name)]
    return max(prefixes, key=lambda e: len(e.name)) if prefixes else None


def column_metadata(table: str, columns: list[str]) -> dict[str, dict[str, str]]:
    """``{column: {"unit": …, "description": …}}`` for every column of a table.

    A column no reporter declares gets an empty unit and a description saying
    so (the tests require every column of the shipped scenarios to be declared).
    """
    out = {}
    for column in columns:
        entry = reporter(table, column)
        if entry is None:
            out[column] = {"unit": "", "description": UNDECLARED}
        else:
            out[column] = {"unit": entry.unit, "description": entry.description}
    return out


#: Markers of the README block generated from these declarations.
BEGIN = "<!-- columns: generated by `uv run python -m sim.reporters` from sim/reporters.py -->"
END = "<!-- columns:end -->"

_ROWS_OF = {"economies": ("quarter", "economy"), "pairs": ("quarter", "exporter", "importer")}


def markdown_columns() -> str:
    """One Markdown table per collected table: column, unit, description."""
    parts = []
    for table, entries in TABLES.items():
        keys = ("quarter", "quarter_index", *_ROWS_OF.get(table, ()))
        lines = [f"`{table}.parquet`:", "", "| column | unit | description |", "|---|---|---|"]
        for entry in entries:
            if entry in INDEX and entry.name not in keys:
                continue
            name = f"{entry.name}<…>" if entry.name.endswith("_") else entry.name
            lines.append(f"| `{name}` | {entry.unit} | {entry.description} |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


if __name__ == "__main__":  # regenerate README.md's column tables
    from sim.readme import regenerate

    regenerate(BEGIN, END, markdown_columns())
