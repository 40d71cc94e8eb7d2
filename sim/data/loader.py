"""Load a :class:`~sim.data.world.World` from the tables shipped in the package.

The default world ``cis2023`` lives in ``sim/data/cis2023/`` (built by
``python -m sim.data.build``; its method and gaps are in ``DATA_REPORT.md``
there). Nothing here reads outside the package, so a fresh install runs with
no network and no shared data.

User-supplied trade matrix
--------------------------
``load_world(trade_matrix=path)`` replaces the shipped flows by a complete
matrix in long CSV format (UTF-8, comma-separated, one header line)::

    exporter,importer,value_usd_bn[,source]
    ARM,ARM,15.6,BACI 2023 aggregated
    ARM,AZE,0.06,BACI 2023 aggregated
    ...

- ``exporter``/``importer``: codes of the world (the 15 ISO3 codes of
  ``cis2023`` and ``ROW``), case-insensitive.
- ``value_usd_bn``: annual flow in US$ bn, a finite number > 0; the diagonal
  holds domestic sales (gross output minus exports).
- ``source`` (optional): source key per row; if absent or empty the cell's
  source is ``user:<file name>``. Other columns are ignored.
- Every ordered pair, diagonal included, appears exactly once: either all
  pairs of the full world (then excluded economies are folded into ROW as
  usual) or all pairs of the selected economies plus ROW.

Every cell of such a world has provenance ``user``; ``data_version`` is the
shipped tables' version plus ``+user.<hash of the file>``. A malformed file
raises :class:`~sim.errors.DataError` naming the file, the row (= line number,
the header being row 1) and the column.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from sim.data.world import World
from sim.errors import ConfigError, DataError

#: Worlds shipped with the package.
WORLDS: tuple[str, ...] = ("cis2023", "cis2021", "dots2020")
#: The tables that make up a world (hashed into ``data_version``).
TABLES: tuple[str, ...] = (
    "blocs.csv",
    "distances.csv",
    "dots_deviations.csv",
    "economies.csv",
    "growth.csv",
    "trade_matrix.csv",
    "world.csv",
)
ROW = "ROW"
PROVENANCES = frozenset(
    {
        "reported",
        "mirror",
        "derived",
        "eurostat",
        "scaled",
        "imputed",
        "domestic",
        "residual",
        "user",
    }
)
_USER_COLUMNS = ("exporter", "importer", "value_usd_bn")


def data_version_of(tables: dict[str, bytes]) -> str:
    """Short sha256 over a world's tables (file name and bytes, sorted by name)."""
    h = hashlib.sha256()
    for name in sorted(tables):
        h.update(name.encode())
        h.update(b"\0")
        h.update(tables[name])
        h.update(b"\0")
    return h.hexdigest()[:12]


@dataclass(frozen=True)
class _Base(World):
    """The parsed shipped tables of one world (all economies, ROW last), with its growth path."""

    growth: dict[str, dict[int, float]] = field(default_factory=dict)


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _num(s: str) -> float:
    return float(s) if s != "" else math.nan


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@functools.cache
def _base(name: str) -> _Base:
    """Parse the shipped tables of a world once per process."""
    folder = resources.files("sim.data").joinpath(name)
    raw: dict[str, bytes] = {}
    for table in TABLES:
        res = folder.joinpath(table)
        try:
            raw[table] = res.read_bytes()
        except FileNotFoundError as exc:  # pragma: no cover - broken install
            raise DataError(str(res), "shipped table missing; reinstall the package") from exc
    econ = _rows(raw["economies.csv"])
    codes = tuple(r["iso3"] for r in econ)
    if not codes or codes[-1] != ROW:
        raise DataError(f"{name}/economies.csv", f"the last row must be {ROW}")
    idx = {c: i for i, c in enumerate(codes)}
    n = len(codes)
    flows = np.full((n, n), math.nan)
    prov = np.empty((n, n), dtype=object)
    src = np.empty((n, n), dtype=object)
    for r in _rows(raw["trade_matrix.csv"]):
        i, j = idx[r["exporter"]], idx[r["importer"]]
        flows[i, j] = float(r["value_usd_bn"])
        prov[i, j] = r["provenance"]
        src[i, j] = r["source"]
    if np.isnan(flows).any():
        raise DataError(f"{name}/trade_matrix.csv", "shipped matrix is incomplete")
    dist = np.full((n, n), math.nan)
    for r in _rows(raw["distances.csv"]):
        dist[idx[r["exporter"]], idx[r["importer"]]] = float(r["distw_km"])
    blocs: dict[str, list[str]] = {}  # bloc names and members: blocs.csv only
    for r in _rows(raw["blocs.csv"]):
        blocs.setdefault(r["bloc"], []).append(r["iso3"])
    growth: dict[str, dict[int, float]] = {}
    for r in _rows(raw["growth.csv"]):
        growth.setdefault(r["iso3"], {})[int(r["year"])] = float(r["real_gdp_growth_pct"]) / 100
    meta = {r["key"]: r["value"] for r in _rows(raw["world.csv"])}
    return _Base(
        name=name,
        year=int(meta["year"]),
        economies=codes,
        names=tuple(r["name"] for r in econ),
        currencies=tuple(r["currency"] for r in econ),
        lat=_readonly(np.array([_num(r["lat"]) for r in econ])),
        lon=_readonly(np.array([_num(r["lon"]) for r in econ])),
        gdp=_readonly(np.array([_num(r["gdp_usd_bn"]) for r in econ])),
        population=_readonly(np.array([_num(r["population_m"]) for r in econ])),
        flows=_readonly(flows),
        provenance=_readonly(prov.astype(str)),
        flow_source=_readonly(src.astype(str)),
        distance=_readonly(dist),
        blocs={b: tuple(sorted(m, key=idx.__getitem__)) for b, m in blocs.items()},
        growth=growth,
        data_version=data_version_of(raw),
    )


def _selection(base: _Base, economies: Sequence[str] | None) -> tuple[str, ...]:
    """The kept economies in canonical order, ROW last; validates the request."""
    allowed = base.economies[:-1]
    if economies is None:
        return base.economies
    if isinstance(economies, (str, bytes)):
        raise ConfigError(
            "world.economies", f"must be a list of ISO3 codes, got the string {economies!r}"
        )
    chosen: list[str] = []
    for raw_code in economies:
        code = str(raw_code).strip().upper()
        if code == ROW:
            continue  # always present
        if code not in allowed:
            raise ConfigError(
                "world.economies",
                f"unknown economy {str(raw_code)!r}; allowed: {', '.join(allowed)}",
            )
        if code in chosen:
            raise ConfigError("world.economies", f"economy {code!r} is listed twice")
        chosen.append(code)
    if len(chosen) < 2:
        raise ConfigError(
            "world.economies",
            f"at least 2 economies besides {ROW} are needed, got {len(chosen)}",
        )
    keep = set(chosen)
    return tuple(c for c in allowed if c in keep) + (ROW,)


def _join_sources(parts: Iterable[str]) -> str:
    out: list[str] = []
    for p in parts:
        for k in p.split(";"):
            if k and k not in out:
                out.append(k)
    return ";".join(out)


def _fold(
    codes: tuple[str, ...],
    keep: tuple[str, ...],
    flows: np.ndarray,
    prov: np.ndarray,
    src: np.ndarray,
    folded_prov: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Aggregate economies not in ``keep`` into ROW.

    Returns the aggregation matrix A (len(keep)×len(codes)) and the folded
    flows, provenance and source arrays. Cells that aggregate more than one
    original cell get ``folded_prov`` and the union of the sources.
    """
    groups = [[codes.index(c)] for c in keep[:-1]]
    groups.append([i for i, c in enumerate(codes) if c not in keep[:-1]])
    m, n = len(groups), len(codes)
    agg = np.zeros((m, n))
    for g, members in enumerate(groups):
        agg[g, members] = 1.0
    new_flows = agg @ flows @ agg.T
    new_prov = np.empty((m, m), dtype=object)
    new_src = np.empty((m, m), dtype=object)
    for a, ga in enumerate(groups):
        for b, gb in enumerate(groups):
            if len(ga) == 1 and len(gb) == 1:
                new_prov[a, b] = prov[ga[0], gb[0]]
                new_src[a, b] = src[ga[0], gb[0]]
            else:
                new_prov[a, b] = folded_prov
                new_src[a, b] = _join_sources(src[i, j] for i in ga for j in gb)
    return agg, new_flows, new_prov.astype(str), new_src.astype(str)


def _read_user_matrix(
    path: Path, allowed: tuple[str, ...]
) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], str], int]:
    """Parse and validate a user matrix file (see the module docstring)."""
    p = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as exc:
        raise DataError(p, "file not found") from exc
    except IsADirectoryError as exc:
        raise DataError(p, "is a directory, expected a CSV file") from exc
    except UnicodeDecodeError as exc:
        raise DataError(p, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    for row in reader:
        if any(f.strip() for f in row):
            header = [f.strip().lower() for f in row]
            break
    if header is None:
        raise DataError(p, "row 1: empty file; expected the header exporter,importer,value_usd_bn")
    hrow = reader.line_num
    for col in _USER_COLUMNS:
        if col not in header:
            raise DataError(
                p, f"row {hrow}, column '{col}': missing column (header: {','.join(header)})"
            )
    col_i = {c: header.index(c) for c in (*_USER_COLUMNS, "source") if c in header}
    name = path.name
    values: dict[tuple[str, str], float] = {}
    sources: dict[tuple[str, str], str] = {}
    first_row: dict[tuple[str, str], int] = {}
    last = hrow
    for row in reader:
        line = reader.line_num
        last = line
        if not any(f.strip() for f in row):
            continue
        if len(row) < len(header):
            missing = header[len(row)]
            raise DataError(
                p,
                f"row {line}, column '{missing}': missing value ({len(row)} of "
                f"{len(header)} fields)",
            )
        codes = []
        for col in ("exporter", "importer"):
            v = row[col_i[col]].strip()
            code = v.upper()
            if code not in allowed:
                raise DataError(
                    p,
                    f"row {line}, column '{col}': unknown economy {v!r}; allowed: "
                    f"{', '.join(allowed)}",
                )
            codes.append(code)
        key = (codes[0], codes[1])
        vtext = row[col_i["value_usd_bn"]].strip()
        try:
            value = float(vtext)
        except ValueError:
            raise DataError(
                p, f"row {line}, column 'value_usd_bn': not a number: {vtext!r}"
            ) from None
        if not math.isfinite(value):
            raise DataError(p, f"row {line}, column 'value_usd_bn': must be finite, got {vtext}")
        if value <= 0:
            raise DataError(
                p,
                f"row {line}, column 'value_usd_bn': must be > 0 (every flow of a World is "
                f"positive), got {vtext}",
            )
        if key in first_row:
            raise DataError(
                p,
                f"row {line}, column 'importer': duplicate pair {key[0]} -> {key[1]} "
                f"(first given in row {first_row[key]})",
            )
        first_row[key] = line
        values[key] = value
        s = row[col_i["source"]].strip() if "source" in col_i else ""
        sources[key] = s or f"user:{name}"
    return values, sources, last


def _user_flows(
    path: Path, base: _Base, keep: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[str, ...], str]:
    """Flows of a user matrix, on either the full or the selected set of codes."""
    values, sources, last = _read_user_matrix(path, base.economies)
    present = {c for k in values for c in k}
    codes = keep if present <= set(keep) else base.economies
    for e in codes:
        for i in codes:
            if (e, i) not in values:
                raise DataError(
                    str(path),
                    f"column 'importer': missing pair {e} -> {i}; every ordered pair of "
                    f"{', '.join(codes)}, diagonal included, needs one row (file ends at "
                    f"row {last})",
                )
    n = len(codes)
    flows = np.array([[values[(e, i)] for i in codes] for e in codes])
    prov = np.full((n, n), "user")
    src = np.array([[sources[(e, i)] for i in codes] for e in codes])
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
    return flows, prov, src, codes, digest


def load_world(
    name: str = "cis2023",
    economies: Sequence[str] | None = None,
    trade_matrix: str | Path | None = None,
) -> World:
    """Load a shipped world, optionally on a subset of economies or with a user matrix.

    Args:
        name: World identifier; one of :data:`WORLDS`.
        economies: ISO3 codes to keep (case-insensitive; ``"ROW"`` may be
            listed and is always present). ``None`` keeps all. Economies left
            out are folded into ROW: their rows and columns are added to ROW's,
            so world totals are unchanged.
        trade_matrix: Optional path to a complete user matrix (format in the
            module docstring) that replaces the shipped flows.

    Returns:
        The world, economies in the shipped order with ROW last. Its arrays
        are read-only.

    Raises:
        ConfigError: Unknown world, unknown or duplicate economy, or fewer
            than 2 economies besides ROW.
        DataError: The user matrix is missing or malformed.
    """
    if name not in WORLDS:
        raise ConfigError("world.name", f"unknown world {name!r}; allowed: {', '.join(WORLDS)}")
    base = _base(name)
    keep = _selection(base, economies)
    version = base.data_version
    if trade_matrix is not None:
        flows, prov, src, codes, digest = _user_flows(Path(trade_matrix), base, keep)
        version = f"{version}+user.{digest}"
        folded_prov = "user"
    else:
        flows, prov, src, codes = base.flows, base.provenance, base.flow_source, base.economies
        folded_prov = "residual"
    if codes == keep:
        new_flows, new_prov, new_src = flows.copy(), prov.copy(), src.copy()
    else:
        _, new_flows, new_prov, new_src = _fold(codes, keep, flows, prov, src, folded_prov)
    # Attributes of the kept economies; ROW sums GDP over its members.
    sel = [base.economies.index(c) for c in keep[:-1]]
    members = [i for i, c in enumerate(base.economies) if c not in keep[:-1]]

    def pick(a: np.ndarray, row_value: float) -> np.ndarray:
        return _readonly(np.append(a[sel], row_value))

    kept = len(keep) - 1
    dist = np.full((kept + 1, kept + 1), math.nan)
    dist[:kept, :kept] = base.distance[np.ix_(sel, sel)]
    present = set(keep)
    return World(
        name=name,
        year=base.year,
        economies=keep,
        names=tuple(base.names[i] for i in sel) + (base.names[-1],),
        currencies=tuple(base.currencies[i] for i in sel) + (base.currencies[-1],),
        lat=pick(base.lat, math.nan),
        lon=pick(base.lon, math.nan),
        gdp=pick(base.gdp, float(base.gdp[members].sum())),
        population=pick(base.population, math.nan),
        flows=_readonly(new_flows),
        provenance=_readonly(new_prov),
        flow_source=_readonly(new_src),
        distance=_readonly(dist),
        blocs={b: tuple(m for m in mem if m in present) for b, mem in base.blocs.items()},
        data_version=version,
    )


def load_growth(name: str = "cis2023") -> dict[str, dict[int, float]]:
    """Shipped baseline real GDP growth: economy code -> {year: rate as a fraction}.

    IMF WEO 2019-2024 for the 14 economies that have it; EUU from the added
    sources of the data report; ``ROW`` a GDP-weighted proxy. A fresh copy per
    call (the parsed table is cached).

    Raises:
        ConfigError: Unknown world.
    """
    if name not in WORLDS:
        raise ConfigError("world.name", f"unknown world {name!r}; allowed: {', '.join(WORLDS)}")
    return {code: dict(series) for code, series in _base(name).growth.items()}


def growth_path(world: World, years: Iterable[int]) -> np.ndarray:
    """Baseline real GDP growth rates (fractions, 0.041 = 4.1 %) by year and economy.

    Observed rates (IMF WEO 2019-2024; EUU and ROW as documented in the data
    report) are used for observed years; after an economy's last observed year
    its last observed rate is held flat. For a world with economies folded into
    ROW, ROW's rate is the 2023-GDP-weighted mean of the folded members'
    rates (original ROW included).

    Args:
        world: A world returned by :func:`load_world`.
        years: Calendar years.

    Returns:
        Array of shape (len(years), world.n).

    Raises:
        ValueError: A year before an economy's first observed year.
    """
    base = _base(world.name)
    years = list(years)
    members = [i for i, c in enumerate(base.economies) if c not in world.economies[:-1]]

    def rate(code: str, year: int) -> float:
        series = base.growth[code]
        first, last = min(series), max(series)
        if year < first:
            raise ValueError(f"no growth rate for {code} before {first} (asked {year})")
        if year in series:
            return series[year]
        if year > last:
            return series[last]
        raise ValueError(f"no growth rate for {code} in {year}")  # pragma: no cover

    out = np.empty((len(years), world.n))
    for t, y in enumerate(years):
        for k, code in enumerate(world.economies[:-1]):
            out[t, k] = rate(code, y)
        if members == [base.economies.index(ROW)]:
            out[t, -1] = rate(ROW, y)
        else:
            w = base.gdp[members]
            g = np.array([rate(base.economies[i], y) for i in members])
            out[t, -1] = float(np.dot(w, g) / w.sum())
    return out
