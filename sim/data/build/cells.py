"""The trade matrix of one world: base pattern, fixed cells, RAS, imputation, closure.

1. Base pattern: IMF DOTS exports of the base year (2020) between the modelled
   economies (EU27 = sum of its members, intra-EU excluded); a pair DOTS lacks
   in 2020 takes its 2019 value where one exists. ROW: each economy's DOTS
   world total minus its exports to the modelled economies; ROW -> j = the DOTS
   exports to j of every reporter outside the modelled economies.
2. Fixed cells: the published figures of the year (2023 only), the EU row from
   Eurostat (EU -> ROW = extra-EU exports minus the modelled partners).
3. RAS: the other base cells are scaled so that each economy's exports and
   imports meet its published total (unpublished totals leave the row or
   column free).
4. Pairs that neither DOTS (2019 or 2020), a published figure nor Eurostat
   has are imputed by FE-PPML fitted on the cells of 1-3 among the modelled
   economies, kept fixed, and the RAS is run again.
5. Diagonal: gross-output proxy minus exports; ROW -> ROW closes world output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.data.build.common import ROW, Cell, fmt, join_sources
from sim.data.build.published import (
    TurnoverCheck,
    apply_turnovers,
    choose_cells,
    parse_flow_row,
    supplementary_figures,
)
from sim.data.build.ras import RASResult, ras
from sim.data.build.raw import Raw
from sim.data.build.spec import WorldSpec
from sim.data.build.totals import Total, build_totals, eurostat_by_partner_usd
from sim.data.ppml import PPMLResult, fit_ppml_fe

#: Gross output proxy Y = max(GDP × m, X / s_max).
GROSS_OUTPUT_MULTIPLIER = 1.0
MAX_EXPORT_SHARE = 0.5
#: Minimum share of a published total left to the scaled (free) cells.
ROW_FLOOR_SHARE = 0.05
#: Trade-cost regressors of the imputation fit (besides the fixed effects).
REGRESSORS = ("ln_distw", "contig", "comlang_off", "rta")


@dataclass
class Base:
    """The DOTS base pattern: (o, d) -> US$ bn, with the DOTS year used per pair."""

    value: dict[tuple[str, str], float]
    year: dict[tuple[str, str], int]
    missing: list[tuple[str, str]]  # pairs among the economies without any DOTS value


@dataclass
class Matrix:
    """The assembled world."""

    cells: dict[tuple[str, str], Cell]
    totals: dict[str, Total]
    base: Base
    checks: list[TurnoverCheck]
    fit: PPMLResult | None
    ras: RASResult
    gross_output: dict[str, float]
    gross_method: dict[str, str]
    gdp: dict[str, float]
    world_gdp: float


def _group(raw: Raw, code: str) -> tuple[str, ...]:
    return raw.eu_members if code == "EUU" else (code,)


def dots_base(raw: Raw, spec: WorldSpec) -> Base:
    """Step 1: the base pattern among the economies plus ROW (rule in the module doc)."""
    econ = raw.economies
    inside = {m for e in econ for m in _group(raw, e)}
    value: dict[tuple[str, str], float] = {}
    year: dict[tuple[str, str], int] = {}
    missing: list[tuple[str, str]] = []
    for o in econ:
        for d in econ:
            if o == d:
                continue
            for y in (spec.base_year, spec.base_year - 1):
                vals = [
                    raw.dots[(a, b, y)]
                    for a in _group(raw, o)
                    for b in _group(raw, d)
                    if (a, b, y) in raw.dots
                ]
                if vals and sum(vals) > 0:
                    value[(o, d)], year[(o, d)] = sum(vals), y
                    break
            else:
                missing.append((o, d))
    y = spec.base_year
    for o in econ:
        world = sum(raw.dots_world[(a, y)] for a in _group(raw, o))
        intra = sum(
            raw.dots.get((a, b, y), 0.0) for a in _group(raw, o) for b in _group(raw, o) if a != b
        )
        to_econ = sum(value.get((o, d), 0.0) for d in econ if d != o)
        value[(o, ROW)], year[(o, ROW)] = world - intra - to_econ, y
    for d in econ:
        members = set(_group(raw, d))
        value[(ROW, d)] = sum(
            v for (a, b, yy), v in raw.dots.items() if yy == y and b in members and a not in inside
        )
        year[(ROW, d)] = y
    return Base(value, year, missing)


def fixed_cells(
    raw: Raw, spec: WorldSpec, totals: dict[str, Total], base: Base
) -> tuple[dict[tuple[str, str], Cell], list[TurnoverCheck]]:
    """Step 2: published cells and the Eurostat EU row."""
    cells: dict[tuple[str, str], Cell] = {}
    checks: list[TurnoverCheck] = []
    if spec.published_cells:
        figs = [parse_flow_row(r, spec) for r in raw.flows]
        figs += supplementary_figures(raw, totals, spec)
        cells = choose_cells(figs)
        checks = apply_turnovers(raw, cells, base.value)
    eu = eurostat_by_partner_usd(raw, spec)
    for d, v in eu.items():
        old = cells.get(("EUU", d))
        note = ""
        if old is not None:
            note = (
                f"; replaces the published {old.provenance} figure {fmt(old.value)} [{old.source}]"
            )
        cells[("EUU", d)] = Cell(
            "EUU",
            d,
            v,
            "eurostat",
            join_sources("EUROSTAT", spec.eur_source),
            value_reporter=v,
            value_mirror=old.value_mirror if old else None,
            flag="R",
            value_raw=f"EUR {fmt(v / spec.eur_usd * 1e9)}",
            method=f"Eurostat EU27 exports {spec.year}, EUR converted at {spec.eur_usd}{note}",
        )
    ext = totals["EUU"].exports
    assert ext is not None
    cells[("EUU", ROW)] = Cell(
        "EUU",
        ROW,
        ext - sum(eu.values()),
        "eurostat",
        join_sources("EUROSTAT", spec.eur_source),
        method=f"Eurostat extra-EU exports {spec.year} {fmt(ext)} minus those to the "
        f"{len(eu)} modelled partners",
    )
    return cells, checks


def _ras_step(
    raw: Raw, base: Base, cells: dict[tuple[str, str], Cell], totals: dict[str, Total]
) -> RASResult:
    codes = (*raw.economies, ROW)
    n = len(codes)
    b = np.zeros((n, n))
    free = np.zeros((n, n), dtype=bool)
    fixed = np.zeros((n, n))
    for i, o in enumerate(codes):
        for j, d in enumerate(codes):
            if i == j:
                continue
            if (o, d) in cells:
                fixed[i, j] = cells[(o, d)].value
            elif (o, d) in base.value and base.value[(o, d)] > 0:
                b[i, j], free[i, j] = base.value[(o, d)], True
    nan = math.nan
    rt = np.array(
        [v if (v := totals[e].exports) is not None else nan for e in raw.economies] + [nan]
    )
    ct = np.array(
        [v if (v := totals[e].imports) is not None else nan for e in raw.economies] + [nan]
    )
    return ras(b, free, fixed, rt, ct, ROW_FLOOR_SHARE)


def _scaled_cells(
    raw: Raw, base: Base, cells: dict[tuple[str, str], Cell], res: RASResult
) -> dict[tuple[str, str], Cell]:
    codes = (*raw.economies, ROW)
    out = dict(cells)
    for i, o in enumerate(codes):
        for j, d in enumerate(codes):
            if i == j or (o, d) in cells or (o, d) not in base.value:
                continue
            b = base.value[(o, d)]
            if b <= 0:
                continue
            y = base.year[(o, d)]
            out[(o, d)] = Cell(
                o,
                d,
                float(res.x[i, j]),
                "scaled",
                join_sources("DOTS", "RAS"),
                value_raw=f"DOTS {y} {fmt(b)}",
                method=f"DOTS {y} {fmt(b)} x exporter factor {res.r[i]:.6f} x importer factor "
                f"{res.s[j]:.6f}" + ("" if y == 2020 else " (DOTS 2020 missing: 2019 value)"),
            )
    return out


def impute(
    raw: Raw, cells: dict[tuple[str, str], Cell], missing: list[tuple[str, str]]
) -> PPMLResult:
    """Step 4: FE-PPML on the non-imputed cells among the economies; predict ``missing``."""
    econ = raw.economies
    idx = {e: k for k, e in enumerate(econ)}

    def regs(o: str, d: str) -> list[float]:
        g = raw.gravity[(o, d)]
        return [math.log(g["distw"]), g["contig"], g["comlang_off"], g["rta"]]

    obs = [(o, d) for o in econ for d in econ if o != d and (o, d) in cells]
    y = np.array([cells[k].value for k in obs])
    x = np.array([regs(*k) for k in obs])
    ei = np.array([idx[o] for o, _ in obs])
    ii = np.array([idx[d] for _, d in obs])
    fit = fit_ppml_fe(y, x, ei, ii, len(econ))
    n = len(econ)
    for o, d in missing:
        if (o, d) in cells:
            continue
        row = np.zeros(len(REGRESSORS) + 2 * n - 1)
        row[: len(REGRESSORS)] = regs(o, d)
        row[len(REGRESSORS) + idx[o]] = 1.0
        if idx[d] > 0:
            row[len(REGRESSORS) + n + idx[d] - 1] = 1.0
        v = float(np.exp(row @ fit.coef))
        cells[(o, d)] = Cell(
            o,
            d,
            v,
            "imputed",
            join_sources("PPML", "CEPII", "DESTA"),
            method="FE-PPML prediction (no DOTS 2019/2020 value, no published figure)",
        )
    return fit


def build_matrix(raw: Raw, spec: WorldSpec) -> Matrix:
    """Run steps 1-5 (module doc) for one world."""
    totals = build_totals(raw, spec)
    base = dots_base(raw, spec)
    fixed, checks = fixed_cells(raw, spec, totals, base)
    first = _ras_step(raw, base, fixed, totals)
    cells = _scaled_cells(raw, base, fixed, first)
    need = [k for k in base.missing if k not in fixed]
    fit = impute(raw, cells, need) if need else None
    for k in need:
        fixed[k] = cells[k]
    res = _ras_step(raw, base, fixed, totals)
    cells = _scaled_cells(raw, base, fixed, res)
    gdp = {
        e: v / 1e9
        for e in (*raw.economies, "WLD")
        if (v := raw.macro_value(e, spec.year, "gdp", "IMF")) is not None
    }
    missing_gdp = [e for e in (*raw.economies, "WLD") if e not in gdp]
    if missing_gdp:
        raise ValueError(f"IMF GDP {spec.year} missing for {missing_gdp}")
    gross, gmeth = _close(raw, cells, gdp, totals)
    for k, c in cells.items():
        if not (c.value > 0 and math.isfinite(c.value)):
            raise ValueError(f"cell {k} not positive/finite: {c.value}")
    return Matrix(cells, totals, base, checks, fit, res, gross, gmeth, gdp, gdp["WLD"])


def _close(
    raw: Raw, cells: dict[tuple[str, str], Cell], gdp: dict[str, float], totals: dict[str, Total]
) -> tuple[dict[str, float], dict[str, str]]:
    """Step 5: diagonal (gross output minus exports) and ROW -> ROW."""
    econ = raw.economies
    gross: dict[str, float] = {}
    gmeth: dict[str, str] = {}
    for e in econ:
        exports = sum(cells[(e, d)].value for d in (*econ, ROW) if d != e)
        by_gdp = gdp[e] * GROSS_OUTPUT_MULTIPLIER
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
            join_sources("IMF-WEO", totals[e].source, "A"),
            method=f"gross output ({gmeth[e]}) minus exports {fmt(exports)}",
        )
    row_out = gdp["WLD"] * GROSS_OUTPUT_MULTIPLIER - sum(gross.values())
    row_exports = sum(cells[(ROW, e)].value for e in econ)
    gross[ROW] = row_out
    gmeth[ROW] = (
        f"world GDP (IMF WLD) x {GROSS_OUTPUT_MULTIPLIER:g} minus the economies' gross output"
    )
    if row_out - row_exports <= 0:
        raise ValueError(f"ROW domestic sales not positive: {row_out - row_exports}")
    cells[(ROW, ROW)] = Cell(
        ROW,
        ROW,
        row_out - row_exports,
        "residual",
        join_sources("IMF-WEO", "A"),
        method=f"ROW gross output {fmt(row_out)} minus ROW exports to the economies "
        f"{fmt(row_exports)}",
    )
    return gross, gmeth
