"""The corridor hindcast (sim/routing/hindcast.py): the 2021 fit and each year's trade."""

import pytest

from sim.errors import DataError
from sim.routing import dated, hindcast
from sim.routing.config import CorridorsConfig


def test_the_2021_fit_meets_the_published_level_and_later_years_see_their_own_trade():
    cfg = hindcast.fit_2021(CorridorsConfig(), steps=12)
    observed = hindcast.run(cfg, trade="observed")
    fixed = hindcast.run(cfg, trade="fixed")
    assert observed["2021"] == pytest.approx(hindcast.MC_2021_MT, rel=0.02)
    assert observed["2021"] == pytest.approx(fixed["2021"], rel=1e-6)  # 2021 is 2021's trade
    assert abs(observed["2023"] / fixed["2023"] - 1) > 0.01  # 2023 is routed on 2023's trade
    # the scenario for the full model carries this fit (to the bisection's resolution)
    from pathlib import Path

    from omegaconf import OmegaConf

    yaml = Path(__file__).resolve().parents[2] / "scenarios" / "hindcast_corridors_2022.yaml"
    shipped = OmegaConf.load(yaml).corridors.corridor_frictions["Middle Corridor"]
    assert shipped == pytest.approx(cfg.corridor_frictions["Middle Corridor"], abs=0.5)


def test_the_scenario_carries_the_dated_changes_of_the_data_table():
    from pathlib import Path

    from omegaconf import OmegaConf

    root = Path(__file__).resolve().parents[2]
    scenario = OmegaConf.load(root / "scenarios" / "hindcast_corridors_2022.yaml").corridors
    lev = hindcast.levers()
    shipped = [
        (b["target"], b["year"], b.get("factor", 1.0), b.get("days", 0.0))
        for b in scenario.border_time_changes
    ]
    assert shipped == [(b.target, b.year, b.factor, b.days) for b in lev["border_time_changes"]]
    (premium,) = lev["route_premiums"]
    assert scenario.route_premiums[0].usd_per_t == premium.usd_per_t
    assert scenario.route_premiums[0].year == premium.year
    rows = dated.changes()
    assert all(r["source"] and r["basis"] for r in rows)
    added = [b.days for b in lev["border_time_changes"] if b.target == "aktau-baku"]
    published = [float(r["value"]) for r in rows if r["lever"] == "delivery_days"]
    assert added[0] == published[0] - published[-1]  # 2021 carries its extra days
    assert sum(added) == 0  # and the latest year none: the shipped network is its corridor


def test_the_transit_scope_covers_every_pair_with_neither_end_in_russia_or_belarus():
    (premium,) = hindcast.levers(scope="transit")["route_premiums"]
    (eu_only,) = hindcast.levers()["route_premiums"]
    assert premium.territory == eu_only.territory == ["RUS", "BLR"]
    assert premium.usd_per_t == eu_only.usd_per_t and premium.year == eu_only.year
    assert {"KAZ", "CHN", "EUU", "TUR", "ROW"} <= set(premium.exporters)
    assert not {"RUS", "BLR"} & (set(premium.exporters) | set(premium.importers))
    assert premium.exporters == premium.importers


@pytest.mark.parametrize("copies", [0, 2])
def test_a_missing_or_doubled_premium_row_is_a_one_line_error(monkeypatch, copies):
    premium = [r for r in dated.changes() if r["lever"] == "route_premium"]
    others = [r for r in dated.changes() if r["lever"] != "route_premium"]
    monkeypatch.setattr(hindcast, "changes", lambda: tuple(others + premium[:1] * copies))
    with pytest.raises(
        DataError, match=f"corridor_changes.csv: .*'route_premium' row needed, found {copies}"
    ):
        hindcast.east_west_premium()
