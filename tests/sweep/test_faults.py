"""Worker faults in sweeps: a killed worker, a blocked run directory, a killed launcher."""

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

CODE = "import sys; from sim.cli import main; main(sys.argv[1:])"
FAST = ["output.pairs=false", "hydra.launcher.progress=false"]


def command(*args: str) -> list[str]:
    return [sys.executable, "-c", CODE, "-m", *args]


def runs_table(sweep_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(sweep_dir / "sweep" / "runs.parquet").set_index("run")


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        kids = children(todo.pop())
        found += kids
        todo += kids
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def workers_of(launcher: int) -> list[int]:
    """The sweep's worker processes: children of the launcher's fork server."""
    servers = [p for p in children(launcher) if "forkserver" in cmdline(p)]
    return [w for server in servers for w in children(server)]


def wait_for(condition, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the sweep ended early (exit {proc.returncode})")
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.mark.slow  # waits out the asset timeout / runs a real sweep: in .ci/run's -m slow
def test_a_blocked_run_directory_fails_that_job_only(tmp_path):
    sweep_dir = tmp_path / "blocked"
    sweep_dir.mkdir()
    (sweep_dir / "1").write_text("a plain file where run 1's directory goes")
    args = ["sweep.replicate=range(3)", "sim.quarters=1", *FAST, "hydra.launcher.n_jobs=1"]
    proc = subprocess.run(
        command(*args, f"hydra.sweep.dir={sweep_dir}"), capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    runs = runs_table(sweep_dir)
    assert runs["status"].to_dict() == {0: "completed", 1: "failed", 2: "completed"}
    assert str(sweep_dir / "1") in runs.loc[1, "error"]
    assert "1 failed" in proc.stdout and "run 1" in proc.stdout
    assert (sweep_dir / "1").read_text().startswith("a plain file")  # left as it was


@pytest.mark.slow
def test_a_worker_killed_by_a_signal_fails_only_its_run(tmp_path):
    sweep_dir = tmp_path / "killed_worker"
    # one worker runs the jobs in order; job 2 is long enough to be killed while running
    args = ["sim.quarters=1,1,300,1,1", *FAST, "hydra.launcher.n_jobs=1"]
    proc = subprocess.Popen(
        command(*args, f"hydra.sweep.dir={sweep_dir}"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(
            lambda: (
                (sweep_dir / "2" / "job.json").exists()
                and (sweep_dir / "1" / "metadata.json").exists()
            ),
            timeout=240,
            proc=proc,
        )
        workers = workers_of(proc.pid)
        assert len(workers) == 1
        os.kill(workers[0], signal.SIGKILL)
        out, err = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, err[-3000:]
    runs = runs_table(sweep_dir)
    assert runs["status"].to_dict() == {
        0: "completed",
        1: "completed",
        2: "failed",
        3: "completed",
        4: "completed",
    }
    assert "killed by signal 9 (SIGKILL)" in runs.loc[2, "error"]
    meta = json.loads((sweep_dir / "2" / "metadata.json").read_text())
    assert meta["status"] == "failed" and meta["signal"] == 9
    assert meta["seed"] == json.loads((sweep_dir / "2" / "job.json").read_text())["seed"]
    assert not list((sweep_dir / "2").glob("*.parquet"))
    assert "run 2" in out and "SIGKILL" in out


@pytest.mark.slow
def test_killing_the_launcher_stops_its_workers(tmp_path):
    sweep_dir = tmp_path / "killed_launcher"
    args = ["sweep.replicate=range(40)", "sim.quarters=1", *FAST, "hydra.launcher.n_jobs=2"]
    proc = subprocess.Popen(
        command(*args, f"hydra.sweep.dir={sweep_dir}"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: len(list(sweep_dir.glob("*/metadata.json"))) >= 2, 240, proc)
        family = descendants(proc.pid)
        assert len(workers_of(proc.pid)) == 2
    finally:
        proc.kill()  # SIGKILL: the launcher gets no chance to clean up
        proc.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(alive(p) for p in family):
        time.sleep(0.1)
    assert not [p for p in family if alive(p)], "orphaned sweep processes"
    written = len(list(sweep_dir.glob("*/metadata.json")))
    time.sleep(1.0)
    assert len(list(sweep_dir.glob("*/metadata.json"))) == written  # nobody writes on
    assert written < 40


@pytest.mark.slow  # a real sweep first: ~4 s
def test_a_sweep_into_a_folder_of_another_sweep_is_refused_and_keeps_it(tmp_path):
    sweep_dir = tmp_path / "earlier"
    (sweep_dir / "0").mkdir(parents=True)
    earlier = {"overrides": ["trade.sigma=3", "sim.quarters=1"], "status": "completed"}
    (sweep_dir / "0" / "job.json").write_text(json.dumps(earlier))
    args = ["trade.sigma=6,8", "sim.quarters=1", *FAST, "hydra.launcher.n_jobs=1"]
    proc = subprocess.run(
        command(*args, f"hydra.sweep.dir={sweep_dir}"), capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 2, proc.stderr[-3000:]
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "hydra.sweep.dir" in lines[0] and "trade.sigma=3" in lines[0]
    assert "Traceback" not in proc.stderr
    assert json.loads((sweep_dir / "0" / "job.json").read_text()) == earlier  # kept
    assert sorted(p.name for p in sweep_dir.iterdir()) == ["0"]  # nothing written beside it
