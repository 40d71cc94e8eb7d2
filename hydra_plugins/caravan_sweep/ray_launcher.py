"""``hydra/launcher=caravan_ray``: the batched launcher on a Ray cluster (``uv sync --extra ray``).

The same design as the local launcher (:mod:`.launcher`), with Ray actors for
worker processes: one actor per ``ray.remote.num_cpus`` CPUs of the cluster,
each building one :class:`~sim.sweep.worker.JobRunner` and running job after
job (composition once per actor, one BLAS thread), so per-core throughput is
the local launcher's. Resume, the progress bar and the end-of-sweep collection
are the same; an actor that dies (a killed or lost node, out of memory) fails
only the job it was running and is replaced. The sweep directory must be on a
filesystem every node sees; give it as an absolute path.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from omegaconf import DictConfig, OmegaConf

from hydra_plugins.caravan_sweep.launcher import CaravanLauncher

log = logging.getLogger(__name__)


class _Actor:
    """A Ray actor running jobs with its own :class:`~sim.sweep.worker.JobRunner`."""

    def __init__(self, blob: bytes) -> None:
        import pickle

        from threadpoolctl import threadpool_limits

        from sim.sweep.worker import JobRunner

        self.limits = threadpool_limits(limits=1)
        self.runner = JobRunner(pickle.loads(blob))

    def run(self, job: Any) -> dict[str, Any]:
        """Run one job (never raises)."""
        return self.runner.run(job)


class RayPool:
    """Ray actors running the jobs of one launch (the interface of :class:`WorkerPool`).

    Args:
        size: Number of actors.
        blob: The pickled launch spec.
        remote: ``ray.remote`` options of each actor (``num_cpus``...).
    """

    def __init__(self, size: int, blob: bytes, remote: dict[str, Any]) -> None:
        import ray

        self.ray = ray
        self.size = size
        self.blob_ref = ray.put(blob)
        self.actor_class = ray.remote(**remote)(_Actor)
        self.restarts = 0

    def run(self, jobs: Iterable[Any]) -> Iterator[tuple[Any, dict[str, Any]]]:
        """Run every job; yield ``(job, result)`` as each finishes, in any order."""
        ray = self.ray
        pending = deque(jobs)
        count = min(self.size, len(pending))
        actors = [self.actor_class.remote(self.blob_ref) for _ in range(count)]
        running: dict[Any, tuple[Any, Any]] = {}  # object ref → (actor, job)

        def give(actor: Any) -> None:
            if pending:
                job = pending.popleft()
                running[actor.run.remote(job)] = (actor, job)

        for actor in actors:
            give(actor)
        try:
            while running:
                done, _ = ray.wait(list(running), num_returns=1)
                ref = done[0]
                actor, job = running.pop(ref)
                try:
                    result = ray.get(ref)
                except ray.exceptions.RayActorError as error:
                    why = " ".join(str(error).split())[:300]
                    yield (
                        job,
                        {
                            "run": job.num,
                            "status": "failed",
                            "error": f"Ray worker died while running this job: {why}",
                            "signal": None,
                            "lost": True,
                        },
                    )
                    if pending:
                        self.restarts += 1
                        actor = self.actor_class.remote(self.blob_ref)
                        give(actor)
                    continue
                yield job, result
                give(actor)
        finally:
            for actor, _ in running.values():
                ray.kill(actor)


class CaravanRayLauncher(CaravanLauncher):
    """Launch jobs on Ray actors that each run many jobs; skip completed ones; show progress.

    Args:
        ray: ``init`` (``ray.init`` arguments: ``address`` null = start a local
            cluster, ``auto`` or ``ray://HOST:10001`` = an existing one;
            ``num_cpus`` of a local cluster) and ``remote`` (``ray.remote``
            options of each actor, ``num_cpus: 1``).
        progress: Show the progress bar.
        resume: Skip jobs whose run directory already holds the completed run.
    """

    def __init__(
        self, ray: DictConfig | dict | None = None, progress: bool = True, resume: bool = True
    ) -> None:
        super().__init__(n_jobs=-1, progress=progress, resume=resume)
        plain = OmegaConf.to_container(ray, resolve=True) if isinstance(ray, DictConfig) else ray
        self.ray_cfg: dict[str, Any] = dict(plain or {})

    def pool(self, jobs: int, spec: Any) -> RayPool:
        """One actor per ``remote.num_cpus`` CPUs of the cluster (at most one per job)."""
        import ray

        from sim.sweep.pool import _dumps

        init = {k: v for k, v in (self.ray_cfg.get("init") or {}).items() if v is not None}
        remote = {k: v for k, v in (self.ray_cfg.get("remote") or {}).items() if v is not None}
        remote.setdefault("num_cpus", 1)
        if not ray.is_initialized():
            ray.init(**init)
        cpus = float(ray.cluster_resources().get("CPU", 1))
        size = max(1, min(int(cpus // remote["num_cpus"]), jobs))
        return RayPool(size, _dumps(spec), remote)
