"""Measurement behind the solver's chord / Neumann rule on openness (issue 16, stop 24).

The accelerated stage of :mod:`sim.economics.solver` uses M = J(0)⁻¹ (the chord) up to
``CHORD_MAX`` economies only where the world is not open (``home_share`` at least
``CHORD_MIN_HOME_SHARE``), else the Neumann polynomial. This script times the two on random
worlds, none the benchmark's, interleaved, in CPU time, one BLAS thread:

- ``--mode fit`` (seed 77, 40 worlds): chord / polynomial time by the output-weighted
  own-market share at the start, in bands (the data the threshold was read from);
- ``--mode holdout`` (seed 78, 60 worlds drawn): on the worlds the rule changes (share
  below the threshold, n ≤ ``CHORD_MAX``), the time without the rule over the time with it.

Half the held-out worlds come from the test generator of ``tests/economics/test_solver.py``
(``gravity_problem``), the rest, and all the fitted ones, from :func:`border_world`.

Run from the repository root::

    uv run python benchmarks/ge_chord_rule.py --mode fit --seed 77 --worlds 40
    uv run python benchmarks/ge_chord_rule.py --mode holdout --seed 78 --worlds 60
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "economics"))

from sim.economics import solver  # noqa: E402
from sim.economics.solver import Problem, evaluate, home_share  # noqa: E402

TOL = 1e-12
SIZES = (20, 35, 50, 60, 75)
BANDS = ((0.0, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 1.01))


def border_world(n: int, seed: int, sigma: float, border: float, home: float) -> Problem:
    """A world in changes: distance costs, a border cost e^border on every foreign pair
    (home goods × ``home``), then a cut of the border cost by e^(0.5–1 × border)."""
    rng = np.random.default_rng(seed)
    size = rng.lognormal(0.0, 1.5, n)
    xy = rng.uniform(0.0, 1.0, (n, 2))
    distance = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)) + 0.05
    cost = distance**-0.8 * rng.lognormal(0.0, 0.3, (n, n))
    off = ~np.eye(n, dtype=bool)
    cost[off] *= np.exp(-border)
    cost[~off] *= home
    flows = np.outer(size, size) * cost
    shares = flows / flows.sum(0)
    output = flows.sum(1)
    phi = flows.sum(0) / output * rng.uniform(0.9, 1.1, n)
    cut = np.where(off, np.exp(border * rng.uniform(0.5, 1.0)), 1.0)
    return Problem(shares * cut, np.ones((n, n)), phi, output, sigma)


def draw(rng: np.random.Generator, generator: str) -> Problem:
    n = int(rng.choice(SIZES))
    if generator == "gravity":
        from test_solver import gravity_problem

        return gravity_problem(
            n, int(rng.integers(10**5)), float(rng.uniform(3, 9)), float(rng.uniform(0.3, 0.95))
        )
    home = float(np.exp(rng.uniform(np.log(0.1), np.log(10.0))))
    return border_world(
        n, int(rng.integers(10**5)), float(rng.uniform(3, 9)), float(rng.uniform(0.5, 3)), home
    )


def timed(problem: Problem, chord_max: int, min_share: float) -> tuple[float, int, bool]:
    saved = solver.CHORD_MAX, solver.CHORD_MIN_HOME_SHARE
    solver.CHORD_MAX, solver.CHORD_MIN_HOME_SHARE = chord_max, min_share
    try:
        fresh = Problem(
            problem.weights, problem.inv_tariff, problem.phi, problem.output, problem.sigma
        )
        start = time.thread_time()
        outcome = solver.solve(fresh, TOL, 200, "anderson")
        return time.thread_time() - start, outcome.iterations, outcome.converged
    finally:
        solver.CHORD_MAX, solver.CHORD_MIN_HOME_SHARE = saved


def compare(problem: Problem, a: tuple, b: tuple, repeats: int) -> tuple[float, int, int]:
    """Median time of configuration a over b, interleaved, and their steps."""
    ta, tb = [], []
    steps_a = timed(problem, *a)[1]
    steps_b = timed(problem, *b)[1]
    for _ in range(repeats):
        ta.append(timed(problem, *a)[0])
        tb.append(timed(problem, *b)[0])
    return statistics.median(ta) / statistics.median(tb), steps_a, steps_b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("fit", "holdout"), default="fit")
    parser.add_argument("--seed", type=int, default=77)
    parser.add_argument("--worlds", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(args.seed)
    chord, neumann = (10**6, 0.0), (0, 0.0)
    rule, size_only = (solver.CHORD_MAX, solver.CHORD_MIN_HOME_SHARE), (solver.CHORD_MAX, 0.0)
    rows = []
    with threadpool_limits(limits=1):
        for k in range(args.worlds):
            generator = "gravity" if args.mode == "holdout" and k % 2 == 0 else "border"
            problem = draw(rng, generator)
            n = problem.output.size
            share = home_share(evaluate(problem, np.zeros(n)))
            if args.mode == "fit":
                ratio, sa, sb = compare(problem, chord, neumann, args.repeats)
                label = "chord/polynomial"
            else:
                if share >= solver.CHORD_MIN_HOME_SHARE:
                    continue  # the rule changes nothing here
                ratio, sa, sb = compare(problem, size_only, rule, args.repeats)
                label = "without/with rule"
            rows.append((share, n, ratio, sa, sb))
            print(
                f"{generator:7s} n={n:3d} sigma={problem.sigma:4.1f} home share {share:.2f} "
                f"steps {sa}/{sb} time {label} {ratio:.2f}",
                flush=True,
            )
    if args.mode == "fit":
        for lo, hi in BANDS:
            band = [r for r in rows if lo <= r[0] < hi]
            if band:
                ratios = [r[2] for r in band]
                saved = statistics.mean(r[4] - r[3] for r in band)
                print(
                    f"home share {lo:.1f}-{min(hi, 1.0):.1f}: {len(band)} worlds, chord/polynomial "
                    f"time median {statistics.median(ratios):.2f} ({min(ratios):.2f}-"
                    f"{max(ratios):.2f}); steps the chord saves {saved:.1f}"
                )
    else:
        ratios = [r[2] for r in rows]
        print(
            f"{len(rows)} worlds changed by the rule: time without/with median "
            f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f}), "
            f"slower with the rule on {sum(r < 1.0 for r in ratios)}"
        )


if __name__ == "__main__":
    main()
