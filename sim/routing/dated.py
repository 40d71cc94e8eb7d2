"""Dated, cited corridor changes (``sim/data/corridors/corridor_changes.csv``) as levers.

One row per change: ``lever`` (``delivery_days``: a published delivery time of
the corridor the ``target`` stands for, in ``value`` days in ``year``;
``border_factor``; ``route_premium``; ``none``: documented, no link to act on),
``year``, ``value``, ``unit``, ``basis``, ``source``. The corridor hindcast
(:mod:`sim.routing.hindcast`) uses all of them; the calibration
(:mod:`sim.routing.calibrate`) measures each fact with the delivery times of its
year in force (:func:`delivery_day_changes`).
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

from sim.errors import DataError
from sim.routing.config import MIN_YEAR, BorderTimeChange
from sim.routing.network import DATA_DIR

#: The dated, cited corridor changes (one row each, with basis and source).
CHANGES_FILE = Path(__file__).resolve().parents[1] / "data" / "corridors" / "corridor_changes.csv"
LEVER_KINDS = ("delivery_days", "border_factor", "route_premium", "none")
#: Lever kinds that act on a link: their ``target`` must be a segment id or a
#: corridor name of the network's ``segments.csv``.
TARGETED_KINDS = ("delivery_days", "border_factor")


def _network_targets() -> set[str]:
    """Segment ids and corridor names of the shipped ``segments.csv`` (lever targets)."""
    with open(DATA_DIR / "segments.csv", newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    return {r["segment"] for r in rows} | {r["corridor"] for r in rows}


@functools.cache
def changes(path: str = str(CHANGES_FILE)) -> tuple[dict[str, str], ...]:
    """Rows of ``corridor_changes.csv``, checked (lever kind, year, value, basis, source).

    A ``delivery_days`` or ``border_factor`` row's ``target`` must be a segment
    id or corridor name of the network (:data:`TARGETED_KINDS`).

    Raises:
        DataError: naming the row and column.
    """
    with open(path, newline="", encoding="utf-8") as file:
        rows = tuple(csv.DictReader(file))
    targets = _network_targets()
    for line, row in enumerate(rows, start=2):
        if row["lever"] not in LEVER_KINDS:
            raise DataError(path, f"row {line}, column 'lever': one of {', '.join(LEVER_KINDS)}")
        for column in ("year", "basis", "source"):
            if not row[column].strip():
                raise DataError(path, f"row {line}, column {column!r}: empty")
        if not row["year"].strip().isdigit():
            raise DataError(path, f"row {line}, column 'year': not a year (YYYY)")
        if row["lever"] != "none":
            try:
                float(row["value"])
            except ValueError:
                raise DataError(path, f"row {line}, column 'value': not a number") from None
        if row["lever"] in TARGETED_KINDS and row["target"] not in targets:
            raise DataError(
                path,
                f"row {line}, column 'target': {row['target']!r} is not a segment id or"
                f" corridor of segments.csv (needed by lever {row['lever']!r})",
            )
    return rows


def delivery_day_changes(backdate: bool = False) -> list[BorderTimeChange]:
    """Dated delay changes from the published delivery times of each target, by year.

    The shipped network is the corridor of the latest published time T_last, so
    year y carries e_y = T_y − T_last more days on the row's target; each year's
    change is e_y − e_(y−1) days from Q1 of y (the last one brings e back to 0).
    With ``backdate`` the earliest published time also holds in every year
    before it (its change is dated :data:`sim.routing.config.MIN_YEAR`), so a
    fact of an earlier year is measured on the slowest corridor published.
    """
    out: list[BorderTimeChange] = []
    rows = [r for r in changes() if r["lever"] == "delivery_days"]
    for target in dict.fromkeys(r["target"] for r in rows):
        levels = sorted((int(r["year"]), float(r["value"])) for r in rows if r["target"] == target)
        latest, extra = levels[-1][1], 0.0
        for k, (year, days) in enumerate(levels):
            year = MIN_YEAR if backdate and k == 0 else year
            out.append(BorderTimeChange(target, year, days=(days - latest) - extra))
            extra = days - latest
    return out
