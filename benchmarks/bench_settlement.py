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

The machine may be shared: the versions are timed round-robin (one timing of
each per round, ``--repeats`` rounds), each rate is the median over the rounds
(best in brackets) and each ratio the median of the per-round ratios, so a
change of load during the run hits both sides alike.
"""

from __future__ import annotations

import argparse
import bisect
import statistics
import time
from collections.abc import Callable

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


def _interleaved(runs: dict[str, tuple[Callable[[], None], int]], repeats: int) -> dict:
    """Updates per second of each run, timed round-robin ``repeats`` times.

    One timing of every run per round, so a change in the machine's load hits all
    of them alike; a ratio is taken within each round, then the median over rounds.

    Args:
        runs: name → (function, trader updates it performs).
        repeats: Rounds.

    Returns:
        name → list of rates (one per round).
    """
    rates: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, (run, n_updates) in runs.items():
            t0 = time.perf_counter()
            run()
            rates[name].append(n_updates / (time.perf_counter() - t0))
    return rates


def vectorized_runs(n: int, quarters: int) -> dict[str, tuple[Callable[[], None], int]]:
    """The vectorized runs: full steps, with a table every quarter, with tables at the end,
    and the revision kernel alone; each ``quarters`` successive quarters."""
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

    core, t = phase.core, phase.traders
    ev = core.evaluate("2022Q2", core.pair_flows(flows), phase.shares)
    c, g = core.market.n_currencies, core.n_groups
    choices = choice_table(ev.prob.reshape(-1, c), np.repeat(ev.available, g, axis=0))
    block = ev.block.reshape(-1)

    def kernel() -> None:
        for _ in range(quarters):
            revise(t, choices, block, phase.cfg.revision_rate, phase.rng)

    u = n * quarters
    return {
        "full": (full, u),
        "table": (full_table, u),
        "end": (full_tables_at_end, u),
        "kernel": (kernel, u),
    }


def per_agent_run(n: int, quarters: int) -> tuple[Callable[[], None], int]:
    """The per-agent Mesa run on the same probability tables."""
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

    return run, n * quarters


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    ap.add_argument("--repeats", type=int, default=7, help="timed rounds")
    args = ap.parse_args()
    sizes = (20_000, 250_000) if args.quick else (20_000, 250_000, 1_000_000)
    r = args.repeats
    print(
        f"trader updates per second, median of {r} interleaved rounds [best]; ratios to the "
        "per-agent Mesa version: median of the per-round ratios (hindcast world, hazard on)"
    )
    for n in sizes:
        q = 20 if n <= 50_000 else 5
        sub = min(n, 50_000)
        runs = {**vectorized_runs(n, q), "agent": per_agent_run(sub, 3)}
        rates = _interleaved(runs, r)
        med = {k: statistics.median(v) for k, v in rates.items()}
        best = {k: max(v) for k, v in rates.items()}
        ratio = {
            k: statistics.median(a / b for a, b in zip(rates[k], rates["agent"], strict=True))
            for k in ("full", "table", "end", "kernel")
        }
        note = "" if sub == n else f" (per-agent timed on a {sub:,}-trader subsample)"
        print(
            f"N={n:>9,}: vectorized full step {med['full'] / 1e6:6.1f} M/s "
            f"[{best['full'] / 1e6:.1f}], revision kernel {med['kernel'] / 1e6:6.1f} M/s "
            f"[{best['kernel'] / 1e6:.1f}]; per-agent Mesa {med['agent'] / 1e6:5.3f} M/s "
            f"[{best['agent'] / 1e6:.3f}]; ratio full/per-agent {ratio['full']:4.0f}x, "
            f"kernel/per-agent {ratio['kernel']:4.0f}x{note}"
        )
        print(
            f"{'':12}full step {1e3 * n / med['full']:.3f} ms per quarter (median); full step + "
            f"table {med['table'] / 1e6:.1f} M/s, {1e3 * n / med['table']:.3f} ms, "
            f"ratio {ratio['table']:.0f}x; full step + tables at the end "
            f"{med['end'] / 1e6:.1f} M/s, {1e3 * n / med['end']:.3f} ms, ratio {ratio['end']:.0f}x"
        )


if __name__ == "__main__":
    main()
