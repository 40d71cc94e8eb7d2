"""``caravan -m`` end to end: failure isolation, resume after a kill, validation, designs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.sweep.schema import SweepConfig, derive_seed

CODE = "import sys; from sim.cli import main; main(sys.argv[1:])"
FAST = ["sim.quarters=2", "output.pairs=false", "hydra.launcher.n_jobs=2"]
# A 10-fold rise of a large non-tariff barrier on China's exports makes the GE fail to
# converge (ntb_base >= 1); smaller bases are fine. One value in 20 fails: 5 % of runs.
NTB_CHANGE = "tariff.ntb_changes=[{exporters:[CHN],start:2024Q2,end:2024Q2,scale:10}]"
NTB_VALUES = ",".join([*(f"{0.02 * i:.2f}" for i in range(1, 20)), "1.0"])


def command(*args: str) -> list[str]:
    return [sys.executable, "-c", CODE, "-m", *args]


def caravan_m(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run(command(*args), capture_output=True, text=True, timeout=timeout)


def frame(sweep_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(sweep_dir / "sweep" / f"{name}.parquet")


@pytest.fixture(scope="module")
def failing_sweep(tmp_path_factory):
    sweep_dir = tmp_path_factory.mktemp("failing")
    proc = caravan_m(
        f"tariff.ntb_base={NTB_VALUES}", NTB_CHANGE, *FAST, f"hydra.sweep.dir={sweep_dir}"
    )
    return sweep_dir, proc


@pytest.mark.slow  # a real multi-process sweep (minutes on a 2-core machine)
def test_failed_runs_are_recorded_and_the_sweep_goes_on(failing_sweep):
    sweep_dir, proc = failing_sweep
    assert proc.returncode == 1, proc.stderr[-3000:]
    runs = frame(sweep_dir, "runs").set_index("run")
    assert len(runs) == 20
    assert (runs["status"] == "completed").sum() == 19
    failed = runs[runs["status"] == "failed"]
    assert list(failed.index) == [19]
    assert failed.loc[19, "tariff.ntb_base"] == 1.0
    assert failed.loc[19, "error"].startswith("ModelError: ")
    meta = json.loads((sweep_dir / "19" / "metadata.json").read_text())
    assert meta["status"] == "failed" and meta["error"].startswith("ModelError: ")
    assert "1 failed" in proc.stdout and "run 19" in proc.stdout
    economies = frame(sweep_dir, "economies")
    assert sorted(economies["run"].unique()) == list(range(19))
    assert len(economies) == 19 * 2 * 16
    assert "tariff.ntb_base" in economies.columns and "tariff.ntb_changes" in economies.columns


@pytest.mark.slow  # shares the failing sweep above
def test_each_run_has_its_own_recorded_seed(failing_sweep):
    sweep_dir, _ = failing_sweep
    runs = frame(sweep_dir, "runs")
    expected = [derive_seed(42, run, SweepConfig()) for run in runs["run"]]
    assert runs["seed"].tolist() == expected
    meta = json.loads((sweep_dir / "3" / "metadata.json").read_text())
    assert meta["seed"] == expected[3]
    world = frame(sweep_dir, "world")
    assert (world["seed"] == world["run"].map(dict(enumerate(expected)))).all()


@pytest.mark.slow  # a real multi-process sweep (minutes on a 2-core machine)
def test_relaunch_redoes_only_failed_runs(failing_sweep, tmp_path):
    sweep_dir, _ = failing_sweep
    finished = {
        run: json.loads((sweep_dir / str(run) / "metadata.json").read_text())["finished"]
        for run in (0, 7)
    }
    proc = caravan_m(
        f"tariff.ntb_base={NTB_VALUES}", NTB_CHANGE, *FAST, f"hydra.sweep.dir={sweep_dir}"
    )
    assert proc.returncode == 1
    assert "19 already complete, skipped" in proc.stdout
    for run, stamp in finished.items():
        meta = json.loads((sweep_dir / str(run) / "metadata.json").read_text())
        assert meta["finished"] == stamp  # not re-run
    assert len(frame(sweep_dir, "economies")) == 19 * 2 * 16


@pytest.mark.slow  # a real multi-process sweep (minutes on a 2-core machine)
def test_killed_sweep_resumes_without_duplicates(tmp_path):
    sweep_dir = tmp_path / "killed"
    args = ["sweep.replicate=range(12)", *FAST[:2], "hydra.launcher.n_jobs=1"]
    args.append(f"hydra.sweep.dir={sweep_dir}")
    proc = subprocess.Popen(
        command(*args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 180
    try:
        while time.monotonic() < deadline:
            done = list(sweep_dir.glob("*/metadata.json"))
            if len(done) >= 3 or proc.poll() is not None:
                break
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the launcher and its worker processes
        proc.wait()
    before = {p.parent.name for p in sweep_dir.glob("*/metadata.json")}
    assert 3 <= len(before) < 12
    resumed = caravan_m(*args)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"{len(before)} already complete, skipped" in resumed.stdout
    runs = frame(sweep_dir, "runs")
    assert runs["run"].tolist() == list(range(12))
    assert set(runs["status"]) == {"completed"}
    economies = frame(sweep_dir, "economies")
    assert len(economies) == 12 * 2 * 16
    assert not economies.duplicated(["run", "quarter", "economy"]).any()
    assert sorted(economies["replicate"].unique()) == list(range(12))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["trade.sigma=3,50"], "error: trade.sigma: must be in (1"),
        (["sweep.replicate=range(-1,2)"], "error: sweep.replicate: must be an integer ≥ 0"),
        (["+foo=1,2"], "error: foo: unknown key"),
        (["hydra/sweeper=salib", "hydra.sweeper.n=6"], "error: hydra.sweeper.n: must be a power"),
        (["seed=1,2", "hydra.launcher.n_jobs=abc"], "error: hydra.launcher.n_jobs: must be -1"),
        (["seed=1,2", "hydra.launcher.n_jobs=0"], "error: hydra.launcher.n_jobs: must be -1"),
        (["seed=1,2", "hydra.launcher.resume=maybe"], "error: hydra.launcher.resume: must be true"),
        (
            ["seed=1,2", "hydra.launcher.start_method=thread"],
            "error: hydra.launcher.start_method: must be one of forkserver, spawn, fork",
        ),
        (
            ["seed=1,2", "hydra/launcher=caravan_ray", "hydra.launcher.ray.remote.num_cpus=0"],
            "error: hydra.launcher.ray.remote.num_cpus: must be a number > 0, got 0",
        ),
    ],
)
def test_a_bad_swept_value_is_one_line_before_anything_runs(tmp_path, capsys, args, message):
    from sim.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["-m", *args, f"hydra.sweep.dir={tmp_path / 's'}"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.strip().startswith(message), err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "s").exists()


@pytest.mark.slow
def test_sobol_sweep_and_caravan_sensitivity(tmp_path):
    sweep_dir = tmp_path / "sobol"
    proc = caravan_m(
        "hydra/sweeper=salib",
        "hydra.sweeper.n=4",
        "+hydra.sweeper.params={trade.sigma:[3.0,8.0],trade.adjustment:[0.3,1.0]}",
        *FAST,
        f"hydra.sweep.dir={sweep_dir}",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    runs = frame(sweep_dir, "runs")
    assert len(runs) == 4 * (3 + 2)  # params: the two given plus the config's third
    assert sorted(runs["sample"]) == list(range(20))
    out = subprocess.run(
        [sys.executable, "-c", "from sim.sweep.sensitivity import main; main()", str(sweep_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    table = pd.read_parquet(sweep_dir / "sensitivity" / "indices.parquet")
    assert list(table.columns) == ["output", "parameter", "method", "index", "value", "conf"]
    assert set(table["index"]) == {"S1", "ST"} and set(table["method"]) == {"sobol"}
    assert len(table) == 4 * 3 * 2
    assert "indices:" in out.stdout


@pytest.mark.slow
def test_ray_launcher_on_a_local_cluster(tmp_path):
    try:
        import ray  # noqa: F401
    except ImportError as error:
        reason = f"Ray launcher not installed (uv sync --extra ray): {error}"
        print(f"SKIPPED: {reason}")
        pytest.skip(reason)
    sweep_dir = tmp_path / "ray"  # absolute, as the Ray launcher needs
    env = {**os.environ, "RAY_ENABLE_UV_RUN_RUNTIME_ENV": "0"}
    args = ["sweep.replicate=range(4)", *FAST[:2], "hydra/launcher=caravan_ray"]
    args += ["hydra.launcher.ray.init.num_cpus=2", f"hydra.sweep.dir={sweep_dir}"]
    proc = subprocess.run(command(*args), capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    runs = frame(sweep_dir, "runs")
    assert runs["run"].tolist() == [0, 1, 2, 3] and set(runs["status"]) == {"completed"}
    assert runs["seed"].nunique() == 4
    assert len(frame(sweep_dir, "world")) == 4 * 2
    # the same jobs through the local launcher: byte-identical tables
    local = tmp_path / "local"
    args = ["sweep.replicate=range(4)", *FAST, f"hydra.sweep.dir={local}"]
    assert caravan_m(*args).returncode == 0
    for run in range(4):
        ray_tables = sorted((sweep_dir / str(run)).glob("*.parquet"))
        local_tables = sorted((local / str(run)).glob("*.parquet"))
        assert [p.name for p in ray_tables] == [p.name for p in local_tables]
        assert {"economies.parquet", "world.parquet"} <= {p.name for p in ray_tables}
        for path in ray_tables:
            assert path.read_bytes() == (local / str(run) / path.name).read_bytes()


def test_launcher_worker_counts_from_one_to_four_per_cpu_are_accepted(monkeypatch):
    from omegaconf import OmegaConf

    from sim.errors import ConfigError
    from sim.sweep.validate import check_launcher

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    for n_jobs in (-1, 1, 8):
        check_launcher(OmegaConf.create({"n_jobs": n_jobs, "start_method": "spawn"}))
    for n_jobs in (9, -2, 1.5, True):
        with pytest.raises(ConfigError, match=r"in \[1, 8\] \(4 per CPU\), got"):
            check_launcher(OmegaConf.create({"n_jobs": n_jobs}))
    check_launcher(OmegaConf.create({"ray": {"init": {"num_cpus": None}}}))  # the Ray launcher
    with pytest.raises(ConfigError, match="hydra.launcher.ray.init.num_cpus"):
        check_launcher(OmegaConf.create({"ray": {"init": {"num_cpus": 0}}}))
