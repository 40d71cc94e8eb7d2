"""Settlement layer throughput: trader updates per second, vectorized vs per-agent Mesa.

Run: ``uv run python benchmarks/bench_settlement.py [--quick]``

A "trader update" is one trader processed in one quarter: its revision clock
counts down, its blocking draw is made, and if it revises it draws a currency
from the logit probabilities. Both implementations apply the same rule to the
same probability tables (the hindcast world — the shipped default world
cis2023 — from 2022Q2 on, blocking hazard on, revision rate 0.15 per quarter),
so only the implementation differs:

- vectorized: ``SettlementPhase.step`` (full step: costs, logit, revision,
  shares, cost matrix, headline; the ``settlement.parquet`` table is built on
  first access of ``SettlementResult.table``, so it is timed separately as
  "full step + table", what a caller that reads every quarter's table pays, and
  as "full step + tables at the end", the steps plus one
  ``settlement_tables`` call over their results, what the model pays),
  stepping through successive quarters as the model does (2022Q2, 2022Q3, ...;
  no quarter label repeats), and the revision kernel alone;
- per-agent: one Mesa 3.5 ``Agent`` per trader whose ``step`` does the same
  with Python scalars; timed on a subsample for large populations (per-agent
  cost is linear in N, so the rate carries over).

The machine may be shared: each rate is the median over ``--repeats`` timed
repetitions (best in brackets), and both versions are timed in the same run.
"""

from __future__ import annotations

import argparse
import bisect
import statistics
import time

import mesa
import numpy as np

from sim.quarters import quarter_label, quarter_ordinal
from sim.settlement.choice import choice_table
from sim.settlement.hindcast import calibration_world, hindcast_config
from sim.settlement.phase import SettlementPhase, settlement_tables
from sim.settlement.traders import revise


class TraderAgent(mesa.Agent):
    """One trader; same rule as :func:`sim.settlement.traders.revise`."""

    def __init__(self, model: mesa.Model, row: int, currency: int, clock: int) -> None:
        super().__init__(model)
        self.row = row
        self.currency = currency
        self.clock = clock

    def step(self) -> None:
        m = self.model
        self.clock -= 1
        due = self.clock <= 0
        if not due and m.block is not None:
            due = m.random.random() < m.block[self.row][self.currency]
        if due:
            u = 1.0 - m.random.random()
            self.currency = m.option[self.row][bisect.bisect_left(m.cum[self.row], u)]
            self.clock = m.geometric()


class PerAgentModel(mesa.Model):
    """Mesa model holding one agent per trader and the shared probability tables."""

    def __init__(self, rows, currencies, clocks, choices, block, rate, seed) -> None:
        super().__init__(rng=np.random.default_rng(seed))
        self.cum = [list(r) for r in choices.cum]
        self.option = [list(r) for r in choices.option]
        self.block = None if block is None else [list(r) for r in block]
        self.rate = rate
        self._log1m = np.log1p(-rate)
        for r, c, k in zip(rows, currencies, clocks, strict=True):
            TraderAgent(self, int(r), int(c), int(k))

    def geometric(self) -> int:
        u = 1.0 - self.random.random()
        return 1 + int(np.floor(np.log(u) / self._log1m))

    def step(self) -> None:
        self.agents.do("step")


def build(n: int, seed: int = 0) -> tuple[SettlementPhase, np.ndarray]:
    w = calibration_world()
    cfg = hindcast_config()
    cfg.traders.n_traders = n
    # representative work: 15 % of clocks expire each quarter (the fitted rate is ~0.5 %,
    # which would make almost every update a bare clock decrement for both versions)
    cfg.revision_rate = 0.15
    phase = SettlementPhase(
        w.economies, w.currencies, w.blocs, cfg, w.flows, np.random.default_rng(seed), "2021Q4"
    )
    phase.step("2022Q1", w.flows)
    return phase, w.flows


def _rates(run, n_updates: int, repeats: int) -> tuple[float, float]:
    """(median, best) updates per second of ``run()`` over ``repeats`` timings."""
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        rates.append(n_updates / (time.perf_counter() - t0))
    return statistics.median(rates), max(rates)


def bench_vectorized(n: int, quarters: int, repeats: int) -> tuple[tuple, ...]:
    phase, flows = build(n)
    first = quarter_ordinal("2022Q2")
    labels = iter(quarter_label(first + k) for k in range(10**6))

    def full() -> None:
        for _ in range(quarters):
            phase.step(next(labels), flows)

    def full_table() -> None:
        for _ in range(quarters):
            phase.step(next(labels), flows).table  # noqa: B018 - builds the table

    def full_tables_at_end() -> None:
        settlement_tables([phase.step(next(labels), flows) for _ in range(quarters)])

    full_rates = _rates(full, n * quarters, repeats)
    table_rates = _rates(full_table, n * quarters, repeats)
    end_rates = _rates(full_tables_at_end, n * quarters, repeats)
    core, t = phase.core, phase.traders
    ev = core.evaluate("2022Q2", core.pair_flows(flows), phase.shares)
    c, g = core.market.n_currencies, core.n_groups
    choices = choice_table(ev.prob.reshape(-1, c), np.repeat(ev.available, g, axis=0))
    block = ev.block.reshape(-1)

    def kernel() -> None:
        for _ in range(quarters):
            revise(t, choices, block, phase.cfg.revision_rate, phase.rng)

    return full_rates, _rates(kernel, n * quarters, repeats), table_rates, end_rates


def bench_per_agent(n: int, quarters: int, repeats: int) -> tuple[float, float]:
    phase, flows = build(n)
    core, t = phase.core, phase.traders
    ev = core.evaluate("2022Q2", core.pair_flows(flows), phase.shares)
    c, g = core.market.n_currencies, core.n_groups
    choices = choice_table(ev.prob.reshape(-1, c), np.repeat(ev.available, g, axis=0))
    block = ev.block.reshape(-1, c)
    model = PerAgentModel(t.row, t.currency, t.clock, choices, block, phase.cfg.revision_rate, 1)

    def run() -> None:
        for _ in range(quarters):
            model.step()

    return _rates(run, n * quarters, repeats)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    ap.add_argument("--repeats", type=int, default=7, help="timed repetitions per rate")
    args = ap.parse_args()
    sizes = (20_000, 250_000) if args.quick else (20_000, 250_000, 1_000_000)
    r = args.repeats
    print(f"trader updates per second, median of {r} timings [best] (hindcast world, hazard on)")
    for n in sizes:
        q = 20 if n <= 50_000 else 5
        (full, full_best), (kernel, kernel_best), (table, _), (end, _) = bench_vectorized(n, q, r)
        sub = min(n, 50_000)
        per_agent, per_agent_best = bench_per_agent(sub, 3, r)
        note = "" if sub == n else f" (per-agent timed on a {sub:,}-trader subsample)"
        print(
            f"N={n:>9,}: vectorized full step {full / 1e6:6.1f} M/s [{full_best / 1e6:.1f}], "
            f"revision kernel {kernel / 1e6:6.1f} M/s [{kernel_best / 1e6:.1f}]; per-agent Mesa "
            f"{per_agent / 1e6:5.3f} M/s [{per_agent_best / 1e6:.3f}]; ratio full/per-agent "
            f"{full / per_agent:4.0f}x, kernel/per-agent {kernel / per_agent:4.0f}x{note}"
        )
        print(
            f"{'':12}full step {1e3 * n / full:.3f} ms per quarter (median); full step + "
            f"table {table / 1e6:.1f} M/s, {1e3 * n / table:.3f} ms, "
            f"ratio {table / per_agent:.0f}x; full step + tables at the end "
            f"{end / 1e6:.1f} M/s, {1e3 * n / end:.3f} ms, ratio {end / per_agent:.0f}x"
        )


if __name__ == "__main__":
    main()
