"""The published bilateral figures of the calibration year (2023): cells kept as they are.

Every bilateral figure of ``trade_flows_2023_reported.csv`` plus a few quoted only
in NOTES.md/FIGURES.md (each transcribed with the sentence it comes from, checked
at build time). Part-year figures are annualised pro rata (x12/months), euro
figures converted at the year's ECB rate, fiscal-year figures used as the 2023
value. Where a cell has several figures, a full-year, goods-only, calendar-year
figure beats one that is not; then the exporter's own statistics beat the
importer's (mirror). Both are kept in the cell (``value_reporter``,
``value_mirror``). Turnover-only pairs: if one direction is known, the other is
the turnover minus it; if neither, the turnover is split by the pair's DOTS 2020
direction share.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.data.build.common import Cell, fmt, join_sources
from sim.data.build.raw import Raw
from sim.data.build.spec import WorldSpec
from sim.data.build.totals import Total

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def months_in(span: str) -> int:
    """Number of months in a span like 'Jan-Nov'."""
    a, b = span.split("-")
    return MONTHS.index(b.strip()[:3]) - MONTHS.index(a.strip()[:3]) + 1


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


def parse_flow_row(r: dict[str, str], spec: WorldSpec) -> Figure:
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
        v = v * spec.eur_usd
        method.append(f"EUR converted at {spec.eur_usd}")
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
    src = join_sources(r["source"], spec.eur_source if eur else "")
    return Figure(
        exp, imp, v, raw_v, flag, side, flag.startswith("D"), services, months, fiscal, src, method
    )


def supplementary_figures(raw: Raw, totals: dict[str, Total], spec: WorldSpec) -> list[Figure]:
    """Bilateral figures quoted in NOTES.md / FIGURES.md but not in the CSV.

    Each is transcribed with the sentence it comes from; the build fails if the
    sentence is no longer in the raw notes.
    """

    def need(text: str, where: str) -> None:
        hay = raw.notes_text if where == "NOTES" else raw.figures_text
        if text not in hay:
            raise ValueError(f"{where}.md no longer contains {text!r}; update build.py")

    figs: list[Figure] = []
    # China -> EU: share of extra-EU imports (EU -> China comes from Eurostat).
    need("CHN = 20.5% of extra-EU imports, 8.8% of extra-EU exports", "NOTES")
    eu = totals["EUU"]
    assert eu.imports is not None
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
    assert md.exports is not None
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
            join_sources("X3", spec.eur_source),
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
                join_sources("N-MDA", "X3", spec.eur_source),
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


@dataclass
class TurnoverCheck:
    """A published turnover and what the model has for it."""

    pair: str
    published: str
    source: str
    model: float | None
    use: str


def apply_turnovers(
    raw: Raw, cells: dict[tuple[str, str], Cell], base: dict[tuple[str, str], float]
) -> list[TurnoverCheck]:
    """Apply the turnover rules in place and return the check table.

    ``base`` is the DOTS base pattern (missing pairs absent): it gives the
    direction share of a turnover whose two directions are both unknown; a
    turnover with a direction missing from DOTS as well is a check only.
    """
    idx = {e: i for i, e in enumerate(raw.economies)}
    eaeu = next(r for r in raw.agreements if r["agreement"] == "EAEU")["parties"].split(";")
    checks: list[TurnoverCheck] = []

    def p(o: str, d: str) -> float:
        return base.get((o, d), 0.0)

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
        if year != "2023":
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
            if p(a, b) <= 0 or p(b, a) <= 0:
                checks.append(
                    TurnoverCheck(
                        pair, vtext, src, None, "check only: a direction has no DOTS base"
                    )
                )
                continue
            share = p(a, b) / (p(a, b) + p(b, a))
            src2 = join_sources(src, "DOTS")
            how = f"DOTS 2020 direction share ({o}->{d} {share:.4f})"
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
            keys = [(e, "IRN") for e in eaeu] + [("IRN", e) for e in eaeu]
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
                    join_sources(src, "DOTS"),
                    flag="T",
                    value_raw=f"EAEU-IRN turnover {vtext}",
                    method=f"EAEU-IRN turnover {vtext} [{src}] minus known "
                    f"EAEU-IRN cells {fmt(fixed)}, shared by the DOTS 2020 pattern",
                )
            checks.append(
                TurnoverCheck(
                    pair,
                    vtext,
                    src,
                    t,
                    f"used: constrains the {len(free)} unknown EAEU-IRN cells (DOTS shares)",
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
