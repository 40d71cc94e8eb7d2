"""The regional-shares reader (sim/data/trade_regions.py) that config and routing share."""

import pytest

from sim.data.trade_regions import regional_hubs, trade_regions
from sim.errors import DataError
from sim.routing.config import default_economy_hubs

HEADER = "economy,side,group,hub,share,basis,source,note\n"


def test_shipped_table_is_read_once_and_names_the_default_hubs():
    table = trade_regions()
    assert table is trade_regions()  # cached: one read per process
    for economy, hubs in regional_hubs().items():
        assert set(hubs) <= set(default_economy_hubs()[economy])


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("RUS,out,*,moscow,1,assumed,none,\n", "column 'side'"),
        ("RUS,export,*,moscow,x,assumed,none,\n", "column 'share': not a number"),
        ("RUS,export,*,moscow,1.5,assumed,none,\n", "must be in (0, 1]"),
        ("RUS,export,*,moscow,1,,none,\n", "column 'basis': empty"),
        ("RUS,export,*,moscow,0.5,assumed,none,\n", "sum to 0.5"),
    ],
)
def test_bad_rows_raise_one_line_errors(tmp_path, rows, message):
    path = tmp_path / "trade_regions.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        trade_regions(str(path))
