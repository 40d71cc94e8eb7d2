from __future__ import annotations

from pathlib import Path

import pytest

from analysis.loading import load_results
from sim.errors import CaravanError, DataError
from tests.analysis.synthetic import write_sweep

from .conftest import QUARTERS, SEEDS


def test_sweep_tables_carry_run_seed_scenario(sweep_dir: Path) -> None:
    r = load_results(sweep_dir)
    assert r.kind == "sweep"
    assert r.scenarios == ["baseline", "cis_fta_deepening"]
    assert r.n_failed == 1
    assert r.n_runs == 2 * len(SEEDS) - 1
    assert 5 not in set(r.world["run"])
    assert r.swept == ["trade.sigma"]
    for name in ("world", "economies", "pairs", "segments", "settlement"):
        df = getattr(r, name)
        assert {"run", "seed", "scenario"} <= set(df.columns), name
        assert 5 not in set(df["run"]), name
    assert len(r.world) == r.n_runs * QUARTERS
    assert r.indices is not None and set(r.indices["method"]) == {"sobol", "morris"}
    assert "trade:" in r.config_yaml


def test_run_is_a_sweep_of_one(run_dir: Path) -> None:
    r = load_results(run_dir)
    assert r.kind == "run"
    assert r.n_runs == 1
    assert r.scenarios == ["cis_fta_deepening"]
    assert set(r.world["seed"]) == {4}
    assert r.indices is None


def test_uncollected_sweep_is_read_from_job_directories(tmp_path: Path) -> None:
    write_sweep(tmp_path / "s", seeds=(0, 1), quarters=3, collect=False)
    r = load_results(tmp_path / "s")
    assert r.n_runs == 4
    assert r.scenarios == ["baseline", "cis_fta_deepening"]


def test_optional_tables_may_be_absent(tmp_path: Path, run_dir: Path) -> None:
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    for name in ("segments", "settlement", "pairs"):
        (copy / f"{name}.parquet").unlink()
    r = load_results(copy)
    assert r.segments is None and r.settlement is None and r.pairs is None


@pytest.mark.parametrize("make", ["missing", "empty", "file"])
def test_bad_path_is_a_one_line_caravan_error(tmp_path: Path, make: str) -> None:
    path = tmp_path / "x"
    if make == "empty":
        path.mkdir()
    elif make == "file":
        path.write_text("hi")
    with pytest.raises(CaravanError) as err:
        load_results(path)
    assert "\n" not in str(err.value)
    assert str(path) in str(err.value)


def test_failed_single_run_is_an_error(tmp_path: Path) -> None:
    from tests.analysis.synthetic import write_run

    write_run(tmp_path / "f", status="failed")
    with pytest.raises(DataError, match="did not complete"):
        load_results(tmp_path / "f")


def test_corrupt_table_is_an_error(tmp_path: Path, run_dir: Path) -> None:
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    (copy / "world.parquet").write_text("not parquet")
    with pytest.raises(DataError, match="unreadable Parquet"):
        load_results(copy)
