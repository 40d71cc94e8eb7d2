"""The rebuild script: determinism and method checks (needs ../shared/data)."""

from __future__ import annotations

import csv
import io
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from sim.data import build
from sim.data.build.ras import ras
from sim.data.build.raw import load_raw
from sim.data.loader import TABLES


@pytest.fixture(scope="module")
def results(raw_dir: Path) -> dict[str, build.BuildResult]:
    raw = load_raw(raw_dir)
    return {n: build.build(raw_dir, n, raw) for n in build.SPECS}


@pytest.mark.parametrize("world", sorted(build.SPECS))
def test_build_reproduces_shipped_tables_byte_for_byte(
    raw_dir: Path, tmp_path: Path, world: str
) -> None:
    assert build.main(["--raw", str(raw_dir), "--world", world, "--out", str(tmp_path)]) == 0
    shipped = resources.files("sim.data").joinpath(world)
    for name in (*TABLES, "DATA_REPORT.md"):
        assert (tmp_path / name).read_bytes() == shipped.joinpath(name).read_bytes(), name


def test_build_is_deterministic(results: dict[str, build.BuildResult], raw_dir: Path) -> None:
    again = build.build(raw_dir, "cis2023")
    assert again.tables == results["cis2023"].tables
    assert again.report == results["cis2023"].report
    assert set(again.tables) == set(TABLES)


def test_ras_converged_and_margins_met(results: dict[str, build.BuildResult]) -> None:
    for res in results.values():
        mx = res.matrix
        assert mx.ras.max_gap < 1e-9
        codes = (*mx.totals, "ROW")
        for i, e in enumerate(codes[:-1]):
            t = mx.totals[e]
            x = sum(mx.cells[(e, d)].value for d in codes if d != e)
            m = sum(mx.cells[(o, e)].value for o in codes if o != e)
            if t.exports is not None and not mx.ras.floored_rows[i]:
                assert x == pytest.approx(t.exports, rel=1e-9), (res.name, e)
            if t.imports is not None and not mx.ras.floored_cols[i]:
                assert m == pytest.approx(t.imports, rel=1e-9), (res.name, e)


def test_ras_unit() -> None:
    base = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 1.0], [3.0, 1.0, 0.0]])
    free = base > 0
    free[0, 2] = False
    fixed = np.where(free, 0.0, 0.0)
    fixed[0, 2] = 2.5
    rt = np.array([4.0, 3.0, np.nan])
    ct = np.array([6.0, 2.0, np.nan])
    res = ras(base, free, fixed, rt, ct, floor_share=0.05)
    assert res.x[0, 2] == 2.5
    assert res.x[:2].sum(axis=1) == pytest.approx(rt[:2])
    assert res.x[:, :2].sum(axis=0) == pytest.approx(ct[:2])


def test_published_figures_pass_through(
    results: dict[str, build.BuildResult], raw_dir: Path
) -> None:
    """Every single-figure, full-year, US$ R/M/D row of the raw CSV is shipped unchanged
    (the EU's own exports excepted: that row is Eurostat's)."""
    raw_rows = list(csv.DictReader((raw_dir / "cis" / "trade_flows_2023_reported.csv").open()))
    counts: dict[tuple[str, str], int] = {}
    for r in raw_rows:
        counts[(r["exporter"], r["importer"])] = counts.get((r["exporter"], r["importer"]), 0) + 1
    shipped = {
        (r["exporter"], r["importer"]): r
        for r in csv.DictReader(io.StringIO(results["cis2023"].tables["trade_matrix.csv"].decode()))
    }
    checked = 0
    for r in raw_rows:
        key = (r["exporter"], r["importer"])
        if r["flag"] in ("R", "M", "D") and counts[key] == 1 and key[0] != "EUU":
            assert float(shipped[key]["value_usd_bn"]) == float(r["value_usd_bn"]), key
            assert shipped[key]["source"].split(";")[0] == r["source"]
            checked += 1
    assert checked >= 40


def test_missing_raw_dir_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--raw", str(tmp_path / "none"), "--world", "cis2023", "--out", str(tmp_path / "o")]
    assert build.main(args) == 1
    assert "error:" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_fmt_is_stable() -> None:
    assert build.fmt(3.54) == "3.54"
    assert build.fmt(0.1 + 0.2) == "0.3"
    assert build.fmt(1e-12) == "0.000000000001"
    assert build.fmt(float("nan")) == ""


@pytest.mark.parametrize(("world", "rate"), [("cis2023", 1.0813), ("cis2021", 1.1827)])
def test_eu_row_against_the_raw_eurostat_file(
    results: dict[str, build.BuildResult], raw_dir: Path, world: str, rate: float
) -> None:
    """Every EU27 -> partner cell within 5 % of the Eurostat file's euro value x ECB rate."""
    year = build.SPECS[world].year
    path = raw_dir / "eurostat_eu27_exports" / f"eu27_exports_by_partner_{year}.csv"
    names = {
        "ARM": "Armenia",
        "AZE": "Azerbaijan",
        "BLR": "Belarus (Belorussia)",
        "KAZ": "Kazakhstan",
        "KGZ": "Kyrgyzstan",
        "MDA": "Moldova, Republic of",
        "RUS": "Russian Federation (Russia)",
        "TJK": "Tajikistan",
        "TKM": "Turkmenistan",
        "UZB": "Uzbekistan",
        "CHN": "China",
        "IRN": "Iran, Islamic Republic of",
        "IND": "India",
        "TUR": "Türkiye",
    }  # fmt: skip  (Eurostat's partner labels, as in the raw file: the test's own key)
    eur = {r["PARTNER"]: float(r["VALUE_IN_EUR"]) for r in csv.DictReader(path.open())}
    cells = results[world].matrix.cells
    for code, label in names.items():
        assert cells[("EUU", code)].value == pytest.approx(eur[label] * rate / 1e9, rel=0.05)


def test_cis2023_elasticity_miss_is_carried_by_the_published_cells(
    results: dict[str, build.BuildResult],
) -> None:
    """β = -0.52 of the shipped cis2023 comes from the published 2023 cells (kept as
    published), not from the RAS scaling or the imputation: with them at the scaled DOTS
    pattern, or without Russia, β is back in the band; RAS alone leaves the base's β."""
    from sim.data.build.raw import load_raw as _load
    from sim.data.build.report import elasticities

    raw = _load(build.default_raw_dir())
    el = elasticities(raw, results["cis2023"].matrix)
    shipped = el["shipped"][0]
    assert not -1.3 <= shipped <= -0.7
    for key in (
        "shipped, published cells -> scaled DOTS pattern",
        "scaled DOTS pattern everywhere (RAS only)",
        "shipped, without RUS",
    ):
        assert -1.3 <= el[key][0] <= -0.7, (key, el[key])
    assert abs(el["scaled DOTS pattern everywhere (RAS only)"][0] - el["DOTS base (missing cells: "
               "shipped value)"][0]) < 0.1  # fmt: skip
