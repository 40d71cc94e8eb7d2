"""Commodity groups and each exporter's export mix (``sim/data/corridors``), read once.

Two layers use them: routing (value per tonne, admissible modes, value of time)
and trade policy (a ban on a goods group bans that group's share of the
exporter's trade). Both read them here, from the data layer, so neither imports
the other. The tables and their sources are described in
``sim/data/corridors/DATA_REPORT.md``.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import DataError

CORRIDOR_DATA = Path(__file__).resolve().parent / "corridors"
PIPELINE = "pipeline"


@dataclass(frozen=True)
class Commodities:
    """Commodity groups: value density, time sensitivity, admissible modes, export mix.

    Attributes:
        groups: Group ids in table order, e.g. ``("oil_gas", ..., "manufactures")``.
        usd_per_t: Value per tonne of each group (US$/t).
        time_factor: Each group's value of time as a multiple of the config's δ.
        pipeline: True for groups that may use pipeline segments.
        mix: Exporter ISO3 → share of its export value in each group (sums to 1).
            The same shares apply to every importer (pair level = exporter level).
    """

    groups: tuple[str, ...]
    usd_per_t: np.ndarray
    time_factor: np.ndarray
    pipeline: np.ndarray
    mix: dict[str, np.ndarray]

    def shares(self, exporters: tuple[str, ...] | list[str]) -> np.ndarray:
        """(n, G) export-value shares of ``exporters``.

        Raises:
            DataError: if an exporter has no row in ``export_mix.csv``.
        """
        missing = [e for e in exporters if e not in self.mix]
        if missing:
            raise DataError("export_mix.csv", f"no row for exporter(s) {', '.join(missing)}")
        return np.array([self.mix[e] for e in exporters])


def number(path: Path, row: int, column: str, text: str, *, blank: float | None = None) -> float:
    """A finite, non-negative number from a table cell (``blank`` for an empty cell if given).

    Raises:
        DataError: naming file, row and column.
    """
    if text == "" and blank is not None:
        return blank
    try:
        value = float(text)
    except ValueError:
        raise DataError(
            str(path), f"row {row}, column {column!r}: not a number: {text!r}"
        ) from None
    if not math.isfinite(value) or value < 0:
        raise DataError(str(path), f"row {row}, column {column!r}: must be finite and >= 0")
    return value


def read_csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """A table as strings, with the named columns present.

    Raises:
        DataError: if the file is missing or lacks a column.
    """
    if not path.is_file():
        raise DataError(str(path), "file not found")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(str(path), f"missing column(s): {', '.join(missing)}")
    return frame


def read_commodities(base: Path, modes: Collection[str] | None = None) -> Commodities:
    """Read ``commodity_groups.csv`` and ``export_mix.csv`` from folder ``base``.

    Args:
        base: The corridor data folder.
        modes: Known transport modes; if given, every group's admissible modes must be among them.

    Raises:
        DataError: naming file, row and column of a malformed entry.
    """
    path = base / "commodity_groups.csv"
    table = read_csv(path, ("group", "usd_per_t", "time_factor", "modes"))
    groups = tuple(table["group"])
    for i, r in table.iterrows():
        if number(path, int(i) + 2, "usd_per_t", r["usd_per_t"]) <= 0:
            raise DataError(str(path), f"row {int(i) + 2}, column 'usd_per_t': must be > 0")
        unknown = [m for m in r["modes"].split(";") if modes is not None and m not in modes]
        if unknown:
            raise DataError(str(path), f"row {int(i) + 2}, column 'modes': unknown {unknown}")
    mix_path = base / "export_mix.csv"
    mix_table = read_csv(mix_path, ("exporter", *groups))
    mix = {}
    for i, r in mix_table.iterrows():
        shares = np.array([number(mix_path, int(i) + 2, g, r[g]) for g in groups])
        if abs(shares.sum() - 1.0) > 1e-6:
            raise DataError(
                str(mix_path), f"row {int(i) + 2}: shares sum to {shares.sum():g}, not 1"
            )
        mix[r["exporter"]] = shares
    return Commodities(
        groups=groups,
        usd_per_t=np.array([float(v) for v in table["usd_per_t"]]),
        time_factor=np.array(
            [number(path, i + 2, "time_factor", v) for i, v in enumerate(table["time_factor"])]
        ),
        pipeline=np.array([PIPELINE in m.split(";") for m in table["modes"]]),
        mix=mix,
    )


@lru_cache(maxsize=1)
def shipped_commodities() -> Commodities:
    """The shipped commodity groups and export mix (read once per process)."""
    return read_commodities(CORRIDOR_DATA)
