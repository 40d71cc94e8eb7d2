"""File-system checks and failures once a run has started (issue 17 §2)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sim.errors import ConfigError, DataError
from sim.io.files import check_output_dir, check_readable_file


def test_readable_file_accepts_a_regular_file(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("exporter,importer,value_usd_bn\n")
    assert check_readable_file("k", str(path)) == path


def test_fifo_is_refused_without_opening_it(tmp_path):
    import os

    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="is a FIFO"):
        check_readable_file("k", str(fifo))  # would block forever if opened


def test_empty_value_names_the_key():
    with pytest.raises(ConfigError, match="^k: is empty"):
        check_readable_file("k", "  ")


def test_output_dir_check_creates_nothing(tmp_path):
    target = tmp_path / "a" / "b"
    assert check_output_dir("hydra.run.dir", str(target)) == target
    assert list(tmp_path.iterdir()) == []


def test_file_size_limit_hit_during_the_run_is_one_line_exit_1_and_no_tables(tmp_path):
    """A real RLIMIT_FSIZE above the pre-check floor but below pairs.parquet's size."""
    run_dir = tmp_path / "run"
    code = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000)); "
        "from sim.cli import main; main(sys.argv[1:])"
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "settlement.traders.n_traders=2000",
            f"hydra.run.dir={run_dir}",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: run failed: "), proc.stderr
    assert "pairs.parquet: file too large" in lines[0] and "Traceback" not in proc.stderr
    assert not list(run_dir.glob("*.parquet")) and not list(run_dir.glob(".*.tmp"))
    assert json.loads((run_dir / "metadata.json").read_text())["status"] == "failed"


def test_sigterm_leaves_no_temporary_files_and_no_unvouched_tables(tmp_path):
    import signal
    import time

    run_dir = tmp_path / "run"
    code = "import sys; from sim.cli import main; main(sys.argv[1:])"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "sim.quarters=400", "settlement.traders.n_traders=2000"]
        + [f"hydra.run.dir={run_dir}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not (run_dir / ".hydra").exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # the run has started: Hydra made its directory
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0 and "Traceback" not in err, err
    assert not list(run_dir.glob(".*.tmp"))
    if list(run_dir.glob("*.parquet")):  # only if the run had finished writing them
        assert json.loads((run_dir / "metadata.json").read_text())["status"] == "completed"


@pytest.fixture
def small_disk(tmp_path):
    """A real 1.1 MB tmpfs (root only, where mounting is allowed), unmounted afterwards."""
    point = tmp_path / "disk"
    point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1100k", "tmpfs", str(point)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield point
    subprocess.run(["umount", "--lazy", str(point)], check=True)  # cli.log may still be open


def test_disk_full_during_the_run_is_one_line_exit_1_and_no_tables(small_disk, capsys):
    from sim.cli import main

    run_dir = small_disk / "run"
    with pytest.raises(SystemExit) as caught:  # 50 quarters of tables need more than 1.1 MB
        main(["sim.quarters=50", "settlement.traders.n_traders=2000", f"hydra.run.dir={run_dir}"])
    assert caught.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no space left on the device" in err[0], err
    assert str(run_dir) in err[0]
    assert not list(run_dir.glob("*.parquet")) and not list(run_dir.glob(".*.tmp"))
    assert json.loads((run_dir / "metadata.json").read_text())["status"] == "failed"
