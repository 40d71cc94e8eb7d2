"""The corridor network as arrays: hubs, segments, modes and commodity groups, read once.

Tables ship in ``sim/data/corridors/`` (see its ``DATA_REPORT.md``). A segment
joins two graph *nodes*. A node is a hub id, or ``"<hub>~sea"`` for the sea
side of a port that has a land-sea ``transfer`` segment: sea and ferry links
attach to the sea side, so cargo pays the port dwell and handling only when
it changes between land and sea.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from sim.data.commodities import PIPELINE, Commodities, read_commodities
from sim.data.commodities import number as _number
from sim.data.commodities import read_csv as _read_csv
from sim.errors import DataError

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "corridors"
SEA_MODES = ("sea", "ferry")
MODES = ("rail", "road", "sea", "ferry", "transfer", "pipeline")
SEA_SUFFIX = "~sea"

_HUB_COLUMNS = ("hub", "name", "economy", "country_iso3", "kind", "lat", "lon", "coord_basis")
_SEGMENT_COLUMNS = (
    "segment",
    "from_hub",
    "to_hub",
    "mode",
    "corridor",
    "km",
    "base_days",
    "border_days",
    "fee_usd_per_t",
    "capacity_t_per_year",
    "status",
    "announced_year",
    "source",
)


@dataclass(frozen=True)
class Network:
    """Hubs and segments of the corridor network (read-only arrays).

    Attributes:
        hubs: One row per hub (index ``hub``): name, economy, country_iso3, kind,
            lat, lon (deg; NaN for the generic ROW node), coord_basis.
        segment_ids: Segment identifiers, e.g. ``"aktau-baku"``, ``"port:aktau"``.
        from_hub: Hub id of one end (the ``~sea`` suffix removed).
        to_hub: Hub id of the other end.
        from_node: Graph node of one end (hub id or ``"<hub>~sea"``).
        to_node: Graph node of the other end.
        mode: ``rail``, ``road``, ``sea``, ``ferry`` or ``transfer``.
        corridor: Corridor name, e.g. ``"Middle Corridor"``, ``"domestic"``.
        km: Length (km).
        base_days: Free-flow running time (days), border delay excluded.
        border_days: Border/transshipment delay (days).
        fee: Fee per tonne (US$/t), e.g. canal toll or port handling.
        capacity: Capacity (t/yr); NaN = uncapacitated.
        is_open: True if the segment is open in the data (False = planned).
        announced_year: Announced opening year of a planned segment (0 = none).
        rate: Freight rate (US$ per tonne-km) per mode.
        commodities: The commodity groups (``commodity_groups.csv``, ``export_mix.csv``).
        schedule_segment: Segment index of each ``capacity_schedule.csv`` row.
        schedule_year: First year (``from_year``) of each row.
        schedule_capacity: Capacity (t/yr) from that year on (0 = closed from that year).
    """

    hubs: pd.DataFrame
    segment_ids: tuple[str, ...]
    from_hub: np.ndarray
    to_hub: np.ndarray
    from_node: np.ndarray
    to_node: np.ndarray
    mode: np.ndarray
    corridor: np.ndarray
    km: np.ndarray
    base_days: np.ndarray
    border_days: np.ndarray
    fee: np.ndarray
    capacity: np.ndarray
    is_open: np.ndarray
    announced_year: np.ndarray
    rate: dict[str, float]
    commodities: Commodities
    schedule_segment: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    schedule_year: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    schedule_capacity: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def capacity_in(self, year: int) -> np.ndarray:
        """Capacity (t/yr; NaN = uncapacitated) of each segment in ``year``.

        A segment in ``capacity_schedule.csv`` has, from each row's
        ``from_year`` on, that row's capacity (the latest row in force); other
        segments keep ``segments.csv``'s. Before its first row a scheduled
        segment is not in operation (see :meth:`in_operation`) and keeps its first
        row's capacity; from a row of capacity 0 on it is closed (out of operation)
        and keeps its last positive capacity.
        """
        capacity = self.capacity.copy()
        for seg in np.unique(self.schedule_segment):
            rows = np.flatnonzero(self.schedule_segment == seg)
            rows = rows[np.argsort(self.schedule_year[rows], kind="stable")]
            positive = rows[self.schedule_capacity[rows] > 0]
            in_force = positive[self.schedule_year[positive] <= year]
            capacity[seg] = self.schedule_capacity[in_force[-1] if in_force.size else positive[0]]
        return capacity

    def in_operation(self, year: int) -> np.ndarray:
        """False on scheduled segments not in operation in ``year``.

        Not yet built (``year`` before the segment's first dated year) or closed
        (the row in force in ``year`` has capacity 0, e.g. a pipeline whose
        flows stopped); True on every unscheduled segment.
        """
        running = np.ones(self.n_segments, dtype=bool)
        for seg in np.unique(self.schedule_segment):
            rows = np.flatnonzero(self.schedule_segment == seg)
            years = self.schedule_year[rows]
            if years.min() > year:
                running[seg] = False
                continue
            latest = rows[years <= year][np.argmax(years[years <= year])]
            running[seg] = self.schedule_capacity[latest] > 0
        return running

    def closed_from(self, segment: int) -> int | None:
        """The first year a dated capacity of 0 takes ``segment`` out of operation, or None."""
        rows = (self.schedule_segment == segment) & (self.schedule_capacity == 0)
        return int(self.schedule_year[rows].min()) if rows.any() else None

    @property
    def n_segments(self) -> int:
        """Number of segments."""
        return len(self.segment_ids)

    @property
    def corridors(self) -> tuple[str, ...]:
        """Corridor names, sorted."""
        return tuple(sorted(set(self.corridor.tolist())))

    def segment_index(self, segment: str) -> int:
        """Position of a segment id (KeyError if unknown)."""
        return self._index()[segment]

    def _index(self) -> dict[str, int]:
        return {s: i for i, s in enumerate(self.segment_ids)}

    def targets(self, name: str) -> np.ndarray:
        """Indices of the segments a lever target names: a segment id or a corridor name.

        Raises:
            KeyError: if ``name`` is neither.
        """
        if name in self.segment_ids:
            return np.array([self.segment_ids.index(name)])
        hit = np.flatnonzero(self.corridor == name)
        if hit.size == 0:
            raise KeyError(name)
        return hit

    def in_territory(self, countries: Sequence[str]) -> np.ndarray:
        """True on segments either of whose hubs lies in ``countries`` (ISO3, ``country_iso3``)."""
        country = self.hubs["country_iso3"]
        inside = set(country.index[country.isin(list(countries))])
        return np.array(
            [a in inside or b in inside for a, b in zip(self.from_hub, self.to_hub, strict=True)]
        )

    @property
    def is_pipeline(self) -> np.ndarray:
        """True on pipeline segments (only pipeline-admissible groups may use them)."""
        return self.mode == PIPELINE


def load_network(data_dir: str | Path | None = None) -> Network:
    """Read the shipped tables (cached per folder).

    Args:
        data_dir: Folder with ``hubs.csv``, ``segments.csv``, ``modes.csv``,
            ``commodity_groups.csv`` and ``export_mix.csv``; default the shipped
            ``sim/data/corridors``.

    Raises:
        DataError: naming file, row and column of a malformed entry.
    """
    return _load(str(Path(data_dir) if data_dir else DATA_DIR))


@lru_cache(maxsize=4)
def _load(folder: str) -> Network:
    base = Path(folder)
    hubs_path = base / "hubs.csv"
    hubs = _read_csv(hubs_path, _HUB_COLUMNS)
    if hubs["hub"].duplicated().any():
        dup = hubs.loc[hubs["hub"].duplicated(), "hub"].iloc[0]
        raise DataError(str(hubs_path), f"hub {dup!r} listed twice")
    for col in ("lat", "lon"):
        hubs[col] = pd.to_numeric(hubs[col].replace("", "nan"), errors="coerce")
    hubs = hubs.set_index("hub")

    modes_path = base / "modes.csv"
    modes = _read_csv(modes_path, ("mode", "rate_usd_per_tkm"))
    rate = {
        m: _number(modes_path, i + 2, "rate_usd_per_tkm", r)
        for i, (m, r) in enumerate(zip(modes["mode"], modes["rate_usd_per_tkm"], strict=True))
    }
    for m in MODES:
        if m not in rate:
            raise DataError(str(modes_path), f"mode {m!r} missing")

    seg_path = base / "segments.csv"
    seg = _read_csv(seg_path, _SEGMENT_COLUMNS)
    if seg["segment"].duplicated().any():
        dup = seg.loc[seg["segment"].duplicated(), "segment"].iloc[0]
        raise DataError(str(seg_path), f"segment {dup!r} listed twice")
    ports = {
        h
        for h, m in zip(seg["from_hub"], seg["mode"], strict=True)
        if m == "transfer"  # the transfer segment runs hub -> hub~sea
    }
    rows = []
    for i, r in seg.iterrows():
        line = int(i) + 2
        ends = []
        for col in ("from_hub", "to_hub"):
            hub = r[col].removesuffix(SEA_SUFFIX)
            if hub not in hubs.index:
                raise DataError(str(seg_path), f"row {line}, column {col!r}: unknown hub {hub!r}")
            ends.append(hub)
        if r["mode"] not in MODES:
            raise DataError(str(seg_path), f"row {line}, column 'mode': unknown mode {r['mode']!r}")
        if r["status"] not in ("open", "planned"):
            raise DataError(str(seg_path), f"row {line}, column 'status': must be open or planned")
        if r["mode"] == "transfer":
            nodes = (ends[0], ends[0] + SEA_SUFFIX)
        elif r["mode"] in SEA_MODES:
            nodes = tuple(h + SEA_SUFFIX if h in ports else h for h in ends)
        else:
            nodes = tuple(ends)
        cap = _number(
            seg_path, line, "capacity_t_per_year", r["capacity_t_per_year"], blank=math.nan
        )
        if cap == 0:
            raise DataError(str(seg_path), f"row {line}, column 'capacity_t_per_year': must be > 0")
        rows.append(
            (
                r["segment"],
                ends[0],
                ends[1],
                nodes[0],
                nodes[1],
                r["mode"],
                r["corridor"],
                _number(seg_path, line, "km", r["km"]),
                _number(seg_path, line, "base_days", r["base_days"]),
                _number(seg_path, line, "border_days", r["border_days"]),
                _number(seg_path, line, "fee_usd_per_t", r["fee_usd_per_t"]),
                cap,
                r["status"] == "open",
                int(_number(seg_path, line, "announced_year", r["announced_year"], blank=0)),
            )
        )
    cols = list(zip(*rows, strict=True))

    commodities = read_commodities(base, modes=tuple(rate))
    schedule = _schedule(base / "capacity_schedule.csv", tuple(cols[0]))

    return Network(
        hubs=hubs,
        segment_ids=tuple(cols[0]),
        from_hub=np.array(cols[1]),
        to_hub=np.array(cols[2]),
        from_node=np.array(cols[3]),
        to_node=np.array(cols[4]),
        mode=np.array(cols[5]),
        corridor=np.array(cols[6]),
        km=np.array(cols[7], dtype=float),
        base_days=np.array(cols[8], dtype=float),
        border_days=np.array(cols[9], dtype=float),
        fee=np.array(cols[10], dtype=float),
        capacity=np.array(cols[11], dtype=float),
        is_open=np.array(cols[12], dtype=bool),
        announced_year=np.array(cols[13], dtype=int),
        rate=rate,
        commodities=commodities,
        schedule_segment=schedule[0],
        schedule_year=schedule[1],
        schedule_capacity=schedule[2],
    )


def _schedule(path: Path, segment_ids: tuple[str, ...]) -> tuple[np.ndarray, ...]:
    """Read ``capacity_schedule.csv`` (optional): segment index, from_year, t/yr per row."""
    if not path.is_file():
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros(0)
    table = _read_csv(path, ("segment", "from_year", "capacity_t_per_year", "capacity_basis"))
    index = {s: i for i, s in enumerate(segment_ids)}
    seg, year, cap = [], [], []
    for i, r in table.iterrows():
        line = int(i) + 2
        if r["segment"] not in index:
            raise DataError(str(path), f"row {line}, column 'segment': unknown {r['segment']!r}")
        value = _number(path, line, "capacity_t_per_year", r["capacity_t_per_year"])
        if value < 0:
            raise DataError(str(path), f"row {line}, column 'capacity_t_per_year': must be >= 0")
        seg.append(index[r["segment"]])
        year.append(int(_number(path, line, "from_year", r["from_year"])))
        cap.append(value)
    pairs = list(zip(seg, year, strict=True))
    if len(set(pairs)) != len(pairs):
        raise DataError(str(path), "a (segment, from_year) is listed twice")
    first = {}
    for s_, y, c in zip(seg, year, cap, strict=True):
        if s_ not in first or y < first[s_][0]:
            first[s_] = (y, c)
    for s_, (y, c) in first.items():
        if c == 0:
            raise DataError(
                str(path),
                f"segment {segment_ids[s_]!r}: the first row ({y}) has capacity 0 "
                "(a segment's first dated capacity opens it, a later 0 closes it)",
            )
    return np.array(seg, dtype=int), np.array(year, dtype=int), np.array(cap, dtype=float)
