"""Benchmark: route all pairs for one quarter on the default network (16 economies).

Target: <= 20 ms per quarter. Each case is timed cold (the first quarter of a
new network state) and warm (the next quarter, flows 1 % higher, started
from the previous quarter's shares). Also times model construction with the path set
built, loaded from the on-disk cache in a fresh process, and taken from memory.
Prints timings; asserts nothing.
Run: uv run python benchmarks/bench_routing.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

from sim.routing import CorridorPhase, CorridorsConfig
from sim.routing.config import Closure
from tests.routing.fixtures import ECONOMIES, gravity_flows


def _flows() -> tuple[np.ndarray, str]:
    try:  # the shipped calibration matrix, if the data loader is available
        from sim.data.loader import load_world

        world = load_world()
        if tuple(world.economies) == ECONOMIES:
            return world.flows, "sim.data.loader.load_world() (shipped cis2023 matrix)"
    except Exception:  # noqa: BLE001 - fall back to the test fixture
        pass
    return gravity_flows(), "tests.routing.fixtures.gravity_flows() (gravity fixture)"


def _time(fn, reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1e3)
    return out


def main() -> None:
    flows, source = _flows()
    print(f"flows: {source}; {len(ECONOMIES)} economies")
    cfg = CorridorsConfig(closures=[Closure("East-West", "2025Q1", "2025Q4")])
    with tempfile.TemporaryDirectory() as cache:
        os.environ["CARAVAN_CACHE_DIR"] = cache  # a cold cache, this run only
        t = time.perf_counter()
        phase = CorridorPhase(ECONOMIES, cfg, flows, "2024Q1")
        print(
            f"init, paths {phase.paths_source}: {(time.perf_counter() - t) * 1e3:.0f} ms, "
            f"{phase.paths.n_paths} candidate paths, {len(phase.classes.pair)} (pair, group) "
            f"classes, {phase.net.n_segments} segments"
        )
        probe = (
            "import time; t = time.perf_counter();"
            "from benchmarks.bench_routing import _flows; from tests.routing.fixtures import "
            "ECONOMIES; from sim.routing import CorridorPhase, CorridorsConfig;"
            "from sim.routing.config import Closure; f, _ = _flows(); t = time.perf_counter();"
            "p = CorridorPhase(ECONOMIES, CorridorsConfig(closures=[Closure('East-West', "
            "'2025Q1', '2025Q4')]), f, '2024Q1');"
            "print(p.paths_source, round((time.perf_counter() - t) * 1e3))"
        )
        out = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        ).stdout.split()
        print(f"init in a new process, paths from {out[0]}: {out[1]} ms")
    del os.environ["CARAVAN_CACHE_DIR"]
    t = time.perf_counter()
    again = CorridorPhase(ECONOMIES, cfg, flows, "2024Q1")
    print(f"init again, paths from {again.paths_source}: {(time.perf_counter() - t) * 1e3:.0f} ms")
    cases = {
        "baseline quarter": ("2024Q2", flows),
        "East-West closed": ("2025Q2", flows),
        "congested (flows x40)": ("2024Q2", flows * 40),
    }
    # cold: the first quarter of a new network state (MSA from free-flow shares);
    # warm: the next quarter at the same state with flows 1 % higher (MSA from the
    # previous quarter's shares), as in a model run.
    for name, (q, f) in cases.items():
        for kind in ("cold", "warm"):
            times = []
            for _ in range(30):
                phase._warm_key = b""  # forget the last solve: the next step starts cold
                if kind == "warm":
                    phase.step(q, f)
                t = time.perf_counter()
                r = phase.step(q, f * 1.01 if kind == "warm" else f)
                times.append((time.perf_counter() - t) * 1e3)
            print(
                f"{name:24s} {kind} step median {statistics.median(times):6.2f} ms, "
                f"p90 {np.percentile(times, 90):6.2f} ms, MSA iterations {r.iterations}, "
                f"gap {r.gap:.1e}  (target <= 20 ms)"
            )


if __name__ == "__main__":
    main()
