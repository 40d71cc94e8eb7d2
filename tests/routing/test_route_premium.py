"""Pair-scoped route premiums (RoutePremium): scope, territory, candidate paths, validation."""

import numpy as np
import pytest

from sim.errors import ConfigError
from sim.routing import CorridorPhase, CorridorsConfig
from sim.routing.config import RoutePremium
from tests.routing.fixtures import ECONOMIES, gravity_flows

E = list(ECONOMIES)
PREMIUM = RoutePremium(["EUU"], [], True, ["RUS", "BLR"], 2025, 100.0)


@pytest.fixture(scope="module")
def flows():
    return gravity_flows()


@pytest.fixture(scope="module")
def phase(flows):
    return CorridorPhase(ECONOMIES, CorridorsConfig(route_premiums=[PREMIUM]), flows, "2024Q1")


def _share_through(phase, ex, im, territory):
    """Tonnage share of the pair (ex, im) on paths with a segment in ``territory``."""
    a = phase.last_assignment
    rows = (phase._class_i[phase._row_class] == E.index(ex)) & (
        phase._class_j[phase._row_class] == E.index(im)
    )
    through = (phase._incidence @ phase.net.in_territory(territory)) > 0
    return a.path_tonnes[rows & through].sum() / a.path_tonnes[rows].sum()


def test_in_territory_is_either_hub(phase):
    net = phase.net
    inside = dict(zip(net.segment_ids, net.in_territory(["RUS", "BLR"]), strict=True))
    assert inside["brest-malaszewicze"] and inside["astana-moscow"] and inside["pipe:cpc"]
    assert not inside["aktau-baku"] and not inside["malaszewicze-duisburg"]


def test_the_premium_applies_to_scoped_pairs_on_territory_paths_only(phase):
    """Rows charged = EU pairs x paths through RUS/BLR; nothing before its year."""
    _, _, rows = phase._premiums[0]
    i, j = phase._class_i[phase._row_class], phase._class_j[phase._row_class]
    eu = (i == E.index("EUU")) | (j == E.index("EUU"))
    through = (phase._incidence @ phase.net.in_territory(["RUS", "BLR"])) > 0
    np.testing.assert_array_equal(rows, eu & through)
    assert rows.any() and (eu & ~through).any()
    assert phase._row_extra("2024Q4") is None
    np.testing.assert_array_equal(phase._row_extra("2025Q1"), 100.0 * rows)


def test_premium_raises_eu_costs_and_moves_eu_trade_off_the_territory(phase, flows):
    before = phase.step("2024Q4", flows)
    kaz_before = _share_through(phase, "KAZ", "EUU", ["RUS", "BLR"])
    after = phase.step("2025Q1", flows)
    kaz_after = _share_through(phase, "KAZ", "EUU", ["RUS", "BLR"])
    assert kaz_after < kaz_before - 0.01
    rus, eu, chn, ind = (E.index(c) for c in ("RUS", "EUU", "CHN", "IND"))
    # Every RUS->EU path crosses RUS: the premium is paid in full, tau rises by
    # sum_g m_g * 100 / V_g (up to congestion on the capacitated segments).
    mix = phase.mix[rus]
    expected = float(np.sum(mix * 100.0 / phase.group_value))
    rise = after.tau[rus, eu] - before.tau[rus, eu]
    assert rise == pytest.approx(expected, rel=0.05)
    # An out-of-scope pair pays nothing: only congestion moves it.
    assert after.tau[chn, ind] == pytest.approx(before.tau[chn, ind], rel=1e-3)


def test_the_candidate_set_holds_a_route_around_the_territory(phase):
    """KAZ->EU gets a Middle Corridor path that avoids RUS/BLR (item 5 of the path set)."""
    p, net = phase.paths, phase.net
    k = p.pairs.tolist().index([E.index("KAZ"), E.index("EUU")])
    rows = p.incidence[p.ptr[k] : p.ptr[k + 1]]
    through = np.asarray(rows @ net.in_territory(["RUS", "BLR"])).ravel() > 0
    aktau = np.asarray(rows[:, net.segment_ids.index("aktau-baku")].todense()).ravel() > 0
    assert (aktau & ~through).any()


@pytest.mark.parametrize(
    ("premium", "key"),
    [
        (RoutePremium(["EUX"], [], True, ["RUS"], 2025, 1.0), "route_premiums[0].exporters"),
        (RoutePremium([], ["XYZ"], True, ["RUS"], 2025, 1.0), "route_premiums[0].importers"),
        (RoutePremium(["EUU"], [], True, ["ATL"], 2025, 1.0), "route_premiums[0].territory"),
        (RoutePremium(["EUU"], [], True, ["RUS"], 2025, -5.0), "route_premiums[0].usd_per_t"),
    ],
)
def test_bad_route_premium_names_its_key(flows, premium, key):
    with pytest.raises(ConfigError, match=key.replace("[", r"\[").replace("]", r"\]")):
        CorridorPhase(ECONOMIES, CorridorsConfig(route_premiums=[premium]), flows, "2024Q1")


def test_a_route_premium_has_its_own_path_cache_key():
    """The premium adds candidate paths, so its path set must not be the default's."""
    from sim.routing.path_cache import cache_key

    arrays = (np.ones((2, 2)),)
    plain = cache_key(CorridorsConfig(), E, "2024Q1", arrays)
    premium = cache_key(CorridorsConfig(route_premiums=[PREMIUM]), E, "2024Q1", arrays)
    assert plain != premium
