from __future__ import annotations

from pathlib import Path

import pytest

from analysis.published import read_targets, shipped_targets
from sim.errors import DataError


def test_shipped_targets_have_every_hindcast_point() -> None:
    t = shipped_targets()
    assert t is not None
    validation = t[t["use"] == "validation"]
    assert set(validation["series"]) == {
        "national_currency_share_eaeu",
        "rus_exports_usd_eur",
        "rus_exports_rub",
        "rus_chn_national",
    }
    assert ((t["value"] >= 0) & (t["value"] <= 1)).all()


def test_defaults_for_optional_columns(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("series,quarter,value\nrus_exports_rub,2023Q4,0.361\n")
    df = read_targets(p)
    assert df["use"].iloc[0] == "validation" and df["qualifier"].iloc[0] == "eq"


def test_bad_value_names_the_row(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("series,quarter,value\na,2023Q4,0.3\nb,2023Q4,lots\n")
    with pytest.raises(DataError, match="row 3"):
        read_targets(p)


def test_missing_column(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("series,value\nA,5\n")
    with pytest.raises(DataError, match="missing columns"):
        read_targets(p)
