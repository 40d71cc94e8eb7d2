"""Sweep benchmarks: throughput and scaling against the model floor, one-run latency, memory.

Prints numbers; asserts nothing. Run from the repository root after
``uv sync --locked --compile-bytecode``:

    uv run python benchmarks/bench_sweep.py                    # everything (several minutes)
    uv run python benchmarks/bench_sweep.py --runs 200 --skip-collector
    uv run python benchmarks/bench_sweep.py --only latency

1. Model floor, in one process with one BLAS thread (as a sweep worker):
   ``--floor-runs`` default runs through ``sim.runner.simulate`` (construction,
   the quarters and the tables, no Hydra, no files), and the quarters alone
   (``model.run()``), each run with its own seed as in the sweep (so no run
   reuses another's settlement spin-up, :mod:`sim.setup_cache`).
1c. The set-up cache: a sweep job's CPU with :mod:`sim.setup_cache` bypassed (every
   phase built, as without the cache) and in use, interleaved, with a seed
   per run (only the corridor phase is shared) and ``sweep.seeds=fixed`` (the
   settlement spin-up is shared too).
1b. Overhead: a sweep job run by a worker's ``JobRunner`` in one process, against
   ``simulate()`` in the same process, interleaved (wall and CPU time).
2. Throughput: ``--runs`` runs of the default scenario (``sweep.replicate=range(N)``,
   ``--quarters`` quarters, all tables written) with the caravan launcher at each
   of ``--workers``: wall time, runs/s, the ratio of the per-run wall time × cores
   to the floor, scaling T(1)/T(2), and the peak RSS of the largest process.
   ``--memory-runs`` repeats the largest worker count with fewer runs: memory
   flat in the number of runs means equal peaks.
3. One run: ``caravan`` (``uv run caravan`` and the venv's script) warm, median of
   ``--repeats`` run in turn with the import floor
   ``python -c "import hydra, mesa, pandas, pyarrow"`` (the same load on each).
4. Peak memory of the collector (``sim.sweep.collect.collect``) in a fresh
   process, on the sweep of step 2 and on ``--synthetic`` synthetic run
   directories (hard links to one real run's tables).
5. With ``--ray``: the same sweep through ``hydra/launcher=caravan_ray`` on a local
   Ray cluster of the largest worker count (``uv sync --extra ray``), per-core
   throughput against the local launcher's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def _tree_rss(root: int) -> dict[int, int]:
    """RSS (kB) of ``root`` and every descendant, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            status = (entry / "status").read_text()
        except (OSError, ValueError, IndexError):
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss[int(entry.name)] = int(line.split()[1])
    tree, todo = {root}, [root]
    while todo:
        pid = todo.pop()
        kids = [p for p, parent in parents.items() if parent == pid and p not in tree]
        tree.update(kids)
        todo += kids
    return {pid: rss.get(pid, 0) for pid in tree}


class Peak:
    """Sample a process tree's RSS every 0.25 s: peak of one process and of the tree."""

    def __init__(self, pid: int) -> None:
        self.pid, self.one, self.total = pid, 0, 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.wait(0.25):
            sizes = _tree_rss(self.pid)
            self.one = max(self.one, max(sizes.values(), default=0))
            self.total = max(self.total, sum(sizes.values()))

    def close(self) -> tuple[float, float]:
        self.stop.set()
        self.thread.join()
        return self.one / 1024, self.total / 1024


def timed(args: list[str], env: dict[str, str] | None = None) -> tuple[float, tuple[float, float]]:
    """Run a command; return (wall s, (peak RSS MB of one process, of the whole tree))."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    peak = Peak(proc.pid)
    out, err = proc.communicate()
    elapsed = time.perf_counter() - start
    sizes = peak.close()
    if proc.returncode != 0:
        print(out[-2000:], err[-2000:], file=sys.stderr)
        raise SystemExit(f"{' '.join(args[:4])}... failed with exit code {proc.returncode}")
    return elapsed, sizes


def sweep(directory: Path, runs: int, quarters: int, *extra: str, env=None):
    """Run ``caravan -m`` (the venv's script); return its wall time and peak RSS."""
    args = [
        str(VENV_BIN / "caravan"),
        "-m",
        f"sweep.replicate=range({runs})",
        f"sim.quarters={quarters}",
        f"hydra.sweep.dir={directory}",
        "hydra.launcher.progress=false",
        *extra,
    ]
    return timed(args, env)


FLOOR_SNIPPET = """
import json, sys, time
from threadpoolctl import threadpool_limits
threadpool_limits(limits=1)  # one BLAS thread, as in a sweep worker
from sim.compose import compose_and_validate
from sim.model import CaravanModel
from sim.runner import simulate
from dataclasses import replace
cfg = compose_and_validate([f"sim.quarters={sys.argv[2]}"])
simulate(cfg)  # warm: imports, caches
n = int(sys.argv[1])
# a seed per run, as in the sweep (sweep.seeds=per_run): no run reuses another's spin-up
start = time.perf_counter()
for i in range(n):
    simulate(replace(cfg, seed=1000 + i))
whole = (time.perf_counter() - start) / n
quarters = []
for i in range(n):
    model = CaravanModel(replace(cfg, seed=2000 + i))
    start = time.perf_counter()
    model.run()
    quarters.append(time.perf_counter() - start)
print(json.dumps({"simulate_s": whole, "quarters_s": sum(quarters) / n}))
"""


def run_snippet(snippet: str, *args: str) -> dict:
    """Run ``snippet`` in a fresh Python process; return the JSON of its last output line."""
    out = subprocess.run(
        [sys.executable, "-c", snippet, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def floor(runs: int, quarters: int) -> dict:
    return run_snippet(FLOOR_SNIPPET, str(runs), str(quarters))


OVERHEAD_SNIPPET = """
import json, sys, tempfile, time
from pathlib import Path
from threadpoolctl import threadpool_limits
threadpool_limits(limits=1)
from tests.sweep.test_worker import launch_spec
from dataclasses import replace
from sim.compose import compose_and_validate
from sim.runner import simulate
from sim.sweep.worker import JobRunner, JobSpec
n, quarters = int(sys.argv[1]), sys.argv[2]
spec, _ = launch_spec(Path(tempfile.mkdtemp()), f"sim.quarters={quarters}")
runner = JobRunner(spec)
cfg = compose_and_validate([f"sim.quarters={quarters}"])
simulate(cfg)  # warm: imports, caches
runner.run(JobSpec(0, 0, ("sweep.replicate=0",)))
totals = dict.fromkeys(("job_wall", "job_cpu", "sim_wall", "sim_cpu"), 0.0)
for i in range(1, n + 1):  # interleaved: the same load on both
    wall, cpu = time.perf_counter(), time.process_time()
    result = runner.run(JobSpec(i, i, (f"sweep.replicate={i}",)))
    totals["job_wall"] += time.perf_counter() - wall
    totals["job_cpu"] += time.process_time() - cpu
    assert result["status"] == "completed", result
    wall, cpu = time.perf_counter(), time.process_time()
    simulate(replace(cfg, seed=2000 + i))  # a new seed, as the job's: no cached spin-up
    totals["sim_wall"] += time.perf_counter() - wall
    totals["sim_cpu"] += time.process_time() - cpu
print(json.dumps({k: v / n for k, v in totals.items()}))
"""


def overhead(runs: int, quarters: int) -> dict:
    """A sweep job in a worker against ``simulate()``, interleaved in one process."""
    return run_snippet(OVERHEAD_SNIPPET, str(runs), str(quarters))


CACHE_SNIPPET = """
import json, sys, tempfile, time
from pathlib import Path
from threadpoolctl import threadpool_limits
threadpool_limits(limits=1)
from tests.sweep.test_worker import launch_spec
from sim import setup_cache
from sim.sweep.worker import JobRunner, JobSpec
n, quarters = int(sys.argv[1]), sys.argv[2]
cached = setup_cache.cached
uncached = lambda kind, key, build, shared=None: build()
out = {}
for seeds in ("per_run", "fixed"):
    spec, _ = launch_spec(Path(tempfile.mkdtemp()), f"sim.quarters={quarters}")
    runner = JobRunner(spec)
    runner.run(JobSpec(0, 0, ("sweep.replicate=0", f"sweep.seeds={seeds}")))  # warm
    cpu = {"cold": 0.0, "warm": 0.0}
    for i in range(1, 2 * n + 1):  # interleaved: the same load on both
        kind = "cold" if i % 2 else "warm"
        # cold: every phase built from scratch, as without the cache (the templates stay)
        setup_cache.cached = uncached if kind == "cold" else cached
        start = time.process_time()
        result = runner.run(JobSpec(i, i, (f"sweep.replicate={i}", f"sweep.seeds={seeds}")))
        cpu[kind] += time.process_time() - start
        assert result["status"] == "completed", result
    out[seeds] = {k: v / n for k, v in cpu.items()}
print(json.dumps(out))
"""


def setup_cache_effect(runs: int, quarters: int) -> dict:
    """CPU of a sweep job with the set-up cache cleared before it and with it warm."""
    return run_snippet(CACHE_SNIPPET, str(runs), str(quarters))


def interleaved_medians(commands: list[list[str]], repeats: int) -> list[float]:
    """Median wall time of each command, run in turn ``repeats`` times (the same load on all)."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(repeats):
        for args, record in zip(commands, times, strict=True):
            start = time.perf_counter()
            subprocess.run(args, cwd=ROOT, capture_output=True, check=True)
            record.append(time.perf_counter() - start)
    return [statistics.median(record) for record in times]


COLLECT_SNIPPET = """
import json, resource, sys, time
from pathlib import Path
import pyarrow as pa
from sim.sweep.collect import collect
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
result = collect(Path(sys.argv[1]))
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"runs": len(result.runs), "rows": {k: v[1] for k, v in result.tables.items()},
    "seconds": elapsed, "rss_before_mb": before / 1024, "rss_peak_mb": peak / 1024,
    "arrow_peak_mb": pa.default_memory_pool().max_memory() / 2**20}))
"""


def collector_memory(directory: Path) -> dict:
    """Collect ``directory`` in a fresh process; return its timings and peak memory."""
    return run_snippet(COLLECT_SNIPPET, str(directory))


def synthetic(source_run: Path, directory: Path, count: int) -> None:
    """``count`` run directories hard-linked to one real run, each with its own job.json."""
    job = json.loads((source_run / "job.json").read_text())
    for run in range(count):
        target = directory / str(run)
        target.mkdir(parents=True)
        for name in ("economies.parquet", "world.parquet", "metadata.json"):
            os.link(source_run / name, target / name)
        job.update(run=run, replicate=run, params={"trade.sigma": 2.0 + (run % 97) / 10})
        (target / "job.json").write_text(json.dumps(job))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--quarters", type=int, default=12)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--memory-runs", type=int, default=100)
    parser.add_argument("--floor-runs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--synthetic", type=int, default=10_000)
    parser.add_argument("--skip-collector", action="store_true")
    parser.add_argument("--ray", action="store_true", help="also the Ray launcher (step 5)")
    parser.add_argument(
        "--only", choices=("floor", "overhead", "cache", "throughput", "latency", "collector")
    )
    args = parser.parse_args()
    everything = {"floor", "overhead", "cache", "throughput", "latency", "collector"}
    steps = {args.only} if args.only else everything
    work = Path(tempfile.mkdtemp(prefix="caravan-bench-sweep-"))
    print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()}, work dir: {work}")
    try:
        base = None
        if steps & {"floor", "throughput"}:
            base = floor(args.floor_runs, args.quarters)
            print(
                f"\n1. model floor ({args.quarters} quarters, one process, mean of "
                f"{args.floor_runs}): simulate() {base['simulate_s'] * 1000:.0f} ms/run "
                f"(construction + quarters + tables), quarters alone "
                f"{base['quarters_s'] * 1000:.0f} ms/run"
            )
        if "overhead" in steps:
            cost = overhead(args.floor_runs, args.quarters)
            print(
                f"\n1b. one sweep job in a worker (JobRunner.run: config, job.json, .hydra/, the "
                f"run, tables, metadata.json) against simulate(), interleaved in one process, "
                f"mean of {args.floor_runs}: wall {cost['job_wall'] * 1000:.0f} vs "
                f"{cost['sim_wall'] * 1000:.0f} ms ({cost['job_wall'] / cost['sim_wall']:.2f}x), "
                f"CPU {cost['job_cpu'] * 1000:.0f} vs {cost['sim_cpu'] * 1000:.0f} ms "
                f"({cost['job_cpu'] / cost['sim_cpu']:.2f}x)"
            )
        if "cache" in steps:
            effect = setup_cache_effect(args.floor_runs, args.quarters)
            print(
                f"\n1c. set-up cache (sim.setup_cache): CPU of one sweep job in a worker, "
                f"cache bypassed vs in use, interleaved, mean of {args.floor_runs} each"
            )
            for seeds, cpu in effect.items():
                print(
                    f"   sweep.seeds={seeds}: bypassed {cpu['cold'] * 1000:.0f} ms, in use "
                    f"{cpu['warm'] * 1000:.0f} ms ({cpu['cold'] / cpu['warm']:.2f}x)"
                )
            print(f"   load average after: {os.getloadavg()}")
        times: dict[int, float] = {}
        if "throughput" in steps:
            print(f"\n2. {args.runs} runs, default scenario, sim.quarters={args.quarters}")
            for workers in (int(w) for w in args.workers.split(",")):
                directory = work / f"throughput_{workers}"
                wall, peak = sweep(
                    directory, args.runs, args.quarters, f"hydra.launcher.n_jobs={workers}"
                )
                times[workers] = wall
                per_core = wall * workers / args.runs
                assert base is not None
                print(
                    f"   n_jobs={workers}: {wall:.1f} s wall, {args.runs / wall:.2f} runs/s, "
                    f"{per_core * 1000:.0f} ms per run per core = "
                    f"{per_core / base['simulate_s']:.2f}x simulate(), "
                    f"{per_core / base['quarters_s']:.2f}x the quarters; peak RSS "
                    f"{peak[0]:.0f} MB (one process), {peak[1]:.0f} MB (all)"
                )
            if 1 in times and 2 in times:
                print(f"   scaling T(1)/T(2) = {times[1] / times[2]:.2f} (ideal 2.00)")
            if args.memory_runs:
                workers = max(times)
                wall, peak = sweep(
                    work / "memory",
                    args.memory_runs,
                    args.quarters,
                    f"hydra.launcher.n_jobs={workers}",
                )
                print(
                    f"   memory check: {args.memory_runs} runs at n_jobs={workers}: "
                    f"peak RSS {peak[0]:.0f} MB (one process), {peak[1]:.0f} MB (all)"
                )
            if args.ray:
                workers = max(times)
                env = {**os.environ, "RAY_ENABLE_UV_RUN_RUNTIME_ENV": "0"}
                wall, peak = sweep(
                    work / "ray",
                    args.runs,
                    args.quarters,
                    "hydra/launcher=caravan_ray",
                    f"hydra.launcher.ray.init.num_cpus={workers}",
                    env=env,
                )
                print(
                    f"\n5. Ray, local cluster of {workers} CPUs: {wall:.1f} s wall, "
                    f"{args.runs / wall:.2f} runs/s; per-core throughput "
                    f"{times[workers] / wall:.2f}x the local launcher's"
                )

        if "latency" in steps:
            print(f"\n3. one run, warm, median of {args.repeats}")
            run_dir = work / "one"
            floor_s, script, uv = interleaved_medians(
                [
                    [sys.executable, "-c", "import hydra, mesa, pandas, pyarrow"],
                    [str(VENV_BIN / "caravan"), f"hydra.run.dir={run_dir}"],
                    ["uv", "run", "--frozen", "caravan", f"hydra.run.dir={run_dir}"],
                ],
                args.repeats,
            )
            print(f"   load average after: {os.getloadavg()}")
            print(f"   import floor (import hydra, mesa, pandas, pyarrow): {floor_s:.2f} s")
            print(f"   .venv/bin/caravan: {script:.2f} s ({script / floor_s:.2f}x the floor)")
            print(f"   uv run caravan: {uv:.2f} s ({uv / floor_s:.2f}x the floor)")

        if "collector" in steps and not args.skip_collector and times:
            print("\n4. collector peak memory (fresh process)")
            real = work / f"throughput_{max(times)}"
            print(f"   {args.runs} real runs: {collector_memory(real)}")
            synth = work / "synthetic"
            start = time.perf_counter()
            synthetic(real / "0", synth, args.synthetic)
            made = time.perf_counter() - start
            print(f"   ({args.synthetic} synthetic run dirs made in {made:.1f} s)")
            print(f"   {args.synthetic} synthetic runs: {collector_memory(synth)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
