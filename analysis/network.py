"""The corridor network geometry for the map: hubs with coordinates and segment endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import sim
from sim.errors import DataError

SHIPPED_DIR = Path(sim.__file__).parent / "data" / "corridors"

_HUB_ALIASES = {
    "hub": ("hub", "id", "name", "hub_id"),
    "lon": ("lon", "longitude"),
    "lat": ("lat", "latitude"),
}
_SEGMENT_ALIASES = {
    "segment": ("segment", "id", "segment_id"),
    "from_hub": ("from_hub", "from", "a", "origin", "hub_a"),
    "to_hub": ("to_hub", "to", "b", "destination", "hub_b"),
    "corridor": ("corridor",),
}


@dataclass(frozen=True)
class Network:
    """The corridor network's geometry.

    Attributes:
        hubs: Columns ``hub``, ``lon``, ``lat`` (degrees) and, when the file has a
            ``name`` column, ``label``.
        segments: Columns ``segment``, ``from_hub``, ``to_hub``, ``corridor``.
    """

    hubs: pd.DataFrame
    segments: pd.DataFrame


def _standardise(
    df: pd.DataFrame,
    aliases: dict[str, tuple[str, ...]],
    path: Path,
    optional: tuple[str, ...] = (),
) -> pd.DataFrame:
    out = {}
    for name, options in aliases.items():
        col = next((c for c in options if c in df), None)
        if col is None:
            if name in optional:
                out[name] = ""
                continue
            raise DataError(str(path), f"missing column {name!r} (or one of {list(options)})")
        out[name] = df[col]
    return pd.DataFrame(out)


def read_network(directory: str | Path) -> Network:
    """Read ``hubs.csv`` and ``segments.csv`` from ``directory``.

    Raises:
        DataError: If either file is missing or lacks a required column.
    """
    directory = Path(directory)
    frames = []
    for name in ("hubs", "segments"):
        path = directory / f"{name}.csv"
        if not path.is_file():
            raise DataError(str(path), "missing corridor network file")
        try:
            frames.append((pd.read_csv(path), path))
        except (OSError, pd.errors.ParserError) as exc:
            raise DataError(str(path), f"unreadable CSV ({exc.__class__.__name__})") from None
    (hubs, hpath), (segs, spath) = frames
    labels = hubs["name"] if "name" in hubs else None
    hubs = _standardise(hubs, _HUB_ALIASES, hpath)
    if labels is not None:
        hubs["label"] = labels.fillna(hubs["hub"]).astype(str)
    hubs["lon"] = pd.to_numeric(hubs["lon"], errors="coerce")
    hubs["lat"] = pd.to_numeric(hubs["lat"], errors="coerce")
    segs = _standardise(segs, _SEGMENT_ALIASES, spath, optional=("corridor",))
    return Network(hubs=hubs, segments=segs)


def shipped_network() -> Network | None:
    """The network shipped in ``sim/data/corridors/``, or None while it is not there."""
    if (SHIPPED_DIR / "hubs.csv").is_file() and (SHIPPED_DIR / "segments.csv").is_file():
        return read_network(SHIPPED_DIR)
    return None
