"""Dashboard without a browser: levers → config, the model wrapper, charts, Solara rendering."""

from __future__ import annotations

import math

import ipyvuetify
import pytest
import solara
from mesa.visualization.utils import force_update

from sim.dashboard import charts
from sim.dashboard.app import Dashboard, model_params
from sim.dashboard.components import (
    CorridorMap,
    HeadlineSeries,
    LayerStatus,
    Readout,
    RealIncome,
    SettlementShares,
    readout_html,
)
from sim.dashboard.levers import Levers, available_layers, build_config, tariff_change
from sim.dashboard.model import DashboardModel


@pytest.fixture(scope="module")
def stepped() -> DashboardModel:
    model = DashboardModel(quarters=8)
    model.step()
    model.step()
    return model


@pytest.fixture(scope="module")
def fresh() -> DashboardModel:
    return DashboardModel(quarters=8)


def test_tariff_lever_maps_to_a_tariff_change() -> None:
    change = tariff_change(Levers(tariff_cut=0.5, phase_in=4), "2024Q1")
    assert change is not None
    assert (change.exporters, change.importers) == (["CIS"], ["CIS"])
    assert (change.start, change.end, change.scale) == ("2024Q1", "2024Q4", 0.5)
    assert tariff_change(Levers(tariff_cut=0.0), "2024Q1") is None


def test_build_config_appends_to_the_scenario() -> None:
    cfg, warnings = build_config(Levers(tariff_cut=1.0, tariff_target="CIS ↔ China", quarters=6))
    assert cfg.sim.quarters == 6
    assert cfg.tariff.changes[-1].importers == ["CHN"]
    assert cfg.tariff.changes[-1].scale == 0.0
    assert warnings == []


def test_model_params_match_the_model_signature() -> None:
    params = model_params()
    assert {"scenario_name", "seed", "tariff_cut", "phase_in"} <= set(params)
    layers = available_layers()
    assert ("link_density" in params) == layers["settlement"]
    assert ("close_corridor" in params) == layers["corridors"]
    assert "baseline" in params["scenario_name"]["values"]
    # Mesa's Reset passes every control as a keyword, plus its own `scenario` object
    kwargs = {k: (v.value if hasattr(v, "value") else v["value"]) for k, v in params.items()}
    model = DashboardModel(**kwargs, scenario=object())
    assert model.levers.scenario == "baseline"


def test_bad_seed_falls_back_with_a_warning() -> None:
    model = DashboardModel(seed="abc", quarters=4)
    assert model.levers.seed == 42
    assert any("seed" in w for w in model.lever_warnings)


def test_deeper_fta_raises_the_intra_cis_share() -> None:
    base, deep = DashboardModel(quarters=4), DashboardModel(quarters=4, tariff_cut=1.0)
    base.step()
    deep.step()
    assert deep.history[-1]["intra_cis_trade_share"] > base.history[-1]["intra_cis_trade_share"]


def test_model_stops_after_the_last_quarter() -> None:
    model = DashboardModel(quarters=2, seed="7")
    model.step()
    assert model.running
    model.step()
    assert not model.running


def test_history_and_tables(stepped: DashboardModel) -> None:
    assert [row["quarter"] for row in stepped.history] == ["2024Q1", "2024Q2"]
    assert 0 < stepped.history[-1]["intra_cis_trade_share"] < 1
    income = stepped.real_income()
    assert len(income) == 2 * len(stepped.world.economies)
    headline = charts.headline_frame(stepped.history)
    assert set(headline["series"]) >= {"Intra-CIS trade share"}


def test_charts_build_specs(stepped: DashboardModel) -> None:
    for chart in (
        charts.headline_chart(stepped.history),
        charts.real_income_chart(stepped.real_income()),
        charts.settlement_chart(stepped.history),
        charts.corridor_map(stepped.segment_volumes, "Middle Corridor"),
    ):
        assert chart is not None
        assert chart.to_dict()["$schema"].startswith("https://vega.github.io/schema/vega-lite")


def test_corridor_map_uses_real_coordinates() -> None:
    frames = charts.corridor_frame(None, closed="Middle Corridor")
    assert frames is not None
    hubs, segments = frames
    moscow = hubs.set_index("hub").loc["moscow"]
    assert math.isclose(moscow["lat"], 55.75, abs_tol=0.1)
    assert math.isclose(moscow["lon"], 37.62, abs_tol=0.1)
    assert (segments.loc[segments["corridor"] == "Middle Corridor", "state"] == "closed").all()
    assert segments["volume_mt"].isna().all()


def test_segment_volumes_reach_the_map_when_routing_runs(stepped: DashboardModel) -> None:
    if getattr(stepped, "routing_result", None) is None:
        pytest.skip("the corridor phase is not in CaravanModel yet")
    assert stepped.segment_volumes is not None and (stepped.segment_volumes > 0).any()
    _, segments = charts.corridor_frame(stepped.segment_volumes)
    assert segments["volume_mt"].notna().any()


def test_readout_html_carries_the_plotted_values(stepped: DashboardModel) -> None:
    text = readout_html(stepped)
    value = stepped.history[-1]["intra_cis_trade_share"]
    assert 'data-series="quarter">2024Q2<' in text
    assert f'data-series="intra_cis_trade_share" data-value="{value:.10g}"' in text


@pytest.mark.parametrize(
    "component",
    [Readout, HeadlineSeries, CorridorMap, RealIncome, SettlementShares, LayerStatus],
)
def test_components_render_before_and_after_a_step(
    component,  # noqa: ANN001
    fresh: DashboardModel,
    stepped: DashboardModel,
) -> None:
    for model in (fresh, stepped):
        box, rc = solara.render(component(model), handle_error=False)
        force_update()
        assert rc.find().widgets
        rc.close()


def _readout(rc) -> str:  # noqa: ANN001 - a reacton render context
    found = rc.find(solara.widgets.HTML, attributes={"class": "caravan-readout"})
    found.assert_single()
    return found.widget.unsafe_innerHTML


def test_readout_updates_on_step() -> None:
    model = DashboardModel(quarters=4)
    box, rc = solara.render(Readout(model), handle_error=False)
    assert "press Step" in _readout(rc)
    model.step()
    force_update()
    assert 'data-series="quarter">2024Q1<' in _readout(rc)
    rc.close()


def test_dashboard_step_button_steps_the_model() -> None:
    model = DashboardModel(quarters=4)

    @solara.component
    def App() -> None:
        with solara.AppLayout():
            Dashboard(model)

    box, rc = solara.render(App(), handle_error=False)
    buttons = {w.children[0] for w in rc.find(ipyvuetify.Btn).widgets if w.children}
    assert {"Reset", "Step"} <= buttons
    rc.find(ipyvuetify.Btn, children=["Step"]).widget.click()
    assert model.steps == 1
    assert 'data-series="quarter">2024Q1<' in _readout(rc)
    rc.close()
