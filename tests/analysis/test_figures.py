from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.figures import (
    NotApplicable,
    corridor_difference_map,
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
    # 3 and 2 runs (one failed): the band is the range of the runs, and says so.
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "min–max of 2 runs" in legend and not any("90 %" in t for t in legend)


def test_fan_chart_levels_vs_baseline(sweep: Results) -> None:
    fig = fan_chart(sweep.world, baseline="baseline", scenarios=["baseline", "cis_fta_deepening"])
    titles = [a.get_title(loc="left") for a in fig.axes if a.get_visible()]
    assert "World trade, vs baseline" in titles and "Intra-CIS trade share" in titles
    ax = fig.axes[titles.index("World trade, vs baseline")]
    assert ax.get_ylabel() == "% vs baseline median"


def test_fan_chart_needs_replications(run_dir: Path) -> None:
    with pytest.raises(NotApplicable, match="single replication"):
        fan_chart(load_results(run_dir).world)


def test_difference_chart(sweep: Results) -> None:
    base, scen = _split(sweep.world)
    fig = difference_chart(scen, base)
    assert_not_blank(fig)
    with pytest.raises(NotApplicable):
        difference_chart(scen.iloc[0:0], base)


def _state(d: pd.DataFrame) -> pd.DataFrame:
    return d.groupby("segment")[["volume_t", "utilization"]].median().reset_index()


def test_corridor_map(sweep: Results, network_dir: Path) -> None:
    net = read_network(network_dir)
    seg = sweep.segments
    last = seg[seg["quarter"] == seg["quarter"].max()]
    base, scen = _split(last)
    fig = corridor_map(net.hubs, net.segments, [("b", _state(base)), ("s", _state(scen))])
    assert_not_blank(fig)
    # Width follows volume: the thickest line on the scenario panel is the largest volume.
    widths = [c.get_linewidths() for c in fig.axes[1].collections if hasattr(c, "get_segments")]
    assert max(widths[0]) > 3 * min(widths[0])
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert all("Mt/quarter" in t and "Mt/yr" in t for t in legend)


def test_corridor_map_three_panels(sweep: Results, network_dir: Path) -> None:
    net = read_network(network_dir)
    seg = sweep.segments
    states = [(q, _state(seg[seg["quarter"] == q])) for q in sorted(seg["quarter"].unique())[:3]]
    fig = corridor_map(net.hubs, net.segments, states)
    assert [a.get_title(loc="left") for a in fig.axes[:3]] == [q for q, _ in states]


def test_corridor_difference_map(sweep: Results, network_dir: Path) -> None:
    net = read_network(network_dir)
    seg = sweep.segments
    last = seg[seg["quarter"] == seg["quarter"].max()]
    base, scen = (_state(x) for x in _split(last))
    fig = corridor_difference_map(net.hubs, net.segments, base, scen, title="s − b")
    assert_not_blank(fig)
    with pytest.raises(NotApplicable, match="different volume"):
        corridor_difference_map(net.hubs, net.segments, base, base, title="b − b")


def test_corridor_map_skips_hubs_without_coordinates(network_dir: Path) -> None:
    net = read_network(network_dir)
    hubs = net.hubs.assign(lon=np.where(net.hubs["hub"] == "Moscow", np.nan, net.hubs["lon"]))
    state = pd.DataFrame({"segment": ["spb-msk"], "volume_t": [1e6], "utilization": [0.5]})
    with pytest.raises(NotApplicable, match="coordinates"):
        corridor_map(hubs, net.segments, [("a", state), ("b", state)])


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


TARGETS = pd.DataFrame(
    {
        "series": ["national_currency_share_eaeu", "national_currency_share_eaeu", "rus_x"],
        "quarter": ["2024Q2", "2030Q1", "2024Q2"],
        "value": [0.80, 0.9, 0.5],
        "use": ["calibration", "validation", "validation"],
        "qualifier": ["eq", "eq", "eq"],
    }
)


def test_hindcast_chart_draws_overlapping_targets_with_errors(sweep: Results) -> None:
    from analysis.published import errors, overlapping

    base, _ = _split(sweep.world)
    over = overlapping(TARGETS, base)
    assert list(over["quarter"]) == ["2024Q2"]  # 2030Q1 outside the runs, rus_x not a column
    err = errors(over, base)
    sim = 100 * base.loc[base["quarter"] == "2024Q2", "national_currency_share_eaeu"].median()
    assert err["error_pp"].iloc[0] == pytest.approx(sim - 80.0)
    fig = hindcast_chart(base, TARGETS, "t")
    notes = [t.get_text() for t in fig.axes[0].texts]
    assert notes == [f"80: {sim - 80.0:+.1f}"]
    assert_not_blank(fig)


def test_hindcast_chart_needs_overlap(sweep: Results) -> None:
    base, _ = _split(sweep.world)
    with pytest.raises(NotApplicable, match="overlap no published"):
        hindcast_chart(base, TARGETS[TARGETS["quarter"] == "2030Q1"], "t")
