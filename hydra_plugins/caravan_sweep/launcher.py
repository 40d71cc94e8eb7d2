"""``hydra/launcher=caravan``: local parallel runs (joblib/loky) with progress and resume.

Built on Hydra's joblib launcher (its ``execute_job`` runs each job in a
worker process), it adds what a large sweep needs:

- resume: a job whose run directory already holds a completed run of the same
  job overrides, launched from the same base config, is not dispatched at all
  (the job itself re-checks the full config hash when it does run);
- a live progress bar (done, failed, remaining, ETA) fed as jobs finish, in
  any order;
- failure isolation: a job that fails inside Hydra (outside Caravan's own
  error handling) gets a ``metadata.json`` with ``status: failed`` and does
  not abort the sweep.
"""

from __future__ import annotations

import json
import logging
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


_BASES: dict[tuple[str, ...], DictConfig] = {}
"""Per worker: one composed job config per set of swept keys (see :func:`sweep_config`)."""


def sweep_config(
    hydra_context: HydraContext, config: DictConfig, overrides: Sequence[str]
) -> DictConfig:
    """The config of one job: Hydra's ``load_sweep_config``, composed once per set of keys.

    Composing a job's config from scratch costs about a tenth of a second. When
    every override only sets a value (no config group, no ``+``/``~``, nothing
    under ``hydra``), the job's config is the config of an earlier job with the
    same keys with those values set, so it is composed once per worker and
    then copied and updated; otherwise it is composed by Hydra.
    """
    import copy

    from hydra._internal.config_loader_impl import get_overrides_dirname
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from omegaconf import open_dict

    parsed = OverridesParser.create().parse_overrides(list(overrides))
    keys = tuple(sorted(o.key_or_group for o in parsed))
    base = _BASES.get(keys)
    simple = all(
        not (o.is_add() or o.is_delete() or o.is_force_add())
        and not o.key_or_group.startswith(("hydra.", "hydra/"))
        and "/" not in o.key_or_group
        for o in parsed
    )
    if base is None or not simple:
        composed = hydra_context.config_loader.load_sweep_config(config, list(overrides))
        if simple and all(
            not isinstance(OmegaConf.select(composed, o.key_or_group), DictConfig) for o in parsed
        ):
            _BASES[keys] = copy.deepcopy(composed)
        return composed
    cfg = copy.deepcopy(base)
    for override in parsed:
        OmegaConf.update(cfg, override.key_or_group, override.value(), merge=False)
    dirname = cfg.hydra.job.config.override_dirname
    with open_dict(cfg.hydra):
        cfg.hydra.overrides.task = [o.input_line for o in parsed]
        cfg.hydra.job.override_dirname = get_overrides_dirname(
            overrides=parsed,
            kv_sep=dirname.kv_sep,
            item_sep=dirname.item_sep,
            exclude_keys=dirname.exclude_keys,
        )
    OmegaConf.copy_cache(from_config=config, to_config=cfg)
    return cfg


def _execute(
    index: int,
    num: int,
    overrides: Sequence[str],
    hydra_context: HydraContext,
    config: DictConfig,
    task_function: TaskFunction,
    singleton_state: dict[Any, Any],
) -> tuple[int, JobReturn]:
    """Run one job in a worker (Hydra's joblib ``execute_job`` with cached composition)."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.core.singleton import Singleton
    from hydra.core.utils import run_job, setup_globals
    from omegaconf import open_dict

    setup_globals()
    Singleton.set_state(singleton_state)
    job_config = sweep_config(hydra_context, config, overrides)
    with open_dict(job_config):
        job_config.hydra.job.id = f"{job_config.hydra.job.name}_{num}"
        job_config.hydra.job.num = num
    HydraConfig.instance().set_config(job_config)
    ret = run_job(
        hydra_context=hydra_context,
        config=job_config,
        task_function=task_function,
        job_dir_key="hydra.sweep.dir",
        job_subdir_key="hydra.sweep.subdir",
    )
    return index, ret


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


class CaravanLauncher(Launcher):
    """Launch jobs in local worker processes; skip completed ones; show progress.

    Args:
        n_jobs: Worker processes (−1 = one per CPU).
        progress: Show the progress bar.
        resume: Skip jobs whose run directory already holds the completed run.
        **joblib: Further ``joblib.Parallel`` arguments (``batch_size``, ``pre_dispatch``...).
    """

    def __init__(
        self, n_jobs: int = -1, progress: bool = True, resume: bool = True, **joblib: Any
    ) -> None:
        self.n_jobs = n_jobs
        self.progress = progress
        self.resume = resume
        self.joblib = {k: v for k, v in joblib.items() if k not in ("_target_", "backend")}
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

    def _resumable(self, sweep_dir: Path) -> set[int] | None:
        """Whether pre-dispatch skipping is safe; record this launch's fingerprint."""
        from sim.io.run_dir import _atomic_write_bytes
        from sim.sweep.rundirs import COLLECT_DIR

        assert self.config is not None
        path = sweep_dir / COLLECT_DIR / LAUNCH_FILE
        fingerprint = _fingerprint(self.config)
        try:
            previous = json.loads(path.read_text()).get("fingerprint")
        except (OSError, ValueError):
            previous = None
        _atomic_write_bytes(path, json.dumps({"fingerprint": fingerprint}).encode())
        raw = OmegaConf.to_container(self.config.hydra.sweep, resolve=False)
        assert isinstance(raw, dict)
        return set() if previous == fingerprint and raw.get("subdir") == DEFAULT_SUBDIR else None

    def launch(
        self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int
    ) -> Sequence[JobReturn]:
        """Run the batch; return one :class:`JobReturn` per job, in order."""
        from hydra.core.singleton import Singleton
        from hydra.core.utils import configure_log, setup_globals
        from joblib import Parallel, delayed

        from sim.sweep import summary
        from sim.sweep.progress import SweepProgress

        setup_globals()
        assert self.config is not None and self.hydra_context is not None
        assert self.task_function is not None
        configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        sweep_dir.mkdir(parents=True, exist_ok=True)

        results: list[JobReturn | None] = [None] * len(job_overrides)
        resumable = self.resume and self._resumable(sweep_dir) is not None
        todo = []
        for index, overrides in enumerate(job_overrides):
            num = initial_job_idx + index
            if resumable and _already_complete(sweep_dir / str(num), overrides):
                results[index] = JobReturn(
                    overrides=list(overrides),
                    status=JobStatus.COMPLETED,
                    _return_value={"run": num, "status": "skipped", "error": None},
                    working_dir=str(sweep_dir / str(num)),
                )
            else:
                todo.append(index)
        skipped = len(job_overrides) - len(todo)
        summary.note_skipped(skipped)
        log.info(
            "Launching %d jobs (%d already complete) on n_jobs=%s, sweep dir: %s",
            len(todo),
            skipped,
            self.n_jobs,
            sweep_dir,
        )
        bar = SweepProgress(len(job_overrides), skipped=skipped, enabled=self.progress)
        state = Singleton.get_state()
        calls = (
            delayed(_execute)(
                index,
                initial_job_idx + index,
                job_overrides[index],
                self.hydra_context,
                self.config,
                self.task_function,
                state,
            )
            for index in todo
        )
        parallel = Parallel(
            n_jobs=self.n_jobs, backend="loky", return_as="generator_unordered", **self.joblib
        )
        try:
            for index, ret in parallel(calls):
                ret = _isolate(ret, sweep_dir / str(initial_job_idx + index), index)
                results[index] = ret
                bar.update(ret.return_value)
        finally:
            bar.close()
        if bar.skipped > skipped:
            summary.note_skipped(bar.skipped - skipped)
        return [r for r in results if r is not None]


def _isolate(ret: JobReturn, run_dir: Path, index: int) -> JobReturn:
    """Turn a job that failed inside Hydra into a recorded failure that does not stop the sweep."""
    if ret.status == JobStatus.COMPLETED:
        return ret
    from sim.io.run_dir import write_metadata

    error = ret._return_value
    message = f"{type(error).__name__}: {error}"
    run_dir = Path(ret.working_dir) if ret.working_dir else run_dir
    write_metadata(run_dir, {"status": "failed", "error": message, "seed": None})
    ret.status = JobStatus.COMPLETED
    ret._return_value = {"run": index, "status": "failed", "error": message}
    return ret
