"""The dated events: every row cited, hazards and depths as the tables say."""

from __future__ import annotations

import numpy as np
import pytest

from sim.settlement.events import (
    event_hazards,
    event_levels,
    external_liquidity,
    liquidity_path,
    payment_events,
)
from sim.settlement.fitted import fitted_hazard_levels
from sim.settlement.shipped import read_table


@pytest.mark.parametrize("name", ["payment_events.csv", "fx_liquidity.csv"])
def test_every_row_has_a_source_and_a_status(name):
    t = read_table(name)
    assert t["source"].str.len().min() > 20
    assert t["status"].notna().all()


def test_events_cover_the_dated_measures():
    t = payment_events()
    dates = dict(zip(t["event"], t["from_quarter"], strict=True))
    assert dates["rus_reserve_freeze_swift"] == "2022Q1"
    assert dates["eo_14114"] == "2023Q4"  # signed 22 Dec 2023: the quarter of its date
    assert dates["chn_banks_2024"] == "2024Q1"
    later = t[t["from_quarter"] > "2022Q4"]
    assert set(later["status"]) == {"assumed"}  # post-2022 levels are not fitted (held out)
    assert set(later["component"]) == {"secondary"}
    assert set(t.loc[t["from_quarter"] <= "2022Q4", "component"]) == {"primary"}
    assert set(event_levels()) == set(fitted_hazard_levels())


def test_secondary_events_hit_the_channels_their_sources_name():
    t = payment_events().set_index("event")
    assert t.loc["eo_14114", "currencies"].split() == ["USD", "EUR"]  # correspondent accounts
    chn = t.loc["chn_banks_2024"]
    assert chn["scope"] == "RUS-CHN" and set(chn["currencies"].split()) == {
        "USD", "EUR", "CNY", "RUB",
    }  # fmt: skip


def test_event_hazards_take_the_given_levels():
    entries = event_hazards({"hazard_2022": 0.25})
    assert {h.hazard for h in entries} == {0.25}
    assert {h.component for h in entries} == {"primary", "secondary"}
    rus = next(h for h in entries if h.scope == "RUS" and h.from_quarter == "2022Q1")
    assert rus.currencies == ["USD", "EUR"] and rus.to_quarter == ""


def test_liquidity_path_interpolates_and_holds_the_ends():
    dates, values = ["2022-06", "2022-12"], [0.1, 0.4]
    assert liquidity_path(dates, values, "2022Q2") == pytest.approx(0.1)
    assert liquidity_path(dates, values, "2022Q3") == pytest.approx(0.25)
    assert liquidity_path(dates, values, "2022Q1") == pytest.approx(0.1)
    assert liquidity_path(dates, values, "2030Q4") == pytest.approx(0.4)


def test_external_liquidity_is_the_moscow_yuan_share():
    eco, cur = ("KAZ", "RUS", "ROW"), ("KZT", "RUB", "USD", "CNY")
    x = external_liquidity(eco, cur, "2022Q4")
    assert x[1, 3] == pytest.approx(0.315)  # end-2022, Bank of Russia
    assert np.count_nonzero(x) == 1
    assert external_liquidity(eco, cur, "2024Q4")[1, 3] == pytest.approx(0.506)
