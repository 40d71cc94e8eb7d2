"""Settlement set-up on each pair's option slots (sim/settlement/options.py).

The intercept calibration and the start cost run on (P, K) slots instead of all C
currencies of the world; they must give what the dense (P, C) path gives. The dense set-up
itself was deleted once the slot set-up matched it to 1e-12 on the default run and
``national_currency_push`` (stop 21, commit 5f61d6a); what remains here checks the slot
functions against dense evaluations of the same terms, in-process.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import replace

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sim.quarters import quarters_through
from sim.settlement.costs import economy_liquidity, option_liquidity, static_option_terms
from sim.settlement.options import OptionSet
from sim.settlement.traders import SlotIndex, slot_cells, slot_counts

from .test_engine import phase  # noqa: F401 - the fixture


def test_gather_and_scatter_round_trip():
    offered = np.array([[1, 0, 1, 1], [0, 1, 0, 0], [1, 1, 0, 1]], dtype=bool)
    o = OptionSet.of(offered)
    assert o.column.shape == (3, 3)
    np.testing.assert_array_equal(o.valid.sum(axis=1), [3, 1, 3])
    np.testing.assert_array_equal(o.column[0], [0, 2, 3])
    dense = np.where(offered, np.arange(12.0).reshape(3, 4) + 1.0, 0.0)
    compact = o.gather(dense)
    assert compact[1, 1:].tolist() == [0.0, 0.0]  # padded slots hold 0
    np.testing.assert_array_equal(o.scatter(compact, 4), dense)
    # a middle (group) axis
    dense3 = np.stack([dense, 2 * dense], axis=1)
    np.testing.assert_array_equal(o.scatter(o.gather(dense3), 4), dense3)


def test_option_evaluation_equals_the_dense_one_on_the_slots(phase):  # noqa: F811
    ph, f = phase
    core, m, o = ph.core, ph.market, ph.core.options
    flows = core.pair_flows(f)
    assert o.column.shape[1] < m.n_currencies and not o.valid.all()  # some pairs padded
    on_slot = o.scatter(o.valid.astype(float), m.n_currencies) > 0
    np.testing.assert_array_equal(on_slot, m.ever_available())
    for q in quarters_through("2021Q4", "2023Q2"):  # levers change in 2022Q1-Q4
        dense = core.evaluate(q, flows, ph.shares)
        slots = core.evaluate_options(q, flows, o.gather(ph.shares))
        for name in ("cost", "block", "prob"):
            got = o.scatter(getattr(slots, name), m.n_currencies)
            want = np.where(on_slot[:, None, :], getattr(dense, name), 0.0)
            assert_allclose(got, want, rtol=1e-12, atol=1e-15, err_msg=f"{q} {name}")
        np.testing.assert_array_equal(o.scatter(slots.available, m.n_currencies), dense.available)
        assert_allclose(slots.liquidity, dense.liquidity, rtol=1e-12, atol=1e-15)
        ph.step(q, f)


def test_option_liquidity_equals_the_incidence_product(phase):  # noqa: F811
    ph, f = phase
    core, m, o = ph.core, ph.market, ph.core.options
    flows = core.pair_flows(f)
    want = economy_liquidity(m.incidence, flows, ph.shares, core.exogenous)
    got = option_liquidity(
        (m.exp, m.imp), o.column, flows, o.gather(ph.shares), core.exogenous, len(m.economies)
    )
    assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_slot_cells_point_at_each_traders_currency(phase):  # noqa: F811
    ph, _ = phase
    t, o, g = ph.traders, ph.core.options, ph.core.n_groups
    k = o.column.shape[1]
    cells = slot_cells(t, o.slot_of(ph.market.n_currencies), g, k)
    row, slot = np.divmod(cells, k)
    np.testing.assert_array_equal(row, t.row)
    np.testing.assert_array_equal(o.column[t.row // g, slot], t.currency)
    assert o.valid[t.row // g, slot].all()


def test_slot_index_gives_the_slot_cells_and_updates_only_the_changed(phase):  # noqa: F811
    """The phase's fast :class:`SlotIndex` against the readable :func:`slot_cells`."""
    ph, _ = phase
    t, o, g = deepcopy(ph.traders), ph.core.options, ph.core.n_groups  # the fixture is shared
    slot_of, k = o.slot_of(ph.market.n_currencies), o.column.shape[1]
    index = SlotIndex.of(t, slot_of, g, k)
    cells = index.cells(t.currency)
    np.testing.assert_array_equal(cells, slot_cells(t, slot_of, g, k))
    # move some traders to another of their pair's options; update just those
    rng = np.random.default_rng(3)
    which = np.sort(rng.choice(t.n, size=500, replace=False))
    slot = rng.integers(0, o.valid[t.row[which] // g].sum(axis=1))
    t.currency[which] = o.column[t.row[which] // g, slot]
    assert (cells[which] != slot_cells(t, slot_of, g, k)[which]).any()  # the test can fail
    index.update(cells, t.currency, which)
    np.testing.assert_array_equal(cells, slot_cells(t, slot_of, g, k))


def test_the_phase_keeps_its_slot_cells_and_counts_in_step_with_the_currencies(phase):  # noqa: F811
    ph, f = deepcopy(phase[0]), phase[1]  # the fixture is shared
    t, o, g = ph.traders, ph.core.options, ph.core.n_groups
    slot_of, k = o.slot_of(ph.market.n_currencies), o.column.shape[1]
    before = t.currency.copy()
    for quarter in quarters_through("2021Q4", "2022Q4"):  # hazards: blocked traders move
        ph.step(quarter, f)
        np.testing.assert_array_equal(ph._cells, slot_cells(t, slot_of, g, k))
        np.testing.assert_array_equal(ph._slot_counts, slot_counts(ph._cells, len(t.counts) * g, k))
    assert (t.currency != before).any()


@pytest.mark.parametrize("omega", [0.0, 0.5])
def test_static_terms_on_the_slots_equal_the_dense_ones(phase, omega):  # noqa: F811
    ph, _ = phase
    core, m, o = ph.core, ph.market, ph.core.options
    params = replace(core.cfg.costs, vehicle_leg_hazard=omega)
    lev = core.schedule.at("2022Q4")  # hazard, cards, subsidy and mandate all on
    args = (m, lev.density, lev.hazard, lev.interconnection, lev.cards, lev.subsidy)
    dense = static_option_terms(*args, lev.mandate, params)
    slots = static_option_terms(*args, lev.mandate, params, o.column)
    assert np.any(dense.hazard > 0)
    for name in ("fixed", "coef_imp", "coef_exp", "conversion_fixed", "hazard", "delay_days"):
        got = o.scatter(getattr(slots, name), m.n_currencies)
        want = o.scatter(o.gather(getattr(dense, name)), m.n_currencies)
        assert_allclose(got, want, rtol=1e-12, atol=1e-15, err_msg=name)
