import pytest

from sim.routing.checks import PUBLISHED_TIMES, fastest_days, published_time_checks

CHECKS = {c["route"]: c for c in published_time_checks()}


@pytest.mark.parametrize("route", [r[0] for r in PUBLISHED_TIMES])
def test_free_flow_time_in_published_range(route):
    c = CHECKS[route]
    assert c["low"] <= c["model_days"] <= c["high"], c


def test_china_eu_rail_10_to_15_days():
    days = fastest_days("xian", "duisburg", ("domestic", "CHN-KAZ gateways", "East-West"))
    assert 10 <= days <= 15  # K13


def test_instc_much_faster_than_suez():
    suez = CHECKS["St Petersburg-Nhava Sheva via Suez"]["model_days"]
    caspian = CHECKS["St Petersburg-Nhava Sheva, INSTC Trans-Caspian"]["model_days"]
    assert suez - caspian >= 10  # K1: about 20 days faster; K2: 25 vs ~40
