"""The structural-gravity GE core against the book, closed forms and invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.economics.gravity import (
    GravityInputError,
    NoEquilibriumError,
    solve_counterfactual,
    solve_in_changes,
    spending_ratios,
)
from sim.economics.welfare import acr_welfare_change

from .conftest import SIGMA


@pytest.fixture(scope="module")
def no_borders(yotov):
    return solve_counterfactual(
        yotov.output, yotov.expenditure, yotov.cost_base, yotov.cost_new, SIGMA, yotov.reference
    )


def test_reproduces_yotov_real_gdp(no_borders, yotov):
    ours = (no_borders.real_gdp - 1) * 100
    diff = np.abs(ours - yotov.results.real_gdp_change_pct.to_numpy())
    assert no_borders.converged
    assert diff.max() <= 0.7, yotov.codes[int(diff.argmax())]
    assert np.median(diff) <= 0.15


def test_reproduces_yotov_factory_gate_prices(no_borders, yotov):
    ours = (no_borders.price - 1) * 100
    diff = np.abs(ours - yotov.results.factory_gate_price_change_pct.to_numpy())
    assert diff.max() <= 0.7, yotov.codes[int(diff.argmax())]
    assert np.median(diff) <= 0.15


def test_reference_inward_resistance_is_numeraire(no_borders, yotov):
    assert no_borders.inward_resistance[yotov.reference] == pytest.approx(1.0, abs=1e-14)


def test_acr_identity_to_machine_precision(no_borders):
    lam_base = np.diag(no_borders.flows_base) / no_borders.flows_base.sum(axis=0)
    lam_new = np.diag(no_borders.flows_new) / no_borders.flows_new.sum(axis=0)
    acr = acr_welfare_change(lam_base, lam_new, SIGMA)
    np.testing.assert_allclose(no_borders.real_gdp, acr, rtol=1e-10, atol=0)


def test_adding_up(no_borders, yotov):
    base, new = no_borders.flows_base, no_borders.flows_new
    np.testing.assert_allclose(base.sum(axis=1), yotov.output, rtol=1e-10)
    np.testing.assert_allclose(base.sum(axis=0), yotov.expenditure, rtol=1e-10)
    np.testing.assert_allclose(new.sum(axis=1), no_borders.price * yotov.output, rtol=1e-10)
    assert new.sum() == pytest.approx(new.sum(axis=0).sum(), rel=1e-12)  # exports = imports
    off = ~np.eye(len(yotov.codes), dtype=bool)
    assert (new * off).sum(axis=1).sum() == pytest.approx((new * off).sum(axis=0).sum(), rel=1e-12)


def test_zero_shock_returns_baseline_exactly(yotov):
    result = solve_counterfactual(
        yotov.output, yotov.expenditure, yotov.cost_base, yotov.cost_base, SIGMA, yotov.reference
    )
    assert result.iterations == 0
    np.testing.assert_array_equal(result.flows_new, result.flows_base)
    np.testing.assert_allclose(result.price, 1.0, rtol=0, atol=1e-15)
    np.testing.assert_allclose(result.real_gdp, 1.0, rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sigma": 1.0}, "sigma"),
        ({"sigma": 0.5}, "sigma"),
        ({"output": np.array([1.0, np.nan, 1.0])}, "NaN"),
        ({"output": np.array([1.0, 1.0])}, "length"),
        ({"trade_cost_new": -np.ones((3, 3))}, "> 0"),
        ({"trade_cost_base": np.ones((3, 4))}, "shape"),
        ({"reference": 5}, "reference"),
    ],
)
def test_invalid_input_raises(kwargs, message):
    args = {
        "output": np.array([3.0, 2.0, 1.0]),
        "expenditure": np.array([2.5, 2.5, 1.0]),
        "trade_cost_base": np.full((3, 3), 1.5),
        "trade_cost_new": np.full((3, 3), 1.2),
        "sigma": 5.0,
        "reference": 0,
    }
    args.update(kwargs)
    with pytest.raises(GravityInputError, match=message):
        solve_counterfactual(**args)


def test_tariff_revenue_is_rebated_to_importer():
    flows = np.array([[50.0, 5.0, 3.0], [4.0, 40.0, 2.0], [6.0, 1.0, 30.0]])
    tariff_new = np.full((3, 3), 0.10)
    np.fill_diagonal(tariff_new, 0.0)
    result = solve_in_changes(flows, np.ones((3, 3)), 5.0, tariff_new=tariff_new, reference=None)
    new = result.flows_new
    revenue = (new * tariff_new / (1 + tariff_new)).sum(axis=0)
    np.testing.assert_allclose(result.tariff_revenue, revenue, rtol=1e-12)
    producer_sales = (new / (1 + tariff_new)).sum(axis=1)
    output = flows.sum(axis=1) * result.price
    np.testing.assert_allclose(producer_sales, output, rtol=1e-10)
    # Expenditure = producer income (with the common deficit factor, 1 here as trade is
    # balanced only on average) + rebated revenue: world spending adds up.
    assert new.sum() == pytest.approx(output.sum() + revenue.sum(), rel=1e-10)
    # A uniform tariff on imports lowers everyone's imports.
    off = ~np.eye(3, dtype=bool)
    assert np.all((new * off).sum(axis=0) < (flows * off).sum(axis=0))


def test_lower_bilateral_cost_raises_that_flow():
    flows = np.array([[50.0, 5.0, 3.0], [4.0, 40.0, 2.0], [6.0, 1.0, 30.0]])
    cost_hat = np.ones((3, 3))
    cost_hat[0, 1] = 0.9
    result = solve_in_changes(flows, cost_hat, 5.0, reference=2)
    assert result.flows_new[0, 1] > flows[0, 1] * result.expenditure[1]
    assert result.real_income[0] > 1 and result.real_income[1] > 1


@st.composite
def random_world(draw, balanced: bool):
    """A random world. Unbalanced worlds get moderate shocks: a deficit must stay
    financeable by trade (a world pushed to autarky cannot carry fixed deficits)."""
    n = draw(st.integers(min_value=2, max_value=8))
    flows = draw(arrays(float, (n, n), elements=st.floats(0.01, 100.0)))
    if balanced:
        flows = flows + flows.T
    flows = flows + np.diag(draw(arrays(float, n, elements=st.floats(50.0, 500.0))))
    low, high = (0.5, 2.0) if balanced else (0.8, 1.25)
    cost_hat = draw(arrays(float, (n, n), elements=st.floats(low, high)))
    np.fill_diagonal(cost_hat, 1.0)
    tariff = draw(arrays(float, (n, n), elements=st.floats(0.0, 0.5 if balanced else 0.2)))
    np.fill_diagonal(tariff, 0.0)
    sigma = draw(st.floats(1.5, 10.0))
    return flows, cost_hat, tariff, sigma


@settings(max_examples=40, deadline=None)
@given(st.one_of(random_world(balanced=True), random_world(balanced=False)))
def test_random_worlds_add_up_with_positive_prices(world):
    flows, cost_hat, tariff, sigma = world
    result = solve_in_changes(flows, cost_hat, sigma, tariff_new=tariff, reference=0)
    assert result.converged
    assert np.all(result.price > 0) and np.all(np.isfinite(result.price))
    new = result.flows_new
    output_new = flows.sum(axis=1) * result.price
    np.testing.assert_allclose((new / (1 + tariff)).sum(axis=1), output_new, rtol=1e-9)
    revenue = (new * tariff / (1 + tariff)).sum(axis=0)
    assert new.sum() == pytest.approx(output_new.sum() + revenue.sum(), rel=1e-9)


def test_a_world_split_by_bans_has_no_equilibrium_and_says_why():
    # Economy 2 can neither buy from nor sell to the others: one world price level
    # cannot exist (its relative price is undetermined), so the solver refuses.
    flows = np.array([[50.0, 5.0, 3.0], [4.0, 40.0, 2.0], [6.0, 1.0, 30.0]])
    allowed = np.ones((3, 3))
    allowed[2, :2] = allowed[:2, 2] = 0.0
    with pytest.raises(NoEquilibriumError, match="no trade at all") as caught:
        solve_in_changes(flows, np.ones((3, 3)), 5.0, allowed=allowed)
    assert caught.value.economies == [2]
    assert "#2" in str(caught.value)


def test_a_ban_cuts_the_flow_and_leaves_every_deficit_ratio_at_baseline():
    flows = np.array([[50.0, 9.0, 3.0], [2.0, 40.0, 2.0], [6.0, 1.0, 30.0]])
    allowed = np.ones((3, 3))
    allowed[0, 1] = 0.0  # a full ban on 0 -> 1
    result = solve_in_changes(flows, np.ones((3, 3)), 5.0, allowed=allowed)
    assert result.flows_new[0, 1] == 0.0
    income = result.flows_new.sum(axis=1)
    spending = result.flows_new.sum(axis=0)
    # E'_j / Y'_j = κ φ_j with one κ for all: the ban moved no deficit
    ratio = (spending / income) / spending_ratios(flows)
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-10)
    half = np.ones((3, 3))
    half[0, 1] = 0.5
    partial = solve_in_changes(flows, np.ones((3, 3)), 5.0, allowed=half)
    assert 0 < partial.flows_new[0, 1] < flows[0, 1]


@pytest.mark.parametrize("share", [0.3, 0.8, 1.0])
def test_symmetric_ban_matches_the_closed_form(share):
    # Two identical economies, balanced trade, domestic share λ, a ban on a share β
    # of both flows: by symmetry p̂ = 1, so P̂^(1−σ) = λ + (1−β)(1−λ) and
    # Ŵ = 1/P̂ = (1 − β(1−λ))^(1/(σ−1)). A full ban isolates both: no equilibrium.
    sigma, lam = 4.0, 0.7
    flows = np.array([[lam, 1 - lam], [1 - lam, lam]]) * 100.0
    allowed = np.array([[1.0, 1 - share], [1 - share, 1.0]])
    if share == 1.0:
        with pytest.raises(NoEquilibriumError, match="no trade at all"):
            solve_in_changes(flows, np.ones((2, 2)), sigma, allowed=allowed)
        return
    result = solve_in_changes(flows, np.ones((2, 2)), sigma, allowed=allowed, reference=None)
    expected = (1 - share * (1 - lam)) ** (1 / (sigma - 1))
    np.testing.assert_allclose(result.real_income, expected, rtol=1e-10)
    np.testing.assert_allclose(result.price, 1.0, rtol=1e-10)


def test_an_embargoed_surplus_economy_gets_no_welfare_from_its_lost_surplus():
    # Economy 0 runs a surplus on its sales to 1 (the large partner), which then bans
    # all trade with 0 both ways. 0's real income may change only through its terms
    # of trade and the common κ: Ŵ_j / (p̂_j / P̂_j) is one number for every economy,
    # and 0, which loses its best market, is poorer.
    flows = np.array([[40.0, 25.0, 5.0], [5.0, 400.0, 30.0], [8.0, 40.0, 200.0]])
    allowed = np.ones((3, 3))
    allowed[0, 1] = allowed[1, 0] = 0.0
    result = solve_in_changes(flows, np.ones((3, 3)), 5.0, allowed=allowed)
    channel = result.real_income / result.real_gdp
    np.testing.assert_allclose(channel, channel[0], rtol=1e-10)
    assert result.real_income[0] < 0.99 and result.real_gdp[0] < 0.99


def test_a_one_sided_total_ban_that_no_price_can_finance_is_refused():
    # 0 runs a surplus; a ban on all its exports leaves it imports it cannot pay for.
    flows = np.array([[50.0, 9.0, 3.0], [2.0, 40.0, 2.0], [6.0, 1.0, 30.0]])
    allowed = np.ones((3, 3))
    allowed[0, 1] = allowed[0, 2] = 0.0
    with pytest.raises(NoEquilibriumError, match="cut all of #0's exports") as caught:
        solve_in_changes(flows, np.ones((3, 3)), 5.0, allowed=allowed)
    assert caught.value.economies == [0]


def test_unbalanced_levels_are_refused_with_the_rule():
    with pytest.raises(GravityInputError, match="world expenditure"):
        solve_counterfactual(
            np.array([3.0, 2.0, 1.0]),
            np.array([3.0, 3.0, 1.0]),
            np.full((3, 3), 1.5),
            np.full((3, 3), 1.2),
            5.0,
        )
