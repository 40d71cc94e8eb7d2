"""The shipped CSV tables of one world, rendered as bytes."""

from __future__ import annotations

import math

from sim.data.build.cells import Matrix
from sim.data.build.common import ROW, join_sources, to_csv
from sim.data.build.deviations import Deviation
from sim.data.build.raw import Raw
from sim.data.build.spec import WorldSpec
from sim.data.loader import TABLES

GROWTH_YEARS = range(2019, 2025)
EU_GROWTH = {2021: (6.1, "E2"), 2022: (3.4, "E2"), 2023: (0.4, "E2"), 2024: (1.0, "E3")}


def growth_rows(raw: Raw, gdp: dict[str, float]) -> list[list[object]]:
    """Real GDP growth per economy and year (percent); ROW = GDP-weighted proxy."""
    rows: list[list[object]] = []
    obs: dict[tuple[str, int], float] = {}
    for e in raw.economies:
        for y in GROWTH_YEARS:
            v = raw.macro_value(e, y, "gdp_const_growth", "IMF")
            if v is not None:
                obs[(e, y)] = v
                rows.append([e, y, v, "observed", "IMF-WEO", ""])
            elif e == "EUU" and y in EU_GROWTH:
                obs[(e, y)] = EU_GROWTH[y][0]
                rows.append(
                    [e, y, EU_GROWTH[y][0], "observed", EU_GROWTH[y][1], "not in "
                     "macro_2019_2024.csv; added source"]
                )  # fmt: skip
    for y in GROWTH_YEARS:
        num = sum(gdp[e] * obs[(e, y)] for e in raw.economies if (e, y) in obs)
        den = sum(gdp[e] for e in raw.economies if (e, y) in obs)
        rows.append(
            [ROW, y, round(num / den, 6), "derived", "IMF-WEO;E2;E3",
             "proxy: calibration-year-GDP-weighted mean of the economies with a figure that year"]
        )  # fmt: skip
    order = {e: i for i, e in enumerate((*raw.economies, ROW))}
    rows.sort(key=lambda r: (order[str(r[0])], int(str(r[1]))))
    return rows


def bloc_rows(raw: Raw) -> list[list[object]]:
    """Bloc membership: CIS (CIS FTA 1994 parties), EAEU, CIS FTA 2011 parties in force."""
    rows: list[list[object]] = []
    cis94 = {
        p: r
        for r in raw.agreements
        if r["agreement"] == "CIS FTA 1994"
        for p in r["parties"].split(";")
    }
    for e in raw.economies:
        if e in cis94:
            status = cis94[e]["status"]
            note = "party to the CIS FTA 1994" + (f" ({status})" if status != "in_force" else "")
            rows.append(["CIS", e, "member", "AGR", note])
    eaeu = next(r for r in raw.agreements if r["agreement"] == "EAEU")
    for e in eaeu["parties"].split(";"):
        rows.append(["EAEU", e, eaeu["status"], "AGR", eaeu["source"]])
    for r in raw.agreements:
        if r["agreement"] != "CIS FTA 2011" or ";" in r["parties"]:
            continue
        e, st = r["parties"], r["status"]
        if e not in raw.economies or not (st == "in_force" or (st == "ratified" and r["ratified"])):
            continue
        note = st + (f" {r['ratified']}" if r["ratified"] else "")
        if e == "UZB":
            note += "; joined by the 2013 accession protocol (counted as a party)"
        if r["source_quality"] == "weak":
            note += "; ratification date weakly sourced (membership itself per R4)"
        rows.append(["CIS_FTA", e, st, join_sources("AGR", "R4"), note])
    return rows


def table_bytes(
    raw: Raw, spec: WorldSpec, mx: Matrix, deviations: list[Deviation]
) -> dict[str, bytes]:
    """All shipped CSV tables of the world, as bytes (names = loader.TABLES)."""
    econ = raw.economies
    all_e = (*econ, ROW)
    econ_rows: list[list[object]] = []
    for e in econ:
        c = raw.countries[e]
        t = mx.totals[e]
        econ_rows.append(
            [e, "European Union (EU27)" if e == "EUU" else c["name"], c["currency"],
             float(c["lat"]), float(c["lon"]), "G", mx.gdp[e], "IMF-WEO",
             float(c["population_2023"]) / 1e6, "W2",
             "" if t.exports is None else t.exports, t.source,
             "" if t.imports is None else t.imports, t.source,
             mx.gross_output[e], join_sources("IMF-WEO", "A"), "observed",
             f"trade totals: {t.method}; gross output: {mx.gross_method[e]}"]
        )  # fmt: skip
    row_x = sum(mx.cells[(ROW, e)].value for e in econ)
    row_m = sum(mx.cells[(e, ROW)].value for e in econ)
    econ_rows.append(
        [ROW, "Rest of world", "USD", "", "", "", mx.world_gdp - sum(mx.gdp[e] for e in econ),
         "IMF-WEO", "", "", row_x, "DOTS;RAS", row_m, "DOTS;RAS", mx.gross_output[ROW],
         join_sources("IMF-WEO", "A"), "residual",
         "GDP = IMF world GDP (WLD, sum of 191 economies) minus the modelled economies; "
         "exports/imports = its trade with them (ROW-ROW trade is in its domestic cell); "
         "population and coordinates not defined"]
    )  # fmt: skip
    tm_rows = []
    for o in all_e:
        for d in all_e:
            c = mx.cells[(o, d)]
            b = mx.base.value.get((o, d)) if o != d else None
            tm_rows.append(
                [o, d, c.value, c.provenance, c.source,
                 "" if c.value_reporter is None else c.value_reporter,
                 "" if c.value_mirror is None else c.value_mirror,
                 "" if b is None else b, "" if b is None else mx.base.year[(o, d)],
                 c.flag, c.value_raw, c.method]
            )  # fmt: skip
    dist_rows = []
    for o in econ:
        for d in econ:
            g = raw.gravity[(o, d)]
            dist_rows.append(
                [o, d, g["distw"], g["contig"], g["comlang_off"], g["rta"], "CEPII;DESTA"]
            )
    dev_rows = [
        [v.exporter, v.importer, v.provenance, v.value, v.dots, v.ratio, v.reason, v.source]
        for v in deviations
    ]
    eu_x = mx.totals["EUU"].exports
    world_rows = [
        ["name", spec.name, ""],
        ["year", spec.year, ""],
        ["base_year", spec.base_year, "DOTS"],
        ["eur_usd", spec.eur_usd, spec.eur_source],
        ["extra_eu_exports_usd_bn", eu_x if eu_x is not None else math.nan, "EUROSTAT"],
    ]
    return assemble(
        {
            "economies.csv": econ_rows,
            "trade_matrix.csv": tm_rows,
            "growth.csv": growth_rows(raw, mx.gdp),
            "distances.csv": dist_rows,
            "blocs.csv": bloc_rows(raw),
            "dots_deviations.csv": dev_rows,
            "world.csv": world_rows,
        }
    )


#: Column headers of each shipped table (the loader reads these names).
HEADERS: dict[str, list[str]] = {
    "economies.csv": [
        "iso3", "name", "currency", "lat", "lon", "coord_source", "gdp_usd_bn", "gdp_source",
        "population_m", "population_source", "exports_usd_bn", "exports_source",
        "imports_usd_bn", "imports_source", "gross_output_usd_bn", "gross_output_source",
        "provenance", "note",
    ],
    "trade_matrix.csv": [
        "exporter", "importer", "value_usd_bn", "provenance", "source", "value_reporter",
        "value_mirror", "value_dots_base", "dots_year", "flag", "value_raw", "method",
    ],
    "growth.csv": ["iso3", "year", "real_gdp_growth_pct", "provenance", "source", "note"],
    "distances.csv": [
        "exporter", "importer", "distw_km", "contig", "comlang_off", "rta_2021", "source",
    ],
    "blocs.csv": ["bloc", "iso3", "status", "source", "note"],
    "dots_deviations.csv": [
        "exporter", "importer", "provenance", "value_usd_bn", "value_dots_base", "ratio",
        "reason", "source",
    ],
    "world.csv": ["key", "value", "source"],
}  # fmt: skip


def assemble(rows: dict[str, list[list[object]]]) -> dict[str, bytes]:
    """Render each table's rows under its header; exactly the loader's tables."""
    if set(rows) != set(TABLES):  # the loader hashes and reads exactly these
        raise ValueError(f"tables {sorted(rows)} differ from loader.TABLES {sorted(TABLES)}")
    return {name: to_csv(HEADERS[name], rows[name]) for name in rows}
