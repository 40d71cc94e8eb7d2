import math

import numpy as np
import pandas as pd
import pytest

from sim import corridor_headlines as ch
from sim.errors import DataError


def test_published_studies_parse_and_every_row_has_a_source():
    table = ch.published_studies()
    assert list(table.columns) == list(ch.PUBLISHED_COLUMNS)
    assert len(table) >= 20 and table["id"].is_unique
    for column in ("source", "url", "figure", "unit", "why"):
        assert (table[column].str.strip() != "").all(), column
    assert table["value"].notna().all()
    ranged = table["value_high"].notna()
    assert (table.loc[ranged, "value_high"] >= table.loc[ranged, "value"]).all()
    assert set(table["expect"]) <= set(ch.EXPECT)
    assert set(table["comparable"]) <= set(ch.COMPARABLE)
    # every scenario of the headlines has something to be compared with
    assert set(ch.SCENARIOS) <= set(table["scenario"])


def _write(tmp_path, table: pd.DataFrame):
    path = tmp_path / "published.csv"
    table.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.assign(source=[""] + list(t["source"][1:])), "no source"),
        (lambda t: t.assign(expect=["roughly"] + list(t["expect"][1:])), "expect is not one of"),
        (lambda t: t.assign(value=["many"] + list(t["value"][1:])), "value is not a number"),
        (lambda t: t.drop(columns=["url"]), r"missing column\(s\): url"),
        (lambda t: pd.concat([t, t.iloc[:1]]), "repeated ids"),
    ],
)
def test_a_malformed_table_is_a_data_error(tmp_path, change, message):
    raw = pd.read_csv(ch.PUBLISHED, dtype=str, keep_default_na=False)
    with pytest.raises(DataError, match=message):
        ch.published_studies(_write(tmp_path, change(raw)))


def test_a_comparable_row_must_name_its_output(tmp_path):
    raw = pd.read_csv(ch.PUBLISHED, dtype=str, keep_default_na=False)
    row = raw.index[raw["comparable"] != "no"][0]
    raw.loc[row, "comparable_output"] = ""
    with pytest.raises(DataError, match="names a scenario and an output"):
        ch.published_studies(_write(tmp_path, raw))


@pytest.mark.parametrize(
    ("expect", "model", "low", "high", "verdict"),
    [
        ("within", 20.0, 15.0, 25.0, "yes"),
        ("within", 12.0, 15.0, 25.0, "no"),
        ("at_most", 3.0, 11.0, 11.0, "yes"),
        ("at_most", 14.8, 10.0, 10.0, "no"),
        ("at_least", 16.0, 15.0, 15.0, "yes"),
        ("same_order", 3.3, 4.7, 4.7, "yes"),
        ("same_order", 0.07, 0.8, 0.8, "no"),
        ("none", 1.0, 2.0, 2.0, "n/a"),
        ("within", math.nan, 1.0, 2.0, "n/a"),
    ],
)
def test_consistency_rules(expect, model, low, high, verdict):
    assert ch._consistent(expect, model, low, high) == verdict


def test_changes_are_derived_for_each_scenario_and_no_lever_pair():
    out = ch._with_changes({"x Mt/yr (scenario)": 3.0, "x Mt/yr (no levers)": 2.0, "y": 1.0})
    assert out["x Mt/yr, % change"] == pytest.approx(50.0)
    assert "y, % change" not in out


def _fake_effects(name: str) -> dict[str, float]:
    """Every output the table names for ``name``, scenario and no-lever forms, = 1."""
    rows = ch.published_studies()
    names = set(rows.loc[rows["scenario"] == name, "comparable_output"]) - {""}
    effects = {}
    for key in names:
        stem = key.removesuffix(ch.CHANGE)
        if stem != key:  # a derived change: give it its two parents
            effects[f"{stem} (scenario)"] = effects[f"{stem} (no levers)"] = 1.0
        else:
            effects[key] = 1.0
    return effects


@pytest.mark.parametrize("name", list(ch.SCENARIOS))
def test_comparison_builds_from_given_effects(name):
    table = ch.comparison(name, _fake_effects(name))
    published = ch.published_studies()
    assert list(table["id"]) == list(published.loc[published["scenario"] == name, "id"])
    assert table["consistent"].isin(["yes", "no", "n/a"]).all()
    comparable = table["comparable"] != "no"
    assert table.loc[comparable, "model"].notna().all()
    assert ch.markdown(table).count("\n") == len(table) + 1


def test_comparison_names_an_output_the_headlines_lack():
    with pytest.raises(KeyError, match="lack"):
        ch.comparison("instc_buildout", {"CHN->EUU trade, %": 0.0})


@pytest.mark.slow
@pytest.mark.parametrize("name", list(ch.SCENARIOS))
def test_comparison_builds_from_a_real_run(name):
    effects = ch.headline(name)
    table = ch.comparison(name, effects)
    assert np.isfinite(table.loc[table["comparable"] != "no", "model"]).all()
