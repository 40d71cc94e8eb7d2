"""Sweep benchmarks: throughput and scaling, per-run overhead, collector memory.

Prints numbers; asserts nothing. Run from the repository root:

    uv run python benchmarks/bench_sweep.py                 # everything (several minutes)
    uv run python benchmarks/bench_sweep.py --runs 200      # quicker

1. ``--runs`` runs of the default scenario (``sweep.replicate=range(N)``, a short
   horizon of ``--quarters`` quarters) with the caravan launcher at 1 and 2
   workers: wall time, runs/s and the scaling ratio T(1)/T(2).
2. Per-run overhead: ``--overhead-runs`` runs with Hydra's basic launcher
   (in-process, serial) and with the caravan launcher at 1 worker; per-run wall
   time minus the mean model time recorded in ``metadata.json``.
3. Peak memory of the collector (``sim.sweep.collect.collect``) in a fresh
   process, on the sweep of step 1 and on ``--synthetic`` synthetic run
   directories (hard links to one real run's tables).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def sweep(directory: Path, runs: int, quarters: int, *extra: str) -> float:
    """Run ``caravan -m`` and return its wall time (s)."""
    args = [
        "caravan",
        "-m",
        f"sweep.replicate=range({runs})",
        f"sim.quarters={quarters}",
        f"hydra.sweep.dir={directory}",
        *extra,
    ]
    start = time.perf_counter()
    result = subprocess.run(
        ["uv", "run", "--frozen", *args], cwd=ROOT, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        print(result.stdout[-2000:], result.stderr[-2000:], file=sys.stderr)
        raise SystemExit(f"sweep failed with exit code {result.returncode}")
    return elapsed


def model_time(directory: Path) -> float:
    """Mean model wall time per run (s) from the collected runs table."""
    runs = pd.read_parquet(directory / "sweep" / "runs.parquet")
    return float(runs["wall_time_s"].mean())


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
    out = subprocess.run(
        ["uv", "run", "--frozen", "python", "-c", COLLECT_SNIPPET, str(directory)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


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
    parser.add_argument("--quarters", type=int, default=1)
    parser.add_argument("--overhead-runs", type=int, default=100)
    parser.add_argument("--synthetic", type=int, default=10_000)
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="caravan-bench-sweep-"))
    print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()}, work dir: {work}")
    try:
        print(f"\n1. {args.runs} runs, default scenario, sim.quarters={args.quarters}")
        times = {}
        for workers in (int(w) for w in args.workers.split(",")):
            directory = work / f"throughput_{workers}"
            times[workers] = sweep(
                directory,
                args.runs,
                args.quarters,
                f"hydra.launcher.n_jobs={workers}",
                "hydra.launcher.progress=false",
            )
            print(
                f"   n_jobs={workers}: {times[workers]:.1f} s wall, "
                f"{args.runs / times[workers]:.2f} runs/s, "
                f"model time {model_time(directory) * 1000:.0f} ms/run"
            )
        if 1 in times and 2 in times:
            print(f"   scaling T(1)/T(2) = {times[1] / times[2]:.2f} (ideal 2.00)")

        n = args.overhead_runs
        print(f"\n2. per-run overhead, {n} runs, sim.quarters={args.quarters}")
        for label, extra in (
            (
                "basic launcher (Hydra default sweeper)",
                ["hydra/launcher=basic", "hydra/sweeper=basic"],
            ),
            (
                "caravan launcher, n_jobs=1",
                ["hydra.launcher.n_jobs=1", "hydra.launcher.progress=false"],
            ),
        ):
            directory = work / f"overhead_{label.split()[0]}"
            elapsed = sweep(directory, n, args.quarters, *extra)
            per_run = elapsed / n
            model = model_time(directory)
            print(
                f"   {label}: {elapsed:.1f} s, {per_run * 1000:.0f} ms/run wall, "
                f"model {model * 1000:.0f} ms/run, overhead {(per_run - model) * 1000:.0f} ms/run "
                "(includes start-up amortised over the runs)"
            )

        print("\n3. collector peak memory (fresh process)")
        largest = max(times) if times else None
        if largest is not None:
            real = work / f"throughput_{largest}"
            print(f"   {args.runs} real runs: {collector_memory(real)}")
        source = next((work / f"throughput_{largest}").glob("0"))
        synth = work / "synthetic"
        start = time.perf_counter()
        synthetic(source, synth, args.synthetic)
        print(
            f"   ({args.synthetic} synthetic run dirs made in {time.perf_counter() - start:.1f} s)"
        )
        print(f"   {args.synthetic} synthetic runs: {collector_memory(synth)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
