"""The slot layout reproduces the full (P, G, C) arithmetic bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from sim.settlement.compact import float32_threshold, pairwise_program, pairwise_sum_rows

from .test_fastpath import phase  # noqa: F401 - fixture


@pytest.mark.parametrize("c", [1, 3, 7, 8, 9, 15, 16, 17, 24, 31, 128])
def test_pairwise_sum_matches_numpy(c):
    rng = np.random.default_rng(c)
    x = rng.random((500, c)) * rng.choice([1e-30, 1e-5, 1.0, 1e5], size=(500, c))
    x[rng.random((500, c)) < 0.6] = 0.0
    ref = x.sum(axis=1)
    got = pairwise_sum_rows(np.ascontiguousarray(x.T), pairwise_program(c))
    assert got.tobytes() == ref.tobytes()


def test_slot_step_equals_full_evaluation(phase):  # noqa: F811
    ph, f = phase
    core = ph.core
    c, g = core.market.n_currencies, core.n_groups
    cc = ph._compact
    for q in ("2021Q4", "2022Q1", "2022Q2", "2022Q3", "2023Q1"):
        flows = core.pair_flows(f)
        ev = core.evaluate(q, flows, ph.shares)
        cc.gather_static(core.static(q))
        cost, cum = cc.evaluate(*core.spreads(flows, ph.shares))
        full = cc.full_cost(cost)
        slots = cc.opt[np.repeat(np.arange(core.market.n_pairs), g)].T
        rows = np.arange(cost.shape[1])
        for k in range(cc.n_slots):
            ok = cc.valid_pg[k]
            assert np.array_equal(cost[k][ok], ev.cost.reshape(-1, c)[rows[ok], slots[k][ok]])
        assert np.array_equal(full[full != 0], ev.cost[full != 0])
        prob = ev.prob.reshape(-1, c)
        ref = np.cumsum(prob, axis=1)
        ref /= ref[:, -1:]
        for k in range(cc.n_slots):
            ok = cc.valid_pg[k]
            assert np.array_equal(cum[k][ok], ref[rows[ok], slots[k][ok]])
        r = ph.step(q, f)
        assert list(r.table.columns)[0] == "quarter"


def test_result_table_is_lazy_and_picklable(phase):  # noqa: F811
    import copy
    import pickle

    ph, f = phase
    r = ph.step("2022Q1", f)
    r2 = pickle.loads(pickle.dumps(r))
    r3 = copy.deepcopy(r)
    assert r2.table.equals(r.table) and r3.table.equals(r.table)
    assert r.table is r.table
    assert np.array_equal(r2.cost, r.cost) and list(r2.headline) == list(r.headline)
    np.testing.assert_array_equal(list(r2.headline.values()), list(r.headline.values()))


def test_shared_levers_equal_resolution(phase):  # noqa: F811
    from sim.settlement.quarters import quarter_index, quarter_range

    ph, _ = phase
    sched = ph.core.schedule
    for q in quarter_range("2020Q1", "2026Q4"):
        lev, ref = sched.at(q), sched._resolve(quarter_index(q))
        for k in ("density", "interconnection", "cards", "hazard", "subsidy", "mandate"):
            assert np.array_equal(getattr(lev, k), getattr(ref, k)), (q, k)


def test_float32_threshold_gives_the_same_blocking_draws():
    rng = np.random.default_rng(0)
    x = rng.random(200_000, dtype=np.float32)
    edge = np.array([0.0, 1e-300, 1e-45, 1e-40, 0.5, 1.0 - 2**-53, 1.0])
    p = np.concatenate([rng.random(1000), rng.random(1000) * 1e-6, edge, x[:1000]])
    p = np.concatenate([p, np.nextafter(x[:1000].astype(float), 1.0)])
    thr = float32_threshold(p)
    assert thr.dtype == np.float32 and np.all(thr >= p)
    for k in range(p.size):
        assert np.array_equal(x < p[k], x < thr[k]), p[k]


def test_tables_of_many_quarters_equal_the_concatenated_tables(phase):  # noqa: F811
    import io
    import pickle

    import pandas as pd

    from sim.settlement.phase import settlement_tables

    ph, f = phase
    results = [ph.step(q, f) for q in ("2021Q4", "2022Q1", "2022Q2", "2022Q3", "2023Q1")]
    many = settlement_tables(results)
    ref = pd.concat([r.table for r in results], ignore_index=True)
    assert many.equals(ref) and many.dtypes.equals(ref.dtypes)

    def parquet(frame: pd.DataFrame) -> bytes:
        buf = io.BytesIO()
        frame.to_parquet(buf, index=False, engine="pyarrow", compression="zstd")
        return buf.getvalue()

    assert parquet(many) == parquet(ref)
    # a result without its source (unpickled: table built) takes the concatenation path
    mixed = [pickle.loads(pickle.dumps(results[0])), *results[1:]]
    assert settlement_tables(mixed).equals(ref)
