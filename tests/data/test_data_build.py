"""The rebuild script: determinism and method checks (needs the raw figures)."""

from __future__ import annotations

import csv
import io
from importlib import resources
from pathlib import Path

import pytest

from sim.data import build
from sim.data.loader import TABLES


@pytest.fixture(scope="module")
def result(raw_dir: Path) -> build.BuildResult:
    return build.build(raw_dir)


def test_build_reproduces_shipped_tables_byte_for_byte(raw_dir: Path, tmp_path: Path) -> None:
    assert build.main(["--raw", str(raw_dir), "--out", str(tmp_path)]) == 0
    shipped = resources.files("sim.data").joinpath("cis2023")
    for name in (*TABLES, "DATA_REPORT.md"):
        assert (tmp_path / name).read_bytes() == shipped.joinpath(name).read_bytes(), name


def test_build_is_deterministic(result: build.BuildResult, raw_dir: Path) -> None:
    again = build.build(raw_dir)
    assert again.tables == result.tables
    assert again.report == result.report
    assert set(result.tables) == set(TABLES)


def test_gravity_fit_is_plausible(result: build.BuildResult) -> None:
    fit = result.fit.main
    assert fit.converged
    dist = fit.coef[build.REGRESSORS.index("ln_distw")]
    assert -2.0 < dist < 0.0


def test_reported_figures_pass_through(result: build.BuildResult, raw_dir: Path) -> None:
    """Every single-figure, full-year, US$ R/M row of the raw CSV is shipped unchanged."""
    raw_rows = list(csv.DictReader((raw_dir / "trade_flows_2023_reported.csv").open()))
    counts: dict[tuple[str, str], int] = {}
    for r in raw_rows:
        counts[(r["exporter"], r["importer"])] = counts.get((r["exporter"], r["importer"]), 0) + 1
    shipped = {
        (r["exporter"], r["importer"]): r
        for r in csv.DictReader(io.StringIO(result.tables["trade_matrix.csv"].decode()))
    }
    checked = 0
    for r in raw_rows:
        key = (r["exporter"], r["importer"])
        if r["flag"] in ("R", "M", "D") and counts[key] == 1:
            assert float(shipped[key]["value_usd_bn"]) == float(r["value_usd_bn"]), key
            assert shipped[key]["source"].split(";")[0] == r["source"]
            checked += 1
    assert checked >= 40


def test_missing_raw_dir_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert build.main(["--raw", str(tmp_path / "none"), "--out", str(tmp_path / "o")]) == 1
    assert "error:" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_fmt_is_stable() -> None:
    assert build.fmt(3.54) == "3.54"
    assert build.fmt(0.1 + 0.2) == "0.3"
    assert build.fmt(1e-12) == "0.000000000001"
    assert build.fmt(float("nan")) == ""
