"""Time one dashboard step on the default world: the model's quarter plus every chart rebuilt.

Budget (issue #8): ≤ 200 ms per step. Run: ``uv run python benchmarks/bench_dashboard.py``.

What a Step costs on the server is (a) ``DashboardModel.step()`` and (b) re-rendering
each component, i.e. building its Altair/Vega-Lite spec and serialising it to JSON
(what Solara ships to the browser). Drawing happens in the browser and is not timed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from sim.dashboard import charts
from sim.dashboard.components import readout_html
from sim.dashboard.model import DashboardModel

BUDGET_MS = 200.0


def render_all(model: DashboardModel) -> int:
    """Build and serialise every component's output; returns the payload size (bytes)."""
    specs = [
        charts.headline_chart(model.history),
        charts.real_income_chart(model.real_income()),
        charts.settlement_chart(model.history),
        charts.corridor_map(model.segment_volumes),
    ]
    size = len(readout_html(model))
    for spec in specs:
        if spec is not None:
            size += len(json.dumps(spec.to_dict()))
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarters", type=int, default=40)
    args = parser.parse_args()

    t0 = time.perf_counter()
    model = DashboardModel(quarters=args.quarters)
    init_s = time.perf_counter() - t0
    render_all(model)  # warm-up: Altair schema, corridor tables

    step_ms, render_ms = [], []
    for _ in range(args.quarters):
        t = time.perf_counter()
        model.step()
        step_ms.append((time.perf_counter() - t) * 1e3)
        t = time.perf_counter()
        payload = render_all(model)
        render_ms.append((time.perf_counter() - t) * 1e3)
    total = [a + b for a, b in zip(step_ms, render_ms, strict=True)]
    layers = [
        name
        for name, attr in (("routing", "routing_result"), ("settlement", "settlement_result"))
        if getattr(model, attr, None) is not None
    ]
    print(f"default world, {args.quarters} quarters, phases: trade + {', '.join(layers) or 'none'}")
    print(f"model init (incl. config compose): {init_s * 1e3:.0f} ms")
    for name, values in (("model step", step_ms), ("render", render_ms), ("step+render", total)):
        print(
            f"{name:>12}: median {statistics.median(values):6.1f} ms, "
            f"p90 {statistics.quantiles(values, n=10)[-1]:6.1f} ms, "
            f"max {max(values):6.1f} ms, mean {statistics.fmean(values):6.1f} ms"
        )
    print(f"payload at the last quarter: {payload / 1024:.0f} KiB")
    verdict = "OK" if statistics.median(total) <= BUDGET_MS else "OVER BUDGET"
    print(f"budget {BUDGET_MS:.0f} ms per step (median step+render): {verdict}")


if __name__ == "__main__":
    main()
