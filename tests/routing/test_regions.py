"""Regional origin and destination hubs (sim/routing/regions.py, trade_regions.csv)."""

import numpy as np
import pytest

from sim.routing import CorridorPhase, CorridorsConfig
from sim.routing.paths import path_ends
from sim.routing.regions import hub_weights
from tests.routing.fixtures import ECONOMIES, gravity_flows

GROUPS = ["oil_gas", "bulk", "metals", "agrifood", "chemicals", "manufactures"]


def test_weights_sum_to_one_and_fall_back_to_the_centroid():
    hubs = CorridorsConfig().economy_hubs
    w = hub_weights(["RUS", "CHN", "KAZ"], hubs, GROUPS)
    for side in ("export", "import"):
        for per_economy in w[side]:
            assert np.allclose(per_economy.sum(axis=1), 1.0)
    rus_export = w["export"][0]
    assert rus_export[GROUPS.index("oil_gas")].tolist() == [1.0, 0.0, 0.0]  # no rows: Moscow
    bulk = rus_export[GROUPS.index("bulk")]
    assert bulk[hubs["RUS"].index("nakhodka")] == pytest.approx(0.11)
    assert w["export"][2].tolist() == [[1.0]] * len(GROUPS)  # single-hub economy
    rus_import = w["import"][0][GROUPS.index("manufactures")]  # population shares (Rosstat)
    assert rus_import[hubs["RUS"].index("novosibirsk")] == pytest.approx(0.1137)
    assert rus_import[hubs["RUS"].index("nakhodka")] == pytest.approx(0.054)


def test_weights_renormalise_over_the_configured_hubs():
    w = hub_weights(["RUS"], {"RUS": ["moscow", "nakhodka"]}, ["bulk"])["export"][0]
    assert w[0].tolist() == pytest.approx([0.39 / 0.50, 0.11 / 0.50])


@pytest.fixture(scope="module")
def phase():
    return CorridorPhase(ECONOMIES, CorridorsConfig(), gravity_flows(), "2024Q1")


def test_hub_cells_split_each_pair_and_group_and_start_at_their_hub(phase):
    c, net = phase.classes, phase.net
    # the hub shares of a (pair, group) add up to one, so tonnes are conserved
    key = c.pair * 100 + c.group
    totals = np.bincount(np.unique(key, return_inverse=True)[1], weights=c.hub_share)
    assert np.allclose(totals, 1.0)
    hubs = [list(phase.cfg.economy_hubs[e]) for e in phase.economies]
    rus, chn = phase.economies.index("RUS"), phase.economies.index("CHN")
    bulk = GROUPS.index("bulk")
    cells = np.flatnonzero((phase._class_i == rus) & (phase._class_j == chn) & (c.group == bulk))
    assert len(cells) == 3 * 2  # three RUS hubs x two CHN hubs (coast, inland)
    starts = set()
    for k in cells:
        ends = {
            path_ends(net, phase.paths.segments[p], set(hubs[rus]))
            for p in c.path[c.ptr[k] : c.ptr[k + 1]]
        }
        assert len(ends) == 1  # every path of a cell runs between the cell's two hubs
        starts |= {a for a, _ in ends}
    assert starts == {"moscow", "novosibirsk", "nakhodka"}
