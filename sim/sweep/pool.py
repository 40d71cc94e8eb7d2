"""Long-lived worker processes that run a sweep's jobs one after another, and survive faults.

Each worker is started once (from a fork server that has already imported the
model, so a start costs milliseconds), sets one BLAS thread (threadpoolctl),
builds a :class:`~sim.sweep.worker.JobRunner` from the launch spec and then
takes jobs over a pipe until told to stop. The parent hands a job to whichever
worker is idle, so the sweep is balanced whatever the jobs' lengths.

Faults:

- a worker that dies (``kill -9``, the OOM killer, a crash in C) loses only the
  job it was running: :meth:`WorkerPool.run` yields that job with a failed
  result naming the signal, starts a fresh worker and goes on;
- a worker whose start-up fails (it cannot even build its runner) stops the
  launch with :class:`WorkerStartError`, since every job would fail alike;
- workers die with their launcher: each asks the kernel for ``SIGKILL`` when
  its parent (the fork server, which exits when the launcher does) dies, and
  the pool kills them on every exit path of the launcher.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from sim.errors import CaravanError
from sim.sweep.worker import JobRunner, JobSpec, LaunchSpec

log = logging.getLogger(__name__)

PRELOAD = ["sim.sweep.worker", "sim.runner", "sim.model", "sim.config", "pyarrow.parquet"]
"""Imported once by the fork server, so every worker starts with them loaded."""
SINGLE_THREAD = dict.fromkeys(("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"), "1")
PR_SET_PDEATHSIG = 1


class WorkerStartError(CaravanError):
    """A worker could not start (so none can): the launch stops."""


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent exits (no orphans)."""
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the pipe's EOF still stops an idle worker
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _dumps(spec: LaunchSpec) -> bytes:
    """Pickle the spec by value where needed (Hydra's resolvers are local functions)."""
    try:
        import cloudpickle
    except ImportError:  # joblib (a dependency) vendors it
        from joblib.externals import cloudpickle
    return cloudpickle.dumps(spec)


def worker_main(conn: Connection, blob: bytes) -> None:
    """A worker's life: set up once, then run jobs until ``None`` or the pipe closes."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the launcher's to handle
    try:
        import pickle

        from threadpoolctl import threadpool_limits

        limits = threadpool_limits(limits=1)  # one BLAS thread: workers share the cores
        runner = JobRunner(pickle.loads(blob))
    except Exception as error:
        conn.send(("fatal", f"{type(error).__name__}: {error}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            break
        conn.send(("done", runner.run(job)))
    del limits


def describe_exit(exitcode: int | None) -> str:
    """Why a worker process ended, in words (``killed by signal 9 (SIGKILL)``)."""
    if exitcode is None:
        return "still running"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = "unknown signal"
        return f"killed by signal {-exitcode} ({name})"
    return f"exited with code {exitcode}"


@dataclass
class _Worker:
    process: Any
    conn: Connection
    job: JobSpec | None = None


class WorkerPool:
    """``workers`` processes running the jobs of one launch.

    Args:
        workers: Number of worker processes (≥ 1).
        spec: What each worker needs to build its runner.
        start_method: ``forkserver`` (default), ``spawn`` or ``fork``.
    """

    def __init__(self, workers: int, spec: LaunchSpec, start_method: str = "forkserver") -> None:
        self.size = max(1, workers)
        self.spec = spec
        self.context = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            self.context.set_forkserver_preload(PRELOAD)
        self.workers: list[_Worker] = []
        self.restarts = 0
        self._blob: bytes | None = None

    def _start(self) -> _Worker:
        if self._blob is None:
            self._blob = _dumps(self.spec)
        parent, child = self.context.Pipe()
        saved = {name: os.environ.get(name) for name in SINGLE_THREAD}
        os.environ.update(SINGLE_THREAD)  # inherited by the fork server when it starts
        try:
            process = self.context.Process(
                target=worker_main, args=(child, self._blob), name="caravan-worker", daemon=True
            )
            process.start()
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        child.close()
        try:
            kind, detail = parent.recv()
        except (EOFError, OSError):
            process.join()
            raise WorkerStartError(
                f"a sweep worker {describe_exit(process.exitcode)} while starting"
            ) from None
        if kind == "fatal":
            process.join()
            raise WorkerStartError(f"a sweep worker could not start: {detail}")
        return _Worker(process=process, conn=parent)

    def run(self, jobs: Iterable[JobSpec]) -> Iterator[tuple[JobSpec, dict[str, Any]]]:
        """Run every job; yield ``(job, result)`` as each finishes, in any order.

        A job whose worker died yields ``{"status": "failed", "lost": True,
        "error": "worker process killed by signal 9 (SIGKILL) ..."}``.
        """
        pending = deque(jobs)
        try:
            while len(self.workers) < min(self.size, len(pending)):
                self.workers.append(self._start())
            for worker in self.workers:
                self._give(worker, pending)
            while any(w.job is not None for w in self.workers):
                busy = [w for w in self.workers if w.job is not None]
                ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy])
                for worker in busy:
                    if worker.conn in ready:
                        try:
                            kind, result = worker.conn.recv()
                        except (EOFError, OSError):
                            kind, result = "lost", None
                        if kind == "done":
                            job, worker.job = worker.job, None
                            yield job, result
                            self._give(worker, pending)
                            continue
                    if worker.job is not None and (
                        worker.process.sentinel in ready or worker.conn in ready
                    ):
                        yield from self._replace(worker, pending)
        finally:
            self.close()

    def _give(self, worker: _Worker, pending: deque[JobSpec]) -> None:
        if pending:
            worker.job = pending.popleft()
            worker.conn.send(worker.job)

    def _replace(
        self, worker: _Worker, pending: deque[JobSpec]
    ) -> Iterator[tuple[JobSpec, dict[str, Any]]]:
        """The worker died: fail its job, start another worker in its place."""
        worker.process.join()
        job, worker.job = worker.job, None
        assert job is not None
        why = describe_exit(worker.process.exitcode)
        log.warning("sweep worker %s running job %d", why, job.num)
        worker.conn.close()
        self.workers.remove(worker)
        signum = -worker.process.exitcode if (worker.process.exitcode or 0) < 0 else None
        result = {
            "run": job.num,
            "status": "failed",
            "error": f"worker process {why} while running this job (out of memory, or killed)",
            "signal": signum,
            "lost": True,
        }
        yield job, result
        if pending:
            self.restarts += 1
            replacement = self._start()
            self.workers.append(replacement)
            self._give(replacement, pending)

    def close(self) -> None:
        """Stop every worker (politely if idle, by SIGKILL otherwise)."""
        for worker in self.workers:
            try:
                if worker.job is None:
                    worker.conn.send(None)
            except OSError:
                pass
        for worker in self.workers:
            if worker.job is not None:
                worker.process.kill()
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
        self.workers = []
