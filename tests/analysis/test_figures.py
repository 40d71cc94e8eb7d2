from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.figures import (
    NotApplicable,
    corridor_map,
    difference_chart,
    fan_chart,
    flow_change_heatmap,
    hindcast_chart,
    sensitivity_bars,
    settlement_areas,
)
from analysis.figures.flow_heatmap import flow_change_matrix
from analysis.figures.settlement import currency_shares
from analysis.loading import Results, load_results
from analysis.network import read_network
from analysis.published import simulated_series

from .conftest import assert_not_blank


@pytest.fixture(scope="module")
def sweep(sweep_dir: Path) -> Results:
    return load_results(sweep_dir)


def _split(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return df[df["scenario"] == "baseline"], df[df["scenario"] != "baseline"]


def test_fan_chart(sweep: Results) -> None:
    fig = fan_chart(sweep.world)
    assert len([a for a in fig.axes if a.get_visible()]) == 7
    assert_not_blank(fig)


def test_fan_chart_needs_replications(run_dir: Path) -> None:
    with pytest.raises(NotApplicable, match="single replication"):
        fan_chart(load_results(run_dir).world)


def test_difference_chart(sweep: Results) -> None:
    base, scen = _split(sweep.world)
    fig = difference_chart(scen, base)
    assert_not_blank(fig)
    with pytest.raises(NotApplicable):
        difference_chart(scen.iloc[0:0], base)


def test_corridor_map(sweep: Results, network_dir: Path) -> None:
    net = read_network(network_dir)
    seg = sweep.segments
    last = seg[seg["quarter"] == seg["quarter"].max()]
    base, scen = _split(last)

    def state(d: pd.DataFrame) -> pd.DataFrame:
        return d.groupby("segment")[["volume_t", "utilization"]].median().reset_index()

    fig = corridor_map(net.hubs, net.segments, state(base), state(scen))
    assert_not_blank(fig)
    # Width follows volume: the thickest line on the scenario panel is the largest volume.
    widths = [c.get_linewidths() for c in fig.axes[1].collections if hasattr(c, "get_segments")]
    assert max(widths[0]) > 3 * min(widths[0])


def test_corridor_map_skips_hubs_without_coordinates(network_dir: Path) -> None:
    net = read_network(network_dir)
    hubs = net.hubs.assign(lon=np.where(net.hubs["hub"] == "Moscow", np.nan, net.hubs["lon"]))
    state = pd.DataFrame({"segment": ["spb-msk"], "volume_t": [1e6], "utilization": [0.5]})
    with pytest.raises(NotApplicable, match="coordinates"):
        corridor_map(hubs, net.segments, state, state)


def test_flow_heatmap_hatches_imputed_cells(sweep: Results) -> None:
    p = sweep.pairs
    last = p[p["quarter_index"] == p["quarter_index"].max()]
    base, scen = _split(last)
    change, imputed = flow_change_matrix(scen, base)
    assert change.shape == (16, 16) and change.index[0] == "ARM" and change.index[-1] == "ROW"
    assert change.loc["RUS", "KAZ"] > 5 and abs(change.loc["CHN", "EUU"]) < 5
    n_imputed = int(
        (base.drop_duplicates(["exporter", "importer"])["provenance"] == "imputed").sum()
    )
    assert int(imputed.to_numpy().sum()) == n_imputed > 0
    fig = flow_change_heatmap(scen, base)
    hatched = [p for p in fig.axes[0].patches if p.get_hatch()]
    assert len(hatched) == n_imputed
    assert_not_blank(fig)


def test_settlement_shares_sum_to_one(sweep: Results) -> None:
    s = sweep.settlement
    s = s[s["scenario"] == "baseline"].assign(w=1.0)
    from analysis.quarters import with_quarter_index

    shares = currency_shares(with_quarter_index(s))
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)


def test_settlement_areas(sweep: Results) -> None:
    base_s, _ = _split(sweep.settlement)
    base_p, _ = _split(sweep.pairs)
    fig = settlement_areas(base_s, base_p)
    titles = [a.get_title(loc="left") for a in fig.axes if a.get_visible()]
    assert titles[:2] == ["intra-CIS", "intra-EAEU"] and "RUS–CHN" in titles
    assert_not_blank(fig)


@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_sensitivity_bars(sweep: Results, method: str) -> None:
    fig = sensitivity_bars(sweep.indices, method)
    assert_not_blank(fig)


def test_sensitivity_bars_without_method(sweep: Results) -> None:
    with pytest.raises(NotApplicable, match="morris"):
        sensitivity_bars(sweep.indices[sweep.indices["method"] == "sobol"], "morris")


def test_hindcast_chart(sweep: Results) -> None:
    base, _ = _split(sweep.world)
    published = pd.DataFrame(
        {
            "scope": ["EAEU_mutual", "EAEU_mutual", "CIS_commercial", "RUS-CHN"],
            "year": [2021.5, 2023.125, 2024.9, 2023.5],
            "value_pct": [73.5, 89.0, 85.0, 80.0],
            "value_pct_high": [np.nan, 90.0, np.nan, np.nan],
            "qualifier": ["eq", "range", "over", "over"],
        }
    )
    fig = hindcast_chart(simulated_series(base), published)
    titles = [a.get_title(loc="left") for a in fig.axes if a.get_visible()]
    assert titles == ["EAEU mutual", "CIS commercial"]
    assert_not_blank(fig)
    with pytest.raises(NotApplicable):
        hindcast_chart(simulated_series(base), published[published["scope"] == "RUS-CHN"])
