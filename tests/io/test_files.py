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
        [sys.executable, "-c", code, "sim.quarters=12", f"hydra.run.dir={run_dir}"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: run failed: "), proc.stderr
    assert "file too large" in lines[0] and "Traceback" not in proc.stderr
    assert not list(run_dir.glob("*.parquet")) and not list(run_dir.glob(".*.tmp"))
    assert json.loads((run_dir / "metadata.json").read_text())["status"] == "failed"


def test_sigterm_leaves_no_temporary_files_and_no_unvouched_tables(tmp_path):
    import signal
    import time

    run_dir = tmp_path / "run"
    code = "import sys; from sim.cli import main; main(sys.argv[1:])"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "sim.quarters=40", f"hydra.run.dir={run_dir}"],
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
