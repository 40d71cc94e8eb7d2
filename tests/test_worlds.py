"""Worlds beyond the 15 (issue 14 §3): every layer on a ``dots2020`` world.

A world naming economies the corridor network cannot place (no hub) and
currencies outside the 15's: the GE and tariffs run on any n, settlement on any set
of currencies, routing on the placed economies (the others keep their calibrated
transport cost, said once per run).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.data.ppml import distance_elasticity
from sim.model import CaravanModel
from sim.policy.tariffs import applied_rates

BEYOND = ("GEO", "PAK", "AFG", "MNG")
FIFTEEN = "ARM,AZE,BLR,KAZ,KGZ,MDA,RUS,TJK,TKM,UZB,CHN,EUU,IRN,IND,TUR"
BAND = (-1.3, -0.7)


def _run(config_for, *overrides: str) -> CaravanModel:
    model = CaravanModel(config_for("world.name=dots2020", *overrides))
    model.run()
    return model


def test_a_world_beyond_the_15_runs_every_layer(config_for, caplog) -> None:
    model = _run(config_for, f"world.economies=[{FIFTEEN},{','.join(BEYOND)}]", "sim.quarters=2")
    w = model.world
    assert w.n == 20 and set(BEYOND) <= set(w.economies)
    notices = [r.getMessage() for r in caplog.records if "no hub on the corridor" in r.getMessage()]
    assert len(notices) == 1, notices  # said once per run
    assert "AFG, GEO, MNG, PAK" in notices[0]
    assert np.all(np.isfinite(model.flows)) and np.all(model.flows > 0)
    # routing: pairs with a hubless economy keep their calibrated transport cost
    pairs = model.records.pairs[-1]
    hubless = [w.index(c) for c in BEYOND]
    assert np.all(np.isnan(pairs["tau"][hubless][:, [w.index("RUS")]]))
    assert np.all(model.routing_result.tau_ratio[hubless, :] == 1.0)
    assert np.isfinite(pairs["tau"][w.index("RUS"), w.index("KAZ")])
    # settlement: the new currencies are priced; every pair has a finite cost
    assert {"GEL", "PKR", "AFN", "MNT"} <= set(w.currencies)
    assert np.all(np.isfinite(model.settlement_result.cost))
    table = model.settlement_result.table
    geo = table[(table["exporter"] == "GEO") & (table["importer"] == "RUS")]
    assert geo["share_by_value"].sum() == pytest.approx(1.0)
    # tariffs: no shipped rate for the new economies -> the mean of the shipped rates, flagged
    rates = applied_rates(w.economies, w.bloc_members("CIS"))
    assert rates.provenance["GEO"].startswith("imputed: mean of the shipped applied rates")
    assert model.base_tariffs[w.index("RUS"), w.index("GEO")] == pytest.approx(rates.rate["GEO"])


@pytest.mark.slow
def test_every_dots_economy_with_complete_data_runs_a_few_quarters(config_for) -> None:
    model = _run(config_for, "sim.quarters=3")
    w = model.world
    assert w.n > 150
    assert np.all(np.isfinite(model.flows)) and np.all(model.flows > 0)
    exports = model.flows.sum(axis=1) - np.diag(model.flows)
    imports = model.flows.sum(axis=0) - np.diag(model.flows)
    assert exports.sum() == pytest.approx(imports.sum(), rel=1e-12)
    # DESIGN §5's stylized fact on the simulated flows of the wide world
    k = w.n - 1
    dist = np.asarray(w.distance[:k, :k])
    simulated, _ = distance_elasticity(model.flows[:k, :k], dist)
    calibrated, _ = distance_elasticity(np.asarray(w.flows[:k, :k]), dist)
    assert BAND[0] <= simulated <= BAND[1], (simulated, calibrated)
    assert abs(simulated - calibrated) < 0.1


def test_an_economy_without_complete_data_is_refused_with_where_to_look(config_for) -> None:
    from sim.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        config_for("world.name=dots2020", "world.economies=[RUS,SYR]")
    message = str(err.value)
    assert message.startswith("world.economies: unknown economy 'SYR'")
    assert "sim/data/dots2020/economies.csv" in message and "DATA_REPORT.md" in message
