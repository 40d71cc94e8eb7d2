"""Rebuild the shipped worlds (``cis2023``, ``cis2021``, ``dots2020``) from the raw data.

Usage::

    uv run python -m sim.data.build                       # every world, raw: ../shared/data
    uv run python -m sim.data.build --world cis2021 --raw DIR --out DIR

The only code that reads the raw data (``/work/shared/data`` or
``../shared/data`` next to the repository); the loader reads only what this
writes into the package (``sim/data/<world>/``). Deterministic: the same raw
files give the same bytes. Modules: :mod:`.raw` (readers), :mod:`.totals`
(published totals), :mod:`.published` (published cells), :mod:`.cells` (base
pattern, RAS, imputation, closure), :mod:`.deviations`, :mod:`.tables`,
:mod:`.report` (with ``report_template.md``); the wide world ``dots2020`` (every DOTS
economy with complete data) by :mod:`.wide` from :mod:`.geo` (GeoNames and the IMF/WDI
caches of PyPI packages, dev dependencies).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from sim.data.build.cells import Matrix, build_matrix
from sim.data.build.common import fmt
from sim.data.build.deviations import deviations
from sim.data.build.raw import Raw, load_raw
from sim.data.build.report import render_report
from sim.data.build.spec import SPECS
from sim.data.build.tables import table_bytes
from sim.data.build.wide import NAME as WIDE
from sim.data.build.wide import WideWorld, build_wide, wide_report, wide_tables
from sim.data.loader import data_version_of

__all__ = ["SPECS", "BuildResult", "build", "default_raw_dir", "fmt", "main", "write"]

DEFAULT_RAW = Path("/work/shared/data")
PACKAGE = Path(__file__).resolve().parents[1]


@dataclass
class BuildResult:
    """What a build of one world produced."""

    name: str
    tables: dict[str, bytes]
    report: str
    matrix: Matrix | WideWorld
    data_version: str


def build(raw_dir: Path, name: str = "cis2023", raw: Raw | None = None) -> BuildResult:
    """Build one world in memory (``raw`` may be passed to read the files once)."""
    raw = raw or load_raw(raw_dir)
    if name == WIDE:
        from sim.data.build import geo

        wide = build_wide(raw, geo.countries(), geo.macro(range(2019, 2025)),
                          geo.weo_world_gdp(2020))  # fmt: skip
        tables = wide_tables(raw, wide)
        version = data_version_of(tables)
        return BuildResult(name, tables, wide_report(raw, wide, version), wide, version)
    spec = SPECS[name]
    mx = build_matrix(raw, spec)
    devs = deviations(raw, spec, mx)
    tables = table_bytes(raw, spec, mx, devs)
    version = data_version_of(tables)
    return BuildResult(name, tables, render_report(raw, spec, mx, devs, version), mx, version)


def write(result: BuildResult, out_dir: Path) -> None:
    """Write the tables and the report into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, data in result.tables.items():
        (out_dir / name).write_bytes(data)
    (out_dir / "DATA_REPORT.md").write_bytes(result.report.encode("utf-8"))


def default_raw_dir() -> Path:
    """/work/shared/data, else ../shared/data next to the repository."""
    if DEFAULT_RAW.is_dir():
        return DEFAULT_RAW
    return PACKAGE.parents[1].parent / "shared" / "data"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(
        prog="python -m sim.data.build", description=__doc__.split("\n")[0]
    )
    ap.add_argument(
        "--raw", type=Path, default=None, help="shared data dir (default: ../shared/data)"
    )
    ap.add_argument(
        "--world",
        choices=sorted((*SPECS, WIDE)),
        action="append",
        help="world(s) to build (default: all)",
    )
    ap.add_argument(
        "--out", type=Path, default=None, help="output dir (default: the package; one world only)"
    )
    args = ap.parse_args(argv)
    names = args.world or sorted((*SPECS, WIDE))
    if args.out is not None and len(names) > 1:
        print("error: --out needs exactly one --world", file=sys.stderr)
        return 2
    raw_dir = args.raw or default_raw_dir()
    try:
        raw = load_raw(raw_dir)
        results = [build(raw_dir, n, raw) for n in names]
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for res in results:
        out = args.out or PACKAGE / res.name
        write(res, out)
        print(
            f"wrote {len(res.tables)} tables and DATA_REPORT.md to {out} "
            f"(data_version {res.data_version})"
        )
    return 0
