"""Rebuild ``segments.csv`` and ``DATA_REPORT.md`` from the hand-written tables.

Inputs (hand-written, in this folder): ``hubs.csv`` (places with coordinates and
sources; ``centroid_of`` marks the hub that stands for an economy, read by
:func:`sim.routing.config.default_economy_hubs`), ``modes.csv`` (rate, speed and
circuity per mode, all assumed) and
``segments_spec.csv`` (one row per link: endpoints, mode, corridor, and the
figures the sources give). Output: ``segments.csv`` with every number filled in
and a ``*_basis`` column saying where it comes from, plus ``DATA_REPORT.md``,
which lists every assumed figure.

Filled-in figures:

- km: the sourced length where the spec gives one; otherwise great-circle
  (haversine, R = 6371.0088 km) distance between the hub coordinates times the
  mode's circuity factor (``assumed``). Where a source gives only the total of
  a chain of segments (Trans-Afghan railway, ~760 km Termez-Peshawar, K10),
  the total is split over the chain by great-circle share.
- base_days = km / speed of the mode (``assumed``), before border delay and
  congestion.
- capacity in t/yr: Mt/yr × 1e6, bcm/yr × ``TONNES_PER_BCM``, or TEU/yr ×
  ``TONNES_PER_TEU``; dated capacities (``capacity_schedule_spec.csv``: a
  segment's capacity from a year on, cited) go to ``capacity_schedule.csv``.
- fee: the spec's own fee plus, on a segment whose ``transshipment`` column
  names a kind (``gauge_change``), that kind's charge from
  ``transshipment_charges.csv`` (US$/t, cited).
- one ``transfer`` segment per port that has both land and sea links, carrying
  the port dwell and handling fee (``assumed``).

Run: ``uv run python -m sim.data.corridors.build``.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from sim.errors import DataError

HERE = Path(__file__).resolve().parent

#: Mean Earth radius (IUGG), km.
EARTH_RADIUS_KM = 6371.0088
#: Tonnes of cargo per loaded TEU used to convert TEU capacities (assumed; a
#: loaded TEU carries roughly 10-14 t gross of cargo; 10 t is the low end).
TONNES_PER_TEU = 10.0
#: Tonnes of LNG equivalent per cubic metre of natural gas, to put gas pipeline
#: capacities (bcm/yr) in tonnes (assumed: 0.73 Mt LNG per bcm, the usual
#: conversion factor of energy statistics; no figure in the shared data).
TONNES_PER_BCM = 0.73e6
#: Dwell (days) of one land-sea transfer (assumed): at ports with deep-sea links
#: (container dwell) and at ports served only by Caspian/Black Sea ferries.
PORT_DWELL_DAYS = 3.0
FERRY_PORT_DWELL_DAYS = 2.0
#: Handling fee (US$/t) of one land-sea transfer (assumed).
PORT_HANDLING_USD_PER_T = 15.0
#: Chains whose total length is sourced but not the parts: (segments, km, source).
CHAIN_TOTALS = (
    (
        ("termez-mazar", "mazar-kabul", "kabul-peshawar"),
        760.0,
        "K10: Termez-Mazar-i-Sharif-Kabul-Peshawar ~760 km; split by great-circle share",
    ),
)
SCHEDULE_COLUMNS = ("segment", "from_year", "capacity_t_per_year", "capacity_basis")
SEA_MODES = ("sea", "ferry")
PORT_KINDS = ("seaport", "river_port")

OUTPUT_COLUMNS = (
    "segment",
    "from_hub",
    "to_hub",
    "mode",
    "corridor",
    "km",
    "km_basis",
    "base_days",
    "base_days_basis",
    "border_days",
    "border_basis",
    "fee_usd_per_t",
    "fee_basis",
    "capacity_t_per_year",
    "capacity_basis",
    "status",
    "announced_year",
    "source",
    "note",
)


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine great-circle distance.

    d = 2 R asin( sqrt( sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2) ) ), R = 6371.0088 km.
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def _read(name: str) -> list[dict[str, str]]:
    with open(HERE / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _fmt(x: float) -> str:
    return f"{x:.4g}" if abs(x) < 1000 else f"{x:.0f}"


def to_tonnes_per_year(value: float, unit: str, kind: str, source: str) -> tuple[float, str]:
    """A capacity in its published unit as tonnes per year, and its basis text.

    Mt/yr × 1e6; bcm/yr × ``TONNES_PER_BCM`` (assumed factor); TEU/yr ×
    ``TONNES_PER_TEU`` (assumed factor). The basis reads ``"<kind> <conversion>:
    <source>"``, e.g. ``"sourced bcm/yr x 0.73 Mt LNG-equivalent per bcm
    (assumed): ..."``.

    Args:
        value: The figure in ``unit``.
        unit: ``Mt/yr``, ``bcm/yr`` or ``TEU/yr``.
        kind: ``"sourced"``, or ``"assumed (<why>)"`` where the figure is assumed.
        source: Where the figure comes from.

    Raises:
        ValueError: on an unknown unit.
    """
    if unit == "Mt/yr":
        return value * 1e6, f"{kind}: {source}"
    if unit == "bcm/yr":
        factor = f"bcm/yr x {TONNES_PER_BCM / 1e6:g} Mt LNG-equivalent per bcm (assumed)"
        return value * TONNES_PER_BCM, f"{kind} {factor}: {source}"
    if unit == "TEU/yr":
        return value * TONNES_PER_TEU, f"{kind} TEU x {TONNES_PER_TEU:g} t/TEU (assumed): {source}"
    raise ValueError(f"unknown capacity unit {unit!r}")


def build_schedule() -> list[dict[str, str]]:
    """Rows of ``capacity_schedule.csv`` from ``capacity_schedule_spec.csv``.

    Each row: the capacity (t/yr) of a segment from ``from_year`` until the
    segment's next row. Before a scheduled segment's first row it is not in
    operation (the network closes it); a row of capacity 0 closes it from its
    year on (flows stopped).

    Raises:
        DataError: on a row whose segment ``segments_spec.csv`` does not have.
    """
    segments = {s["segment"] for s in _read("segments_spec.csv")}
    out = []
    for s in _read("capacity_schedule_spec.csv"):
        if s["segment"] not in segments:
            raise DataError(
                "capacity_schedule_spec.csv", f"column 'segment': unknown segment {s['segment']!r}"
            )
        kind = "sourced" if s["basis"] == "sourced" else f"assumed ({s['basis']})"
        if float(s["capacity"]) == 0:  # out of operation from this year on
            cap, cbasis = 0.0, f"{kind}: {s['source']}"
        else:
            cap, cbasis = to_tonnes_per_year(
                float(s["capacity"]), s["capacity_unit"], kind, s["source"]
            )
        out.append(
            {
                "segment": s["segment"],
                "from_year": s["from_year"],
                "capacity_t_per_year": f"{cap:.0f}",
                "capacity_basis": cbasis,
            }
        )
    return out


def charge_basis(charge: dict[str, str]) -> str:
    """The basis of a ``transshipment_charges.csv`` row as shipped: ``derived`` is flagged.

    A charge derived from a cited figure with an assumption (``gauge_change``:
    US$329 per shipment at Dostyk / an assumed 20 t, reused at every gauge change)
    is ``assumed (derived)``, as a ``derived:`` capacity is.
    """
    return "assumed (derived)" if charge["basis"] == "derived" else charge["basis"]


def add_transshipment(
    fee: float, basis: str, seg: dict[str, str], charges: dict[str, dict[str, str]]
) -> tuple[float, str]:
    """The segment's fee plus the money charge of its transshipment kind, and the basis text.

    f_s = own fee_s + c_k, c_k the US$/t of kind k in ``transshipment_charges.csv``
    (e.g. ``gauge_change``: a 1520/1435 mm gauge change, CAREC CPMM 2020). The
    charge's part of the basis reads ``"<charge_basis>: <kind> <c_k> US$/t (<source>)"``.

    Raises:
        DataError: on a kind the charges table does not have.
    """
    kind = seg["transshipment"]
    if kind not in charges:
        raise DataError(
            "segments_spec.csv",
            f"segment {seg['segment']!r}, column 'transshipment': unknown kind {kind!r};"
            f" allowed: {', '.join(charges)}",
        )
    charge = charges[kind]
    text = (
        f"{charge_basis(charge)}: {kind} {float(charge['usd_per_t']):g} US$/t ({charge['source']})"
    )
    own = "" if basis.startswith("none") else f"{basis}; plus "
    return fee + float(charge["usd_per_t"]), own + text


def build() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Compute the full segment table; return (segments, assumed-figure rows)."""
    hubs = {h["hub"]: h for h in _read("hubs.csv")}
    modes = {m["mode"]: m for m in _read("modes.csv")}
    spec = _read("segments_spec.csv")
    charges = {c["kind"]: c for c in _read("transshipment_charges.csv")}
    by_id = {s["segment"]: s for s in spec}

    def gc(seg: dict[str, str]) -> float:
        a, b = hubs[seg["from_hub"]], hubs[seg["to_hub"]]
        return great_circle_km(float(a["lat"]), float(a["lon"]), float(b["lat"]), float(b["lon"]))

    chain_km: dict[str, tuple[float, str]] = {}
    for ids, total, source in CHAIN_TOTALS:
        parts = [gc(by_id[i]) for i in ids]
        for i, part in zip(ids, parts, strict=True):
            chain_km[i] = (total * part / sum(parts), f"sourced total, split assumed: {source}")

    out: list[dict[str, str]] = []
    assumed: list[dict[str, str]] = []

    def note_assumed(seg: str, what: str, value: str, basis: str) -> None:
        assumed.append({"segment": seg, "figure": what, "value": value, "basis": basis})

    for s in spec:
        mode = modes[s["mode"]]
        row = {c: s.get(c, "") for c in OUTPUT_COLUMNS}
        if s["segment"] in chain_km:
            km, basis = chain_km[s["segment"]]
            note_assumed(s["segment"], "km (share of sourced total)", _fmt(km), basis)
        elif s["km"]:
            km = float(s["km"])
            basis = s["km_source"]
            if basis.startswith("assumed"):
                note_assumed(s["segment"], "km", _fmt(km), basis)
            else:
                basis = f"sourced: {basis}"
        else:
            circuity = float(mode["circuity"])
            km = gc(s) * circuity
            basis = f"assumed: great-circle {gc(s):.0f} km x circuity {circuity:g} ({s['mode']})"
            note_assumed(s["segment"], "km", _fmt(km), basis)
        row["km"] = f"{km:.1f}"
        row["km_basis"] = basis
        speed = float(mode["speed_km_per_day"])
        row["base_days"] = f"{km / speed:.4f}"
        row["base_days_basis"] = f"assumed: km / {speed:g} km per day ({s['mode']})"
        note_assumed(s["segment"], "base days", f"{km / speed:.2f}", row["base_days_basis"])
        border = float(s["border_days"] or 0.0)
        row["border_days"] = f"{border:g}"
        row["border_basis"] = s["border_basis"] or "none (no border or transshipment)"
        if border > 0:
            note_assumed(
                s["segment"], "border/transshipment days", f"{border:g}", s["border_basis"]
            )
        fee = float(s["fee_usd_per_t"] or 0.0)
        row["fee_basis"] = s["fee_basis"] or "none (no fee beyond the freight rate)"
        if fee > 0:
            note_assumed(s["segment"], "fee US$/t", f"{fee:g}", s["fee_basis"])
        if s["transshipment"]:
            fee, row["fee_basis"] = add_transshipment(fee, row["fee_basis"], s, charges)
            charge = charges[s["transshipment"]]
            if charge_basis(charge).startswith("assumed"):
                note_assumed(
                    s["segment"],
                    f"{s['transshipment']} charge US$/t",
                    f"{float(charge['usd_per_t']):g}",
                    f"{charge_basis(charge)}: the `{s['transshipment']}` row of"
                    " transshipment_charges.csv (end of this table)",
                )
        row["fee_usd_per_t"] = f"{fee:g}"
        if s["capacity"]:
            # A figure derived from others with an assumption ("derived: ...") is flagged assumed.
            derived = s["capacity_source"].startswith("derived: ")
            kind, csource = (
                ("assumed (derived)", s["capacity_source"].removeprefix("derived: "))
                if derived
                else ("sourced", s["capacity_source"])
            )
            cap, cbasis = to_tonnes_per_year(
                float(s["capacity"]), s["capacity_unit"], kind, csource
            )
            row["capacity_t_per_year"] = f"{cap:.0f}"
            row["capacity_basis"] = cbasis
            if derived:
                note_assumed(s["segment"], "capacity t/yr", f"{cap:.0f}", cbasis)
        else:
            row["capacity_t_per_year"] = ""
            row["capacity_basis"] = "assumed: uncapacitated (no capacity figure)"
        out.append(row)

    # Port transfers: one per port hub with both land and sea links.
    land: dict[str, int] = {}
    sea: dict[str, int] = {}
    for s in spec:
        bucket = sea if s["mode"] in SEA_MODES else land
        for h in (s["from_hub"], s["to_hub"]):
            bucket[h] = bucket.get(h, 0) + 1
    deep_sea = {h for s in spec if s["mode"] == "sea" for h in (s["from_hub"], s["to_hub"])}
    for hub_id, hub in hubs.items():
        if hub["kind"] in PORT_KINDS and hub_id in land and hub_id in sea:
            dwell = PORT_DWELL_DAYS if hub_id in deep_sea else FERRY_PORT_DWELL_DAYS
            out.append(
                {
                    "segment": f"port:{hub_id}",
                    "from_hub": hub_id,
                    "to_hub": f"{hub_id}~sea",
                    "mode": "transfer",
                    "corridor": "port",
                    "km": "0.0",
                    "km_basis": "none (transfer inside a port)",
                    "base_days": "0.0000",
                    "base_days_basis": "none (dwell is in border_days)",
                    "border_days": f"{dwell:g}",
                    "border_basis": "assumed: port dwell per land-sea transfer"
                    + (" (deep-sea port)" if hub_id in deep_sea else " (ferry port)"),
                    "fee_usd_per_t": f"{PORT_HANDLING_USD_PER_T:g}",
                    "fee_basis": "assumed: terminal handling per land-sea transfer",
                    "capacity_t_per_year": "",
                    "capacity_basis": "assumed: uncapacitated (no port capacity figure)",
                    "status": "open",
                    "announced_year": "",
                    "source": "none (modelling device)",
                    "note": f"land-sea transfer at {hub['name']}",
                }
            )
    return out, assumed


#: Hand-written part of DATA_REPORT.md. The published-time checks live with the
#: network (``uv run python -m sim.routing.checks``), not here: this builder
#: imports nothing from ``sim`` but the leaf :mod:`sim.errors`.
REPORT_TEMPLATE = HERE / "report_template.md"


def write(out: list[dict[str, str]], assumed: list[dict[str, str]]) -> None:
    """Write ``segments.csv``, ``capacity_schedule.csv`` and ``DATA_REPORT.md``."""
    with open(HERE / "segments.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=OUTPUT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(out)
    schedule = build_schedule()
    with open(HERE / "capacity_schedule.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=SCHEDULE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(schedule)
    (HERE / "DATA_REPORT.md").write_text(report_text(assumed), encoding="utf-8")


def report_text(assumed: list[dict[str, str]]) -> str:
    """``DATA_REPORT.md``: :data:`REPORT_TEMPLATE` and the table of every assumed figure."""
    lines = [
        f"| {a['segment']} | {a['figure']} | {a['value']} | {a['basis']} |"
        for a in assumed
        if a["figure"] != "base days"
    ]
    lines.append(
        "| (all segments) | base days | km / speed | "
        "assumed: km / speed of the mode (`modes.csv`) |"
    )
    for m in _read("modes.csv"):
        if m["mode"] == "transfer":
            continue
        lines.append(
            f"| (mode {m['mode']}) | rate, speed, circuity | {m['rate_usd_per_tkm']} US$/t-km, "
            f"{m['speed_km_per_day']} km/day, x{m['circuity']} | assumed: {m['note']} |"
        )
    lines.append(
        f"| (every port transfer) | dwell, handling | {PORT_DWELL_DAYS:g} days at deep-sea "
        f"ports, {FERRY_PORT_DWELL_DAYS:g} at ferry-only ports; "
        f"{PORT_HANDLING_USD_PER_T:g} US$/t | assumed |"
    )
    for c in _read("transshipment_charges.csv"):
        lines.append(
            f"| (every `{c['kind']}` segment) | money charge | {c['usd_per_t']} US$/t |"
            f" {charge_basis(c)}: {c['note']} ({c['source']}) |"
        )
    return REPORT_TEMPLATE.read_text(encoding="utf-8") + "\n".join(lines) + "\n"


def main() -> None:
    """Rebuild the tables and the report; bad input: a one-line error, exit 1."""
    try:
        out, assumed = build()
        write(out, assumed)
    except DataError as err:
        raise SystemExit(f"error: {err}") from None
    print(f"wrote {len(out)} segments, {len(assumed)} assumed figures, capacity schedule")


if __name__ == "__main__":
    main()
