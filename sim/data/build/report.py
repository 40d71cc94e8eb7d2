"""The data report: numbers of a build, filled into ``report_template.md``."""

from __future__ import annotations

import math
from importlib import resources
from string import Template

import numpy as np

from sim.data.build.cells import (
    GROSS_OUTPUT_MULTIPLIER,
    MAX_EXPORT_SHARE,
    REGRESSORS,
    ROW_FLOOR_SHARE,
    Matrix,
)
from sim.data.build.common import CLASSES, ROW, fmt
from sim.data.build.deviations import BAND, Deviation
from sim.data.build.raw import Raw
from sim.data.build.spec import SOURCES, WorldSpec
from sim.data.ppml import distance_elasticity

#: Reporter/mirror gap shown in the report, |R - M| / min(R, M).
GAP_THRESHOLD = 0.5


def md_table(header: list[str], rows: list[list[object]]) -> str:
    """A markdown table; floats rounded to 4 decimals."""

    def cell(x: object) -> str:
        if isinstance(x, float):
            return fmt(round(x, 4)) if abs(x) >= 1e-4 or x == 0 else fmt(x)
        return str(x)

    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(x) for x in r) + " |" for r in rows]
    return "\n".join(out)


def provenance_shares(
    cells: dict, pairs: list[tuple[str, str]]
) -> tuple[float, dict[str, tuple[float, int]]]:
    """Total value and (value share, cells) by provenance class over ``pairs``."""
    tot = sum(cells[k].value for k in pairs)
    out: dict[str, tuple[float, int]] = {}
    for k in pairs:
        v, n = out.get(cells[k].provenance, (0.0, 0))
        out[cells[k].provenance] = (v + cells[k].value / tot, n + 1)
    return tot, out


#: Classes of published figures (kept as published in a build).
PUBLISHED = ("reported", "mirror", "derived")


def _pattern(mx: Matrix, codes: tuple[str, ...], o: str, d: str) -> float | None:
    """The RAS-scaled DOTS pattern value of a cell (what a published cell would otherwise be)."""
    b = mx.base.value.get((o, d))
    if b is None:
        return None
    return b * mx.ras.r[codes.index(o)] * mx.ras.s[codes.index(d)]


def _replaced(raw: Raw, mx: Matrix, classes: tuple[str, ...]) -> np.ndarray:
    """The shipped matrix with the cells of ``classes`` set to their scaled DOTS pattern."""
    e, codes = raw.economies, (*raw.economies, ROW)
    out = np.array([[mx.cells[(o, d)].value for d in e] for o in e])
    for i, o in enumerate(e):
        for j, d in enumerate(e):
            if i != j and mx.cells[(o, d)].provenance in classes:
                alt = _pattern(mx, codes, o, d)
                out[i, j] = alt if alt else out[i, j]
    return out


def elasticities(raw: Raw, mx: Matrix) -> dict[str, tuple[float, float]]:
    """Distance-only FE-PPML on the shipped cells, the DOTS base, and the decompositions.

    Which cells drive the shipped figure: the published cells (reported, mirror,
    derived) or the EU row replaced by the value the scaled DOTS pattern gives them;
    the RAS-scaled pattern everywhere (RAS factors are exporter x importer, which the
    fixed effects absorb, so this is near the base); without Russia (and Belarus), the
    economies whose trade the 2022 sanctions redirected.
    """
    e = raw.economies
    dist = np.array([[raw.gravity[(o, d)]["distw"] for d in e] for o in e])
    shipped = np.array([[mx.cells[(o, d)].value for d in e] for o in e])
    base = np.array([[mx.base.value.get((o, d), mx.cells[(o, d)].value) for d in e] for o in e])

    def without(m: np.ndarray, drop: tuple[str, ...]) -> tuple[float, float]:
        keep = [k for k, c in enumerate(e) if c not in drop]
        return distance_elasticity(m[np.ix_(keep, keep)], dist[np.ix_(keep, keep)])

    out = {
        "shipped": distance_elasticity(shipped, dist),
        "DOTS base (missing cells: shipped value)": distance_elasticity(base, dist),
    }
    if not any(mx.cells[(o, d)].provenance in PUBLISHED for o in e for d in e if o != d):
        return out
    out |= {
        "shipped, published cells -> scaled DOTS pattern": distance_elasticity(
            _replaced(raw, mx, PUBLISHED), dist
        ),
        "shipped, EU row -> scaled DOTS pattern": distance_elasticity(
            _replaced(raw, mx, ("eurostat",)), dist
        ),
        "scaled DOTS pattern everywhere (RAS only)": distance_elasticity(
            _replaced(raw, mx, (*PUBLISHED, "eurostat")), dist
        ),
        "shipped, without RUS": without(shipped, ("RUS",)),
        "shipped, without RUS and BLR": without(shipped, ("RUS", "BLR")),
        "DOTS base, without RUS": without(base, ("RUS",)),
    }
    return out


def elasticity_drivers(raw: Raw, mx: Matrix, top: int = 8) -> str:
    """The published/Eurostat cells whose replacement by the scaled pattern moves β most."""
    e, codes = raw.economies, (*raw.economies, ROW)
    dist = np.array([[raw.gravity[(o, d)]["distw"] for d in e] for o in e])
    shipped = np.array([[mx.cells[(o, d)].value for d in e] for o in e])
    beta = distance_elasticity(shipped, dist)[0]
    rows = []
    for i, o in enumerate(e):
        for j, d in enumerate(e):
            c = mx.cells[(o, d)]
            alt = _pattern(mx, codes, o, d) if i != j else None
            if c.provenance not in (*PUBLISHED, "eurostat") or not alt:
                continue
            m = shipped.copy()
            m[i, j] = alt
            rows.append([distance_elasticity(m, dist)[0] - beta, f"{o}->{d}", c.provenance,
                         c.value, alt, c.source])  # fmt: skip
    if not any(r[2] in PUBLISHED for r in rows):
        return (
            "No published cell in this world (its EU row is Eurostat's, the rest the "
            "scaled DOTS pattern)."
        )
    rows.sort(key=lambda r: float(str(r[0])))
    m = shipped.copy()
    for r in rows[:top]:
        o, d = str(r[1]).split("->")
        m[e.index(o), e.index(d)] = float(str(r[4]))
        r.append(distance_elasticity(m, dist)[0])
        r[0] = f"{float(str(r[0])):+.3f}"
    header = ["change in β", "cell", "class", "shipped", "scaled DOTS pattern", "source",
              "β with this and the cells above replaced"]  # fmt: skip
    lead = (
        "The cells whose replacement by the value the scaled DOTS pattern would give them "
        "moves β most (one at a time, then cumulatively):"
    )
    return lead + "\n\n" + md_table(header, rows[:top])


def published_vs_pattern(raw: Raw, mx: Matrix, top: int = 15) -> str:
    """Published/Eurostat cells against what the scaled DOTS pattern would give them."""
    codes = (*raw.economies, ROW)
    idx = {e: i for i, e in enumerate(codes)}
    rows = []
    for (o, d), c in mx.cells.items():
        if c.provenance not in ("reported", "mirror", "derived", "eurostat"):
            continue
        if (o, d) not in mx.base.value or d == ROW:
            continue
        alt = mx.base.value[(o, d)] * mx.ras.r[idx[o]] * mx.ras.s[idx[d]]
        rows.append([f"{o}->{d}", c.provenance, c.value, alt, c.value / alt, c.source])
    rows.sort(key=lambda r: -abs(math.log(float(str(r[4])))))
    for r in rows:
        r[4] = f"{float(str(r[4])):.2f}"
    return md_table(["cell", "used", "value", "DOTS pattern scaled", "ratio", "source"], rows[:top])


def held_out_checks(raw: Raw, spec: WorldSpec, mx: Matrix) -> str:
    """Published figures of the year that the build does not use, against the matrix."""
    rows: list[list[object]] = []
    if spec.year == 2021:
        quote = "Russia-CIS 2021 trade $96bn | portnews 14 Oct 2022"
        if quote not in raw.notes_text:
            raise ValueError("NOTES.md no longer contains the Russia-CIS 2021 turnover")
        cis = [
            p for r in raw.agreements if r["agreement"] == "CIS FTA 1994"
            for p in r["parties"].split(";") if p in raw.economies and p != "RUS"
        ]  # fmt: skip
        model = sum(mx.cells[("RUS", e)].value + mx.cells[(e, "RUS")].value for e in cis)
        rows.append(
            ["Russia-CIS turnover 2021", 96.0, "NOTES.md: portnews 14 Oct 2022 (no URL)",
             model, f"{100 * (model / 96.0 - 1):+.1f} %"]
        )  # fmt: skip
    if not rows:
        return "None beyond the turnover checks above."
    return md_table(["figure", "published", "source", "matrix", "difference"], rows)


def render_report(
    raw: Raw, spec: WorldSpec, mx: Matrix, devs: list[Deviation], data_version: str
) -> str:
    """The data report (markdown)."""
    econ = raw.economies
    cells = mx.cells
    inner = [(o, d) for o in econ for d in econ if o != d]
    allp = [(o, d) for o in (*econ, ROW) for d in (*econ, ROW) if o != d]
    inner_val, shares = provenance_shares(cells, inner)
    world_val, wshares = provenance_shares(cells, allp)
    prov_rows = [
        [p, f"{100 * shares.get(p, (0, 0))[0]:.2f} %", shares.get(p, (0, 0))[1]] for p in CLASSES
    ]
    prov_rows.append(["total", f"US$ {inner_val:.1f} bn", len(inner)])
    row_line = ", ".join(f"{p} {100 * v:.1f} %" for p, (v, _) in sorted(wshares.items()))
    missing = [k for k in mx.base.missing]
    fallback = [k for k, y in mx.base.year.items() if y != spec.base_year]
    imputed = [k for k in inner if cells[k].provenance == "imputed"]
    published = [k for k in inner if cells[k].provenance in ("reported", "mirror", "derived")]
    codes = (*econ, ROW)
    free_margins = [
        f"{e} {side}"
        for e in econ
        for side in ("exports", "imports")
        if getattr(mx.totals[e], side) is None
    ]
    floored = [f"{e} exports" for e, f in zip(codes, mx.ras.floored_rows, strict=True) if f]
    floored += [f"{e} imports" for e, f in zip(codes, mx.ras.floored_cols, strict=True) if f]
    el = elasticities(raw, mx)
    el_rows = "\n".join(f"| {k} | {b:.3f} | {s:.3f} |" for k, (b, s) in el.items())
    fit_coefs = (
        ", ".join(
            f"{r} {c:.3f} (s.e. {s:.3f})"
            for r, c, s in zip(REGRESSORS, mx.fit.coef, mx.fit.se, strict=False)
        )
        if mx.fit is not None
        else "no cell needed imputation"
    )
    totals_rows = [
        [e, "" if (t := mx.totals[e]).exports is None else t.exports,
         "" if t.imports is None else t.imports, t.source, t.method]
        for e in econ
    ]  # fmt: skip
    gaps = []
    for k in allp:
        c = cells[k]
        r, m = c.value_reporter, c.value_mirror
        if r is not None and m is not None and min(r, m) > 0:
            g = abs(r - m) / min(r, m)
            gaps.append([f"{k[0]}->{k[1]}", r, m, f"{g:.2f}", c.provenance, c.value])
    gaps.sort(key=lambda row: -float(str(row[3])))
    gaps_table = (
        md_table(["cell", "reporter", "mirror", "gap", "used", "value"], gaps)
        if gaps
        else "No cell has both a reporter and a mirror figure in this world."
    )
    if mx.checks:
        turnover_table = md_table(
            ["pair", "published", "source", "model", "use"],
            [
                [c.pair, c.published, c.source, "" if c.model is None else c.model, c.use]
                for c in mx.checks
            ],
        )
    else:
        turnover_table = f"None: the raw data have no published {spec.year} turnovers."
    devs_sorted = sorted(devs, key=lambda v: -abs(math.log(v.ratio)))
    dev_table = md_table(
        ["cell", "provenance", "value", "DOTS base", "ratio", "reason"],
        [
            [
                f"{v.exporter}->{v.importer}",
                v.provenance,
                v.value,
                v.dots,
                f"{v.ratio:.2f}",
                v.reason,
            ]
            for v in devs_sorted[:20]
        ],
    )
    used = {k for c in cells.values() for k in c.source.split(";")} | {spec.eur_source}
    keys = "\n".join(f"- `{k}`: {v}" for k, v in SOURCES.items() if k in used)
    if spec.published_cells:
        published_text = (
            f"the published {spec.year} bilateral figures of `cis/` ({len(published)} cells "
            "among the modelled economies: reporter, mirror or derived from published "
            "turnovers and shares, rules in `sim/data/build/published.py`)."
        )
    else:
        published_text = (
            f"no published {spec.year} bilateral figures exist in `cis/` (its cells are "
            "2023 figures), so only the EU row is kept as published."
        )
    tmpl = Template(
        resources.files("sim.data.build").joinpath("report_template.md").read_text("utf-8")
    )
    return tmpl.substitute(
        name=spec.name,
        data_version=data_version,
        imputed_share=f"{100 * shares.get('imputed', (0, 0))[0]:.2f}",
        n=len(econ),
        n_inner=len(inner),
        imputed_cells=len(imputed),
        provenance_table=md_table(["provenance", "share of value", "cells"], prov_rows),
        world_trade=f"{world_val:.1f}",
        row_line=row_line,
        base_year=spec.base_year,
        year=spec.year,
        eu_n=len(raw.eu_members),
        n_missing=len(missing) + len(fallback),
        missing_text=", ".join(f"{o}->{d}" for o, d in [*missing, *fallback]) or "none",
        fallback_text=(
            "Filled from DOTS 2019: " + ", ".join(f"{o}->{d}" for o, d in fallback) + "."
            if fallback
            else ""
        )
        + f" The other {len(missing)}, unless a published figure has them, are imputed (step 4).",
        published_text=published_text,
        eur_usd=spec.eur_usd,
        eur_source=spec.eur_source,
        eu_exports=f"{mx.totals['EUU'].exports:.1f}",
        ras_iter=mx.ras.iterations,
        ras_gap=f"{mx.ras.max_gap:.1e}",
        free_margins=", ".join(free_margins) or "none",
        floor=f"{100 * ROW_FLOOR_SHARE:g}",
        floored=", ".join(floored) or "none",
        fit_n=mx.fit.n_obs if mx.fit is not None else 0,
        gdp_mult=f"{GROSS_OUTPUT_MULTIPLIER:g}",
        max_share=f"{MAX_EXPORT_SHARE:g}",
        elasticity_rows=el_rows,
        elasticity_drivers=elasticity_drivers(raw, mx),
        fit_coefs=fit_coefs,
        totals_table=md_table(["economy", "exports", "imports", "source", "rule"], totals_rows),
        gaps_table=gaps_table,
        turnover_table=turnover_table,
        band=f"{BAND:g}",
        n_dev=len(devs),
        n_base=len([k for k in allp if k in mx.base.value]),
        dev_table=dev_table,
        held_out=held_out_checks(raw, spec, mx),
        vs_pattern=published_vs_pattern(raw, mx),
        source_keys=keys,
    )
