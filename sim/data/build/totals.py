"""Each economy's published total goods exports and imports (the RAS margins)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.data.build.common import join_sources
from sim.data.build.raw import Raw, names_to_iso3
from sim.data.build.spec import WorldSpec


@dataclass
class Total:
    """Total goods exports and imports of one economy, annual US$ bn (None = not published)."""

    exports: float | None
    imports: float | None
    source: str
    method: str


def extra_eu_exports_eur(raw: Raw, year: int) -> float:
    """EU27 exports to all non-member partners of the Eurostat file (EUR)."""
    by = raw.eurostat[year]
    iso = names_to_iso3(list(by))
    return sum(v for name, v in by.items() if iso[name] not in raw.eu_members)


def eurostat_by_partner_usd(raw: Raw, spec: WorldSpec) -> dict[str, float]:
    """EU27 exports to each modelled economy in the calibration year, US$ bn."""
    by = raw.eurostat[spec.year]
    iso = names_to_iso3(list(by))
    out: dict[str, float] = {}
    for name, v in by.items():
        code = iso[name]
        if code in raw.economies and code != "EUU":
            out[code] = out.get(code, 0.0) + v * spec.eur_usd / 1e9
    return out


def build_totals(raw: Raw, spec: WorldSpec) -> dict[str, Total]:
    """Published totals of the calibration year (rules in the docstrings below)."""
    if spec.year == 2023:
        return _totals_2023(raw, spec)
    return _totals_wdi(raw, spec)


def _eu_total(raw: Raw, spec: WorldSpec, balance_eur_bn: float | None) -> Total:
    x = extra_eu_exports_eur(raw, spec.year) / 1e9
    if balance_eur_bn is None:
        return Total(
            x * spec.eur_usd,
            None,
            join_sources("EUROSTAT", spec.eur_source),
            f"exports: Eurostat extra-EU exports {spec.year} EUR {x:.1f}bn x {spec.eur_usd}; "
            "imports: no published extra-EU import total in the raw data (column not constrained)",
        )
    m = x - balance_eur_bn
    return Total(
        x * spec.eur_usd,
        m * spec.eur_usd,
        join_sources("EUROSTAT", "X9", spec.eur_source),
        f"exports: Eurostat extra-EU exports {spec.year} EUR {x:.1f}bn; imports = exports - "
        f"published balance EUR {balance_eur_bn:g}bn (X9); EUR converted at {spec.eur_usd}",
    )


def _totals_wdi(raw: Raw, spec: WorldSpec) -> dict[str, Total]:
    """WDI balance-of-payments goods exports/imports of the year; EU from Eurostat."""
    out: dict[str, Total] = {}
    for e in raw.economies:
        if e == "EUU":
            out[e] = _eu_total(raw, spec, None)
            continue
        x = raw.macro_value(e, spec.year, "exports_goods_bop", "WDI")
        m = raw.macro_value(e, spec.year, "imports_goods_bop", "WDI")
        out[e] = Total(
            None if x is None else x / 1e9,
            None if m is None else m / 1e9,
            "WDI" if x is not None or m is not None else "",
            f"WDI BoP goods {spec.year}"
            if x is not None and m is not None
            else f"no published {spec.year} total in the raw data (not constrained)",
        )
    return out


def _totals_2023(raw: Raw, spec: WorldSpec) -> dict[str, Total]:
    """Totals 2023.

    Rule, in order: (a) a full-year calendar-2023 goods figure of
    country_trade_totals_2023.csv (euro converted); (b) EU: Eurostat extra-EU
    exports, imports from the published 2023 balance; (c) WDI
    balance-of-payments goods 2023; (d) KGZ: the 2023 turnover split by the
    2022 WDI export share; TKM: Jan-May 2023 annualised; IRN: FY2022/23 non-oil.
    """
    out: dict[str, Total] = {}
    by: dict[str, list[dict[str, str]]] = {}
    for r in raw.totals:
        by.setdefault(r["iso3"], []).append(r)
    for iso in raw.economies:
        for r in by.get(iso, []):
            if (
                r["year_or_period"] == str(spec.year)
                and r["coverage"] == "goods"
                and r["flag"] == "R"
                and r["exports_usd_bn"]
                and r["imports_usd_bn"]
            ):
                x, m = float(r["exports_usd_bn"]), float(r["imports_usd_bn"])
                src, meth = r["source"], "published calendar-2023 goods total"
                if r["currency_if_not_usd"] == "EUR":
                    x, m = x * spec.eur_usd, m * spec.eur_usd
                    src = join_sources(src, spec.eur_source)
                    meth += f"; EUR converted at {spec.eur_usd}"
                out[iso] = Total(x, m, src, meth)
                break
    out["EUU"] = _eu_total(raw, spec, 38.0)  # X9: 2023 balance +EUR 38bn
    for iso in raw.economies:
        if iso in out:
            continue
        x = raw.macro_value(iso, spec.year, "exports_goods_bop", "WDI")
        m = raw.macro_value(iso, spec.year, "imports_goods_bop", "WDI")
        if x is not None and m is not None:
            reason = {
                "TJK": "preferred to the Jan-Nov figures of X4",
                "UZB": "preferred to T5, which includes services",
                "IND": "calendar year, preferred to the FY2023-24 figures of X7",
            }.get(iso, "no published 2023 total in country_trade_totals_2023.csv")
            out[iso] = Total(x / 1e9, m / 1e9, "WDI", f"WDI BoP goods 2023 ({reason})")
    kgz_t = next(r for r in by["KGZ"] if r["turnover_usd_bn"])
    t = float(kgz_t["turnover_usd_bn"])
    x22 = raw.macro_value("KGZ", 2022, "exports_goods_bop", "WDI")
    m22 = raw.macro_value("KGZ", 2022, "imports_goods_bop", "WDI")
    assert x22 is not None and m22 is not None
    share = x22 / (x22 + m22)
    out["KGZ"] = Total(
        t * share,
        t * (1 - share),
        join_sources(kgz_t["source"], "WDI"),
        f"derived: 2023 turnover {t:g} (T7, itself derived) split by the 2022 WDI BoP export "
        f"share of turnover {share:.4f}",
    )
    rows = [r for r in by["TKM"] if r["year_or_period"] == "2023 Jan-May"]
    tkm_t = next(r for r in rows if r["turnover_usd_bn"])
    tkm_x = next(r for r in rows if r["exports_usd_bn"])
    k = 12 / 5
    tt, tx = float(tkm_t["turnover_usd_bn"]) * k, float(tkm_x["exports_usd_bn"]) * k
    out["TKM"] = Total(
        tx,
        tt - tx,
        tkm_t["source"],
        "derived: Jan-May 2023 turnover '>8' and exports '~5' (X10) annualised x12/5; "
        "imports = turnover - exports",
    )
    irn = next(r for r in by["IRN"] if r["year_or_period"].startswith("FY2022-23"))
    out["IRN"] = Total(
        float(irn["exports_usd_bn"]),
        float(irn["imports_usd_bn"]),
        irn["source"],
        "FY2022/23 (21 Mar 2022-20 Mar 2023) non-oil totals used for 2023: exports exclude "
        "crude oil, so IRN's exports are understated",
    )
    missing = [e for e in raw.economies if e not in out]
    if missing:
        raise ValueError(f"no trade total for {missing}")
    return {e: out[e] for e in raw.economies}
