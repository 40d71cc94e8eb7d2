"""Rebuild the shipped ``cis2023`` tables from the raw research figures.

Usage::

    uv run python -m sim.data.build                 # raw: /work/shared/data/cis
    uv run python -m sim.data.build --raw DIR --out DIR

This is the only module that reads the raw figures (``/work/shared/data/cis``
by default); the loader reads only what this writes into the package
(``sim/data/cis2023/``). The build is deterministic: the same raw files give
the same bytes.

Method (the data report, ``DATA_REPORT.md``, states every rule, parameter and
source again, with the numbers this build produced):

1. Economies: 15 economies plus ``ROW``. GDP: IMF WEO 2023 (current US$), the
   same source family as the world GDP (IMF ``WLD``) that closes the system;
   population, names, capitals and currencies from ``countries_2023.csv``.
2. Reported cells: every bilateral figure of ``trade_flows_2023_reported.csv``
   plus a few bilateral figures quoted only in ``NOTES.md``/``FIGURES.md``
   (each transcribed here with the sentence it comes from, checked at build
   time). Part-year figures are annualised pro rata (×12/months), euro
   figures converted at the 2023 EUR/USD rate, fiscal-year figures used as the
   2023 value. Where a cell has several figures, a full-year, goods-only,
   calendar-year figure beats one that is not; then the exporter's own
   statistics beat the importer's (mirror). Both are kept.
3. Turnover-only pairs: if one direction is known, the other is the turnover
   minus it; if neither, the turnover is split by a published direction share
   where one exists, else by the gravity prediction's direction ratio; the
   EAEU–Iran turnover constrains the EAEU–Iran cells not otherwise known.
   Turnovers of pairs whose two directions are known, and approximate or
   lower-bound turnovers, are only checks.
4. Remaining cells among the 15: PPML gravity fit on the cells of steps 2,
   imputed.
5. ROW: each economy's published total exports/imports minus its modelled
   bilateral flows, floored at a share of the total.
6. Diagonal: gross-output proxy minus exports; ROW–ROW closes world output.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim.data.loader import TABLES, data_version_of
from sim.data.ppml import PPMLResult, fit_ppml

# --------------------------------------------------------------------------
# Parameters. Every one that is not a published figure is listed in the
# report's "Assumed parameters" section.
# --------------------------------------------------------------------------

WORLD_NAME = "cis2023"
YEAR = 2023
ECONOMIES: tuple[str, ...] = (
    "ARM", "AZE", "BLR", "KAZ", "KGZ", "MDA", "RUS", "TJK", "TKM", "UZB",
    "CHN", "EUU", "IRN", "IND", "TUR",
)  # fmt: skip
ROW = "ROW"
CIS = ("ARM", "AZE", "BLR", "KAZ", "KGZ", "MDA", "RUS", "TJK", "TKM", "UZB")
EAEU = ("ARM", "BLR", "KAZ", "KGZ", "RUS")

#: USD per EUR, 2023 annual average of the ECB daily reference rates (E1).
EUR_USD = 1.0813
#: Gross output proxy Y = max(GDP × m, X / s_max).
GROSS_OUTPUT_MULTIPLIER = 1.0
MAX_EXPORT_SHARE = 0.5
#: Floor of an economy's trade with ROW, as a share of its published total.
ROW_FLOOR_SHARE = 0.05
#: Reporter/mirror gap threshold for the report, |R − M| / min(R, M).
GAP_THRESHOLD = 0.5
#: Decimal formatting of written numbers (significant digits).
SIG = 9

GDP_SOURCE = "IMF-WEO"
DEFAULT_RAW = Path("/work/shared/data/cis")
DEFAULT_OUT = Path(__file__).resolve().parent / WORLD_NAME

#: Source keys that this build adds to those of FIGURES.md §Sources.
EXTRA_SOURCES: dict[str, str] = {
    "IMF-WEO": "IMF World Economic Outlook, as cached in PyPI atlas-common-data 1.1.1 "
    "(imf_data.parquet); raw file macro_2019_2024.csv",
    "WDI": "World Bank WDI, as cached in PyPI atlas-common-data 1.1.1 (wdi_data.parquet); "
    "raw file macro_2019_2024.csv",
    "CEPII": "CEPII GeoDist (Mayer & Zignago 2011): distw, contig, comlang_off; raw file "
    "gravity_vars.csv (EU27 = population-weighted member averages, dummies = any member)",
    "DESTA": "DESTA (Dür, Baccini & Elsig 2014): rta_2021; raw file gravity_vars.csv",
    "AGR": "raw file trade_agreements.csv (CIS FTA 2011 per-party rows, EAEU row)",
    "E1": "EUR/USD 1.0813 = ECB 2023 average of daily euro reference rates, as given in the "
    "task brief; NOT verified against an ECB publication (only a secondary listing found) "
    "-> assumed",
    "E2": "European Commission, Employment and Social Developments in Europe 2024, ch. 1.2 "
    "https://op.europa.eu/webpub/empl/esde-2024/chapters/chapter-1-2.html (EU real GDP "
    "growth 2021 6.1 %, 2022 3.4 %, 2023 0.4 %)",
    "E3": "Eurostat preliminary flash estimate Q4 2024 (EU GDP 2024 +1.0 %), as republished "
    "at https://cliqindia.org/gdp-up-by-0-2-and-employment-up-by-0-1-in-the-euro-area-"
    "euro-indicators/229631/ (secondary; weak)",
    "N-EUCHN": "NOTES.md: Eurostat news 4 Mar 2024 https://ec.europa.eu/eurostat/web/"
    "products-eurostat-news/w/ddn-20240304-2 (CHN = 20.5 % of extra-EU imports, 8.8 % of "
    "extra-EU exports, 2023)",
    "N-MDA": "NOTES.md: Agenzia Nova (no URL), Moldova's Jan-Jul 2023 export shares",
    "N-IRN": "NOTES.md: Iran News Daily Aug 2023 (no URL), Iran FY1402 first 4 months "
    "non-oil trade by partner",
    "N-UZBKAZ": "NOTES.md: Uzstat via Trend (no URL), UZB-KAZ Jan-Aug 2023",
    "PPML": "gravity fit of this build (PPML on the published bilateral cells; trade-cost "
    "regressors from CEPII and DESTA, size = the economies' published trade totals)",
    "A": "assumed parameter of this build (see 'Assumed parameters')",
}


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------


def fmt(v: float | None) -> str:
    """Deterministic text for a number (empty for None/NaN)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return str(int(v))
    # SIG significant digits, never exponent notation (so no tiny flow prints as 0).
    return np.format_float_positional(
        float(v), precision=SIG, unique=True, fractional=False, trim="-"
    )


def read_csv(path: Path) -> list[dict[str, str]]:
    """Read a CSV file into a list of dicts (utf-8, BOM tolerated)."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def to_csv(header: list[str], rows: Iterable[list[object]]) -> bytes:
    """Render rows as CSV bytes with LF line endings."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([fmt(x) if isinstance(x, (float, int, np.floating)) else x for x in r])
    return buf.getvalue().encode("utf-8")


def join_sources(*keys: str) -> str:
    """Join source keys with ';', dropping blanks and duplicates, keeping order."""
    out: list[str] = []
    for k in keys:
        for part in k.split(";"):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return ";".join(out)


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def months_in(span: str) -> int:
    """Number of months in a span like 'Jan-Nov'."""
    a, b = span.split("-")
    return MONTHS.index(b.strip()[:3]) - MONTHS.index(a.strip()[:3]) + 1


# --------------------------------------------------------------------------
# Raw data containers
# --------------------------------------------------------------------------


@dataclass
class Figure:
    """One published bilateral export figure, adjusted to annual US$ bn."""

    exporter: str
    importer: str
    value: float  # annual US$ bn, after adjustments
    raw: str  # as published
    flag: str  # as published
    side: str  # "exporter" (reporter's own statistics) or "importer" (mirror)
    derived: bool
    services: bool
    part_months: int  # 12 = full year
    fiscal: bool
    source: str
    method: list[str] = field(default_factory=list)

    @property
    def penalty(self) -> int:
        """Quality penalty: services-inclusive, part-year or fiscal-year figures rank lower."""
        return int(self.services) + int(self.part_months < 12) + int(self.fiscal)


@dataclass
class Cell:
    """One cell of the shipped trade matrix."""

    exporter: str
    importer: str
    value: float
    provenance: str
    source: str
    value_reporter: float | None = None
    value_mirror: float | None = None
    flag: str = ""
    value_raw: str = ""
    method: str = ""


@dataclass
class Total:
    """An economy's total goods exports and imports used for the ROW residual."""

    exports: float
    imports: float
    source: str
    method: str


@dataclass
class Raw:
    """All raw inputs of the build."""

    countries: dict[str, dict[str, str]]
    gdp: dict[str, float]  # IMF 2023, US$ bn, incl. WLD
    gdp_wdi: dict[str, float]
    macro: list[dict[str, str]]
    gravity: dict[tuple[str, str], dict[str, float]]
    flows: list[dict[str, str]]
    turnover: list[dict[str, str]]
    totals: list[dict[str, str]]
    agreements: list[dict[str, str]]
    notes_text: str
    figures_text: str


def load_raw(raw_dir: Path) -> Raw:
    """Read every raw file the build uses."""
    req = [
        "countries_2023.csv", "macro_2019_2024.csv", "gravity_vars.csv",
        "trade_flows_2023_reported.csv", "trade_turnover_2023.csv",
        "country_trade_totals_2023.csv", "trade_agreements.csv", "NOTES.md", "FIGURES.md",
    ]  # fmt: skip
    for name in req:
        if not (raw_dir / name).is_file():
            raise FileNotFoundError(f"{raw_dir / name}: raw file missing")
    countries = {r["iso3"]: r for r in read_csv(raw_dir / "countries_2023.csv")}
    macro = read_csv(raw_dir / "macro_2019_2024.csv")
    gdp: dict[str, float] = {}
    gdp_wdi: dict[str, float] = {}
    for r in macro:
        if r["year"] == str(YEAR) and r["indicator"] == "gdp":
            if r["source"].startswith("IMF"):
                gdp[r["iso3"]] = float(r["value"]) / 1e9
            elif r["source"].startswith("WDI"):
                gdp_wdi[r["iso3"]] = float(r["value"]) / 1e9
    gravity: dict[tuple[str, str], dict[str, float]] = {}
    for r in read_csv(raw_dir / "gravity_vars.csv"):
        o = "EUU" if r["iso_o"] == "EU27" else r["iso_o"]
        d = "EUU" if r["iso_d"] == "EU27" else r["iso_d"]
        eu = "EUU" in (o, d) and o != d
        # For the EU aggregate, contiguity and common language are the population
        # share of EU members with the trait (the '_eu_popshare' columns), not the
        # 'any member' dummy, which would give the whole EU a common language with
        # India (English in IE/MT) or Turkey (Turkish in CY).
        gravity[(o, d)] = {
            "distw": float(r["distw"]),
            "contig": float((r["contig_eu_popshare"] if eu else r["contig"]) or 0),
            "comlang_off": float((r["comlang_off_eu_popshare"] if eu else r["comlang_off"]) or 0),
            "rta": float(r["rta_2021"] or 0) if o != d else 0.0,
        }
    return Raw(
        countries=countries,
        gdp=gdp,
        gdp_wdi=gdp_wdi,
        macro=macro,
        gravity=gravity,
        flows=read_csv(raw_dir / "trade_flows_2023_reported.csv"),
        turnover=read_csv(raw_dir / "trade_turnover_2023.csv"),
        totals=read_csv(raw_dir / "country_trade_totals_2023.csv"),
        agreements=read_csv(raw_dir / "trade_agreements.csv"),
        notes_text=(raw_dir / "NOTES.md").read_text(encoding="utf-8"),
        figures_text=(raw_dir / "FIGURES.md").read_text(encoding="utf-8"),
    )


def macro_value(raw: Raw, iso3: str, year: int, indicator: str, family: str) -> float | None:
    """A value from macro_2019_2024.csv for one source family ('IMF' or 'WDI')."""
    for r in raw.macro:
        if (
            r["iso3"] == iso3
            and r["year"] == str(year)
            and r["indicator"] == indicator
            and r["source"].startswith(family)
        ):
            return float(r["value"])
    return None


# --------------------------------------------------------------------------
# Step 1: totals
# --------------------------------------------------------------------------


def build_totals(raw: Raw) -> dict[str, Total]:
    """Each economy's total goods exports and imports (annual 2023, US$ bn).

    Rule, in order: (a) a full-year calendar-2023 goods figure of
    country_trade_totals_2023.csv (euro converted); (b) the EU's extra-EU
    totals derived from the 2022 levels and the 2023 statements; (c) WDI
    balance-of-payments goods exports/imports 2023; (d) KGZ: the 2023 turnover
    split by the 2022 WDI export share; TKM: Jan–May 2023 turnover and exports
    annualised; IRN: FY2022/23 non-oil totals.
    """
    out: dict[str, Total] = {}
    by = {}
    for r in raw.totals:
        by.setdefault(r["iso3"], []).append(r)
    for iso in ECONOMIES:
        for r in by.get(iso, []):
            if (
                r["year_or_period"] == str(YEAR)
                and r["coverage"] == "goods"
                and r["flag"] == "R"
                and r["exports_usd_bn"]
                and r["imports_usd_bn"]
            ):
                x, m = float(r["exports_usd_bn"]), float(r["imports_usd_bn"])
                src, meth = r["source"], "published calendar-2023 goods total"
                if r["currency_if_not_usd"] == "EUR":
                    x, m = x * EUR_USD, m * EUR_USD
                    src = join_sources(src, "E1")
                    meth += f"; EUR converted at {EUR_USD}"
                out[iso] = Total(x, m, src, meth)
                break
    # (b) EU: 2022 extra-EU levels; 2023 exports flat, balance +EUR 38bn.
    eu22 = next(r for r in by["EUU"] if r["year_or_period"] == "2022")
    x22 = float(eu22["exports_usd_bn"])
    x23 = x22
    m23 = x23 - 38.0
    out["EUU"] = Total(
        x23 * EUR_USD,
        m23 * EUR_USD,
        join_sources("X9", "E1"),
        f"derived: extra-EU 2022 exports EUR {x22:g}bn, 2023 'exports flat' -> EUR {x23:g}bn; "
        f"imports = exports - 2023 balance EUR 38bn = EUR {m23:g}bn (-15.6 % vs 2022, "
        f"published '-16 %'); EUR converted at {EUR_USD}",
    )
    # (c) WDI BoP goods.
    for iso in ECONOMIES:
        if iso in out:
            continue
        x = macro_value(raw, iso, YEAR, "exports_goods_bop", "WDI")
        m = macro_value(raw, iso, YEAR, "imports_goods_bop", "WDI")
        if x is not None and m is not None:
            reason = {
                "TJK": "preferred to the Jan-Nov figures of X4",
                "UZB": "preferred to T5, which includes services",
                "IND": "calendar year, preferred to the FY2023-24 figures of X7",
            }.get(iso, "no published 2023 total in country_trade_totals_2023.csv")
            out[iso] = Total(x / 1e9, m / 1e9, "WDI", f"WDI BoP goods 2023 ({reason})")
    # (d) the rest.
    kgz_t = next(r for r in by["KGZ"] if r["turnover_usd_bn"])
    t = float(kgz_t["turnover_usd_bn"])
    x22 = macro_value(raw, "KGZ", 2022, "exports_goods_bop", "WDI")
    m22 = macro_value(raw, "KGZ", 2022, "imports_goods_bop", "WDI")
    assert x22 is not None and m22 is not None
    share = x22 / (x22 + m22)
    out["KGZ"] = Total(
        t * share,
        t * (1 - share),
        join_sources(kgz_t["source"], "WDI"),
        f"derived: 2023 turnover {t:g} (T7, itself derived) split by the 2022 WDI BoP export "
        f"share of turnover {share:.4f}",
    )
    tkm_t = next(
        r for r in by["TKM"] if r["year_or_period"] == "2023 Jan-May" and r["turnover_usd_bn"]
    )
    tkm_x = next(
        r for r in by["TKM"] if r["year_or_period"] == "2023 Jan-May" and r["exports_usd_bn"]
    )
    k = 12 / 5
    tt, tx = float(tkm_t["turnover_usd_bn"]) * k, float(tkm_x["exports_usd_bn"]) * k
    out["TKM"] = Total(
        tx,
        tt - tx,
        join_sources(tkm_t["source"]),
        "derived: Jan-May 2023 turnover '>8' and exports '~5' (X10) annualised x12/5; "
        "imports = turnover - exports (cf. 2022 turnover ~20, X10)",
    )
    irn = next(r for r in by["IRN"] if r["year_or_period"].startswith("FY2022-23"))
    out["IRN"] = Total(
        float(irn["exports_usd_bn"]),
        float(irn["imports_usd_bn"]),
        irn["source"],
        "FY2022/23 (21 Mar 2022-20 Mar 2023) non-oil totals used for 2023: exports exclude "
        "crude oil, so IRN's exports are understated",
    )
    missing = [e for e in ECONOMIES if e not in out]
    if missing:
        raise ValueError(f"no trade total for {missing}")
    return {e: out[e] for e in ECONOMIES}


# --------------------------------------------------------------------------
# Step 2: published bilateral figures
# --------------------------------------------------------------------------


def parse_flow_row(r: dict[str, str]) -> Figure:
    """Turn one row of trade_flows_2023_reported.csv into an annual US$ figure."""
    exp, imp = r["exporter"], r["importer"]
    rep = "EUU" if r["reported_by"] == "EU" else r["reported_by"]
    flag = r["flag"]
    raw_v = r["value_usd_bn"]
    method: list[str] = []
    eur = raw_v.startswith("EUR")
    v = float(raw_v[3:].removesuffix("bn")) if eur else float(raw_v)
    months = 12
    if flag.startswith("P(") and "-" in flag:
        span = flag[2:-1].split(";")[0]
        months = months_in(span)
    if months < 12:
        v = v * 12 / months
        method.append(f"part-year ({months} months) annualised x12/{months}")
    if eur:
        v = v * EUR_USD
        method.append(f"EUR converted at {EUR_USD}")
    fiscal = "FY" in flag or r["year"].startswith("FY")
    if fiscal:
        method.append("fiscal year Apr 2023-Mar 2024 used as 2023")
    services = "*" in flag
    if services:
        method.append("includes services")
    if rep == exp:
        side = "exporter"
    elif rep == imp:
        side = "importer"
    else:
        raise ValueError(f"reported_by {rep!r} is neither exporter nor importer: {r}")
    src = join_sources(r["source"], "E1" if eur else "")
    return Figure(
        exp, imp, v, raw_v, flag, side, flag.startswith("D"), services, months, fiscal, src, method
    )


def supplementary_figures(raw: Raw, totals: dict[str, Total]) -> list[Figure]:
    """Bilateral figures quoted in NOTES.md / FIGURES.md but not in the CSV.

    Each is transcribed with the sentence it comes from; the build fails if the
    sentence is no longer in the raw notes.
    """

    def need(text: str, where: str) -> None:
        hay = raw.notes_text if where == "NOTES" else raw.figures_text
        if text not in hay:
            raise ValueError(f"{where}.md no longer contains {text!r}; update build.py")

    figs: list[Figure] = []
    # EU-China: shares of extra-EU totals.
    need("CHN = 20.5% of extra-EU imports, 8.8% of extra-EU exports", "NOTES")
    eu = totals["EUU"]
    figs.append(
        Figure(
            "EUU",
            "CHN",
            0.088 * eu.exports,
            "8.8% of extra-EU exports",
            "D",
            "exporter",
            True,
            False,
            12,
            False,
            join_sources("N-EUCHN", eu.source),
            ["derived: 8.8 % x extra-EU exports 2023 (see EUU total)"],
        )
    )
    figs.append(
        Figure(
            "CHN",
            "EUU",
            0.205 * eu.imports,
            "20.5% of extra-EU imports",
            "D",
            "importer",
            True,
            False,
            12,
            False,
            join_sources("N-EUCHN", eu.source),
            ["derived: 20.5 % x extra-EU imports 2023 (see EUU total)"],
        )
    )
    # Moldova: EU share of exports (FIGURES.md, X3) and Jan-Jul partner shares (NOTES.md).
    need("65.4% of exports to the EU [X3]", "FIGURES")
    need(
        "Jan-Jul 2023 export shares: ROU 32.4%, UKR 16.9, ITA 7.0, DEU 5.3, RUS 3.9, "
        "TUR 3.7, BLR 2.3 (Agenzia Nova)",
        "NOTES",
    )
    md = totals["MDA"]
    figs.append(
        Figure(
            "MDA",
            "EUU",
            0.654 * md.exports,
            "65.4% of exports",
            "D",
            "exporter",
            True,
            False,
            12,
            False,
            join_sources("X3", "E1"),
            ["derived: 65.4 % x MDA 2023 exports (EUR 3.744bn, X3)"],
        )
    )
    for partner, share in (("RUS", 0.039), ("TUR", 0.037), ("BLR", 0.023)):
        figs.append(
            Figure(
                "MDA",
                partner,
                share * md.exports,
                f"{share * 100:.1f}% of exports (Jan-Jul share)",
                "D",
                "exporter",
                True,
                False,
                12,
                False,
                join_sources("N-MDA", "X3", "E1"),
                [
                    f"derived: Jan-Jul 2023 export share {share * 100:.1f} % x full-year "
                    "2023 exports (X3); weak source (no URL)"
                ],
            )
        )
    # Iran: FY1402 first 4 months, non-oil, by partner.
    need(
        "FY1402 first 4 months non-oil exports 15.9bn: CHN 4.644, IRQ 2.927, UAE 2.0, "
        "TUR 1.778, IND 0.624; imports 19.5bn: UAE 5.818, CHN 5.558, TUR 2.090, IND 0.718",
        "NOTES",
    )
    for partner, x4, m4 in (("CHN", 4.644, 5.558), ("TUR", 1.778, 2.090), ("IND", 0.624, 0.718)):
        meth = [
            "part-year (4 months of FY1402, 21 Mar-22 Jul 2023) annualised x12/4",
            "non-oil goods only; weak source (no URL)",
        ]
        figs.append(
            Figure(
                "IRN",
                partner,
                x4 * 3,
                f"{x4}",
                "P(4m FY1402);non-oil",
                "exporter",
                False,
                False,
                4,
                False,
                "N-IRN",
                list(meth),
            )
        )
        figs.append(
            Figure(
                partner,
                "IRN",
                m4 * 3,
                f"{m4}",
                "P(4m FY1402);non-oil",
                "importer",
                False,
                False,
                4,
                False,
                "N-IRN",
                list(meth),
            )
        )
    return figs


def choose_cells(figs: list[Figure]) -> dict[tuple[str, str], Cell]:
    """Pick one figure per cell: best quality first, then the exporter's own statistics."""
    by: dict[tuple[str, str], list[Figure]] = {}
    for f in figs:
        by.setdefault((f.exporter, f.importer), []).append(f)
    cells: dict[tuple[str, str], Cell] = {}
    for key, cand in by.items():
        ranked = sorted(cand, key=lambda f: (f.penalty, f.side != "exporter"))
        best = ranked[0]
        rep = [f for f in cand if f.side == "exporter"]
        mir = [f for f in cand if f.side == "importer"]
        rep_best = sorted(rep, key=lambda f: f.penalty)[0] if rep else None
        mir_best = sorted(mir, key=lambda f: f.penalty)[0] if mir else None
        if best.derived:
            prov = "derived"
        else:
            prov = "reported" if best.side == "exporter" else "mirror"
        method = list(best.method)
        if len(cand) > 1:
            others = [f for f in ranked[1:]]
            method.append(
                "chosen over "
                + ", ".join(f"{o.flag} {fmt(o.value)} [{o.source}]" for o in others)
                + " (rule: full-year goods-only calendar figure first, then exporter's own "
                "statistics)"
            )
        cells[key] = Cell(
            exporter=key[0],
            importer=key[1],
            value=best.value,
            provenance=prov,
            source=join_sources(*(f.source for f in ranked)),
            value_reporter=rep_best.value if rep_best else None,
            value_mirror=mir_best.value if mir_best else None,
            flag=best.flag,
            value_raw=best.raw,
            method="; ".join(method),
        )
    return cells


# --------------------------------------------------------------------------
# Step 3/4: gravity fit and turnover rules
# --------------------------------------------------------------------------

REGRESSORS = ("const", "ln_distw", "contig", "comlang_off", "rta")
#: The brief's alternative: GDPs as free regressors (fitted for comparison only).
REGRESSORS_GDP = (*REGRESSORS, "ln_gdp_exporter", "ln_gdp_importer")


def design_row(raw: Raw, o: str, d: str) -> list[float]:
    """Trade-cost regressors of one ordered pair."""
    g = raw.gravity[(o, d)]
    return [1.0, math.log(g["distw"]), g["contig"], g["comlang_off"], g["rta"]]


def size_offset(totals: dict[str, Total], o: str, d: str) -> float:
    """ln(exporter's total exports) + ln(importer's total imports), coefficient fixed at 1."""
    return math.log(totals[o].exports) + math.log(totals[d].imports)


@dataclass
class GravityFit:
    """The gravity fit used for imputation and the GDP-regressor comparison fit."""

    main: PPMLResult
    gdp: PPMLResult
    pred: np.ndarray  # 15×15 prediction of the main fit (diagonal 0)
    n_obs: int


def fit_gravity(
    raw: Raw, cells: dict[tuple[str, str], Cell], totals: dict[str, Total]
) -> GravityFit:
    """PPML on the observed cells among the 15; returns both fits and the 15×15 prediction."""
    keys = [k for k in cells if k[0] != k[1]]
    x = np.array([design_row(raw, o, d) for o, d in keys])
    y = np.array([cells[k].value for k in keys])
    off = np.array([size_offset(totals, o, d) for o, d in keys])
    main = fit_ppml(x, y, offset=off)
    xg = np.array(
        [design_row(raw, o, d) + [math.log(raw.gdp[o]), math.log(raw.gdp[d])] for o, d in keys]
    )
    gdp = fit_ppml(xg, y)
    n = len(ECONOMIES)
    pred = np.zeros((n, n))
    for i, o in enumerate(ECONOMIES):
        for j, d in enumerate(ECONOMIES):
            if i != j:
                eta = float(np.dot(design_row(raw, o, d), main.coef)) + size_offset(totals, o, d)
                pred[i, j] = math.exp(eta)
    return GravityFit(main, gdp, pred, len(keys))


@dataclass
class TurnoverCheck:
    """A published turnover and what the model has for it."""

    pair: str
    published: str
    source: str
    model: float | None
    use: str


def apply_turnovers(
    raw: Raw, cells: dict[tuple[str, str], Cell], pred: np.ndarray
) -> list[TurnoverCheck]:
    """Apply the turnover rules in place and return the check table."""
    idx = {e: i for i, e in enumerate(ECONOMIES)}
    checks: list[TurnoverCheck] = []

    def p(o: str, d: str) -> float:
        return float(pred[idx[o], idx[d]])

    turnovers: list[tuple[str, str, str, str, str]] = []  # a, b, value text, source, note
    for r in raw.turnover:
        turnovers.append(
            (r["pair"], r["year"], r["turnover_usd_bn"], r["source"], r["reported_by"])
        )
    # Tajikistan's small bilateral turnovers, quoted in NOTES.md (TASS, T9).
    tjk = "TJK-UZB >500m; TJK-KGZ 11.7m; TJK-BLR 93.9m; TJK-AZE 7.5m"
    if tjk not in raw.notes_text:
        raise ValueError("NOTES.md no longer contains the TJK turnovers; update build.py")
    for pair, v in (("TJK-KGZ", "0.0117"), ("TJK-BLR", "0.0939"), ("TJK-AZE", "0.0075")):
        turnovers.append((pair, "2023", v, "T9", "TJK (NOTES.md)"))
    uzb_kaz = "UZB-KAZ Jan-Aug 2023: UZB exp 950.6m, imp 1.9bn (Uzstat via Trend)"
    if uzb_kaz not in raw.notes_text:
        raise ValueError("NOTES.md no longer contains the UZB-KAZ Jan-Aug figures")
    direction_share = {
        ("UZB", "KAZ"): (
            0.9506 / (0.9506 + 1.9),
            "N-UZBKAZ",
            "Jan-Aug 2023 direction share (UZB exp 0.9506 / turnover 2.8506)",
        )
    }

    group_rows = []
    for pair, year, vtext, src, _reported_by in turnovers:
        parts = pair.split("-")
        approx = vtext.startswith("~") or vtext.startswith(">")
        if year != str(YEAR):
            checks.append(
                TurnoverCheck(pair, f"{vtext} ({year})", src, None, "not used: not a 2023 figure")
            )
            continue
        if len(parts) != 2 or parts[0] not in idx or parts[1] not in idx:
            group_rows.append((pair, vtext, src))
            continue
        a, b = parts
        t = float(vtext.lstrip("~>"))
        ab, ba = cells.get((a, b)), cells.get((b, a))
        if ab and ba:
            checks.append(
                TurnoverCheck(
                    pair, vtext, src, ab.value + ba.value, "check only: both directions known"
                )
            )
            continue
        if approx:
            checks.append(
                TurnoverCheck(pair, vtext, src, None, "check only: approximate or lower bound")
            )
            continue
        if ab or ba:
            known = ab or ba
            assert known is not None
            o, d = (b, a) if ab else (a, b)
            rest = t - known.value
            if rest <= 0:
                checks.append(
                    TurnoverCheck(
                        pair, vtext, src, None, "not used: turnover below the known direction"
                    )
                )
                continue
            cells[(o, d)] = Cell(
                o,
                d,
                rest,
                "derived",
                join_sources(src, known.source),
                flag="T",
                value_raw=f"turnover {vtext}",
                method=f"turnover {vtext} [{src}] minus {known.exporter}->"
                f"{known.importer} {fmt(known.value)}",
            )
            checks.append(
                TurnoverCheck(pair, vtext, src, t, f"used: {o}->{d} = turnover - other direction")
            )
            continue
        if (a, b) in direction_share or (b, a) in direction_share:
            (o, d) = (a, b) if (a, b) in direction_share else (b, a)
            share, ssrc, snote = direction_share[(o, d)]
            src2 = join_sources(src, ssrc)
            how = snote
        else:
            o, d = a, b
            share = p(a, b) / (p(a, b) + p(b, a))
            src2 = join_sources(src, "PPML")
            how = f"gravity direction ratio ({o}->{d} share {share:.4f})"
        for (x, y), s in (((o, d), share), ((d, o), 1 - share)):
            cells[(x, y)] = Cell(
                x,
                y,
                t * s,
                "derived",
                src2,
                flag="T",
                value_raw=f"turnover {vtext}",
                method=f"turnover {vtext} [{src}] split by {how}",
            )
        checks.append(TurnoverCheck(pair, vtext, src, t, f"used: split by {how}"))

    # Group turnovers.
    for pair, vtext, src in group_rows:
        if pair == "EAEU-IRN":
            t = float(vtext)
            keys = [(e, "IRN") for e in EAEU] + [("IRN", e) for e in EAEU]
            fixed = sum(cells[k].value for k in keys if k in cells)
            free = [k for k in keys if k not in cells]
            rest = t - fixed
            if rest <= 0 or not free:
                checks.append(TurnoverCheck(pair, vtext, src, fixed, "check only"))
                continue
            tot = sum(p(*k) for k in free)
            for k in free:
                cells[k] = Cell(
                    k[0],
                    k[1],
                    rest * p(*k) / tot,
                    "derived",
                    join_sources(src, "PPML"),
                    flag="T",
                    value_raw=f"EAEU-IRN turnover {vtext}",
                    method=f"EAEU-IRN turnover {vtext} [{src}] minus known "
                    f"EAEU-IRN cells {fmt(fixed)}, shared by gravity prediction",
                )
            checks.append(
                TurnoverCheck(
                    pair,
                    vtext,
                    src,
                    t,
                    f"used: constrains the {len(free)} unknown EAEU-IRN cells (gravity shares)",
                )
            )
        elif pair == "CHN-CentralAsia":
            ca = ("KAZ", "KGZ", "TJK", "TKM", "UZB")
            keys = [("CHN", e) for e in ca] + [(e, "CHN") for e in ca]
            model = sum(cells[k].value for k in keys if k in cells)
            checks.append(TurnoverCheck(pair, vtext, src, model, "check only: all cells known"))
        else:
            checks.append(TurnoverCheck(pair, vtext, src, None, "not used"))
    return checks


# --------------------------------------------------------------------------
# Step 5/6: ROW and diagonal
# --------------------------------------------------------------------------


@dataclass
class Matrix:
    """The assembled world."""

    cells: dict[tuple[str, str], Cell]
    totals: dict[str, Total]
    gross_output: dict[str, float]
    gross_method: dict[str, str]
    row_floor_hits: list[str]
    world_gdp: float
    scaled: list[tuple[str, str, float, float]]  # imputed cells scaled: o, d, before, factor


def impute(
    cells: dict[tuple[str, str], Cell], pred: np.ndarray, totals: dict[str, Total]
) -> list[tuple[str, str, float, float]]:
    """Fill the remaining cells among the 15 with the gravity prediction, scaled to totals.

    An economy's imputed exports may use at most the room its published total
    leaves after its known (non-imputed) bilateral exports and the ROW floor:
    room = (1 - floor) x total - known, but at least floor x total. Its factor is
    min(1, room / imputed sum); likewise for imports. Each imputed cell is
    multiplied by min(exporter's export factor, importer's import factor), so
    predictions are only ever scaled down.
    """
    idx = {e: i for i, e in enumerate(ECONOMIES)}
    imp: list[tuple[str, str]] = []
    for o in ECONOMIES:
        for d in ECONOMIES:
            if o != d and (o, d) not in cells:
                cells[(o, d)] = Cell(
                    o,
                    d,
                    float(pred[idx[o], idx[d]]),
                    "imputed",
                    join_sources("PPML", "CEPII", "DESTA"),
                    method="PPML gravity prediction",
                )
                imp.append((o, d))
    fx: dict[str, float] = {}
    fm: dict[str, float] = {}
    for e in ECONOMIES:
        t = totals[e]
        for side, total, fac in (("x", t.exports, fx), ("m", t.imports, fm)):
            pairs = (
                [(e, d) for d in ECONOMIES if d != e]
                if side == "x"
                else [(o, e) for o in ECONOMIES if o != e]
            )
            known = sum(cells[k].value for k in pairs if cells[k].provenance != "imputed")
            imputed = sum(cells[k].value for k in pairs if cells[k].provenance == "imputed")
            room = max((1 - ROW_FLOOR_SHARE) * total - known, ROW_FLOOR_SHARE * total)
            fac[e] = min(1.0, room / imputed) if imputed > 0 else 1.0
    scaled: list[tuple[str, str, float, float]] = []
    for o, d in imp:
        f = min(fx[o], fm[d])
        if f < 1.0:
            c = cells[(o, d)]
            who = f"{o} exports" if fx[o] <= fm[d] else f"{d} imports"
            scaled.append((o, d, c.value, f))
            c.value *= f
            c.source = join_sources(
                c.source, totals[o].source if fx[o] <= fm[d] else totals[d].source
            )
            c.method = (
                f"PPML gravity prediction {fmt(c.value / f)} scaled by {f:.6f} "
                f"to fit {who} within the published total"
            )
    return scaled


def assemble(
    raw: Raw,
    cells: dict[tuple[str, str], Cell],
    totals: dict[str, Total],
    scaled: list[tuple[str, str, float, float]],
) -> Matrix:
    """Add the ROW residuals and the diagonal."""
    hits: list[str] = []
    for e in ECONOMIES:
        tot = totals[e]
        bx = sum(cells[(e, d)].value for d in ECONOMIES if d != e)
        bm = sum(cells[(o, e)].value for o in ECONOMIES if o != e)
        rx, rm = tot.exports - bx, tot.imports - bm
        fx, fm = ROW_FLOOR_SHARE * tot.exports, ROW_FLOOR_SHARE * tot.imports
        mx = f"published total exports {fmt(tot.exports)} minus modelled bilateral {fmt(bx)}"
        mm = f"published total imports {fmt(tot.imports)} minus modelled bilateral {fmt(bm)}"
        if rx < fx:
            hits.append(f"{e} exports: residual {fmt(rx)} < floor {fmt(fx)}")
            rx, mx = fx, mx + f" = {fmt(tot.exports - bx)}; floored at {ROW_FLOOR_SHARE:g} x total"
        if rm < fm:
            hits.append(f"{e} imports: residual {fmt(rm)} < floor {fmt(fm)}")
            rm, mm = fm, mm + f" = {fmt(tot.imports - bm)}; floored at {ROW_FLOOR_SHARE:g} x total"
        cells[(e, ROW)] = Cell(e, ROW, rx, "residual", join_sources(tot.source, "A"), method=mx)
        cells[(ROW, e)] = Cell(ROW, e, rm, "residual", join_sources(tot.source, "A"), method=mm)
    gross: dict[str, float] = {}
    gmeth: dict[str, str] = {}
    for e in ECONOMIES:
        exports = sum(cells[(e, d)].value for d in (*ECONOMIES, ROW) if d != e)
        by_gdp = raw.gdp[e] * GROSS_OUTPUT_MULTIPLIER
        by_x = exports / MAX_EXPORT_SHARE
        if by_x > by_gdp:
            gross[e] = by_x
            gmeth[e] = (
                f"exports {fmt(exports)} / max export share {MAX_EXPORT_SHARE:g} "
                f"(> GDP x {GROSS_OUTPUT_MULTIPLIER:g})"
            )
        else:
            gross[e] = by_gdp
            gmeth[e] = f"GDP x {GROSS_OUTPUT_MULTIPLIER:g}"
        cells[(e, e)] = Cell(
            e,
            e,
            gross[e] - exports,
            "domestic",
            join_sources(GDP_SOURCE, totals[e].source, "A"),
            method=f"gross output ({gmeth[e]}) minus exports {fmt(exports)}",
        )
    world_gdp = raw.gdp["WLD"]
    world_out = world_gdp * GROSS_OUTPUT_MULTIPLIER
    row_out = world_out - sum(gross.values())
    row_exports = sum(cells[(ROW, e)].value for e in ECONOMIES)
    gross[ROW] = row_out
    gmeth[ROW] = (
        f"world GDP (IMF WLD) x {GROSS_OUTPUT_MULTIPLIER:g} minus the 15 economies' gross output"
    )
    rr = row_out - row_exports
    if rr <= 0:
        raise ValueError(f"ROW domestic sales not positive: {rr}")
    cells[(ROW, ROW)] = Cell(
        ROW,
        ROW,
        rr,
        "residual",
        join_sources(GDP_SOURCE, "A"),
        method=f"ROW gross output {fmt(row_out)} minus ROW exports to the "
        f"15 economies {fmt(row_exports)}",
    )
    return Matrix(cells, totals, gross, gmeth, hits, world_gdp, scaled)


# --------------------------------------------------------------------------
# Other tables
# --------------------------------------------------------------------------


def growth_rows(raw: Raw) -> list[list[object]]:
    """Real GDP growth per economy and year (percent)."""
    rows: list[list[object]] = []
    obs: dict[tuple[str, int], float] = {}
    years = range(2019, 2025)
    for e in ECONOMIES:
        for y in years:
            v = macro_value(raw, e, y, "gdp_const_growth", "IMF")
            if v is not None:
                obs[(e, y)] = v
                rows.append([e, y, v, "observed", "IMF-WEO", ""])
            elif e == "EUU":
                eu = {2021: (6.1, "E2"), 2022: (3.4, "E2"), 2023: (0.4, "E2"), 2024: (1.0, "E3")}
                if y in eu:
                    obs[(e, y)] = eu[y][0]
                    rows.append(
                        [
                            e,
                            y,
                            eu[y][0],
                            "observed",
                            eu[y][1],
                            "not in macro_2019_2024.csv; added source",
                        ]
                    )
    for y in years:
        num = den = 0.0
        for e in ECONOMIES:
            if (e, y) in obs:
                num += raw.gdp[e] * obs[(e, y)]
                den += raw.gdp[e]
        rows.append(
            [
                ROW,
                y,
                round(num / den, 6),
                "derived",
                "IMF-WEO;E2;E3",
                "proxy: 2023-GDP-weighted mean of the economies with a figure that year",
            ]
        )
    order = {e: i for i, e in enumerate((*ECONOMIES, ROW))}
    rows.sort(key=lambda r: (order[str(r[0])], int(r[1])))  # type: ignore[call-overload]
    return rows


def bloc_rows(raw: Raw) -> tuple[list[list[object]], list[str]]:
    """Bloc membership rows and notes on the CIS FTA treatment."""
    rows: list[list[object]] = []
    for e in CIS:
        rows.append(["CIS", e, "member", "FIGURES.md", "the ten CIS economies of the data set"])
    eaeu = next(r for r in raw.agreements if r["agreement"] == "EAEU")
    for e in eaeu["parties"].split(";"):
        rows.append(["EAEU", e, eaeu["status"], "AGR", eaeu["source"]])
    notes: list[str] = []
    for r in raw.agreements:
        if r["agreement"] != "CIS FTA 2011" or ";" in r["parties"]:
            continue
        e = r["parties"]
        if e not in ECONOMIES:
            continue
        st = r["status"]
        if st == "in_force" or (st == "ratified" and r["ratified"]):
            weak = r["source_quality"] == "weak"
            note = f"{st}"
            if r["ratified"]:
                note += f" {r['ratified']}"
            if e == "UZB":
                note += "; joined by the 2013 accession protocol (counted as a party)"
            if weak:
                note += "; ratification date weakly sourced (membership itself per R4)"
            rows.append(["CIS_FTA", e, st, join_sources("AGR", "R4"), note])
            notes.append(f"{e}: {note}")
        else:
            notes.append(f"{e}: {st} (excluded)")
    return rows, notes


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def table_bytes(raw: Raw, mx: Matrix) -> dict[str, bytes]:
    """All shipped CSV tables, as bytes."""
    all_e = (*ECONOMIES, ROW)
    econ_rows: list[list[object]] = []
    for e in ECONOMIES:
        c = raw.countries[e]
        name = "European Union (EU27)" if e == "EUU" else c["name"]
        t = mx.totals[e]
        econ_rows.append(
            [
                e,
                name,
                c["currency"],
                float(c["lat"]),
                float(c["lon"]),
                "G",
                raw.gdp[e],
                GDP_SOURCE,
                float(c["population_2023"]) / 1e6,
                "W2",
                t.exports,
                t.source,
                t.imports,
                t.source,
                mx.gross_output[e],
                join_sources(GDP_SOURCE, "A"),
                "observed",
                f"trade totals: {t.method}; gross output: {mx.gross_method[e]}",
            ]
        )
    row_gdp = mx.world_gdp - sum(raw.gdp[e] for e in ECONOMIES)
    row_x = sum(mx.cells[(ROW, e)].value for e in ECONOMIES)
    row_m = sum(mx.cells[(e, ROW)].value for e in ECONOMIES)
    econ_rows.append(
        [
            ROW,
            "Rest of world",
            "USD",
            "",
            "",
            "",
            row_gdp,
            GDP_SOURCE,
            "",
            "",
            row_x,
            "residual",
            row_m,
            "residual",
            mx.gross_output[ROW],
            join_sources(GDP_SOURCE, "A"),
            "residual",
            "GDP = IMF world GDP (WLD, sum of 191 economies) minus the 15; exports/imports = "
            "its residual trade with the 15 (ROW-ROW trade is in its domestic cell); "
            "population and coordinates not defined",
        ]
    )
    econ_header = [
        "iso3", "name", "currency", "lat", "lon", "coord_source", "gdp_usd_bn", "gdp_source",
        "population_m", "population_source", "exports_usd_bn", "exports_source",
        "imports_usd_bn", "imports_source", "gross_output_usd_bn", "gross_output_source",
        "provenance", "note",
    ]  # fmt: skip
    tm_rows = []
    for o in all_e:
        for d in all_e:
            c = mx.cells[(o, d)]
            tm_rows.append(
                [
                    o,
                    d,
                    c.value,
                    c.provenance,
                    c.source,
                    c.value_reporter if c.value_reporter is not None else "",
                    c.value_mirror if c.value_mirror is not None else "",
                    c.flag,
                    c.value_raw,
                    c.method,
                ]
            )
    tm_header = [
        "exporter",
        "importer",
        "value_usd_bn",
        "provenance",
        "source",
        "value_reporter",
        "value_mirror",
        "flag",
        "value_raw",
        "method",
    ]
    dist_rows = []
    for o in ECONOMIES:
        for d in ECONOMIES:
            g = raw.gravity[(o, d)]
            dist_rows.append(
                [o, d, g["distw"], g["contig"], g["comlang_off"], g["rta"], "CEPII;DESTA"]
            )
    dist_header = [
        "exporter",
        "importer",
        "distw_km",
        "contig",
        "comlang_off",
        "rta_2021",
        "source",
    ]  # EU pairs: contig/comlang_off are EU population shares
    blocs, _ = bloc_rows(raw)
    tables = {
        "economies.csv": to_csv(econ_header, econ_rows),
        "trade_matrix.csv": to_csv(tm_header, tm_rows),
        "growth.csv": to_csv(
            ["iso3", "year", "real_gdp_growth_pct", "provenance", "source", "note"],
            growth_rows(raw),
        ),
        "distances.csv": to_csv(dist_header, dist_rows),
        "blocs.csv": to_csv(["bloc", "iso3", "status", "source", "note"], blocs),
    }
    if set(tables) != set(TABLES):  # the loader hashes and reads exactly these
        raise ValueError(f"tables {sorted(tables)} differ from loader.TABLES {sorted(TABLES)}")
    return tables


def data_version(tables: dict[str, bytes]) -> str:
    """Short sha256 over the shipped tables; the same function the loader uses."""
    return data_version_of(tables)


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def _md_table(header: list[str], rows: list[list[object]]) -> str:
    def cell(x: object) -> str:
        if isinstance(x, float):
            return fmt(round(x, 4)) if abs(x) >= 1e-4 or x == 0 else fmt(x)
        return str(x)

    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        out.append("| " + " | ".join(cell(x) for x in r) + " |")
    return "\n".join(out)


def render_report(
    raw: Raw, mx: Matrix, grav: GravityFit, checks: list[TurnoverCheck], tables: dict[str, bytes]
) -> str:
    """The data report (markdown)."""
    fit = grav.main
    all_e = (*ECONOMIES, ROW)
    cells = mx.cells
    L: list[str] = []
    add = L.append
    add(f"# Data report: `{WORLD_NAME}`")
    add("")
    add(
        "Generated by `uv run python -m sim.data.build` from the raw figures in "
        "`shared/data/cis`; do not edit by hand. Every number below is either a published "
        "figure (source key in brackets, resolved in FIGURES.md §Sources or in "
        "'Source keys' at the end), arithmetic on published figures (derived), a gravity "
        "estimate (imputed), a closing residual, or an assumed parameter listed in "
        "'Assumed parameters'."
    )
    add("")
    add(f"data_version: `{data_version(tables)}` (sha256 of the shipped CSV tables)")
    add("")
    # Summary numbers.
    off = [(o, d) for o in all_e for d in all_e if o != d]
    off_val = sum(cells[k].value for k in off)
    by_prov: dict[str, float] = {}
    cnt_prov: dict[str, int] = {}
    for k in off:
        by_prov[cells[k].provenance] = by_prov.get(cells[k].provenance, 0.0) + cells[k].value
        cnt_prov[cells[k].provenance] = cnt_prov.get(cells[k].provenance, 0) + 1
    inner = [(o, d) for o in ECONOMIES for d in ECONOMIES if o != d]
    inner_val = sum(cells[k].value for k in inner)
    inner_imp = sum(cells[k].value for k in inner if cells[k].provenance == "imputed")
    add("## Summary")
    add("")
    add(f"- Economies: {len(ECONOMIES)} + ROW. Calibration year {YEAR}, US$ bn.")
    add(f"- World trade (off-diagonal, ROW included, ROW-ROW excluded): {fmt(round(off_val, 1))}.")
    add(
        f"- Share of world trade imputed (PPML): "
        f"**{100 * by_prov.get('imputed', 0) / off_val:.1f} %** of value "
        f"({cnt_prov.get('imputed', 0)} of {len(off)} off-diagonal cells)."
    )
    add(
        f"- Among the 15 economies only (210 cells, no ROW): "
        f"{100 * inner_imp / inner_val:.1f} % of value imputed."
    )
    add(
        "- Value by provenance (off-diagonal): "
        + ", ".join(
            f"{p} {fmt(round(by_prov.get(p, 0.0), 1))} "
            f"({100 * by_prov.get(p, 0.0) / off_val:.1f} %, {cnt_prov.get(p, 0)} cells)"
            for p in ("reported", "mirror", "derived", "imputed", "residual")
        )
    )
    dist_coef = fit.coef[REGRESSORS.index("ln_distw")]
    add(
        f"- PPML distance elasticity: {dist_coef:.3f} "
        f"({'negative, plausible' if dist_coef < 0 else 'NOT negative: check'}; "
        "the literature's typical value is about -1)."
    )
    add(f"- EUR/USD used: {EUR_USD} USD per EUR (E1, assumed: see below).")
    add("")
    # Sources of the economy figures.
    add("## Economies, GDP and the world total")
    add("")
    add(
        "GDP (current US$, 2023) of the 15 economies is IMF WEO (`IMF-WEO`, raw file "
        "macro_2019_2024.csv), the same source family as the world GDP that closes the "
        "system (IMF `WLD`, the sum over the 191 economies of the IMF cache). WDI GDP "
        "(countries_2023.csv, W1) has no world aggregate in the raw data, so mixing it "
        "with IMF WLD would make ROW absorb the difference between two sources. ROW GDP = "
        "IMF WLD minus the 15. Population: WDI SP.POP.TOTL 2023 (W2); ROW population is "
        "not defined (NaN). Capitals' coordinates: GeoNames (G); ROW has none (NaN)."
    )
    add("")
    diffs = [
        [
            e,
            raw.gdp[e],
            raw.gdp_wdi.get(e, float("nan")),
            100 * (raw.gdp[e] / raw.gdp_wdi[e] - 1) if e in raw.gdp_wdi else float("nan"),
        ]
        for e in ECONOMIES
    ]
    add(_md_table(["economy", "GDP IMF (used)", "GDP WDI", "IMF vs WDI %"], diffs))
    add("")
    add(
        f"World GDP (IMF WLD 2023): {fmt(round(mx.world_gdp, 1))}; ROW GDP: "
        f"{fmt(round(mx.world_gdp - sum(raw.gdp[e] for e in ECONOMIES), 1))}."
    )
    add("")
    # Cells.
    add("## Reported cells: rules")
    add("")
    add(
        "- Every bilateral figure of trade_flows_2023_reported.csv is used. Flags: R = "
        "exporter's statistics (provenance `reported`), M = importer's statistics "
        "(`mirror`), D = derived from published totals/growth/shares (`derived`)."
    )
    add(
        "- Where a cell has more than one figure: a full-year, goods-only, calendar-year "
        "figure is preferred to a part-year, services-inclusive (`*`) or fiscal-year one; "
        "among equals, the exporter's own statistics are preferred to the mirror. Both are "
        "kept in `value_reporter` / `value_mirror` (annual US$ bn, same adjustments). "
        "This decides two cells: UZB->CHN uses China's mirror 1.6 [T4] over Uzbekistan's "
        "services-inclusive 2.5 [T5]; CHN->UZB uses China's derived 12.4 [T4] over "
        "Uzbekistan's services-inclusive 11.2 [T5]."
    )
    add(
        "- Part-year figures are annualised pro rata: value x 12 / months covered "
        "(P(Jan-Nov): x12/11; P(Jan-Oct): x12/10; Iran's 4-month FY1402 figures: x12/4). "
        "The original flag stays in `flag`, the raw figure in `value_raw`, the rule in "
        "`method`. Pro-rata annualisation assumes no seasonality (assumed)."
    )
    add(f"- Euro figures are converted at {EUR_USD} USD per EUR (E1).")
    add(
        "- Fiscal-year figures (India FY2023-24, Apr 2023-Mar 2024) are used as the 2023 "
        "value without adjustment (9 of their 12 months are in 2023)."
    )
    add(
        "- Bilateral figures quoted only in NOTES.md / FIGURES.md (not in the CSV) are "
        "transcribed in `build.py` with the sentence they come from (the build checks the "
        "sentence is still there): EU<->China from China's shares of extra-EU trade "
        "(N-EUCHN); Moldova->EU 65.4 % of exports (X3); Moldova->RUS/TUR/BLR from Jan-Jul "
        "export shares applied to the full-year total (N-MDA, weak); Iran<->CHN/TUR/IND "
        "from FY1402's first 4 months, non-oil (N-IRN, weak)."
    )
    add("")
    add("## Turnover-only figures")
    add("")
    add(
        "Turnovers (exports + imports) are used as constraints only where a direction is "
        "missing: (a) both directions known: check only; (b) one known: the other = "
        "turnover - known (`derived`); (c) neither known: split by a published direction "
        "share where one exists (UZB-KAZ: Uzstat Jan-Aug 2023, N-UZBKAZ), else by the "
        "gravity prediction's direction ratio (`derived`); (d) approximate ('~') or "
        "lower-bound ('>') turnovers and non-2023 figures: check only; (e) the EAEU-Iran "
        "turnover 4.1 [T17] fixes the total of the EAEU-Iran cells not known otherwise, "
        "shared by the gravity prediction. The Russia-Iran '~5' [T16] conflicts with "
        "EAEU-Iran 4.1 [T17] and is not used."
    )
    add("")
    add(
        _md_table(
            ["pair", "published", "source", "model", "use"],
            [
                [
                    c.pair,
                    c.published,
                    c.source,
                    round(c.model, 3) if c.model is not None else "",
                    c.use,
                ]
                for c in checks
            ],
        )
    )
    add("")
    # PPML.
    add("## Gravity imputation (PPML)")
    add("")
    add(
        f"Poisson pseudo-maximum likelihood (numpy IRLS, log link; `sim/data/ppml.py`), "
        f"fitted to the {grav.n_obs} cells among the 15 economies known from published "
        "bilateral figures (reported, mirror, derived; turnover-derived cells come after "
        "the fit, whose prediction splits them). Specification used:"
    )
    add("")
    add(
        "    X_ij = exp(b0 + b1 ln distw_ij + b2 contig_ij + b3 comlang_off_ij + b4 rta_ij)"
        " x Xtot_i x Mtot_j"
    )
    add("")
    add(
        "i.e. exporter and importer size enter as the published total exports of i and "
        "total imports of j with a unit elasticity (an offset), as structural gravity "
        "implies for output and expenditure. Distances are CEPII `distw`; for EU pairs "
        "contiguity and common language are the population share of EU members with the "
        "trait (CEPII `_eu_popshare` columns), not the 'any member' dummy (which would "
        "give the whole EU a common language with India and Turkey). RTA: DESTA "
        "`rta_2021`. Robust (HC0) standard errors."
    )
    add("")
    add(
        _md_table(
            ["regressor", "coefficient", "robust s.e."],
            [[n, float(c), float(e)] for n, c, e in zip(REGRESSORS, fit.coef, fit.se, strict=True)],
        )
    )
    add("")
    add(
        f"Observations {fit.n_obs}; IRLS iterations {fit.iterations} "
        f"({'converged' if fit.converged else 'NOT converged'}); pseudo-R^2 "
        f"(squared correlation of fitted and observed) {fit.pseudo_r2:.3f}. Distance "
        f"elasticity {dist_coef:.3f}: "
        + (
            "negative, as expected (literature: about -1)."
            if dist_coef < 0
            else "positive: implausible."
        )
    )
    add("")
    g = grav.gdp
    gd = g.coef[REGRESSORS_GDP.index("ln_distw")]
    add(
        "For comparison, the same sample with ln exporter GDP and ln importer GDP as free "
        "regressors (no offset) gives:"
    )
    add("")
    add(
        _md_table(
            ["regressor", "coefficient", "robust s.e."],
            [[n, float(c), float(e)] for n, c, e in zip(REGRESSORS_GDP, g.coef, g.se, strict=True)],
        )
    )
    add("")
    add(
        f"(pseudo-R^2 {g.pseudo_r2:.3f}); its distance elasticity {gd:.3f} is "
        f"{'negative' if gd < 0 else 'not negative, so it is not used'}: with 70 cells "
        "dominated by a few long-distance giants (EU-China, China-India, Russia-China) the "
        "GDP elasticities absorb what the distance term should explain, and small "
        "economies get more trade than their published totals allow."
    )
    add("")
    add(
        "The sample is small and Armenia-heavy (Armstat gives Armenia's full row and "
        "column), so the coefficients are calibration devices, not estimates to quote. "
        "The negative RTA coefficient reflects that most RTA pairs here are small CIS "
        "economies; it is not a finding about RTAs."
    )
    add("")
    add(
        "**Scaling to totals.** An economy's imputed exports may use at most the room its "
        "published total leaves after its known bilateral exports and the ROW floor: "
        f"room = (1 - {ROW_FLOOR_SHARE:g}) x total - known, but at least "
        f"{ROW_FLOOR_SHARE:g} x total; its factor is min(1, room / imputed sum); likewise "
        "for imports. Each imputed cell is multiplied by min(exporter's export factor, "
        "importer's import factor): predictions are only scaled down. "
        f"{len(mx.scaled)} imputed cells were scaled, removing "
        f"{fmt(round(sum(v * (1 - f) for _, _, v, f in mx.scaled), 2))} of "
        f"{fmt(round(sum(v for _, _, v, _ in mx.scaled), 2))} predicted. Binding economies:"
    )
    add("")
    bind: dict[str, list[float]] = {}
    for o, d, _v, f in mx.scaled:
        m = re.search(r"to fit (\w+ \w+) within", cells[(o, d)].method)
        if m:
            bind.setdefault(m.group(1), []).append(f)
    add(
        ", ".join(f"{k} ({len(v)} cells, factor {min(v):.3f})" for k, v in sorted(bind.items()))
        or "none"
    )
    add("")
    add("## Coverage per economy")
    add("")
    add(
        "Counts of an economy's 15 export cells (to the 14 others and ROW) and 15 import "
        "cells by provenance, and the share of its export/import value (ROW included) "
        "that is imputed."
    )
    add("")
    prov_list = ("reported", "mirror", "derived", "imputed", "residual")
    cov_rows: list[list[object]] = []
    for e in ECONOMIES:
        xs = [cells[(e, d)] for d in all_e if d != e]
        ms = [cells[(o, e)] for o in all_e if o != e]
        xv = sum(c.value for c in xs)
        mv = sum(c.value for c in ms)
        row: list[object] = [e]
        row += [
            "/".join(str(sum(c.provenance == p for c in lst)) for lst in (xs, ms))
            for p in prov_list
        ]
        row += [
            100 * sum(c.value for c in xs if c.provenance == "imputed") / xv,
            100 * sum(c.value for c in ms if c.provenance == "imputed") / mv,
        ]
        cov_rows.append(row)
    add(
        _md_table(
            [
                "economy",
                "reported X/M",
                "mirror X/M",
                "derived X/M",
                "imputed X/M",
                "residual X/M",
                "% export value imputed",
                "% import value imputed",
            ],
            cov_rows,
        )
    )
    add("")
    # Gaps.
    add("## Reporter/mirror gaps")
    add("")
    add(
        f"Gap = |reporter - mirror| / min(reporter, mirror); cells where both exist, flagged "
        f"when over {GAP_THRESHOLD * 100:.0f} %."
    )
    add("")
    gap_rows: list[list[object]] = []
    for k, c in cells.items():
        if c.value_reporter is not None and c.value_mirror is not None:
            g = abs(c.value_reporter - c.value_mirror) / min(c.value_reporter, c.value_mirror)
            gap_rows.append(
                [
                    f"{k[0]}->{k[1]}",
                    c.value_reporter,
                    c.value_mirror,
                    100 * g,
                    "**over 50 %**" if g > GAP_THRESHOLD else "",
                    c.value,
                ]
            )
    gap_rows.sort(key=lambda r: -float(r[3]))  # type: ignore[arg-type]
    add(_md_table(["cell", "reporter", "mirror", "gap %", "", "used"], gap_rows))
    add("")
    add(
        "Larger discrepancies between sources that are not both in one cell: China's "
        "exports to Kyrgyzstan (19.72, used) are about 4x Kyrgyzstan's own import figure "
        "(transit goods declared as Kyrgyz imports; FIGURES.md §2, T4) - this pushes KGZ's "
        "modelled imports far above its published total (see below); China-India "
        "turnover 136.2 by China (T14) against 118.37 by India's FY figures (used), a 15 % "
        "gap; Russia-Belarus 46.5 by Russia (used) against 54 by Belarus (T2), 16 %."
    )
    add("")
    # Totals.
    add("## Trade totals and ROW")
    add("")
    add(
        f"ROW exports to economy j = j's published total imports - its imports from the "
        f"other 14; ROW imports from i = i's published total exports - its exports to the "
        f"other 14; each floored at {ROW_FLOOR_SHARE * 100:g} % of the published total "
        "(assumed), so that every flow is positive. Provenance `residual`. ROW-ROW (trade "
        "among rest-of-world countries and their domestic sales) closes world output."
    )
    add("")
    tot_rows: list[list[object]] = []
    for e in ECONOMIES:
        t = mx.totals[e]
        mxv = sum(cells[(e, d)].value for d in all_e if d != e)
        mmv = sum(cells[(o, e)].value for o in all_e if o != e)
        tot_rows.append(
            [
                e,
                t.exports,
                mxv,
                cells[(e, ROW)].value,
                t.imports,
                mmv,
                cells[(ROW, e)].value,
                t.source,
                t.method,
            ]
        )
    add(
        _md_table(
            [
                "economy",
                "exports published",
                "exports model",
                "to ROW",
                "imports published",
                "imports model",
                "from ROW",
                "source",
                "rule",
            ],
            tot_rows,
        )
    )
    add("")
    if mx.row_floor_hits:
        add("Floors applied (the model's total then exceeds the published total):")
        add("")
        for h in mx.row_floor_hits:
            add(f"- {h}")
        add("")
    # Gross output.
    add("## Gross output and domestic sales")
    add("")
    add(
        f"GDP is value added and trade is gross, so the diagonal uses a gross-output "
        f"proxy: Y_i = max(GDP_i x {GROSS_OUTPUT_MULTIPLIER:g}, X_i / {MAX_EXPORT_SHARE:g}) "
        f"with X_i the economy's modelled exports (ROW included); domestic sales = Y_i - "
        f"X_i >= (1 - {MAX_EXPORT_SHARE:g}) Y_i. Both parameters are assumed. ROW gross "
        f"output = IMF world GDP x {GROSS_OUTPUT_MULTIPLIER:g} - the 15 economies' gross "
        f"output; ROW-ROW = ROW gross output - ROW exports to the 15."
    )
    add("")
    go_rows = [
        [
            e,
            raw.gdp[e] if e != ROW else mx.world_gdp - sum(raw.gdp[x] for x in ECONOMIES),
            mx.gross_output[e],
            cells[(e, e)].value,
            100 * cells[(e, e)].value / mx.gross_output[e],
            mx.gross_method[e],
        ]
        for e in all_e
    ]
    add(
        _md_table(
            ["economy", "GDP", "gross output", "domestic", "domestic % of output", "rule"], go_rows
        )
    )
    add("")
    # Growth.
    add("## Baseline growth (growth.csv)")
    add("")
    add(
        "Real GDP growth, percent, IMF WEO 2019-2024 (`gdp_const_growth`, raw file "
        "macro_2019_2024.csv) for the 14 economies that have it. EUU has no IMF figure in "
        "the raw data: 2021-2023 from the European Commission (E2), 2024 from a Eurostat "
        "flash estimate (E3, secondary source). ROW: proxy = mean of the economies' rates "
        "weighted by their 2023 GDP (derived). After the last observed year (2024) each "
        "economy's last observed rate is held flat (documented default; "
        "`sim.data.loader.growth_path`). For a world with economies folded into ROW, "
        "ROW's rate is the 2023-GDP-weighted mean of the folded members' rates."
    )
    add("")
    # Blocs.
    _, fta_notes = bloc_rows(raw)
    add("## Blocs")
    add("")
    add(
        "- CIS: ARM AZE BLR KAZ KGZ MDA RUS TJK TKM UZB (the ten CIS economies of the data "
        "set; TKM is an associate member)."
    )
    add("- EAEU: ARM BLR KAZ KGZ RUS (trade_agreements.csv).")
    add(
        "- CIS_FTA: parties of the 2011 CIS FTA in force in 2023, from the per-party rows "
        "of trade_agreements.csv: `in_force`, or `ratified` with a ratification date. The "
        "'weak' source quality of KAZ, ARM, MDA, KGZ, TJK and UZB concerns the "
        "ratification *dates* (a Wikipedia-derived page); that they are parties rests on "
        "R4, and every date is years before 2023, so they are counted. UZB joined by the "
        "2013 accession protocol (ratified by Russia Apr 2014, R4) and is counted. AZE and "
        "TKM are not parties."
    )
    for n in fta_notes:
        add(f"  - {n}")
    add("")
    # Assumed parameters.
    add("## Assumed parameters")
    add("")
    add(
        f"- EUR/USD = {EUR_USD} (E1): the ECB's 2023 average reference rate as given in "
        "the task brief. Not found in the raw data; a search found it only in a secondary "
        "listing ('ECB annual average'), not in an ECB publication -> assumed."
    )
    add(
        f"- Gross-output multiplier on GDP: {GROSS_OUTPUT_MULTIPLIER:g} (GDP itself unless "
        "exports bind)."
    )
    add(f"- Maximum export share of gross output: {MAX_EXPORT_SHARE:g}.")
    add(f"- ROW floor: {ROW_FLOOR_SHARE:g} x the economy's published total exports/imports.")
    add("- Part-year annualisation pro rata (x12/months), no seasonality.")
    add("- Fiscal-year figures used as calendar 2023.")
    add("- Growth after 2024: last observed rate held flat; ROW growth = GDP-weighted mean.")
    add("")
    # Gaps.
    add("## Known gaps")
    add("")
    add(
        "- No complete single-source matrix exists offline; imputed cells are gravity "
        "estimates from a small, Armenia-heavy sample. A user with BACI/ITPD-E can pass "
        "`load_world(trade_matrix=...)`."
    )
    add(
        "- Whole rows/columns are missing for AZE, BLR, TKM and most of IRN, KAZ; their "
        "cells are mostly imputed or turnover-derived."
    )
    add(
        "- IRN's totals are non-oil (FY2022/23) and its bilateral figures non-oil: IRN's "
        "exports (crude oil) are understated."
    )
    add(
        "- KGZ: only a derived turnover total exists; China's export figure (incl. transit) "
        "exceeds it, so the ROW floor binds and KGZ's modelled imports exceed the published "
        "total. TKM totals are annualised from Jan-May."
    )
    add("- UZB turnover figures of T5 may include services.")
    add(
        "- Distances to/from ROW are not defined (NaN in `World.distance`): CEPII has no "
        "rest-of-world aggregate."
    )
    add("- Growth: EUU from added sources (E2, E3); ROW is a proxy.")
    add("")
    add("## Source keys")
    add("")
    add(
        "Keys of FIGURES.md §Sources (W1, W2, G, C, T1-T18, S-RIA, S-EEC, X1-X10, R4, ...) "
        "are used as they are. Keys added by this build:"
    )
    add("")
    for k, v in EXTRA_SOURCES.items():
        add(f"- `{k}`: {v}")
    add("")
    return "\n".join(L)


@dataclass
class BuildResult:
    """What a build produced."""

    tables: dict[str, bytes]
    report: str
    fit: GravityFit
    data_version: str


def build(raw_dir: Path) -> BuildResult:
    """Run the whole build in memory."""
    raw = load_raw(raw_dir)
    for e in (*ECONOMIES, "WLD"):
        if e not in raw.gdp:
            raise ValueError(f"IMF GDP {YEAR} missing for {e}")
    totals = build_totals(raw)
    figs = [parse_flow_row(r) for r in raw.flows]
    figs += supplementary_figures(raw, totals)
    cells = choose_cells(figs)
    grav = fit_gravity(raw, cells, totals)
    checks = apply_turnovers(raw, cells, grav.pred)
    scaled = impute(cells, grav.pred, totals)
    mx = assemble(raw, cells, totals, scaled)
    for k, c in mx.cells.items():
        if not (c.value > 0 and math.isfinite(c.value)):
            raise ValueError(f"cell {k} not positive/finite: {c.value}")
    tables = table_bytes(raw, mx)
    report = render_report(raw, mx, grav, checks, tables)
    return BuildResult(tables, report, grav, data_version(tables))


def write(result: BuildResult, out_dir: Path) -> None:
    """Write the tables and the report into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, data in result.tables.items():
        (out_dir / name).write_bytes(data)
    (out_dir / "DATA_REPORT.md").write_bytes(result.report.encode("utf-8"))


def default_raw_dir() -> Path:
    """/work/shared/data/cis, else ../shared/data/cis next to the repository."""
    if DEFAULT_RAW.is_dir():
        return DEFAULT_RAW
    repo = Path(__file__).resolve().parents[2]
    return repo.parent / "shared" / "data" / "cis"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(
        prog="python -m sim.data.build", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--raw", type=Path, default=None, help="raw data dir (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output dir")
    args = ap.parse_args(argv)
    raw_dir = args.raw or default_raw_dir()
    try:
        res = build(raw_dir)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    write(res, args.out)
    print(
        f"wrote {len(res.tables)} tables and DATA_REPORT.md to {args.out} "
        f"(data_version {res.data_version})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
