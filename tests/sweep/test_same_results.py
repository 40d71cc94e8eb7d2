"""Same config and seed, same bytes: the batched launcher, Hydra's basic launcher, a single run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CODE = "import sys; from sim.cli import main; main(sys.argv[1:])"
SWEEP = ["trade.sigma=3,6", "sim.quarters=2", "hydra.launcher.progress=false"]


def caravan(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", CODE, *args], capture_output=True, text=True, timeout=300
    )


def tables(run_dir: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(run_dir.glob("*.parquet"))}


@pytest.mark.slow
def test_batched_basic_and_single_runs_write_identical_tables(tmp_path):
    batched, basic = tmp_path / "batched", tmp_path / "basic"
    proc = caravan("-m", *SWEEP, "hydra.launcher.n_jobs=2", f"hydra.sweep.dir={batched}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    proc = caravan(
        "-m", *SWEEP[:2], "hydra/launcher=basic", "hydra/sweeper=basic", f"hydra.sweep.dir={basic}"
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    for run in (0, 1):
        fast, slow = tables(batched / str(run)), tables(basic / str(run))
        assert set(fast) >= {"economies.parquet", "pairs.parquet", "world.parquet"}
        assert fast == slow, f"run {run}: batched and basic launchers differ"
        meta_fast = json.loads((batched / str(run) / "metadata.json").read_text())
        meta_slow = json.loads((basic / str(run) / "metadata.json").read_text())
        assert meta_fast["config_hash"] == meta_slow["config_hash"]
        assert meta_fast["seed"] == meta_slow["seed"]

    # run 1 repeated as a single run from its recorded seed: same tables, same config hash
    meta = json.loads((batched / "1" / "metadata.json").read_text())
    single = tmp_path / "single"
    proc = caravan(
        f"seed={meta['seed']}", "trade.sigma=6", "sim.quarters=2", f"hydra.run.dir={single}"
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert tables(single) == tables(batched / "1")
    single_meta = json.loads((single / "metadata.json").read_text())
    assert single_meta["config_hash"] == meta["config_hash"]
    # ... and the other run, with another seed, is recognisably another run
    assert (
        json.loads((batched / "0" / "metadata.json").read_text())["config_hash"]
        != (meta["config_hash"])
    )


@pytest.mark.slow
def test_a_warm_set_up_cache_writes_the_bytes_of_a_cold_single_run(tmp_path):
    """One worker, one seed: the second job copies the first's phases (sim.setup_cache).

    Its tables must be the bytes of the same config run alone in a fresh process (cold).
    """
    sweep = tmp_path / "sweep"
    proc = caravan(
        "-m", *SWEEP, "sweep.seeds=fixed", "hydra.launcher.n_jobs=1", f"hydra.sweep.dir={sweep}"
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    single = tmp_path / "single"
    proc = caravan("trade.sigma=6", "sim.quarters=2", f"hydra.run.dir={single}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads((sweep / "1" / "metadata.json").read_text())["seed"] == 42
    assert set(tables(single)) >= {"settlement.parquet", "segments.parquet", "pairs.parquet"}
    assert tables(sweep / "1") == tables(single)
