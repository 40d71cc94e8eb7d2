"""Cells more than 3x or less than 1/3 of their DOTS base value, each with its reason.

The reasons are assembled from the build's own inputs (no free text about a
cell that the data do not show): which rule set the cell, the published
totals' change against DOTS 2020 that drove a scaled cell, and three
documented circumstances of the years after 2020 — the EU's sanctions on
Russia and Belarus from 2022, Iran's DOTS figures being IMF estimates at a
sanctions trough, and cells too small for a ratio to mean much.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.data.build.cells import Matrix
from sim.data.build.common import ROW, join_sources
from sim.data.build.raw import Raw
from sim.data.build.spec import WorldSpec

#: A cell outside [1/BAND, BAND] x its DOTS base needs a documented reason.
BAND = 3.0
#: Cells whose DOTS base is below this (US$ bn) are "small".
SMALL = 0.01

SANCTIONS = (
    "EU restrictive measures on Russia (Council Regulation (EU) No 833/2014 as amended from "
    "Feb 2022) and Belarus (Council Regulation (EC) No 765/2006 as amended from 2022)"
)


@dataclass
class Deviation:
    """One out-of-band cell."""

    exporter: str
    importer: str
    provenance: str
    value: float
    dots: float
    ratio: float
    reason: str
    source: str


def _total_ratio(raw: Raw, mx: Matrix, spec: WorldSpec, e: str, side: str) -> str:
    if e == ROW:
        return ""
    t = mx.totals[e]
    now = t.exports if side == "exports" else t.imports
    if now is None:
        return ""
    econ = (*raw.economies, ROW)
    if side == "exports":
        base = sum(mx.base.value.get((e, d), 0.0) for d in econ if d != e)
    else:
        base = sum(mx.base.value.get((o, e), 0.0) for o in econ if o != e)
    return f"{e} total {side} {spec.year}/{spec.base_year} = {now / base:.2f} [{t.source}]"


def deviations(raw: Raw, spec: WorldSpec, mx: Matrix) -> list[Deviation]:
    """All off-diagonal cells outside the band, with reason and source."""
    out: list[Deviation] = []
    codes = (*raw.economies, ROW)
    idx = {e: i for i, e in enumerate(codes)}
    iran_19 = raw.dots_world[("IRN", 2019)]
    iran_20 = raw.dots_world[("IRN", 2020)]
    for o in codes:
        for d in codes:
            if o == d or (o, d) not in mx.base.value:
                continue
            c = mx.cells[(o, d)]
            b = mx.base.value[(o, d)]
            ratio = c.value / b
            if 1 / BAND <= ratio <= BAND:
                continue
            parts: list[str] = []
            srcs = [c.source, "DOTS"]
            if c.provenance == "scaled":
                f = mx.ras.r[idx[o]] * mx.ras.s[idx[d]]
                parts.append(
                    f"scaled to published totals: RAS factors {mx.ras.r[idx[o]]:.2f} x "
                    f"{mx.ras.s[idx[d]]:.2f} = {f:.2f}"
                )
            elif c.provenance == "eurostat":
                parts.append(f"Eurostat {spec.year} figure, kept as published")
            elif "annualised" in c.method:
                parts.append(f"published {spec.year} {c.provenance} figure, {c.method}")
            else:
                parts.append(f"published {spec.year} {c.provenance} figure, kept as published")
            for e, side in ((o, "exports"), (d, "imports")):
                if s := _total_ratio(raw, mx, spec, e, side):
                    parts.append(s)
                    srcs.append(mx.totals[e].source)
            if {o, d} & {"RUS", "BLR"} and {o, d} & {"EUU"}:
                parts.append(SANCTIONS)
                srcs.append("EU-SANCTIONS")
            elif o == "RUS" and d not in ("EUU", ROW) and ratio > BAND:
                rus_eu = mx.cells[("RUS", "EUU")].value / mx.base.value[("RUS", "EUU")]
                parts.append(
                    f"Russia's exports redirected after the EU's 2022 sanctions (RUS->EUU "
                    f"{spec.year}/{spec.base_year} = {rus_eu:.2f})"
                )
                srcs.append("EU-SANCTIONS")
            if "IRN" in (o, d):
                parts.append(
                    f"DOTS figures for Iran are IMF estimates (Iran does not report); IRN "
                    f"DOTS world exports 2020 {iran_20:.1f} vs 2019 {iran_19:.1f} US$ bn"
                )
            if b < SMALL:
                parts.append(f"small cell: DOTS base {b * 1e3:.1f} US$ m")
            out.append(
                Deviation(
                    o, d, c.provenance, c.value, b, ratio, "; ".join(parts), join_sources(*srcs)
                )
            )
    return out
