"""The regional-shares reader (sim/data/trade_regions.py) that config and routing share."""

import csv
from pathlib import Path

import pytest

from sim.data.trade_regions import regional_hubs, trade_regions
from sim.errors import DataError

HEADER = "economy,side,group,hub,share,basis,source,note\n"
DATA = Path(__file__).resolve().parents[2] / "sim" / "data"


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_regional_hub_is_a_hub_of_its_own_economy():
    hubs = {row["hub"]: row for row in _csv(DATA / "corridors" / "hubs.csv")}
    regional = regional_hubs()
    assert regional  # the shipped table names regional hubs
    for economy, names in regional.items():
        for hub in names:
            assert hub in hubs, (economy, hub)
            assert hubs[hub]["economy"] == economy, (economy, hub)


def test_every_economy_of_the_worlds_and_the_table_has_a_centroid_hub():
    centroids = [
        r["centroid_of"] for r in _csv(DATA / "corridors" / "hubs.csv") if r["centroid_of"]
    ]
    assert len(centroids) == len(set(centroids))  # one centroid per economy
    economies = {r["iso3"] for r in _csv(DATA / "cis2023" / "economies.csv")}
    economies |= {economy for economy, _, _ in trade_regions()}
    assert economies <= set(centroids), sorted(economies - set(centroids))


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
