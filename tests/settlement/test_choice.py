"""Logit, intercept calibration and the mean-field step."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.settlement.choice import (
    ChoiceLayout,
    calibrate_intercepts,
    choice_table,
    draw_choice,
    logit_probabilities,
    meanfield_step,
    revision_probability,
)


def test_binary_logit_closed_form():
    cost = np.array([[[0.010, 0.004]]])
    p = logit_probabilities(np.zeros((1, 2)), cost, 200.0, np.ones((1, 2), bool))
    assert p[0, 0, 1] == pytest.approx(1 / (1 + np.exp(-200 * 0.006)))


def test_unavailable_options_get_zero():
    rng = np.random.default_rng(0)
    avail = rng.random((5, 4)) < 0.6
    avail[:, 0] = True
    p = logit_probabilities(rng.normal(size=(5, 4)), rng.random((5, 3, 4)) * 0.01, 300, avail)
    assert np.all(p[~np.broadcast_to(avail[:, None, :], p.shape)] == 0)
    assert np.allclose(p.sum(axis=2), 1)


@pytest.mark.parametrize("free_vehicles_only", [False, True])
def test_intercepts_reproduce_targets(free_vehicles_only):
    rng = np.random.default_rng(3)
    npairs, g, c = 6, 4, 5
    avail = np.ones((npairs, c), bool)
    avail[0, 3] = False
    target = rng.dirichlet(np.ones(c), npairs) * avail
    target /= target.sum(1, keepdims=True)
    cost = rng.random((npairs, g, c)) * 0.02
    w = rng.dirichlet(np.ones(g), npairs)
    free = np.zeros_like(avail)
    free[:, [0, 1]] = True
    a = calibrate_intercepts(
        target, avail, cost, w, 150.0, free=free if free_vehicles_only else None
    )
    s = (w[:, :, None] * logit_probabilities(a, cost, 150.0, avail)).sum(1)
    if free_vehicles_only:
        assert np.allclose(s[:, :2], target[:, :2], atol=1e-9)
        assert np.allclose(s[:, 2:].sum(1), target[:, 2:].sum(1), atol=1e-9)
        assert np.all(a[:, 2:] == 0)
    else:
        assert np.allclose(s, target, atol=1e-9)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.01, 1.0))
def test_meanfield_step_conserves_mass_and_fixed_point(seed, rate):
    rng = np.random.default_rng(seed)
    m = rng.dirichlet(np.ones(4), (3, 2))
    prob = rng.dirichlet(np.ones(4), (3, 2))
    block = rng.random((3, 2, 4)) * 0.5
    q = revision_probability(block, rate)
    out = meanfield_step(m, prob, q)
    assert np.allclose(out.sum(2), 1)
    assert np.all(out >= -1e-15)
    # with uniform revision the logit probabilities are the fixed point
    uniform = np.full_like(q, rate)
    assert np.allclose(meanfield_step(prob, prob, uniform), prob)


def test_revision_probability_formula():
    assert revision_probability(np.array(0.0), 0.2) == pytest.approx(0.2)
    assert revision_probability(np.array(1.0), 0.2) == pytest.approx(1.0)
    assert revision_probability(np.array(0.5), 0.2) == pytest.approx(1 - 0.8 * 0.5)


def test_choice_table_ends_at_one_on_last_offered():
    prob = np.array([[0.3, 0.7 - 1e-12, 0.0], [0.0, 0.0, 1.0]])
    avail = np.array([[True, True, False], [False, False, True]])
    t = choice_table(prob, avail)
    assert t.cum.shape == (2, 2)  # compact: at most two options offered on a row
    assert t.cum[0, 1] == 1.0 and t.cum[1, 0] == 1.0 and t.cum[1, 1] == 1.0
    np.testing.assert_array_equal(t.option[:, 0], [0, 2])
    # a draw u = 1 lands on the last offered option, never beyond
    got = draw_choice(t, np.array([0, 0, 1, 1]), np.array([1.0, 0.3, 1e-300, 1.0]))
    np.testing.assert_array_equal(got, [1, 0, 2, 2])


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10_000))
def test_draw_choice_equals_the_full_row_inverse_cdf(seed):
    """The compact table draws exactly what an argmax over the full cumulative row draws."""
    rng = np.random.default_rng(seed)
    r, c = 7, 9
    avail = rng.random((r, c)) < 0.4
    avail[np.arange(r), rng.integers(0, c, r)] = True
    w = np.where(avail, rng.random((r, c)) ** 3, 0.0)
    prob = w / w.sum(axis=1, keepdims=True)
    cum = np.cumsum(prob, axis=1)
    last = c - 1 - np.argmax(avail[:, ::-1], axis=1)
    cum[np.arange(c)[None, :] >= last[:, None]] = 1.0
    rows = rng.integers(0, r, 500)
    u = 1.0 - rng.random(500)
    full = np.argmax(cum[rows] >= u[:, None], axis=1)
    np.testing.assert_array_equal(draw_choice(choice_table(prob, avail), rows, u), full)


def test_a_kept_choice_layout_gives_the_table_of_new_probabilities():
    """The phase keeps a :class:`ChoiceLayout` over quarters with the same options."""
    rng = np.random.default_rng(4)
    avail = rng.random((6, 5)) < 0.5
    avail[np.arange(6), rng.integers(0, 5, 6)] = True
    layout = ChoiceLayout.of(avail)
    for _ in range(3):
        w = np.where(avail, rng.random((6, 5)), 0.0)
        prob = w / w.sum(axis=1, keepdims=True)
        want, got = choice_table(prob, avail), layout.table(prob)
        np.testing.assert_array_equal(got.cum, want.cum)
        np.testing.assert_array_equal(got.option, want.option)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10_000))
def test_draw_choice_equals_the_argmax_over_the_compact_rows(seed):
    """Counting the columns below u is argmax(cum >= u), at ties and at the ends too."""
    rng = np.random.default_rng(seed)
    r, c = 9, 6
    avail = rng.random((r, c)) < 0.5
    avail[np.arange(r), rng.integers(0, c, r)] = True
    w = np.where(avail & (rng.random((r, c)) < 0.8), rng.random((r, c)) ** 3, 0.0)
    w[w.sum(axis=1) == 0, np.argmax(avail[w.sum(axis=1) == 0], axis=1)] = 1.0
    t = choice_table(w / w.sum(axis=1, keepdims=True), avail)
    if t.cum.shape[1] > 1:  # a row whose cumulative rounds above 1 before its last column
        t.cum[0, -2] = np.nextafter(1.0, 2.0)
    rows = rng.integers(0, r, 400)
    u = 1.0 - rng.random(400)
    # u in (0, 1]: on a cumulative (capped at 1), at 1, at the smallest float
    u[:100] = np.minimum(t.cum[rows[:100], rng.integers(0, t.cum.shape[1], 100)], 1.0)
    u[100:110] = 1.0
    u[110:120] = 5e-324
    want = t.option[rows, np.argmax(t.cum[rows] >= u[:, None], axis=1)]
    np.testing.assert_array_equal(draw_choice(t, rows, u), want)
