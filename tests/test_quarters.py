import pytest

from sim.quarters import (
    is_quarter,
    parse_quarter,
    quarter_label,
    quarter_ordinal,
    quarter_range,
    quarters_through,
    shift_quarter,
)


def test_range_crosses_year():
    assert quarter_range("2024Q3", 4) == ["2024Q3", "2024Q4", "2025Q1", "2025Q2"]


def test_through_is_inclusive_and_ordinals_are_consecutive():
    assert quarters_through("2021Q4", "2022Q2") == ["2021Q4", "2022Q1", "2022Q2"]
    assert quarters_through("2022Q2", "2022Q1") == []
    assert quarter_ordinal("2022Q1") - quarter_ordinal("2021Q4") == 1
    assert quarter_label(quarter_ordinal("2023Q3")) == "2023Q3"


def test_shift_back_and_forth():
    assert shift_quarter("2025Q1", -1) == "2024Q4"
    assert shift_quarter("2021Q4", 9) == "2024Q1"


@pytest.mark.parametrize("bad", ["2024Q5", "2024Q0", "24Q1", "2024-Q1", ""])
def test_bad_labels(bad):
    assert not is_quarter(bad)
    with pytest.raises(ValueError):
        parse_quarter(bad)
