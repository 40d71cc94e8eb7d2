"""The Slurm path end to end: ``hydra/launcher=submitit_slurm`` on a single-node Slurm.

The test starts its own single-node cluster (munge, slurmctld, slurmd from
Debian's ``slurm-wlm``: ``apt-get install -y slurm-wlm``) with a configuration
in a temporary directory, runs a small sweep through submitit, and compares the
tables with the local launcher's. Where Slurm is not installed or cannot start
(no root, no munge, a daemon that will not come up) it skips, printing why.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

CODE = "import sys; from sim.cli import main; main(sys.argv[1:])"
SWEEP = ["sweep.replicate=range(3)", "sim.quarters=2", "output.pairs=false"]

SLURM_CONF = """\
ClusterName=caravan-test
SlurmctldHost={host}
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
AuthType=auth/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/slurmctld.pid
SlurmdPidFile={root}/slurmd.pid
SlurmctldLogFile={root}/slurmctld.log
SlurmdLogFile={root}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
NodeName={host} CPUs={cpus} RealMemory=4000 State=UNKNOWN
PartitionName=caravan Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""


def skip(reason: str) -> None:
    print(f"SKIPPED: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_munge() -> int | None:
    """Start munged unless one already answers; return the pid of the one started."""
    if subprocess.run(["munge", "-n"], capture_output=True).returncode == 0:
        return None
    key = Path("/etc/munge/munge.key")
    if not key.exists():
        subprocess.run(
            ["dd", "if=/dev/urandom", f"of={key}", "bs=1024", "count=1"],
            capture_output=True,
            check=True,
        )
        key.chmod(0o400)
    Path("/run/munge").mkdir(parents=True, exist_ok=True)
    out = subprocess.run(["munged", "--force"], capture_output=True, text=True)
    if out.returncode != 0:
        skip(f"munged would not start: {out.stderr.strip()[:200]}")
    try:
        return int(Path("/run/munge/munged.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    """A running single-node Slurm cluster; yields the environment that reaches it."""
    missing = [
        tool
        for tool in ("slurmctld", "slurmd", "sbatch", "sinfo", "munged")
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists()
    ]
    if missing:
        skip(f"Slurm is not installed (no {', '.join(missing)}; apt-get install -y slurm-wlm)")
    try:
        import hydra_plugins.hydra_submitit_launcher  # noqa: F401
    except ImportError:
        skip("the submitit launcher is not installed (uv sync --extra slurm)")
    if os.geteuid() != 0:
        skip("starting slurmctld and slurmd needs root here")
    root = tmp_path_factory.mktemp("slurm")
    for sub in ("state", "spool"):
        (root / sub).mkdir()
    host = socket.gethostname().split(".")[0]
    conf = root / "slurm.conf"
    conf.write_text(
        SLURM_CONF.format(
            host=host,
            root=root,
            cpus=os.cpu_count() or 1,
            ctld_port=free_port(),
            slurmd_port=free_port(),
        )
    )
    (root / "cgroup.conf").write_text("CgroupPlugin=cgroup/v1\nIgnoreSystemd=yes\n")
    env = {**os.environ, "SLURM_CONF": str(conf)}
    munged = start_munge()
    sbin = lambda tool: shutil.which(tool) or f"/usr/sbin/{tool}"  # noqa: E731
    daemons = [
        subprocess.Popen(
            [sbin("slurmctld"), "-D", "-i"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        ),
    ]
    time.sleep(1.0)
    daemons.append(
        subprocess.Popen(
            [sbin("slurmd"), "-D"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
    )
    try:
        deadline = time.monotonic() + 60
        state = ""
        while time.monotonic() < deadline:
            if any(d.poll() is not None for d in daemons):
                break
            out = subprocess.run(
                ["sinfo", "-h", "-o", "%t"], env=env, capture_output=True, text=True
            )
            state = out.stdout.strip()
            if state in ("idle", "mix", "alloc"):
                break
            time.sleep(0.5)
        if state not in ("idle", "mix", "alloc"):
            logs = " | ".join(
                (root / name).read_text()[-300:].replace("\n", " ")
                for name in ("slurmctld.log", "slurmd.log")
                if (root / name).exists()
            )
            skip(f"single-node Slurm did not come up (node state {state!r}): {logs}")
        yield env
    finally:
        for daemon in daemons:
            daemon.terminate()
        for daemon in daemons:
            try:
                daemon.wait(timeout=10)
            except subprocess.TimeoutExpired:
                daemon.kill()
        if munged is not None:  # the one this fixture started
            try:
                os.kill(munged, signal.SIGTERM)
            except OSError:
                pass


@pytest.mark.slow
def test_a_sweep_through_slurm_matches_the_local_launcher(slurm, tmp_path):
    sweep_dir, local = tmp_path / "slurm", tmp_path / "local"
    args = [
        *SWEEP,
        "hydra/launcher=submitit_slurm",
        "hydra.launcher.partition=caravan",
        "hydra.launcher.timeout_min=10",
        "hydra.launcher.cpus_per_task=1",
        "hydra.launcher.mem_gb=1",
        f"hydra.sweep.dir={sweep_dir}",
    ]
    proc = subprocess.run(
        [sys.executable, "-c", CODE, "-m", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=slurm,
    )
    assert proc.returncode == 0, (proc.stdout[-2000:], proc.stderr[-3000:])
    runs = pd.read_parquet(sweep_dir / "sweep" / "runs.parquet")
    assert runs["run"].tolist() == [0, 1, 2] and set(runs["status"]) == {"completed"}
    assert list((sweep_dir / ".submitit").iterdir()), "no Slurm job folders"
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            CODE,
            "-m",
            *SWEEP,
            "hydra.launcher.progress=false",
            f"hydra.sweep.dir={local}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    for run in range(3):
        names = sorted(p.name for p in (local / str(run)).glob("*.parquet"))
        assert names and names == sorted(p.name for p in (sweep_dir / str(run)).glob("*.parquet"))
        for name in names:
            assert (sweep_dir / str(run) / name).read_bytes() == (
                local / str(run) / name
            ).read_bytes()
