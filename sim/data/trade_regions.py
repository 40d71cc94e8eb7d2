"""Regional origin and destination shares of trade (``sim/data/corridors/trade_regions.csv``).

One row per (economy, side, commodity group, hub): the share of the group's
tonnes that starts (side ``export``) or ends (side ``import``) at the hub, with
its ``basis`` (derived / assumed) and ``source``. Group ``*`` stands for every
group without its own rows. Read and checked here, once, by the data layer;
the corridor config (the default hubs of each economy) and the routing weights
(:mod:`sim.routing.regions`) both call :func:`trade_regions`.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

from sim.errors import DataError

REGIONS_FILE = Path(__file__).resolve().parent / "corridors" / "trade_regions.csv"
SIDES = ("export", "import")
ALL_GROUPS = "*"
_TOL = 1e-6
_COLUMNS = ("economy", "side", "group", "hub", "share", "basis", "source")


@functools.cache
def trade_regions(path: str = str(REGIONS_FILE)) -> dict[tuple[str, str, str], dict[str, float]]:
    """(economy, side, group) -> {hub: share}, checked; insertion order = file order.

    Raises:
        DataError: a missing column, a side other than export/import, a share
            outside (0, 1], a row without basis or source, or shares of one
            (economy, side, group) that do not sum to 1.
    """
    out: dict[tuple[str, str, str], dict[str, float]] = {}
    with open(path, newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        missing = [c for c in _COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise DataError(path, f"missing column(s) {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            if row["side"] not in SIDES:
                raise DataError(path, f"row {line}, column 'side': must be export or import")
            try:
                share = float(row["share"])
            except ValueError:
                raise DataError(path, f"row {line}, column 'share': not a number") from None
            if not 0 < share <= 1:
                raise DataError(path, f"row {line}, column 'share': must be in (0, 1]")
            for column in ("basis", "source"):
                if not row[column].strip():
                    raise DataError(path, f"row {line}, column {column!r}: empty")
            key = (row["economy"], row["side"], row["group"])
            out.setdefault(key, {})[row["hub"]] = share
    for key, shares in out.items():
        if abs(sum(shares.values()) - 1) > _TOL:
            raise DataError(
                path, f"shares of {'/'.join(key)} sum to {sum(shares.values()):g}, not 1"
            )
    return out


def regional_hubs(path: str = str(REGIONS_FILE)) -> dict[str, tuple[str, ...]]:
    """Economy -> the hubs its rows name, in file order (each once)."""
    out: dict[str, dict[str, None]] = {}
    for (economy, _side, _group), shares in trade_regions(path).items():
        out.setdefault(economy, {}).update(dict.fromkeys(shares))
    return {e: tuple(hubs) for e, hubs in out.items()}
