"""Shared pieces of the build: number formatting, CSV I/O, source keys, the cell record."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROW = "ROW"
#: Decimal formatting of written numbers (significant digits).
SIG = 9

#: Provenance classes of the off-diagonal cells, in the report's order.
#: ``reported``/``mirror``/``derived``: published 2023 (or 2021) figures;
#: ``eurostat``: the EU row from Eurostat Comext; ``scaled``: IMF DOTS 2020
#: pattern scaled to published totals (RAS); ``imputed``: FE-PPML prediction.
CLASSES: tuple[str, ...] = ("reported", "mirror", "derived", "eurostat", "scaled", "imputed")


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


@dataclass
class Cell:
    """One cell of the shipped trade matrix.

    Attributes:
        exporter, importer: Codes.
        value: Annual flow, US$ bn.
        provenance: One of :data:`CLASSES`, ``domestic`` or ``residual``.
        source: Source keys.
        value_reporter: The exporter's own published figure, if any.
        value_mirror: The importer's published figure, if any.
        flag: As published.
        value_raw: The figure as published (text).
        method: How the value was obtained.
    """

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
