"""Initial shares from the shipped rule table (sim/settlement/initial.py)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sim.data.loader import load_world
from sim.quarters import quarter_ordinal
from sim.settlement.config import SettlementConfig
from sim.settlement.initial import table_shares
from sim.settlement.market import build_market

#: Shares computed by the per-pair pandas version of ``table_shares`` (commit 5f8e9fd),
#: on the cases of :data:`CASES`, before it was vectorized.
REFERENCE = Path(__file__).parent / "data" / "initial_shares_reference.npz"

#: (world, variant, quarter): variant None = the world's flows, an int = flows scaled by
#: uniform(0.2, 5) draws with that seed, "norus"/"nochn" = the world without RUS/CHN.
CASES = [
    ("cis2021", None, "2021Q4"),
    ("cis2021", None, "2022Q1"),
    ("cis2023", None, "2024Q1"),
    ("cis2021", 1, "2021Q4"),
    ("cis2021", 2, "2022Q1"),
    ("cis2021", "norus", "2021Q4"),
    ("cis2021", "nochn", "2022Q1"),
]


def case_inputs(world: str, variant: object, quarter: str):
    """Market, pair flows and offered options of one reference case."""
    w = load_world(world)
    eco, cur, flows = list(w.economies), list(w.currencies), np.array(w.flows, float)
    blocs = {b: tuple(m) for b, m in w.blocs.items()}
    if isinstance(variant, int):
        flows = flows * np.random.default_rng(variant).uniform(0.2, 5.0, flows.shape)
    elif variant in ("norus", "nochn"):
        drop = eco.index("RUS" if variant == "norus" else "CHN")
        keep = [i for i in range(len(eco)) if i != drop]
        eco, cur = [eco[i] for i in keep], [cur[i] for i in keep]
        flows = flows[np.ix_(keep, keep)]
        blocs = {b: tuple(x for x in m if x in eco) for b, m in blocs.items()}
    m = build_market(eco, cur, blocs, SettlementConfig())
    f = flows.reshape(-1)[m.exp * len(eco) + m.imp]
    return m, f, m.available(quarter_ordinal(quarter))


@pytest.mark.parametrize("k", range(len(CASES)))
def test_vectorized_shares_equal_the_per_pair_version(k):
    ref = np.load(REFERENCE)
    m, f, avail = case_inputs(*CASES[k])
    shares, solved = table_shares(m, f, avail)
    assert_allclose(shares, ref[f"case{k}_shares"], rtol=1e-12, atol=1e-12)
    got = np.array([solved.get(c, np.nan) for c in ("USD", "EUR", "RUB")])
    assert_allclose(got, ref[f"case{k}_solved"], rtol=1e-12, atol=1e-12, equal_nan=True)
    assert_allclose(shares.sum(axis=1), 1.0, rtol=1e-12)
    assert not (shares[~avail] > 0).any()


def test_table_shares_is_fast():
    m, f, avail = case_inputs("cis2021", None, "2021Q4")
    table_shares(m, f, avail)  # the shipped table is read (and cached) once
    best = min(_timed(table_shares, m, f, avail) for _ in range(5))
    assert best < 0.02, f"table_shares took {best * 1e3:.1f} ms (target <= 20 ms)"


def _timed(fn, *args) -> float:
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t
