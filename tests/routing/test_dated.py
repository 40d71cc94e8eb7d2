"""Dated, cited corridor changes as levers (sim/routing/dated.py, corridor_changes.csv)."""

import pytest

from sim.errors import DataError
from sim.routing import dated
from sim.routing.config import MIN_YEAR


def test_published_delivery_times_become_dated_days_that_end_at_the_shipped_network():
    rows = [r for r in dated.changes() if r["lever"] == "delivery_days"]
    levels = sorted((int(r["year"]), float(r["value"])) for r in rows)
    changes = dated.delivery_day_changes()
    assert [c.year for c in changes] == [y for y, _ in levels]
    extra = [sum(c.days for c in changes[: k + 1]) for k in range(len(changes))]
    assert extra == pytest.approx([days - levels[-1][1] for _, days in levels])
    backdated = dated.delivery_day_changes(backdate=True)
    assert backdated[0].year == MIN_YEAR and backdated[1:] == changes[1:]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("x,fee,aktau-baku,2021,1,days,assumed,none,", "column 'lever'"),
        ("x,delivery_days,aktau-baku,,1,days,assumed,none,", "column 'year': empty"),
        ("x,delivery_days,aktau-baku,2021Q1,1,days,assumed,none,", "column 'year': not a year"),
        ("x,delivery_days,aktau-baku,2021,1,days,,none,", "column 'basis': empty"),
        ("x,delivery_days,aktau-baku,2021,soon,days,assumed,none,", "column 'value'"),
        ("x,delivery_days,aktau-bak,2021,1,days,assumed,none,", "row 2, column 'target'"),
        ("x,border_factor,,2022,2,factor,assumed,none,", "row 2, column 'target'"),
    ],
)
def test_bad_change_rows_are_one_line_errors(tmp_path, row, message):
    path = tmp_path / "corridor_changes.csv"
    path.write_text("change,lever,target,year,value,unit,basis,source,note\n" + row + "\n")
    with pytest.raises(DataError, match=message):
        dated.changes(str(path))
