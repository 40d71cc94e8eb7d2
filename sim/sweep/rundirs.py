"""Read a sweep directory: one run directory per job, ``<sweep_dir>/<job_num>/``.

A run directory of a sweep holds, besides the run-directory contract
(``metadata.json`` written last), ``job.json`` written by
:mod:`sim.sweep.job` *before* the run: the job number, replicate, base seed,
the run's seed and the job's overrides with their typed values.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

JOB_FILE = "job.json"
METADATA_FILE = "metadata.json"
COLLECT_DIR = "sweep"
"""Sub-directory of the sweep directory holding the collected tables."""
ERRORS_FILE = "job_errors.json"
"""In ``COLLECT_DIR``: failures the launcher could not record in a job's own directory."""


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


class JobErrors:
    """``<sweep_dir>/sweep/job_errors.json``: job number → error.

    For jobs whose own directory could not hold a ``metadata.json`` (e.g. a
    plain file is in its place).

    Args:
        sweep_dir: The sweep directory.
    """

    def __init__(self, sweep_dir: Path) -> None:
        self.path = Path(sweep_dir) / COLLECT_DIR / ERRORS_FILE
        raw = _read_json(self.path) or {}
        self.errors: dict[int, str] = {int(k): str(v) for k, v in raw.items()}

    def forget(self, runs: Iterable[int]) -> None:
        """Drop the errors of runs about to be run again."""
        for run in runs:
            self.errors.pop(run, None)

    def add(self, run: int, error: str) -> None:
        """Remember one run's error."""
        self.errors[run] = error

    def save(self) -> None:
        """Write the file (or remove it when there is nothing to say)."""
        if not self.errors:
            self.path.unlink(missing_ok=True)
            return
        from sim.io.files import atomic_write_bytes

        content = {str(k): v for k, v in sorted(self.errors.items())}
        atomic_write_bytes(self.path, json.dumps(content, indent=2).encode() + b"\n")


def run_dirs(sweep_dir: Path) -> list[tuple[int, Path]]:
    """``(job_num, path)`` of every run (directory, or whatever blocks its place), by number."""
    if not sweep_dir.is_dir():
        return []
    found = [(int(entry.name), entry) for entry in sweep_dir.iterdir() if entry.name.isdigit()]
    errors = JobErrors(sweep_dir).errors
    found += [(run, sweep_dir / str(run)) for run in errors if not (sweep_dir / str(run)).exists()]
    return sorted(found)


def read_status(run_dir: Path) -> dict[str, Any] | None:
    """The run's ``metadata.json``, or None if it has none (not finished)."""
    return _read_json(run_dir / METADATA_FILE)


def read_run(run: int, run_dir: Path) -> RunRecord:
    """Everything the sweep records about one run directory."""
    job = _read_json(run_dir / JOB_FILE) or {}
    meta = read_status(run_dir)
    if meta is None and not run_dir.is_dir():
        error = JobErrors(run_dir.parent).errors.get(run)
        if error is None and run_dir.exists():
            error = f"{run_dir} is not a directory"
        meta = {"status": "failed", "error": error} if error else None
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
