"""Benchmark: Caravan's GE trade core against gegravity 0.3 (issue #2).

Case: Yotov, Piermartini, Monteiro & Larch (2016), ch. 2, application 1,
"trade without borders" -- 69 countries, 2006, sigma = 7, trade costs
t^(1-sigma) = exp(-0.7912879 ln_DIST + 0.6736456 CNTG - 2.47445 INTL_BRDR),
counterfactual INTL_BRDR = 0, Germany (coded ZZZ) the reference importer.
The inputs are built exactly as the ``yotov`` fixture in
tests/economics/conftest.py builds them.

Both sides are timed from the same inputs to the same outputs: solve the
baseline multilateral resistances, then the counterfactual. For Caravan that
is one ``solve_counterfactual`` call; for gegravity it is BaselineData +
OneSectorGE + build_baseline + define_experiment + simulate (its ``simulate``
step alone is also reported).

gegravity 0.3 solves a one-step approximation of the full GE (its MR
equations keep the baseline output and expenditure shares) and on this case
returns negative factory-gate prices for three countries (DESIGN.md section 8):
it is a speed peer, not a reference. The book's published full-GE results are
the reference for accuracy.

Run from the repository root::

    uv sync --extra bench          # installs gegravity 0.3 (optional)
    uv run python benchmarks/bench_ge.py

Options: ``--repeats`` (Caravan, default 200, at least 50), ``--gegravity-repeats``
(default 3), ``--no-gegravity``, ``--gegravity-python PATH`` (run gegravity in
another interpreter, e.g. a throwaway venv, via a subprocess that times itself).
No timing is asserted anywhere; the script only reports.

Scaling (issue 16): ``solve_in_changes`` on synthetic gravity worlds of
n = 16, 69, 200 and 500 economies (random sizes and positions, costs rising
with distance, 10 % of flows near zero, σ = 5, a 20 % cut in the trade costs
within a random bloc of a third of the economies and tariffs raised to 50 % on
a random fifth of the pairs), timed with the default method (the Anderson-
accelerated chord / Neumann-polynomial fixed point, Newton behind it; see
:mod:`sim.economics.solver`) and with two plain fixed points, interleaved in
the same run, with one BLAS thread (``--blas-threads``), in CPU time (``--clock``;
wall time on a loaded machine also counts the waits for other processes, more of
them the longer a call, which flatters whichever method is faster) and each on a
new ``Problem`` (what it caches is paid in every solve, as in the model, where
``solve_in_changes`` builds one a call): x ← x + r(x)/σ (each
market cleared by its own price, the rest held) and x ← x + r(x)/(σ−1) (the
factory-gate price update of Yotov et al. 2016, ch. 2, with the multilateral
resistances swept once a step). All three run on the same residual code from
x = 0 and stop at the same test, max |r| ≤ 1e-12 (``gravity._TOL``); the table
prints the largest difference of their centred solutions. The speed-up is
reported against the faster of the two. The Yotov case and the shipped
``dots2020`` world (163 economies, the CIS tariffs removed) are timed too. Each
is timed as the solver alone (``solver.solve`` on the problem
``solve_in_changes`` builds) and as the whole call (the default and x + r/σ,
the references ``solve_in_changes`` accepts). Targets (the solver): ≤ 3 ms at
n = 69, ≤ 5 ms at n = 200, ≤ 35 ms at n = 500, and ≥ 2× faster than the plain
fixed point at every n. ``--scaling-only`` skips the book case and gegravity.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "economics" / "data"
TRADE_CSV = DATA / "trade_without_border_2006.csv"
BOOK_CSV = DATA / "reference_results_full_ge.csv"

SIGMA = 7.0
COEFFS = {"ln_DIST": -0.7912879, "CNTG": 0.6736456, "INTL_BRDR": -2.47445}
REFERENCE = "ZZZ"  # Germany in the trade data

TARGET_MS = 5.0
TARGET_SPEEDUP = 100.0
SCALING_SIZES = (16, 69, 200, 500)
SCALING_TARGET_MS = {69: 3.0, 200: 5.0, 500: 35.0}
SCALING_TARGET_RATIO = 2.0
PLAIN = ("fixed_point", "fixed_point_yotov")  # the plain references (sim.economics.solver)
WARMUP = 5
MIN_REPEATS = 50
CLOCKS = {"cpu": time.thread_time, "wall": time.perf_counter}
CLOCK = [time.thread_time]  # the scaling table's clock (--clock)

# gegravity's baseline MR solver (scipy hybr on 2n-1 unknowns) needs its OMR unknowns
# rescaled on this data: with the default omr_rescale=1 it stops at maxfev with negative
# OMRs and build_baseline raises; 10 and 100 "converge" to negative OMRs; 1000 gives a
# positive solution (1e4 and 1e5 give the same results to 1e-7 pp).
GG_OMR_RESCALE = 1000
GG_WORKER_FLAG = "--gegravity-worker"


# --------------------------------------------------------------------------- inputs


def yotov_inputs() -> dict:
    """Y, E, t_base, t_new as in tests/economics/conftest.py (t = exp(b.x / (1 - sigma)))."""
    trade = pd.read_csv(TRADE_CSV)
    codes = sorted(trade.exporter.unique())
    index = {code: i for i, code in enumerate(codes)}
    n = len(codes)
    rows = trade.exporter.map(index).to_numpy()
    cols = trade.importer.map(index).to_numpy()
    linear = COEFFS["ln_DIST"] * trade.ln_DIST + COEFFS["CNTG"] * trade.CNTG
    cost_base = np.zeros((n, n))
    cost_new = np.zeros((n, n))
    cost_base[rows, cols] = np.exp((linear + COEFFS["INTL_BRDR"] * trade.INTL_BRDR) / (1 - SIGMA))
    cost_new[rows, cols] = np.exp(linear / (1 - SIGMA))
    return {
        "codes": codes,
        "output": trade.groupby("exporter").Y.first().reindex(codes).to_numpy(),
        "expenditure": trade.groupby("importer").E.first().reindex(codes).to_numpy(),
        "cost_base": cost_base,
        "cost_new": cost_new,
        "reference": index[REFERENCE],
    }


def book_results(codes: list[str]) -> pd.DataFrame:
    """The book's full-endowment GE results (percent), indexed like ``codes``."""
    book = pd.read_csv(BOOK_CSV)
    book = book.assign(country=book.country.replace({"DEU": REFERENCE})).set_index("country")
    return book.loc[codes]


# --------------------------------------------------------------------------- Caravan


def bench_caravan(inputs: dict, repeats: int) -> dict:
    from sim.economics.gravity import solve_counterfactual

    args = (
        inputs["output"],
        inputs["expenditure"],
        inputs["cost_base"],
        inputs["cost_new"],
        SIGMA,
    )
    ref = inputs["reference"]
    for _ in range(WARMUP):
        result = solve_counterfactual(*args, reference=ref)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        solve_counterfactual(*args, reference=ref)
        times.append(time.perf_counter() - start)
    return {
        "times": times,
        "gdp_pct": 100.0 * (result.real_gdp - 1.0),
        "price_pct": 100.0 * (result.price - 1.0),
        "converged": result.converged,
        "iterations": result.iterations,
    }


# --------------------------------------------------------------------------- scaling


def synthetic_world(n: int, seed: int = 0) -> dict:
    """A gravity world of n economies and a policy shock (see the module docstring)."""
    rng = np.random.default_rng(seed)
    size = rng.lognormal(0.0, 1.2, n)
    xy = rng.uniform(0.0, 1.0, (n, 2))
    distance = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1)) + 0.02
    flows = np.outer(size, size) * distance**-1.0 * rng.lognormal(0.0, 0.5, (n, n))
    off = ~np.eye(n, dtype=bool)
    flows[off & (rng.random((n, n)) < 0.1)] *= 1e-6
    np.fill_diagonal(flows, 0.0)
    np.fill_diagonal(flows, 1.5 * flows.sum(axis=1) + size)
    bloc = rng.random(n) < 1 / 3
    cost_hat = np.where(np.outer(bloc, bloc) & off, 0.8, 1.0)
    tariff_base = np.where(off, 0.05, 0.0)
    tariff_new = np.where(off & (rng.random((n, n)) < 0.2), 0.5, tariff_base)
    return {
        "flows": flows,
        "cost_hat": cost_hat,
        "tariff_base": tariff_base,
        "tariff_new": tariff_new,
    }


def _solve_args(world: dict, method: str, sigma: float) -> tuple[tuple, dict]:
    args = (world["flows"], world["cost_hat"], sigma)
    kwargs = {
        "tariff_base": world["tariff_base"],
        "tariff_new": world["tariff_new"],
        "reference": 0,
        "method": method,
        "max_iter": 1_000_000 if method == "fixed_point" else 200,
    }
    return args, kwargs


def _time_solve(world: dict, method: str, sigma: float) -> tuple[float, int]:
    """The whole ``solve_in_changes`` call: checks, set-up, the solve, the results."""
    from sim.economics.gravity import solve_in_changes

    args, kwargs = _solve_args(world, method, sigma)
    start = CLOCK[0]()
    result = solve_in_changes(*args, **kwargs)
    return CLOCK[0]() - start, result.iterations


def solver_problem(world: dict, sigma: float):
    """The :class:`sim.economics.solver.Problem` ``solve_in_changes`` builds for ``world``.

    Captured from the one call to ``solver.solve`` that ``solve_in_changes`` makes,
    so the solver alone is timed on exactly the system the model solves.
    """
    from sim.economics import gravity

    captured = []
    original = gravity.solve

    def recording(problem, *args, **kwargs):
        captured.append(problem)
        return original(problem, *args, **kwargs)

    gravity.solve = recording
    try:
        args, kwargs = _solve_args(world, "auto", sigma)
        gravity.solve_in_changes(*args, **kwargs)
    finally:
        gravity.solve = original
    (problem,) = captured
    return problem


def _time_solver(problem, method: str) -> tuple[float, int, np.ndarray]:
    """``sim.economics.solver.solve`` alone, to the model's tolerance.

    Returns the seconds, the steps (iterations + fallback steps) and the solution's
    log prices, centred (the price level is the caller's normalisation).
    """
    from sim.economics.gravity import _TOL
    from sim.economics.solver import Problem, solve

    max_iter = 1_000_000 if method.startswith("fixed_point") else 200
    # A new Problem each time, as solve_in_changes builds one for every call: what it
    # computes once and keeps (B = W/(1+τ'), B²) is paid in every timed solve.
    problem = Problem(
        problem.weights, problem.inv_tariff, problem.phi, problem.output, problem.sigma
    )
    start = CLOCK[0]()
    outcome = solve(problem, _TOL, max_iter, method)
    elapsed = CLOCK[0]() - start
    if not outcome.converged:
        raise SystemExit(f"{method} did not converge")
    x = outcome.state.log_price
    return elapsed, outcome.iterations + outcome.fallback_steps, x - x.mean()


def yotov_world(inputs: dict) -> dict:
    """The Yotov baseline flows and border removal as a world in changes."""
    from sim.economics.gravity import gravity_flows, solve_resistances

    args = (inputs["output"], inputs["expenditure"], inputs["cost_base"])
    outward, inward, _ = solve_resistances(*args, SIGMA, inputs["reference"])
    flows = gravity_flows(*args, outward, inward, SIGMA)
    zero = np.zeros_like(flows)
    return {
        "flows": flows,
        "cost_hat": inputs["cost_new"] / inputs["cost_base"],
        "tariff_base": zero,
        "tariff_new": zero,
    }


def dots_world() -> dict:
    """The shipped ``dots2020`` world (every DOTS economy with complete data) and the
    model's baseline tariffs, with the tariffs among the CIS removed (issue 14 §3)."""
    from sim.data.loader import load_world
    from sim.policy.tariffs import baseline_tariffs

    world = load_world("dots2020")
    base = baseline_tariffs(world.economies, 0.1, True, world.blocs)
    cis = world.members("CIS")
    return {
        "flows": np.asarray(world.flows),
        "cost_hat": np.ones((world.n, world.n)),
        "tariff_base": base,
        "tariff_new": np.where(np.outer(cis, cis), 0.0, base),
    }


def bench_scaling(repeats: int, inputs: dict | None) -> list[dict]:
    """Median times of the default solver and the two plain fixed points, interleaved.

    The solver alone (``solver.solve`` on the captured problem) is timed with the
    default method and both plain references of :mod:`sim.economics.solver`
    (``fixed_point``, x ← x + r/σ, and ``fixed_point_yotov``, x ← x + r/(σ−1)); the
    ratio is to the faster of the two. The whole ``solve_in_changes`` call (checks
    and n×n set-up in :mod:`sim.economics.gravity` included) is timed with the
    default and ``fixed_point``, the references that function accepts.
    """
    cases = [(f"synthetic n = {n}", n, synthetic_world(n), 5.0) for n in SCALING_SIZES]
    if inputs is not None:
        cases.insert(2, ("Yotov n = 69", 69, yotov_world(inputs), SIGMA))
    dots = dots_world()
    n_dots = dots["flows"].shape[0]
    cases.insert(-2, (f"dots2020 n = {n_dots}", n_dots, dots, 5.0))
    rows = []
    methods = ("auto", *PLAIN)
    call_methods = ("auto", "fixed_point")
    for label, n, world, sigma in cases:
        problem = solver_problem(world, sigma)
        solutions = {}
        for method in methods:  # warm-up
            solutions[method] = _time_solver(problem, method)[2]
        for method in call_methods:
            _time_solve(world, method, sigma)
        solver_times = {m: [] for m in methods}
        call_times = {m: [] for m in call_methods}
        iterations = {}
        count = repeats if n < 200 else max(5, repeats // 4)
        for _ in range(count):
            for method in methods:
                elapsed, iterations[method], _ = _time_solver(problem, method)
                solver_times[method].append(elapsed)
            for method in call_methods:
                call_times[method].append(_time_solve(world, method, sigma)[0])
        ms = {m: 1e3 * statistics.median(solver_times[m]) for m in methods}
        call_ms = {m: 1e3 * statistics.median(call_times[m]) for m in call_methods}
        plain = min(PLAIN, key=ms.get)
        rows.append(
            {
                "label": label,
                "n": n,
                "ms": ms,
                "ratio": ms[plain] / ms["auto"],
                "faster_plain": plain,
                "call_ms": call_ms,
                "call_ratio": call_ms["fixed_point"] / call_ms["auto"],
                "iterations": iterations,
                "repeats": count,
                "agreement": max(
                    float(np.max(np.abs(solutions[m] - solutions["auto"]))) for m in PLAIN
                ),
            }
        )
    return rows


def report_scaling(rows: list[dict]) -> None:
    print(
        "\nGE scaling: default method vs the plain fixed points, interleaved in one run "
        f"(load average {', '.join(f'{x:.2f}' for x in os.getloadavg())})"
    )
    print(
        "  solver = sim.economics.solver.solve alone, to max |r| <= 1e-12 for all three; "
        "fp r/s = x + r/sigma, fp Yotov = x + r/(sigma-1);\n"
        "  ratio = the faster fixed point / default; call = the whole solve_in_changes "
        "(default vs fp r/s)"
    )
    print(
        f"  {'case':<20} {'solver':>9} {'fp r/s':>9} {'fp Yotov':>9} {'ratio':>6}  "
        f"{'call':>9} {'fp r/s':>9} {'ratio':>6}  {'iterations':<14} {'|dx|':>7}  target (solver)"
    )
    for row in rows:
        target = SCALING_TARGET_MS.get(row["n"])
        ms, call, its = row["ms"], row["call_ms"], row["iterations"]
        verdicts = [
            f"ratio >= {SCALING_TARGET_RATIO:g}x {_verdict(row['ratio'] >= SCALING_TARGET_RATIO)}"
        ]
        if target is not None:
            verdicts.insert(0, f"<= {target:g} ms {_verdict(ms['auto'] <= target)}")
        steps = f"{its['auto']}/{its['fixed_point']}/{its['fixed_point_yotov']}"
        print(
            f"  {row['label']:<20} {ms['auto']:>6.2f} ms {ms['fixed_point']:>6.2f} ms "
            f"{ms['fixed_point_yotov']:>6.2f} ms {row['ratio']:>5.1f}x  "
            f"{call['auto']:>6.2f} ms {call['fixed_point']:>6.2f} ms {row['call_ratio']:>5.1f}x  "
            f"{steps:<14} {row['agreement']:>7.0e}  {'; '.join(verdicts)}"
        )
    print(
        "  (medians; iterations = default / fp r/s / fp Yotov; |dx| = largest difference of "
        "the centred log prices, default vs either fixed point; synthetic worlds seed 0)"
    )


# --------------------------------------------------------------------------- gegravity


def _gegravity_once(ge, trade: pd.DataFrame) -> tuple[float, float, object]:
    """One full gegravity run; returns (total seconds, simulate seconds, model)."""
    start = time.perf_counter()
    baseline = ge.BaselineData(
        trade.copy(),  # BaselineData recasts the year column in place
        imp_var_name="importer",
        exp_var_name="exporter",
        year_var_name="year",
        trade_var_name="trade",
        expend_var_name="E",
        output_var_name="Y",
    )
    coeffs = ge.CostCoeffs(
        pd.DataFrame({"var": list(COEFFS), "coeff": list(COEFFS.values())}),
        identifier_col="var",
        coeff_col="coeff",
    )
    model = ge.OneSectorGE(
        baseline,
        year="2006",
        reference_importer=REFERENCE,
        sigma=SIGMA,
        cost_variables=list(COEFFS),
        cost_coeff_values=coeffs,
        quiet=True,
    )
    model.build_baseline(omr_rescale=GG_OMR_RESCALE)
    experiment = model.baseline_data.copy()
    experiment["INTL_BRDR"] = 0
    model.define_experiment(experiment)
    sim_start = time.perf_counter()
    model.simulate()
    end = time.perf_counter()
    return end - start, end - sim_start, model


def run_gegravity(repeats: int) -> dict:
    """Time gegravity in this interpreter; JSON-serialisable result."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)  # invalid escapes in its docstrings
        import gegravity as ge
    trade = pd.read_csv(TRADE_CSV)
    totals, simulates, messages = [], [], set()
    model = None
    for _ in range(repeats):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            total, simulate, model = _gegravity_once(ge, trade)
        messages.update(str(w.message).strip().splitlines()[0] for w in caught)
        totals.append(total)
        simulates.append(simulate)
    labels = ge.ResultsLabels()
    results = model.country_results
    prices = model.factory_gate_prices[labels.experiment_factory_price]
    return {
        "version": metadata.version("gegravity"),
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "total": totals,
        "simulate": simulates,
        "codes": [str(c) for c in results.index],
        "gdp_pct": results[labels.gdp_change].astype(float).tolist(),
        "price_pct": results[labels.factory_price_change].astype(float).tolist(),
        "negative_prices": sorted(str(c) for c in prices.index[prices.to_numpy() < 0]),
        "converged": bool(model.solver_diagnostics["full_GE"].success),
        "warnings": sorted(messages),
    }


def gegravity_subprocess(python: str, repeats: int) -> dict:
    """Run :func:`run_gegravity` in another interpreter (needs numpy, pandas, gegravity)."""
    cmd = [python, str(Path(__file__).resolve()), GG_WORKER_FLAG]
    cmd += ["--gegravity-repeats", str(repeats)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        raise RuntimeError(f"{python} exited with {proc.returncode}:\n{tail}")
    return json.loads(lines[-1])


# --------------------------------------------------------------------------- report


def _ms(seconds: float) -> str:
    return f"{1e3 * seconds:.3f} ms"


def _verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def report(inputs: dict, caravan: dict, gg: dict | None, gg_error: str | None) -> None:
    codes = inputs["codes"]
    book = book_results(codes)
    book_gdp = book.real_gdp_change_pct.to_numpy()
    book_price = book.factory_gate_price_change_pct.to_numpy()
    times = caravan["times"]
    median = statistics.median(times)
    print(f"\nCaravan  sim.economics.gravity.solve_counterfactual, n = {len(codes)}")
    print(
        f"  median {_ms(median)}  (min {_ms(min(times))}, "
        f"p90 {_ms(float(np.quantile(times, 0.9)))}; {len(times)} repeats after {WARMUP} "
        f"warm-up)"
    )
    print(
        f"  converged={caravan['converged']}, Newton iterations={caravan['iterations']}; "
        f"vs book: max |d real GDP| {np.max(np.abs(caravan['gdp_pct'] - book_gdp)):.3f} pp, "
        f"max |d price| {np.max(np.abs(caravan['price_pct'] - book_price)):.3f} pp"
    )
    print(f"  target <= {TARGET_MS:g} ms per counterfactual: {_verdict(median <= TARGET_MS / 1e3)}")

    if gg is None:
        print(f"\ngegravity  not run: {gg_error}")
        print(f"  target >= {TARGET_SPEEDUP:g}x faster than gegravity: NOT MEASURED")
        return

    gg_total = statistics.median(gg["total"])
    gg_sim = statistics.median(gg["simulate"])
    print(
        f"\ngegravity {gg['version']}  OneSectorGE (python {gg['python']}, "
        f"pandas {gg['pandas']}, numpy {gg['numpy']}, omr_rescale={GG_OMR_RESCALE})"
    )
    print(
        f"  median {_ms(gg_total)} per counterfactual, baseline + experiment "
        f"(runs: {', '.join(_ms(t) for t in gg['total'])})"
    )
    print(f"  of which simulate() alone: median {_ms(gg_sim)}")
    speedup = gg_total / median
    print(f"\nRatio gegravity / Caravan: {speedup:,.0f}x (like for like)")
    print(f"  vs gegravity's simulate() step alone: {gg_sim / median:,.0f}x")
    met = _verdict(speedup >= TARGET_SPEEDUP)
    print(f"  target >= {TARGET_SPEEDUP:g}x faster than gegravity: {met}")

    gg_gdp = pd.Series(gg["gdp_pct"], index=gg["codes"]).reindex(codes).to_numpy()
    gg_price = pd.Series(gg["price_pct"], index=gg["codes"]).reindex(codes).to_numpy()
    negative = gg["negative_prices"]
    keep = ~np.isin(codes, negative)
    diff = np.abs(caravan["gdp_pct"] - gg_gdp)
    worst = int(np.nanargmax(diff))
    print("\nResults (percent changes, full GE, INTL_BRDR -> 0):")
    print(
        f"  gegravity converged={gg['converged']}; negative factory-gate prices: "
        f"{len(negative)} ({', '.join(negative) or 'none'})"
    )
    print(
        f"  max |d real GDP| Caravan vs gegravity: {np.nanmax(diff):.2f} pp "
        f"({codes[worst]}: Caravan {caravan['gdp_pct'][worst]:+.2f}%, "
        f"gegravity {gg_gdp[worst]:+.2f}%)"
    )
    print(
        f"  same, excluding the negative-price countries: {np.nanmax(diff[keep]):.2f} pp "
        f"(median {np.nanmedian(diff[keep]):.2f} pp)"
    )
    print(
        f"  max |d factory-gate price| Caravan vs gegravity: "
        f"{np.nanmax(np.abs(caravan['price_pct'] - gg_price)):.2f} pp"
    )
    print(
        f"  vs book: max |d real GDP| Caravan {np.max(np.abs(caravan['gdp_pct'] - book_gdp)):.3f}"
        f" pp, gegravity {np.nanmax(np.abs(gg_gdp - book_gdp)):.2f} pp "
        f"(excluding negative-price countries: "
        f"{np.nanmax(np.abs(gg_gdp - book_gdp)[keep]):.2f} pp)"
    )
    if gg["warnings"]:
        print(f"  gegravity raised {len(gg['warnings'])} distinct warning(s):")
    for message in gg["warnings"]:
        print(f"    {message}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200, help="Caravan timed repeats (>= 50)")
    parser.add_argument("--gegravity-repeats", type=int, default=3)
    parser.add_argument("--no-gegravity", action="store_true")
    parser.add_argument("--scaling-only", action="store_true", help="only the n-scaling table")
    parser.add_argument("--scaling-repeats", type=int, default=20)
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=1,
        help="BLAS threads for the scaling table (1, as in a sweep worker; the machine is shared)",
    )
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="cpu",
        help="clock for the scaling table: cpu (this thread's CPU time, the default: on a "
        "loaded machine wall time also counts the waits for other processes, longer the "
        "longer a call, which flatters the faster method) or wall",
    )
    parser.add_argument(
        "--gegravity-python",
        metavar="PATH",
        help="run gegravity under this interpreter in a subprocess instead of in-process",
    )
    parser.add_argument(GG_WORKER_FLAG, action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.gegravity_worker:  # child process: time gegravity, print one JSON line
        print(json.dumps(run_gegravity(args.gegravity_repeats)))
        return
    if args.repeats < MIN_REPEATS:
        parser.error(f"--repeats must be at least {MIN_REPEATS}")

    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}"
    )
    inputs = yotov_inputs()
    from threadpoolctl import threadpool_limits

    CLOCK[0] = CLOCKS[args.clock]
    with threadpool_limits(limits=args.blas_threads):
        print(f"BLAS threads for the scaling table: {args.blas_threads} (--blas-threads)")
        print(f"clock for the scaling table: {args.clock} (--clock)")
        report_scaling(bench_scaling(args.scaling_repeats, inputs))
    if args.scaling_only:
        return
    caravan = bench_caravan(inputs, args.repeats)

    gg, gg_error = None, None
    if args.no_gegravity:
        gg_error = "--no-gegravity given"
    else:
        try:
            if args.gegravity_python:
                gg = gegravity_subprocess(args.gegravity_python, args.gegravity_repeats)
            else:
                gg = run_gegravity(args.gegravity_repeats)
        except ImportError as exc:
            gg_error = f"{exc} (install it with `uv sync --extra bench`)"
        except Exception as exc:  # report, never hide Caravan's timing
            gg_error = f"{type(exc).__name__}: {exc}"
    report(inputs, caravan, gg, gg_error)


if __name__ == "__main__":
    main(sys.argv[1:])
