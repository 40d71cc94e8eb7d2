"""The dated events: every row cited, hazards and depths as the tables say."""

from __future__ import annotations

import re

import numpy as np
import pytest

from sim.quarters import shift_quarter
from sim.settlement.events import (
    event_hazards,
    event_levels,
    external_liquidity,
    in_force_fraction,
    liquidity_path,
    partial_hazard,
    payment_events,
    screened_hazard,
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
    entries = event_hazards({"hazard_2022": 0.25}, by_date=False, by_legs=False)
    assert {h.hazard for h in entries} == {0.25}
    assert len(entries) == len(payment_events())  # one entry per event
    assert {h.component for h in entries} == {"primary", "secondary"}
    rus = next(h for h in entries if h.scope == "RUS" and h.from_quarter == "2022Q1")
    assert rus.currencies == ["USD", "EUR"] and rus.to_quarter == ""


def test_in_force_fraction_counts_the_days_from_the_date():
    assert in_force_fraction("2022-02-28/2022-03-12", "2022Q1") == pytest.approx(32 / 90)
    assert in_force_fraction("2023-12-22", "2023Q4") == pytest.approx(10 / 92)
    assert in_force_fraction("2024-01/2024-03", "2024Q1") == 1.0  # a month: its first day
    assert in_force_fraction("2022-02-28", "2022Q2") == 1.0  # in force all quarter
    assert in_force_fraction("2022-02-28", "2021Q4") == 0.0  # not yet


def test_partial_hazard_composes_to_the_quarterly_hazard():
    h = 0.2
    assert partial_hazard(h, 1.0) == pytest.approx(h)
    assert partial_hazard(h, 0.0) == 0.0
    # surviving the first part of the quarter and then the rest is surviving the quarter
    f = 0.3
    assert (1 - partial_hazard(h, f)) * (1 - partial_hazard(h, 1 - f)) == pytest.approx(1 - h)
    assert f * h <= partial_hazard(h, f) <= h


def test_an_event_dated_inside_its_quarter_starts_with_the_part_in_force():
    entries = event_hazards({"hazard_2022": 0.25})
    rus = [h for h in entries if h.scope == "RUS" and h.component == "primary"]
    assert [(h.from_quarter, h.to_quarter) for h in rus] == [("2022Q1", "2022Q1"), ("2022Q2", "")]
    assert rus[0].hazard == pytest.approx(1 - 0.75 ** (32 / 90)) and rus[1].hazard == 0.25
    chn = [h for h in entries if h.scope == "RUS-CHN"]  # dated from the start of Jan 2024
    assert [(h.from_quarter, h.hazard) for h in chn] == [("2024Q1", 0.25)]


def test_every_event_date_falls_in_its_first_quarter():
    for e in payment_events().itertuples():
        assert 0.0 < in_force_fraction(e.date, e.from_quarter) <= 1.0, e.event
        assert in_force_fraction(e.date, shift_quarter(e.from_quarter, -1)) == 0.0, e.event


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


def test_screened_hazard_is_independent_screenings():
    assert screened_hazard(0.2, 1) == pytest.approx(0.2)
    assert screened_hazard(0.2, 2) == pytest.approx(1 - 0.8**2)  # 0.36 < 2h
    assert screened_hazard(0.0, 2) == 0.0 and screened_hazard(1.0, 2) == 1.0


def test_two_screenings_only_on_the_pairs_with_the_eu():
    t = payment_events()
    twice = t[t["legs"] == 2]
    assert set(twice["scope"]) == {"RUS-EUU", "BLR-EUU"}
    assert set(twice["component"]) == {"primary"} and set(twice["level"]) == {"hazard_2022"}
    assert set(t["legs"]) == {1, 2}
    entries = event_hazards({"hazard_2022": 0.25}, by_date=False)
    eu = {h.hazard for h in entries if h.scope in ("RUS-EUU", "BLR-EUU")}
    assert len(eu) == 1 and eu.pop() == pytest.approx(1 - 0.75**2)
    assert {h.hazard for h in entries if h.scope not in ("RUS-EUU", "BLR-EUU")} == {0.25}


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("component", "tertiary", "component 'tertiary': must be one of ('primary', 'secondary')"),
        ("legs", 0, "legs 0: must be a whole number >= 1"),
        ("legs", "two", "legs 'two': must be a whole number >= 1"),
        ("date", "28 Feb 2022", "date '28 Feb 2022' (from_quarter '2022Q1'): must be"),
    ],
)
def test_a_bad_event_row_is_a_data_error_naming_row_and_column(monkeypatch, column, value, message):
    import sim.settlement.events as events
    from sim.errors import DataError

    bad = read_table("payment_events.csv").copy()
    bad[column] = bad[column].astype(object)  # a text value where the file has numbers
    bad.loc[1, column] = value
    monkeypatch.setattr(events, "read_table", lambda name: bad)
    events.payment_events.cache_clear()
    try:
        with pytest.raises(DataError, match=re.escape("row 3, " + message)):
            events.payment_events()
    finally:
        monkeypatch.undo()
        events.payment_events.cache_clear()
    assert len(events.payment_events()) == len(read_table("payment_events.csv"))
