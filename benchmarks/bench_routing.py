"""Benchmark: route all pairs for one quarter on the default network (16 economies).

Target: <= 20 ms per quarter. Prints timings; asserts nothing.
Run: uv run python benchmarks/bench_routing.py
"""

from __future__ import annotations

import statistics
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
    t = time.perf_counter()
    cfg = CorridorsConfig(closures=[Closure("East-West", "2025Q1", "2025Q4")])
    phase = CorridorPhase(ECONOMIES, cfg, flows, "2024Q1")
    print(
        f"init (path enumeration + baseline): {(time.perf_counter() - t) * 1e3:.0f} ms, "
        f"{phase.paths.n_paths} candidate paths, {phase.net.n_segments} segments"
    )
    t = time.perf_counter()
    CorridorPhase(ECONOMIES, cfg, flows, "2024Q1")
    print(f"init again (paths cached in-process): {(time.perf_counter() - t) * 1e3:.0f} ms")
    cases = {
        "baseline quarter": ("2024Q2", flows),
        "East-West closed": ("2025Q2", flows),
        "congested (flows x40)": ("2024Q2", flows * 40),
    }
    for name, (q, f) in cases.items():
        phase.step(q, f)
        times = _time(lambda q=q, f=f: phase.step(q, f), 50)
        r = phase.step(q, f)
        print(
            f"{name:24s} step median {statistics.median(times):6.2f} ms, "
            f"p90 {np.percentile(times, 90):6.2f} ms, MSA iterations {r.iterations}, "
            f"gap {r.gap:.1e}  (target <= 20 ms)"
        )


if __name__ == "__main__":
    main()
