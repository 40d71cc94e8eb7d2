"""``hydra/launcher=caravan``: local worker processes that each run many jobs, with resume.

- batching: ``n_jobs`` long-lived worker processes (:mod:`sim.sweep.pool`) each
  compose the base config once and apply every job's overrides in-process
  (:mod:`sim.sweep.worker`); every run still gets its own directory, seed,
  ``metadata.json`` and failure isolation;
- faults: a worker killed by a signal fails only the job it was running (its
  ``metadata.json`` records the signal) and is replaced; an error outside the
  model (a run directory blocked by a file) fails only that job; killing the
  launcher kills its workers;
- resume: a job whose run directory already holds a completed run of the same
  job overrides, launched from the same base config, is not dispatched at all
  (the job itself re-checks the config hash when it does run);
- a live progress bar (done, failed, remaining, ETA) fed as jobs finish.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra.core.utils import JobReturn, JobStatus
from hydra.plugins.launcher import Launcher
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf

log = logging.getLogger(__name__)

DEFAULT_SUBDIR = "${hydra.job.num}"
LAUNCH_FILE = "launch.json"


def _fingerprint(config: DictConfig) -> str:
    """Hash of the base config (without ``hydra``): equal when the same sweep is relaunched."""
    from sim.io.run_dir import config_hash

    plain = OmegaConf.to_container(config, resolve=False)
    assert isinstance(plain, dict)
    plain.pop("hydra", None)
    return config_hash(plain)


def _already_complete(run_dir: Path, overrides: Sequence[str]) -> bool:
    from sim.sweep.rundirs import JOB_FILE, is_complete

    try:
        job = json.loads((run_dir / JOB_FILE).read_text())
    except (OSError, ValueError):
        return False
    return job.get("overrides") == list(overrides) and is_complete(run_dir)


def _previous_overrides(run_dir: Path) -> list[str] | None:
    """The job overrides recorded in ``run_dir`` by an earlier launch, or None if there is none."""
    from sim.sweep.rundirs import JOB_FILE

    try:
        job = json.loads((run_dir / JOB_FILE).read_text())
    except (OSError, ValueError):
        return None
    overrides = job.get("overrides") if isinstance(job, dict) else None
    return list(overrides) if isinstance(overrides, list) else None


def refuse_overwrite(sweep_dir: Path, job_overrides: Sequence[Sequence[str]], first: int) -> None:
    """Exit 2 with one line if this launch would overwrite runs of a different sweep.

    A relaunch with the same job overrides resumes (completed runs are kept, the
    others redone), and a launch with more jobs extends the sweep; but a job whose
    directory holds a run made with other overrides would be silently replaced, so
    the launch is refused before anything runs and the earlier results are kept.
    """
    for index, overrides in enumerate(job_overrides):
        run_dir = sweep_dir / str(first + index)
        previous = _previous_overrides(run_dir)
        if previous is not None and previous != list(overrides):
            print(
                f"error: hydra.sweep.dir: {sweep_dir} holds an earlier sweep whose run "
                f"{first + index} used overrides {' '.join(previous) or '(none)'}, not "
                f"{' '.join(overrides) or '(none)'}; nothing was run and the earlier results "
                "are kept: choose a new hydra.sweep.dir (or remove the old one)",
                file=sys.stderr,
            )
            raise SystemExit(2)


class CaravanLauncher(Launcher):
    """Launch jobs in local worker processes; skip completed ones; show progress.

    Args:
        n_jobs: Worker processes (−1 = one per CPU).
        progress: Show the progress bar.
        resume: Skip jobs whose run directory already holds the completed run.
        start_method: How workers start: ``forkserver`` (default), ``spawn`` or ``fork``.
    """

    def __init__(
        self,
        n_jobs: int = -1,
        progress: bool = True,
        resume: bool = True,
        start_method: str = "forkserver",
    ) -> None:
        self.n_jobs = n_jobs
        self.progress = progress
        self.resume = resume
        self.start_method = start_method
        self.config: DictConfig | None = None
        self.task_function: TaskFunction | None = None
        self.hydra_context: HydraContext | None = None

    def setup(
        self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig
    ) -> None:
        """Keep what :meth:`launch` needs."""
        self.config = config
        self.task_function = task_function
        self.hydra_context = hydra_context

    def _resumable(self, sweep_dir: Path) -> bool:
        """Whether pre-dispatch skipping is safe; record this launch's fingerprint."""
        from sim.io.files import atomic_write_bytes
        from sim.sweep.rundirs import COLLECT_DIR

        assert self.config is not None
        path = sweep_dir / COLLECT_DIR / LAUNCH_FILE
        fingerprint = _fingerprint(self.config)
        try:
            previous = json.loads(path.read_text()).get("fingerprint")
        except (OSError, ValueError):
            previous = None
        atomic_write_bytes(path, json.dumps({"fingerprint": fingerprint}).encode())
        raw = OmegaConf.to_container(self.config.hydra.sweep, resolve=False)
        assert isinstance(raw, dict)
        return previous == fingerprint and raw.get("subdir") == DEFAULT_SUBDIR

    def workers(self, jobs: int) -> int:
        """Worker processes for ``jobs`` jobs."""
        wanted = self.n_jobs if self.n_jobs > 0 else (os.cpu_count() or 1)
        return max(1, min(wanted, jobs))

    def pool(self, jobs: int, spec: Any) -> Any:
        """The workers for ``jobs`` jobs (anything with ``run(jobs)`` and ``size``)."""
        from sim.sweep.pool import WorkerPool

        return WorkerPool(self.workers(jobs), spec, start_method=self.start_method)

    def launch(
        self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int
    ) -> Sequence[JobReturn]:
        """Run the batch; return one :class:`JobReturn` per job, in order."""
        from hydra.core.singleton import Singleton
        from hydra.core.utils import configure_log, setup_globals

        from sim.sweep.progress import SweepProgress
        from sim.sweep.rundirs import JobErrors
        from sim.sweep.worker import JobSpec, LaunchSpec

        setup_globals()
        assert self.config is not None and self.hydra_context is not None
        assert self.task_function is not None
        configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        sweep_dir = Path(str(self.config.hydra.sweep.dir)).absolute()
        sweep_dir.mkdir(parents=True, exist_ok=True)
        refuse_overwrite(sweep_dir, job_overrides, initial_job_idx)

        results: list[JobReturn | None] = [None] * len(job_overrides)
        resumable = self.resume and self._resumable(sweep_dir)
        todo = []
        for index, overrides in enumerate(job_overrides):
            num = initial_job_idx + index
            if resumable and _already_complete(sweep_dir / str(num), overrides):
                results[index] = _job_return(overrides, sweep_dir / str(num), num, "skipped")
            else:
                todo.append(JobSpec(index=index, num=num, overrides=tuple(overrides)))
        skipped = len(job_overrides) - len(todo)
        errors = JobErrors(sweep_dir)
        errors.forget(job.num for job in todo)
        spec = LaunchSpec(
            config=self.config,
            hydra_context=self.hydra_context,
            task_function=self.task_function,
            singleton_state=Singleton.get_state(),
            sweep_dir=str(sweep_dir),
        )
        pool = self.pool(len(todo), spec)
        log.info(
            "Launching %d jobs (%d already complete) on %d workers, sweep dir: %s",
            len(todo),
            skipped,
            pool.size,
            sweep_dir,
        )
        bar = SweepProgress(len(job_overrides), skipped=skipped, enabled=self.progress)
        try:
            for job, result in pool.run(todo):
                run_dir = sweep_dir / str(job.num)
                if result.pop("lost", False):
                    result = _record_lost(run_dir, result)
                if not result.pop("recorded", True):
                    errors.add(job.num, result["error"])
                results[job.index] = _job_return(
                    job.overrides, run_dir, job.num, result["status"], result
                )
                bar.update(result)
        finally:
            bar.close()
            errors.save()
        return [r for r in results if r is not None]


def _job_return(
    overrides: Sequence[str],
    run_dir: Path,
    num: int,
    status: str,
    result: dict[str, Any] | None = None,
) -> JobReturn:
    value = result or {"run": num, "status": status, "error": None}
    return JobReturn(
        overrides=list(overrides),
        status=JobStatus.COMPLETED,
        _return_value=value,
        working_dir=str(run_dir),
    )


def _record_lost(run_dir: Path, result: dict[str, Any]) -> dict[str, Any]:
    """A job whose worker died: remove its partial files, record the failure with the signal."""
    from sim.sweep.job import failed

    job = _read_json(run_dir / "job.json")
    if run_dir.is_dir():
        for leftover in [*run_dir.glob(".*.tmp"), *run_dir.glob("*.parquet")]:
            leftover.unlink(missing_ok=True)
    extra = {"signal": result.get("signal")}
    if job:
        extra.update(seed=job.get("seed"), config_hash=job.get("config_hash"))
    return failed(run_dir, result["run"], result["error"], **extra)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None
