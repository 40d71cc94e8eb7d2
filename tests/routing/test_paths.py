"""Candidate paths: no path leaves a customs territory and comes back into it."""

import pytest

from sim.routing import CorridorPhase, CorridorsConfig
from sim.routing.network import load_network
from sim.routing.paths import hub_territories, path_nodes, reenters
from tests.routing.fixtures import ECONOMIES, gravity_flows

TERRITORY = {"novosibirsk": "RUS", "manzhouli": "CHN", "harbin": "CHN", "nakhodka": "RUS"}


def test_a_loop_through_a_neighbour_reenters():
    assert reenters(TERRITORY, ["O:RUS", "novosibirsk", "manzhouli", "harbin", "nakhodka"])
    assert reenters(TERRITORY, ["novosibirsk", "manzhouli", "nakhodka~sea"])  # back by sea


def test_a_straight_path_does_not_reenter():
    assert not reenters(TERRITORY, ["O:RUS", "novosibirsk", "manzhouli", "harbin", "D:CHN"])
    assert not reenters(TERRITORY, ["novosibirsk", "singapore", "harbin"])  # unknown nodes skipped


def test_sea_waypoints_and_the_rest_of_world_have_no_territory():
    territory = hub_territories(load_network())
    assert "singapore" not in territory and "row" not in territory
    assert territory["malaszewicze"] == territory["duisburg"] == "EUU"  # economy before ISO3
    assert territory["tbilisi"] == "GEO"


@pytest.fixture(scope="module")
def base():
    return CorridorPhase(ECONOMIES, CorridorsConfig(), gravity_flows(), "2024Q1")


def test_no_shipped_candidate_reenters(base):
    territory = hub_territories(base.net)
    assert not [p for p in base.paths.segments if reenters(territory, path_nodes(base.net, p))]
    loop = ("novosibirsk-manzhouli", "manzhouli-harbin", "suifenhe-harbin", "nakhodka-suifenhe")
    ids = base.net.segment_ids
    assert not [p for p in base.paths.segments if set(loop) <= {ids[s] for s in p}]
