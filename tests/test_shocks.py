"""The `shock` config group: every option composes, runs, and moves what it should."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import CaravanModel


def run(config_for, *overrides):
    model = CaravanModel(config_for("sim.quarters=2", *overrides))
    model.run()
    return model


@pytest.fixture(scope="module")
def baseline(config_for):
    return run(config_for, "shock=none")


def pair(model, exporter, importer):
    w = model.world
    return w.index(exporter), w.index(importer)


@pytest.mark.parametrize(
    ("shock", "exporter", "importer"),
    [("red_sea", "CHN", "EUU"), ("eu_border_closure", "CHN", "EUU")],
)
def test_corridor_shock_from_the_first_quarter_raises_tau_and_cuts_flow(
    config_for, baseline, shock, exporter, importer
):
    shocked = run(config_for, f"shock={shock}")
    i, j = pair(shocked, exporter, importer)
    assert shocked.routing_result.tau_ratio[i, j] > 1.0
    assert shocked.flows[i, j] < baseline.flows[i, j]


def test_payment_block_shock_moves_russian_receipts_out_of_usd_eur(config_for):
    base = CaravanModel(config_for("sim.quarters=4", "sim.start=2024Q3"))
    base.run()
    shocked = CaravanModel(config_for("sim.quarters=4", "sim.start=2024Q3", "shock=payment_block"))
    shocked.run()
    key = "rus_exports_usd_eur"
    assert shocked.records.world[-1][key] < base.records.world[-1][key]


def test_no_shock_leaves_tau_unchanged_in_the_first_quarter(baseline):
    first = CaravanModel(baseline.cfg)
    first.step()
    np.testing.assert_allclose(first.routing_result.tau_ratio, 1.0, rtol=0, atol=0)
