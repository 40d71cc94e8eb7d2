"""SALib designs and sensitivity indices on a function with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.errors import ConfigError
from sim.sweep.design import check_design, make_design
from sim.sweep.sensitivity import indices

PARAMS = {"trade.sigma": [2.0, 10.0], "trade": {"adjustment": [0.2, 1.0]}}


@pytest.mark.parametrize(
    ("method", "rows"), [("latin", 16), ("sobol", 16 * (2 + 2)), ("morris", 16 * (2 + 1))]
)
def test_design_sizes_and_bounds(method, rows):
    design = make_design({"method": method, "n": 16, "seed": 3, "params": PARAMS})
    samples = np.asarray(design.samples)
    assert samples.shape == (rows, 2)
    assert design.names == ["trade.sigma", "trade.adjustment"]
    assert samples[:, 0].min() >= 2 and samples[:, 0].max() <= 10
    again = make_design({"method": method, "n": 16, "seed": 3, "params": PARAMS})
    assert again.samples == design.samples


@pytest.mark.parametrize(
    ("spec", "key"),
    [
        ({"method": "grid", "n": 8, "params": PARAMS}, "hydra.sweeper.method"),
        ({"method": "sobol", "n": 6, "params": PARAMS}, "hydra.sweeper.n"),
        ({"method": "sobol", "n": 8, "params": {}}, "hydra.sweeper.params"),
        ({"method": "sobol", "n": 8, "params": {"a.b": [3, 1], "c.d": [0, 1]}}, "a.b"),
    ],
)
def test_bad_design_options_name_the_key(spec, key):
    with pytest.raises(ConfigError, match=key):
        check_design(spec)


@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_indices_find_the_only_influential_parameter(method):
    design = make_design({"method": method, "n": 64, "seed": 1, "params": PARAMS})
    x = np.asarray(design.samples)
    values = pd.DataFrame({"y": 3.0 * x[:, 0] + 0.0 * x[:, 1]})
    table = indices(design, values, resamples=100)
    assert set(table.columns) == {"output", "parameter", "method", "index", "value", "conf"}
    got = table.set_index(["parameter", "index"])["value"]
    if method == "sobol":
        assert got["trade.sigma", "S1"] == pytest.approx(1.0, abs=0.05)
        assert got["trade.sigma", "ST"] == pytest.approx(1.0, abs=0.05)
        assert abs(got["trade.adjustment", "ST"]) < 0.01
    else:
        assert got["trade.sigma", "mu_star"] > 10 * got["trade.adjustment", "mu_star"]
    assert table["conf"].notna().sum() >= 2
