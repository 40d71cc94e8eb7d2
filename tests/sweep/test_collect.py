"""The streaming collector on synthetic run directories."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.sweep.collect import collect

ECONOMIES = ["AAA", "BBB", "CCC"]


def make_run(sweep: Path, run: int, status: str, sigma: float, label: str) -> None:
    path = sweep / str(run)
    path.mkdir(parents=True)
    params = {"trade.sigma": sigma, "world.label": label}
    job = {"run": run, "replicate": run % 2, "sample": -1, "base_seed": 42, "seed": 1000 + run}
    job |= {"scenario": "baseline", "overrides": [f"trade.sigma={sigma}"], "params": params}
    (path / "job.json").write_text(json.dumps(job))
    if status == "missing":
        return
    if status == "completed":
        quarters = ["2024Q1", "2024Q2"]
        economies = pd.DataFrame(
            [
                {"quarter": q, "quarter_index": i, "economy": e, "output": float(run + i)}
                for i, q in enumerate(quarters)
                for e in ECONOMIES
            ]
        )
        economies.to_parquet(path / "economies.parquet")
        world = pd.DataFrame({"quarter": quarters, "quarter_index": [0, 1], "world_trade": 1.0})
        world.to_parquet(path / "world.parquet")
    meta = {"status": status, "error": "ModelError: boom" if status == "failed" else None}
    meta |= {"seed": 1000 + run, "scenario": "baseline", "wall_time_s": 0.1}
    (path / "metadata.json").write_text(json.dumps(meta))


@pytest.fixture
def sweep_dir(tmp_path):
    statuses = ["completed"] * 7 + ["failed", "missing", "completed"]
    for run, status in enumerate(statuses):
        sigma = 3 if run < 5 else 4.5  # ints and floats in one column -> float64
        make_run(tmp_path, run, status, sigma, f"L{run % 3}")
    (tmp_path / "multirun.yaml").write_text("{}")
    return tmp_path


def test_one_tidy_row_per_run_quarter_economy(sweep_dir):
    result = collect(sweep_dir, row_group_rows=7)  # several row groups
    assert (result.count("completed"), result.count("failed"), result.count("missing")) == (8, 1, 1)
    economies = pd.read_parquet(sweep_dir / "sweep" / "economies.parquet")
    assert len(economies) == 8 * 2 * 3
    assert not economies.duplicated(["run", "quarter", "economy"]).any()
    lead = ["run", "replicate", "seed", "status", "scenario", "trade.sigma", "world.label"]
    assert list(economies.columns[: len(lead)]) == lead
    assert set(economies["status"]) == {"completed"}
    assert economies["trade.sigma"].dtype == "float64"
    assert economies["run"].dtype == "int64"
    assert sorted(economies["run"].unique()) == [0, 1, 2, 3, 4, 5, 6, 9]
    row = economies[(economies.run == 9) & (economies.quarter_index == 1)].iloc[0]
    assert (row["seed"], row["output"], row["world.label"]) == (1009, 10.0, "L0")
    world = pd.read_parquet(sweep_dir / "sweep" / "world.parquet")
    assert len(world) == 8 * 2


def test_runs_table_records_every_run_and_its_failure(sweep_dir):
    collect(sweep_dir)
    runs = pd.read_parquet(sweep_dir / "sweep" / "runs.parquet")
    assert list(runs["run"]) == list(range(10))
    assert runs.set_index("run").loc[7, "error"] == "ModelError: boom"
    assert runs.set_index("run").loc[8, "status"] == "missing"
    assert runs["seed"].tolist() == [1000 + r for r in range(10)]


def test_recollecting_overwrites_without_duplicates(sweep_dir):
    collect(sweep_dir)
    collect(sweep_dir)
    assert pq.read_metadata(sweep_dir / "sweep" / "economies.parquet").num_rows == 48


def test_row_groups_are_bounded(sweep_dir):
    collect(sweep_dir, row_group_rows=12)
    meta = pq.read_metadata(sweep_dir / "sweep" / "economies.parquet")
    assert meta.num_row_groups == 4
    assert max(meta.row_group(i).num_rows for i in range(meta.num_row_groups)) == 12


def test_swept_scenario_is_not_written_twice(tmp_path):
    for run, scenario in enumerate(["baseline", "cis_fta_deepening"]):
        make_run(tmp_path, run, "completed", 5.0, "L")
        job_path = tmp_path / str(run) / "job.json"
        job = json.loads(job_path.read_text())
        job["params"]["scenario"] = scenario
        job["scenario"] = scenario
        job_path.write_text(json.dumps(job))
    collect(tmp_path)
    world = pd.read_parquet(tmp_path / "sweep" / "world.parquet")
    assert list(world.columns).count("scenario") == 1
