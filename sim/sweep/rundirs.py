"""Read a sweep directory: one run directory per job, ``<sweep_dir>/<job_num>/``.

A run directory of a sweep holds, besides the run-directory contract
(``metadata.json`` written last), ``job.json`` written by
:mod:`sim.sweep.job` *before* the run: the job number, replicate, base seed,
the run's seed and the job's overrides with their typed values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

JOB_FILE = "job.json"
METADATA_FILE = "metadata.json"
COLLECT_DIR = "sweep"
"""Sub-directory of the sweep directory holding the collected tables."""


@dataclass
class RunRecord:
    """What a sweep knows about one run directory.

    Attributes:
        run: Job number (``hydra.job.num``).
        path: The run directory.
        status: ``completed``, ``failed`` or ``missing`` (started, no metadata.json).
        error: The error of a failed run.
        seed: The run's seed (None if unknown).
        base_seed: The config's ``seed`` the run's seed derives from.
        replicate: Replication index.
        sample: Row of a sampled design (−1 = not a design).
        scenario: Scenario name.
        params: Dotted override key → typed value, in override order.
        wall_time_s: Model wall time.
        config_hash: Hash of the run's resolved config.
        overrides: The job's override strings.
    """

    run: int
    path: Path
    status: str
    error: str | None = None
    seed: int | None = None
    base_seed: int | None = None
    replicate: int = 0
    sample: int = -1
    scenario: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    wall_time_s: float | None = None
    config_hash: str | None = None
    overrides: list[str] = field(default_factory=list)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def run_dirs(sweep_dir: Path) -> list[tuple[int, Path]]:
    """``(job_num, path)`` of every run directory, by job number."""
    if not sweep_dir.is_dir():
        return []
    found = [
        (int(entry.name), entry)
        for entry in sweep_dir.iterdir()
        if entry.name.isdigit() and entry.is_dir()
    ]
    return sorted(found)


def read_status(run_dir: Path) -> dict[str, Any] | None:
    """The run's ``metadata.json``, or None if it has none (not finished)."""
    return _read_json(run_dir / METADATA_FILE)


def read_run(run: int, run_dir: Path) -> RunRecord:
    """Everything the sweep records about one run directory."""
    job = _read_json(run_dir / JOB_FILE) or {}
    meta = read_status(run_dir)
    status = meta.get("status", "missing") if meta else "missing"
    if status not in ("completed", "failed"):
        status = "missing"
    return RunRecord(
        run=run,
        path=run_dir,
        status=status,
        error=(meta or {}).get("error"),
        seed=(meta or {}).get("seed", job.get("seed")),
        base_seed=job.get("base_seed"),
        replicate=int(job.get("replicate", 0)),
        sample=int(job.get("sample", -1)),
        scenario=(meta or {}).get("scenario", job.get("scenario")),
        params=dict(job.get("params", {})),
        wall_time_s=(meta or {}).get("wall_time_s"),
        config_hash=(meta or {}).get("config_hash"),
        overrides=list(job.get("overrides", [])),
    )


def is_complete(run_dir: Path, config_hash: str | None = None) -> bool:
    """True if the run finished with status completed (and, if given, the same config)."""
    meta = read_status(run_dir)
    if not meta or meta.get("status") != "completed":
        return False
    return config_hash is None or meta.get("config_hash") == config_hash
