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
from sim.dashboard.levers import Levers, build_config, tariff_change
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
    assert {"link_density", "payment_risk", "close_corridor", "closed_corridor"} <= set(params)
    assert "baseline" in params["scenario_name"]["values"]
    assert params["quarters"].value == 12  # the README's numbers are after 12 quarters
    # Mesa's Reset passes every control as a keyword, plus its own `scenario` object
    kwargs = {k: (v.value if hasattr(v, "value") else v["value"]) for k, v in params.items()}
    model = DashboardModel(**kwargs, scenario=object())
    assert model.levers.scenario == "baseline"


@pytest.mark.parametrize("name", ["../../etc/x", "/tmp/evil", "no_such_scenario"])
def test_scenario_outside_scenarios_dir_is_refused(name: str) -> None:
    model = DashboardModel(scenario_name=name, quarters=2)
    assert model.levers.scenario == "baseline"
    assert any("not one of scenarios/" in w for w in model.lever_warnings)
    with pytest.raises(Exception, match="scenario: must be one of"):
        build_config(Levers(scenario=name))


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
    assert set(headline["series"]) == {
        "Intra-CIS trade share",
        "National-currency settlement, CIS",
    }


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
    assert (segments["volume_mt"] == 0).all()


def test_map_before_the_first_step_says_press_step(fresh: DashboardModel) -> None:
    spec = charts.corridor_map(fresh.segment_volumes).to_dict()
    assert "press Step" in spec["title"]["subtitle"]
    assert "not in the model" not in str(spec)


def test_closed_corridor_is_drawn_in_red(stepped: DashboardModel) -> None:
    spec = charts.corridor_map(stepped.segment_volumes, "Middle Corridor").to_dict()
    closed = [
        layer for layer in spec["layer"] if layer["mark"].get("color") == charts.CLOSED_COLOUR
    ]
    assert len(closed) == 1
    assert "Middle Corridor, closed" in spec["title"]["subtitle"]


def test_map_widths_are_tonnes_per_quarter(stepped: DashboardModel) -> None:
    _, segments = charts.corridor_frame(stepped.segment_volumes)
    seg = stepped.routing_result.segments
    last = seg[seg["quarter"] == "2024Q2"].set_index("segment")["volume_t"]
    row = segments.iloc[int(segments["volume_mt"].to_numpy().argmax())]
    assert math.isclose(row["volume_mt"], last[row["segment"]] / 1e6, rel_tol=1e-9)
    spec = charts.corridor_map(stepped.segment_volumes).to_dict()
    assert "Mt per quarter" in str(spec) and "Mt/yr" not in str(spec)


def test_sixteen_economies_get_sixteen_colours(stepped: DashboardModel) -> None:
    spec = charts.real_income_chart(stepped.real_income()).to_dict()
    scale = spec["encoding"]["color"]["scale"]
    assert len(scale["domain"]) == 16 and len(set(scale["range"])) == 16


def test_headline_axis_shows_a_tenth_of_a_point(stepped: DashboardModel) -> None:
    """Each share has its own axis, not from zero, so a 0.3 pp move spans most of it."""
    spec = charts.headline_chart(stepped.history).to_dict()
    assert len(spec["vconcat"]) == 2
    for panel in spec["vconcat"]:
        assert panel["encoding"]["y"]["scale"]["zero"] is False


def test_corridor_volumes_in_the_readout(stepped: DashboardModel) -> None:
    text = readout_html(stepped)
    total = stepped.corridor_volumes["Middle Corridor"]
    assert f'data-series="volume:Middle Corridor" data-value="{total:.10g}"' in text


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


def test_lever_sliders_show_their_values() -> None:
    from sim.dashboard.components import LeverInputs

    changes: list[tuple[str, object]] = []
    box, rc = solara.render(
        LeverInputs(model_params(), on_change=lambda n, v: changes.append((n, v))),
        handle_error=False,
    )
    texts = [w.children[0] for w in rc.find(ipyvuetify.Html).widgets if w.children]
    assert "Quarters to simulate: 12" in texts
    assert "Correspondent-link density (CIS pairs): 0.90" in texts
    slider = rc.find(ipyvuetify.Slider).widgets[1]  # the tariff cut
    slider.v_model = 0.35
    assert changes[-1] == ("tariff_cut", 0.35)
    texts = [w.children[0] for w in rc.find(ipyvuetify.Html).widgets if w.children]
    assert "Tariff cut (share of today's tariff): 0.35" in texts
    rc.close()


def test_guard_refuses_other_hosts() -> None:
    import asyncio

    from sim.dashboard.guard import LocalOnly, host_name

    assert host_name([(b"host", b"127.0.0.1:8765")]) == "127.0.0.1"
    assert host_name([(b"host", b"[::1]:8765")]) == "[::1]"
    assert host_name([(b"Host", b"Evil.example")]) == "evil.example"
    seen: list[dict] = []

    async def inner(scope, receive, send) -> None:  # noqa: ANN001
        seen.append(scope)

    async def call(host: bytes) -> list[dict]:
        sent: list[dict] = []

        async def send(message: dict) -> None:
            sent.append(message)

        async def receive() -> dict:
            return {"type": "http.request"}

        scope = {"type": "http", "method": "GET", "path": "/x", "headers": [(b"host", host)]}
        await LocalOnly(inner)(scope, receive, send)
        return sent

    assert asyncio.run(call(b"localhost:1"))[:1] == [] and len(seen) == 1
    refused = asyncio.run(call(b"attacker.example:8765"))
    assert refused[0]["status"] == 400 and len(seen) == 1
