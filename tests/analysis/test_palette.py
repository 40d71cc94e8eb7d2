from __future__ import annotations

from analysis.palette import colours, currency_colour, economy_colour, scenario_colour
from sim.data.loader import load_world


def test_colour_depends_on_the_name_not_the_order() -> None:
    a = colours("currency", ["USD", "KZT", "RUB"])
    b = colours("currency", ["KZT", "RUB", "USD"])
    assert a == b
    assert currency_colour("USD") != currency_colour("KZT")


def test_sixteen_economies_have_sixteen_colours() -> None:
    codes = load_world().economies
    assert len(codes) == 16
    assert len({economy_colour(c) for c in codes}) == 16


def test_every_currency_of_the_world_is_distinct() -> None:
    cur = set(load_world().currencies)
    assert len({currency_colour(c) for c in cur}) == len(cur)


def test_baseline_is_black_and_shipped_scenarios_distinct() -> None:
    from analysis.palette import _scenario_registry

    assert scenario_colour("baseline") == scenario_colour("x (--baseline)") == "#000000"
    names = _scenario_registry()
    assert len(names) >= 5
    assert len({scenario_colour(n) for n in names}) == len(names)
    assert scenario_colour("not_a_shipped_scenario") == scenario_colour("not_a_shipped_scenario")
