"""DESIGN §5's stylized fact on simulated flows: the distance effect of structural gravity.

A default run (12 quarters) in process; the last quarter's flows among the modelled
economies (ROW has no distance) are fitted by FE-PPML on distance alone with exporter and
importer fixed effects (Head & Mayer 2014: about -1). The GE moves trade costs and sizes,
not distances, so the simulated elasticity must stay near the calibration matrix's, and in
the band [-1.3, -0.7] where the calibration matrix is in it.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.data.ppml import distance_elasticity
from sim.model import CaravanModel

BAND = (-1.3, -0.7)


def _last_quarter(config_for, world: str) -> tuple[float, float]:
    model = CaravanModel(config_for(f"world.name={world}"))
    model.run()
    k = model.world.n - 1
    dist = np.asarray(model.world.distance[:k, :k])
    simulated, _ = distance_elasticity(model.flows[:k, :k], dist)
    calibrated, _ = distance_elasticity(np.asarray(model.world.flows[:k, :k]), dist)
    return simulated, calibrated


@pytest.fixture(scope="module")
def cis2023(config_for) -> tuple[float, float]:
    return _last_quarter(config_for, "cis2023")


def test_simulated_distance_elasticity_stays_near_the_calibration(cis2023) -> None:
    simulated, calibrated = cis2023
    assert simulated < 0
    assert abs(simulated - calibrated) < 0.1, (simulated, calibrated)


@pytest.mark.xfail(
    strict=True,
    reason="the default world cis2023 keeps the published 2023 cells, whose elasticity is "
    "-0.52 (sim/data/cis2023/DATA_REPORT.md); the run inherits it",
)
def test_simulated_distance_elasticity_in_band_default_world(cis2023) -> None:
    simulated, _ = cis2023
    assert BAND[0] <= simulated <= BAND[1], simulated


def test_simulated_distance_elasticity_in_band_cis2021(config_for) -> None:
    simulated, calibrated = _last_quarter(config_for, "cis2021")
    assert BAND[0] <= simulated <= BAND[1], (simulated, calibrated)
