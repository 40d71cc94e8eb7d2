from __future__ import annotations

from pathlib import Path

import pytest

from analysis.published import decimal_year, read_published
from sim.errors import DataError


@pytest.mark.parametrize(
    ("text", "year"),
    [("2021", 2021.5), ("2023-Q1", 2023.125), ("2024Q2", 2024.375), ("2022-08", 2022.625)],
)
def test_decimal_year(text: str, year: float) -> None:
    assert decimal_year(text) == pytest.approx(year)


def test_ranges_and_double_dates(tmp_path: Path) -> None:
    p = tmp_path / "p.csv"
    p.write_text("scope,date,value_pct\nEAEU_mutual,2023-Q1/2023-03,89-90\nX,2021,73.5\n")
    df = read_published(p)
    assert list(df["value_pct"]) == [89.0, 73.5]
    assert df["value_pct_high"].iloc[0] == 90.0
    assert df["year"].iloc[0] == pytest.approx(2023.125)


def test_bad_rows_raise_when_strict_and_drop_otherwise(tmp_path: Path) -> None:
    p = tmp_path / "p.csv"
    p.write_text("scope,date,value_pct\nA,sometime,5\nB,2021,6\n")
    with pytest.raises(DataError, match="row 2"):
        read_published(p)
    assert list(read_published(p, strict=False)["scope"]) == ["B"]


def test_missing_column(tmp_path: Path) -> None:
    p = tmp_path / "p.csv"
    p.write_text("scope,value_pct\nA,5\n")
    with pytest.raises(DataError, match="missing columns"):
        read_published(p)
