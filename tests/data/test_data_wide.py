"""The wide world ``dots2020``: every IMF DOTS economy with complete data."""

from __future__ import annotations

import csv
import io
import math
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from sim.data import build
from sim.data.build.common import SIG
from sim.data.loader import TABLES, load_world
from sim.data.ppml import distance_elasticity

WORLD = "dots2020"


@pytest.fixture(scope="module")
def world():
    return load_world(WORLD)


def test_well_over_100_economies_with_the_15_first(world) -> None:
    cis = load_world("cis2023")
    assert world.n > 150
    assert world.economies[: cis.n - 1] == cis.economies[:-1]
    assert world.economies[-1] == "ROW"
    assert len(set(world.economies)) == world.n


def test_every_economy_has_gdp_currency_and_capital_with_sources(world, shipped_rows) -> None:
    rows = shipped_rows("economies.csv", WORLD)
    for r in rows[:-1]:
        assert r["gdp_source"] and r["coord_source"] in ("G", "GN"), r["iso3"]
        assert len(r["currency"]) == 3 and r["currency"].isupper(), r["iso3"]
    assert np.all(np.isfinite(world.lat[:-1])) and np.all(np.isfinite(world.lon[:-1]))
    assert np.all(world.gdp > 0)
    assert world.currency_of("GEO") == "GEL" and world.currency_of("EUU") == "EUR"


def test_matrix_positive_complete_with_provenance(world, shipped_rows) -> None:
    assert np.all(world.flows > 0)
    off = ~np.eye(world.n, dtype=bool)
    assert set(np.unique(world.provenance[off])) <= {"dots", "imputed"}
    for r in shipped_rows("trade_matrix.csv", WORLD):
        assert r["source"], (r["exporter"], r["importer"])
    k = world.n - 1
    inner = off[:k, :k]
    imputed = (world.provenance[:k, :k] == "imputed") & inner
    share = world.flows[:k, :k][imputed].sum() / world.flows[:k, :k][inner].sum()
    assert share < 0.02, share


def test_dots_cells_equal_the_raw_file_where_not_imputed(world, raw_dir: Path) -> None:
    from sim.data.build.raw import DOTS_FILE, read_dots

    dots, _ = read_dots(raw_dir / DOTS_FILE)
    for o, d in (("GEO", "RUS"), ("PAK", "CHN"), ("MNG", "CHN"), ("KAZ", "GEO")):
        i, j = world.index(o), world.index(d)
        if world.provenance[i, j] == "dots":
            assert world.flows[i, j] == pytest.approx(dots[(o, d, 2020)], rel=1e-9), (o, d)


@pytest.mark.slow  # a dense FE-PPML over ~36,000 pairs: ~14 s of the default suite
def test_distance_elasticity_in_the_band(world) -> None:
    k = world.n - 1
    beta, _ = distance_elasticity(world.flows[:k, :k], world.distance[:k, :k])
    assert -1.3 <= beta <= -0.7, beta


def test_subset_folds_the_rest_into_row(world) -> None:
    sub = load_world(WORLD, ["RUS", "KAZ", "GEO", "AFG", "PAK", "MNG"])
    assert sub.economies == ("KAZ", "RUS", "AFG", "GEO", "MNG", "PAK", "ROW")
    assert sub.flows.sum() == pytest.approx(world.flows.sum(), rel=1e-12)
    assert sub.blocs["EAEU"] == ("KAZ", "RUS")


def test_internal_distance_follows_the_area_rule(world) -> None:
    i = world.index("GEO")
    # Georgia 69,700 km2 (GeoNames): 0.67 sqrt(69700 / pi)
    assert world.distance[i, i] == pytest.approx(0.67 * math.sqrt(69700 / math.pi), rel=1e-6)


def _differ_beyond_last_digit(rebuilt: str, shipped: str) -> bool:
    """Whether two written fields differ by more than one unit in the last of SIG digits.

    The wide world's imputed cells come from a FE-PPML fit over about 25,000
    pairs, a least-squares solve whose last bits depend on the machine's BLAS
    kernels; a value that falls on a rounding boundary can then be written one
    unit apart in its 9th significant digit (seen: 0.0000573923201 vs ...202).
    Text fields, and numbers further apart, must match exactly.
    """
    if rebuilt == shipped:
        return False
    try:
        a, b = float(rebuilt), float(shipped)
    except ValueError:
        return True
    unit = 10.0 ** (math.floor(math.log10(max(abs(a), abs(b)))) - (SIG - 1))
    return abs(a - b) > 1.000001 * unit


def test_last_digit_rule_flags_a_real_change() -> None:
    assert not _differ_beyond_last_digit("0.0000573923201", "0.0000573923202")
    assert _differ_beyond_last_digit("0.0000573923201", "0.0000573923204")
    assert _differ_beyond_last_digit("12.5", "12.6")
    assert _differ_beyond_last_digit("imputed", "dots")


@pytest.mark.slow
def test_build_reproduces_the_shipped_wide_world(raw_dir: Path, tmp_path: Path) -> None:
    """The build writes the shipped tables again, each field equal up to the last digit.

    The data_version in DATA_REPORT.md hashes the tables' bytes, so it is not
    compared when a last digit moved; every other line of the report is.
    """
    assert build.main(["--raw", str(raw_dir), "--world", WORLD, "--out", str(tmp_path)]) == 0
    shipped = resources.files("sim.data").joinpath(WORLD)
    byte_equal = True
    for name in TABLES:
        byte_equal &= (tmp_path / name).read_bytes() == shipped.joinpath(name).read_bytes()
        new_rows = list(csv.reader(io.StringIO((tmp_path / name).read_text(encoding="utf-8"))))
        old_rows = list(csv.reader(io.StringIO(shipped.joinpath(name).read_text("utf-8"))))
        assert len(new_rows) == len(old_rows), name
        for k, (new, old) in enumerate(zip(new_rows, old_rows, strict=True)):
            assert len(new) == len(old), (name, k)
            moved = [
                c
                for c, (a, b) in enumerate(zip(new, old, strict=True))
                if _differ_beyond_last_digit(a, b)
            ]
            assert not moved, (name, k, new, old)
    report_new = (tmp_path / "DATA_REPORT.md").read_text(encoding="utf-8").splitlines()
    report_old = shipped.joinpath("DATA_REPORT.md").read_text("utf-8").splitlines()
    assert report_new[1:] == report_old[1:]
    if byte_equal:  # no last digit moved: the hash of the tables is the shipped one too
        assert report_new[0] == report_old[0]
    else:
        assert report_new[0].split("(data_version")[0] == report_old[0].split("(data_version")[0]


def test_great_circle_and_internal_distance_formulas() -> None:
    from sim.data.build.geo import haversine_km, internal_km

    # Moscow (55.7522 N, 37.6156 E) - Astana (51.1801 N, 71.4460 E): about 2,260 km
    assert haversine_km(55.7522, 37.6156, 51.1801, 71.44598) == pytest.approx(2260, rel=0.01)
    assert haversine_km(10.0, 20.0, 10.0, 20.0) == 0.0
    assert internal_km(math.pi * 100.0**2) == pytest.approx(67.0)
