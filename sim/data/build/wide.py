"""The ``dots2020`` world: every economy IMF DOTS covers with complete data, 2020.

Rule (written into the world's DATA_REPORT.md):

1. Economies: every DOTS reporter with a 2020 world total (IMF code ``W00``), IMF
   codes mapped to ISO3 by country_converter; the 27 EU members form ``EUU``. An
   economy is kept if it has GDP and population for 2020 (IMF WEO, else WDI), real
   GDP growth 2019-2024 (WEO), an ISO 4217 currency, its capital's coordinates and
   its area (GeoNames). The others are listed with what they lack and fold into ROW.
   The 15 economies of ``cis2023`` come first in its order, with its names,
   currencies and capitals (``countries_2023.csv``); the others follow by ISO3.
2. Cells i != j: DOTS 2020 exports (EU = sum over members, intra-EU excluded), else
   the 2019 value. A pair with neither, or with 0 in both years (the model's CES
   demand needs every flow positive), is FE-PPML-imputed on ln distance with exporter
   and importer fixed effects fitted on the DOTS cells, and flagged ``imputed``.
3. ROW: each economy's DOTS world total minus its exports to the world's economies
   (floored at 1 % of that total where DOTS partner cells leave less, flagged
   ``imputed``);
   ROW -> j = DOTS exports to j of every reporter outside the world (2020, else 2019;
   where neither has any, 1 % of j's imports from the world, assumed and flagged).
4. Diagonal: gross output max(GDP x 1, exports / 0.5) minus exports (the rule of
   :mod:`.cells`), ROW's by the same rule with ROW's GDP = world GDP (the sum over the
   WEO economies) minus the economies' (cis2023's residual rule would leave ROW, a
   small remainder here, with negative domestic sales).
5. Distances: great-circle between capitals (no CEPII distw outside the 15);
   internal distance 0.67 sqrt(area / pi).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.data.build.cells import GROSS_OUTPUT_MULTIPLIER, MAX_EXPORT_SHARE
from sim.data.build.common import CLASSES, ROW, Cell, join_sources
from sim.data.build.geo import GEO_SOURCES, Country, Macro, haversine_km, internal_km
from sim.data.build.raw import Raw
from sim.data.build.report import md_table, provenance_shares
from sim.data.build.spec import SOURCES
from sim.data.build.tables import assemble, bloc_rows
from sim.data.ppml import distance_elasticity, fit_ppml_fe

NAME = "dots2020"
YEAR = 2020
GROWTH_YEARS = range(2019, 2025)
#: Floor of an economy's exports to ROW, as a share of its DOTS world total.
ROW_EXPORT_FLOOR = 0.01


@dataclass
class WideWorld:
    """The assembled wide world.

    Attributes:
        economies: Kept codes in world order (ROW not included).
        excluded: DOTS reporters left in ROW -> what they lack.
        cells: (exporter, importer) -> cell, ROW included.
        distance: (o, d) -> km.
        attrs: code -> name, currency, lat, lon, coord source, GDP, population and sources.
        growth: code -> year -> (percent, provenance, source).
        gross_output: code -> US$ bn.
        world_gdp: Sum of WEO GDP 2020 (US$ bn), and how many economies it sums.
        elasticity: FE-PPML distance elasticity (and s.e.) of the fit used to impute.
    """

    economies: tuple[str, ...]
    excluded: dict[str, str]
    cells: dict[tuple[str, str], Cell]
    distance: dict[tuple[str, str], float]
    attrs: dict[str, dict[str, object]]
    growth: dict[str, dict[int, tuple[float, str, str]]]
    gross_output: dict[str, float]
    world_gdp: tuple[float, int]
    elasticity: tuple[float, float]


def _members(raw: Raw, code: str) -> tuple[str, ...]:
    return raw.eu_members if code == "EUU" else (code,)


def select(
    raw: Raw, countries: dict[str, Country], macro: dict[tuple[str, int], Macro]
) -> tuple[tuple[str, ...], dict[str, str]]:
    """Step 1: the kept economies (cis2023's first) and the excluded ones with their gaps."""
    reporters = sorted({o for (o, y) in raw.dots_world if y == YEAR})
    eu = set(raw.eu_members)
    known = [e for e in raw.economies]
    excluded: dict[str, str] = {}
    others: list[str] = []
    for e in reporters:
        if e in eu or e in known:
            continue
        gaps = []
        c = countries.get(e)
        if c is None:
            gaps.append("not in GeoNames")
        else:
            if not c.currency:
                gaps.append("currency")
            if math.isnan(c.lat):
                gaps.append("capital coordinates")
            if math.isnan(c.area_km2):
                gaps.append("area")
        m = macro.get((e, YEAR))
        if m is None or math.isnan(m.gdp_usd_bn):
            gaps.append(f"GDP {YEAR}")
        if m is None or math.isnan(m.population_m):
            gaps.append(f"population {YEAR}")
        years = [y for y in GROWTH_YEARS if math.isnan(macro.get((e, y), _NAN).growth_pct)]
        if years:
            gaps.append("WEO real growth " + ",".join(map(str, years)))
        if gaps:
            excluded[e] = "; ".join(gaps)
        else:
            others.append(e)
    return (*known, *others), excluded


_NAN = Macro(math.nan, math.nan, math.nan, "", "")


def attributes(
    raw: Raw, countries: dict[str, Country], macro: dict[tuple[str, int], Macro], econ: tuple
) -> dict[str, dict[str, object]]:
    """Name, currency, capital and GDP/population per kept economy, with sources."""
    out: dict[str, dict[str, object]] = {}
    for e in econ:
        members = _members(raw, e)
        gdp = sum(macro[(m, YEAR)].gdp_usd_bn for m in members)
        pop = sum(macro[(m, YEAR)].population_m for m in members)
        gsrc = join_sources(*(macro[(m, YEAR)].gdp_source for m in members))
        psrc = join_sources(*(macro[(m, YEAR)].population_source for m in members))
        if e in raw.countries:
            c = raw.countries[e]
            name = "European Union (EU27)" if e == "EUU" else c["name"]
            cur, lat, lon, csrc = c["currency"], float(c["lat"]), float(c["lon"]), "G"
        else:
            g = countries[e]
            name, cur, lat, lon, csrc = g.name, g.currency, g.lat, g.lon, "GN"
        out[e] = {
            "name": name,
            "currency": cur,
            "lat": lat,
            "lon": lon,
            "coord_source": csrc,
            "gdp": gdp,
            "gdp_source": gsrc,
            "population": pop,
            "population_source": psrc,
        }
    return out


def distances(
    raw: Raw, countries: dict[str, Country], attrs: dict[str, dict[str, object]], econ: tuple
) -> dict[tuple[str, str], float]:
    """Step 5: capital-to-capital great-circle distances; internal distance from the area."""
    out: dict[tuple[str, str], float] = {}
    for o in econ:
        a = attrs[o]
        for d in econ:
            b = attrs[d]
            if o == d:
                area = sum(countries[m].area_km2 for m in _members(raw, o))
                out[(o, d)] = internal_km(area)
            else:
                out[(o, d)] = haversine_km(a["lat"], a["lon"], b["lat"], b["lon"])  # type: ignore[arg-type]
    return out


def _dots(raw: Raw, o: str, d: str, year: int) -> float | None:
    vals = [
        raw.dots[(a, b, year)]
        for a in _members(raw, o)
        for b in _members(raw, d)
        if (a, b, year) in raw.dots
    ]
    return sum(vals) if vals else None


def trade_cells(
    raw: Raw, econ: tuple[str, ...], dist: dict[tuple[str, str], float]
) -> tuple[dict[tuple[str, str], Cell], tuple[float, float]]:
    """Steps 2-3: DOTS cells, FE-PPML imputation of the rest, the ROW row and column."""
    cells: dict[tuple[str, str], Cell] = {}
    missing: list[tuple[tuple[str, str], str]] = []
    for o in econ:
        for d in econ:
            if o == d:
                continue
            v20, v19 = _dots(raw, o, d, YEAR), _dots(raw, o, d, YEAR - 1)
            if v20 is not None and v20 > 0:
                cells[(o, d)] = Cell(o, d, v20, "dots", "DOTS", value_raw=f"DOTS 2020 {v20:.4f}")
            elif v19 is not None and v19 > 0:
                cells[(o, d)] = Cell(
                    o,
                    d,
                    v19,
                    "dots",
                    "DOTS",
                    value_raw=f"DOTS 2019 {v19:.4f}",
                    method="DOTS 2020 missing or 0: 2019 value",
                )
            else:
                why = "no DOTS value" if v20 is None and v19 is None else "DOTS reports 0"
                missing.append(((o, d), why))
    idx = {e: k for k, e in enumerate(econ)}
    obs = list(cells)
    y = np.array([cells[k].value for k in obs])
    x = np.array([[math.log(dist[k])] for k in obs])
    fit = fit_ppml_fe(
        y, x, np.array([idx[o] for o, _ in obs]), np.array([idx[d] for _, d in obs]), len(econ)
    )
    n = len(econ)
    for (o, d), why in missing:
        row = np.zeros(1 + 2 * n - 1)
        row[0] = math.log(dist[(o, d)])
        row[1 + idx[o]] = 1.0
        if idx[d] > 0:
            row[1 + n + idx[d] - 1] = 1.0
        cells[(o, d)] = Cell(
            o,
            d,
            float(np.exp(row @ fit.coef)),
            "imputed",
            join_sources("PPML-D", "HAV"),
            method=f"FE-PPML prediction on ln distance ({why} in 2019-2020)",
        )
    inside = {m for e in econ for m in _members(raw, e)}
    for o in econ:
        world = sum(raw.dots_world.get((a, YEAR), 0.0) for a in _members(raw, o))
        intra = sum(
            raw.dots.get((a, b, YEAR), 0.0)
            for a in _members(raw, o)
            for b in _members(raw, o)
            if a != b
        )
        to_econ = sum(cells[(o, d)].value for d in econ if d != o)
        rest = world - intra - to_econ
        method = f"DOTS 2020 world total {world - intra:.4f} minus exports to the world's economies"
        prov, src = "dots", "DOTS"
        if rest < ROW_EXPORT_FLOOR * (world - intra):
            rest = ROW_EXPORT_FLOOR * (world - intra)
            method += f" (below the floor: {ROW_EXPORT_FLOOR:.0%} of the total, assumed)"
            prov, src = "imputed", "DOTS;A"
        cells[(o, ROW)] = Cell(o, ROW, rest, prov, src, method=method)
    for d in econ:
        members = set(_members(raw, d))
        for yy in (YEAR, YEAR - 1):
            v = sum(
                val
                for (a, b, y), val in raw.dots.items()
                if y == yy and b in members and a not in inside
            )
            if v > 0:
                cells[(ROW, d)] = Cell(
                    ROW,
                    d,
                    v,
                    "dots",
                    "DOTS",
                    method=f"DOTS {yy} exports to it of every reporter outside the world",
                )
                break
        else:
            imports = sum(cells[(o, d)].value for o in econ if o != d)
            cells[(ROW, d)] = Cell(
                ROW,
                d,
                ROW_EXPORT_FLOOR * imports,
                "imputed",
                "A",
                method=f"no reporter outside the world exports to it in "
                f"DOTS 2019-2020: {ROW_EXPORT_FLOOR:.0%} of its imports "
                "from the world's economies (assumed)",
            )
    return cells, (float(fit.coef[0]), float(fit.se[0]))


def close(
    cells: dict[tuple[str, str], Cell],
    econ: tuple[str, ...],
    attrs: dict[str, dict[str, object]],
    world_gdp: float,
) -> dict[str, float]:
    """Step 4: the diagonal and ROW -> ROW."""
    gross: dict[str, float] = {}
    for e in econ:
        exports = sum(cells[(e, d)].value for d in (*econ, ROW) if d != e)
        by_gdp = float(attrs[e]["gdp"]) * GROSS_OUTPUT_MULTIPLIER  # type: ignore[arg-type]
        gross[e] = max(by_gdp, exports / MAX_EXPORT_SHARE)
        how = "GDP x 1" if gross[e] == by_gdp else f"exports / {MAX_EXPORT_SHARE:g}"
        cells[(e, e)] = Cell(
            e,
            e,
            gross[e] - exports,
            "domestic",
            join_sources(str(attrs[e]["gdp_source"]), "DOTS", "A"),
            method=f"gross output ({how}) minus exports",
        )
    row_gdp = world_gdp - sum(float(attrs[e]["gdp"]) for e in econ)  # type: ignore[arg-type]
    row_x = sum(cells[(ROW, e)].value for e in econ)
    gross[ROW] = max(row_gdp * GROSS_OUTPUT_MULTIPLIER, row_x / MAX_EXPORT_SHARE)
    if gross[ROW] - row_x <= 0:
        raise ValueError(f"{NAME}: ROW domestic sales not positive ({gross[ROW] - row_x})")
    cells[(ROW, ROW)] = Cell(
        ROW,
        ROW,
        gross[ROW] - row_x,
        "residual",
        join_sources("IMF-WEO-ACD", "A"),
        method="ROW gross output max(GDP x 1, exports / 0.5), ROW GDP = world "
        "GDP (sum of WEO economies) minus the economies' GDP; minus ROW's "
        "exports",
    )
    return gross


def growth(
    raw: Raw, macro: dict[tuple[str, int], Macro], econ: tuple[str, ...], excluded: set[str]
) -> dict[str, dict[int, tuple[float, str, str]]]:
    """Real GDP growth (percent) per economy and year; EUU and ROW aggregated from WEO.

    EUU: growth of the members' summed GDP at constant prices is not in the cache, so
    the members' rates are weighted by their 2020 GDP (derived). ROW: the same over the
    WEO economies outside the world.
    """
    inside = {m for e in econ for m in _members(raw, e)}
    row_members = sorted(
        k for (k, y) in macro if y == YEAR and k not in inside and k not in excluded
    )
    out: dict[str, dict[int, tuple[float, str, str]]] = {}

    def weighted(members: list[str] | tuple[str, ...], year: int) -> float:
        pairs = [
            (macro[(m, YEAR)].gdp_usd_bn, macro[(m, year)].growth_pct)
            for m in members
            if (m, year) in macro
            and not math.isnan(macro[(m, year)].growth_pct)
            and not math.isnan(macro[(m, YEAR)].gdp_usd_bn)
        ]
        w = sum(p[0] for p in pairs)
        return round(sum(a * b for a, b in pairs) / w, 6)

    for e in econ:
        if e == "EUU":
            out[e] = {
                y: (weighted(raw.eu_members, y), "derived", "IMF-WEO-ACD") for y in GROWTH_YEARS
            }
        else:
            out[e] = {
                y: (macro[(e, y)].growth_pct, "observed", "IMF-WEO-ACD") for y in GROWTH_YEARS
            }
    out[ROW] = {y: (weighted(row_members, y), "derived", "IMF-WEO-ACD") for y in GROWTH_YEARS}
    return out


def build_wide(
    raw: Raw,
    countries: dict[str, Country],
    macro: dict[tuple[str, int], Macro],
    world_gdp: tuple[float, int],
) -> WideWorld:
    """Steps 1-5 of the module doc."""
    econ, excluded = select(raw, countries, macro)
    attrs = attributes(raw, countries, macro, econ)
    dist = distances(raw, countries, attrs, econ)
    cells, elasticity = trade_cells(raw, econ, dist)
    gross = close(cells, econ, attrs, world_gdp[0])
    for k, c in cells.items():
        if not (c.value > 0 and math.isfinite(c.value)):
            raise ValueError(f"{NAME}: cell {k} not positive/finite: {c.value}")
    return WideWorld(
        econ,
        excluded,
        cells,
        dist,
        attrs,
        growth(raw, macro, econ, set(excluded)),
        gross,
        world_gdp,
        elasticity,
    )


def wide_tables(raw: Raw, w: WideWorld) -> dict[str, bytes]:
    """The shipped tables of the wide world (names = loader.TABLES)."""
    econ, all_e = w.economies, (*w.economies, ROW)
    econ_rows: list[list[object]] = []
    for e in econ:
        a = w.attrs[e]
        x = sum(w.cells[(e, d)].value for d in all_e if d != e)
        m = sum(w.cells[(o, e)].value for o in all_e if o != e)
        econ_rows.append(
            [
                e,
                a["name"],
                a["currency"],
                a["lat"],
                a["lon"],
                a["coord_source"],
                a["gdp"],
                a["gdp_source"],
                a["population"],
                a["population_source"],
                x,
                "DOTS",
                m,
                "DOTS",
                w.gross_output[e],
                join_sources(str(a["gdp_source"]), "A"),
                "observed",
                "",
            ]
        )
    row_gdp = w.world_gdp[0] - sum(float(w.attrs[e]["gdp"]) for e in econ)  # type: ignore[arg-type]
    econ_rows.append(
        [
            ROW,
            "Rest of world",
            "USD",
            "",
            "",
            "",
            row_gdp,
            "IMF-WEO-ACD",
            "",
            "",
            sum(w.cells[(ROW, e)].value for e in econ),
            "DOTS",
            sum(w.cells[(e, ROW)].value for e in econ),
            "DOTS",
            w.gross_output[ROW],
            join_sources("IMF-WEO-ACD", "A"),
            "residual",
            f"GDP = sum of WEO GDP {YEAR} over {w.world_gdp[1]} economies minus the "
            "modelled ones; population and coordinates not defined",
        ]
    )
    tm_rows = [
        [o, d, c.value, c.provenance, c.source, "", "", "", "", "", c.value_raw, c.method]
        for o in all_e
        for d in all_e
        for c in [w.cells[(o, d)]]
    ]
    dist_rows = [
        [o, d, w.distance[(o, d)], "", "", "", "HM-INT;GN" if o == d else "HAV;GN"]
        for o in econ
        for d in econ
    ]
    growth_rows = [
        [
            e,
            y,
            v,
            prov,
            src,
            ""
            if prov == "observed"
            else "2020-GDP-weighted mean of the "
            + ("members' rates" if e == "EUU" else "rates of the WEO economies outside the world"),
        ]
        for e in all_e
        for y, (v, prov, src) in w.growth[e].items()
    ]
    world_rows = [["name", NAME, ""], ["year", YEAR, ""], ["base_year", YEAR, "DOTS"]]
    return assemble(
        {
            "economies.csv": econ_rows,
            "trade_matrix.csv": tm_rows,
            "growth.csv": growth_rows,
            "distances.csv": dist_rows,
            "blocs.csv": bloc_rows(raw),
            "dots_deviations.csv": [],
            "world.csv": world_rows,
        }
    )


def wide_report(raw: Raw, w: WideWorld, data_version: str) -> str:
    """DATA_REPORT.md of the wide world: rule, provenance, gaps, sources."""
    econ = w.economies
    inner = [(o, d) for o in econ for d in econ if o != d]
    total, shares = provenance_shares(w.cells, inner)
    prov_rows = [
        [k, n, f"{100 * s:.2f} %"] for k, (s, n) in sorted(shares.items(), key=lambda t: -t[1][0])
    ]
    dist = np.array([[w.distance[(o, d)] for d in econ] for o in econ])
    flows = np.array([[w.cells[(o, d)].value for d in econ] for o in econ])
    shipped = distance_elasticity(flows, dist)
    currencies = sorted({str(w.attrs[e]["currency"]) for e in econ})
    from_gn = [e for e in econ if w.attrs[e]["coord_source"] == "GN"]
    wdi = [e for e in econ if "WDI-ACD" in str(w.attrs[e]["gdp_source"])]
    sources = {**{k: SOURCES[k] for k in ("DOTS", "COCO", "A", "AGR")}, **GEO_SOURCES}
    sources["PPML-D"] = (
        "FE-PPML gravity fit of this build: ln great-circle distance with exporter and importer "
        "fixed effects, on the DOTS cells among the world's economies"
    )
    why = {
        k: sum(1 for (o, d) in inner if w.cells[(o, d)].method.endswith(f"({k} in 2019-2020)"))
        for k in ("no DOTS value", "DOTS reports 0")
    }
    sources["G"] = "countries_2023.csv (GeoNames coordinates, ISO 4217), for the 15 of cis2023"
    doc = (__doc__ or "").split("Rule (written into the world's DATA_REPORT.md):", 1)[1]
    lines = [
        f"# Data report: `{NAME}` (data_version {data_version})",
        "",
        f"{len(econ)} economies plus ROW, calibration year {YEAR}, built by "
        "`uv run python -m sim.data.build --world dots2020` (sim/data/build/wide.py).",
        "Select any subset with `world.name=dots2020 world.economies=[...]`; the rest folds "
        "into ROW.",
        "",
        "## Rule",
        doc.rstrip().replace("\n    ", "\n").strip("\n"),
        "",
        f"## Provenance among the {len(econ)} economies ({len(inner)} off-diagonal cells, "
        f"US$ {total:,.1f} bn)",
        "",
        "Classes: `dots` = IMF DOTS exporter-reported or IMF-estimated (2020, else 2019); "
        "`imputed` = FE-PPML. (Classes of cis2023 not used here: "
        + ", ".join(c for c in CLASSES if c not in shares)
        + ".)",
        "",
        md_table(["provenance", "cells", "share of value"], prov_rows),
        "",
        f"Imputed cells: {why['no DOTS value']} with no DOTS value in 2019-2020, "
        f"{why['DOTS reports 0']} where DOTS reports 0 in both years (kept positive for the "
        "CES demand).",
        "",
        "## Assumed parameters [A]",
        "",
        f"- Gross output = max(GDP x {GROSS_OUTPUT_MULTIPLIER:g}, exports / "
        f"{MAX_EXPORT_SHARE:g}), as in cis2023.",
        f"- Exports to ROW floored at {ROW_EXPORT_FLOOR:.0%} of the DOTS world total; ROW's "
        f"exports to an economy no outside reporter serves: {ROW_EXPORT_FLOOR:.0%} of its "
        "imports from the world (both flagged `imputed`).",
        "",
        "## Distance elasticity",
        "",
        f"FE-PPML, ln distance alone, exporter and importer fixed effects: on the DOTS cells "
        f"(the imputation fit) {w.elasticity[0]:.3f} (s.e. {w.elasticity[1]:.3f}); on the "
        f"shipped off-diagonal cells {shipped[0]:.3f} (s.e. {shipped[1]:.3f}). Distance is "
        "capital to capital, not CEPII's population-weighted distw.",
        "",
        "## What is missing (say so)",
        "",
        f"- {len(w.excluded)} DOTS reporters lack a figure and stay in ROW:",
        "",
        md_table(["ISO3", "missing"], [[k, v] for k, v in sorted(w.excluded.items())]),
        "",
        "- No applied tariff figure outside the 15 (sim/data/policy/tariffs_applied.csv): the "
        "tariff layer's rule for such economies applies and is flagged there.",
        "- No contiguity, common language or RTA dummies outside the 15: the imputation uses "
        "distance only.",
        "- Trade is DOTS 2020 (the COVID year), not published 2023 figures; the GE sees 2020 "
        "trade with the model's start-year growth path.",
        f"- Capitals from GeoNames for {len(from_gn)} economies; GDP from the WDI cache "
        f"(no WEO figure) for: {', '.join(wdi) or 'none'}.",
        f"- {len(currencies)} distinct currencies: {', '.join(currencies)}.",
        "",
        "## Sources",
        "",
        md_table(["key", "source"], [[k, v] for k, v in sources.items()]),
        "",
    ]
    return "\n".join(lines)
