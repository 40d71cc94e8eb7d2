"""The Caravan student dashboard: a Mesa SolaraViz page (Mesa's controls, Caravan's charts).

Run it with ``uv run caravan-dashboard`` (see :mod:`sim.dashboard.cli`), or
directly with ``solara run sim.dashboard.app --host 127.0.0.1``.
Controls set the keyword arguments of :class:`~sim.dashboard.model.DashboardModel`;
Mesa applies them when the student presses *Reset*.
"""

from __future__ import annotations

from typing import Any

import solara
from mesa.visualization import Slider
from mesa.visualization.solara_viz import ModelController

from sim.dashboard.components import (
    CorridorMap,
    HeadlineSeries,
    LayerStatus,
    LeverInputs,
    Readout,
    RealIncome,
    SettlementShares,
)
from sim.dashboard.levers import CLOSABLE_CORRIDORS, TARIFF_TARGETS, scenario_names
from sim.dashboard.model import CAPACITY_PREFIX, DashboardModel, slug

TITLE = "Caravan — regional integration in the CIS"


def capacity_corridors() -> list[str]:
    """Corridors with at least one capacitated segment (a multiplier changes something)."""
    try:
        import numpy as np

        from sim.routing.network import load_network

        net = load_network()
    except Exception:  # noqa: BLE001 - the corridor data is optional for the dashboard
        return []
    capped = np.isfinite(net.capacity) & (net.capacity > 0)
    return sorted({str(c) for c in net.corridor[capped]} & set(CLOSABLE_CORRIDORS))


def model_params() -> dict[str, Any]:
    """The lever controls, one per keyword of :class:`DashboardModel`, in display order."""
    params: dict[str, Any] = {
        "scenario_name": {
            "type": "Select",
            "value": "baseline",
            "values": scenario_names(),
            "label": "Scenario",
        },
        "seed": {"type": "InputText", "value": "42", "label": "Seed"},
        "quarters": Slider("Quarters to simulate", 12, 4, 80, 1),
        "tariff_target": {
            "type": "Select",
            "value": "CIS FTA (intra-CIS)",
            "values": list(TARIFF_TARGETS),
            "label": "Tariff cut applies to",
        },
        "tariff_cut": Slider("Tariff cut (share of today's tariff)", 0.0, 0.0, 1.0, 0.05),
        "phase_in": Slider("Phase-in (quarters)", 1, 1, 20, 1),
    }
    params["link_density"] = Slider("Correspondent-link density (CIS pairs)", 0.9, 0.0, 1.0, 0.05)
    params["payment_risk"] = Slider(
        "USD/EUR payment risk with Russia, per quarter (0 = the scenario's)", 0.0, 0.0, 0.5, 0.02
    )
    for name in capacity_corridors():
        params[CAPACITY_PREFIX + slug(name)] = Slider(f"{name} capacity (×)", 1.0, 0.25, 4.0, 0.25)
    params["close_corridor"] = {"type": "Checkbox", "value": False, "label": "Close a corridor"}
    params["closed_corridor"] = {
        "type": "Select",
        "value": "Middle Corridor",
        "values": list(CLOSABLE_CORRIDORS),
        "label": "Corridor to close",
    }
    return params


@solara.component
def Main(model: DashboardModel) -> None:
    """The live components, in a fixed two-column layout."""
    Readout(model)
    with solara.Columns([1, 1]):
        HeadlineSeries(model)
        CorridorMap(model)
    with solara.Columns([1, 1]):
        RealIncome(model)
        SettlementShares(model)
    LayerStatus(model)


@solara.component
def Dashboard(model: DashboardModel) -> None:
    """Mesa's SolaraViz controls (Play, Step, Reset) and one input per lever.

    The sidebar is Mesa's own ``ModelController`` (as in
    :func:`mesa.visualization.SolaraViz`) and :func:`LeverInputs`, which sets the
    same ``model_parameters`` Mesa's ``ModelCreator`` would, but shows each
    slider's value and wraps long labels. The main area is a fixed layout
    instead of SolaraViz's draggable grid, whose front-end module
    (vue-grid-layout, a Vue 2 build) never finished loading under Solara's
    Vuetify 3 app in Chromium, leaving the page empty.
    """
    reactive_model = solara.use_reactive(model)
    levers = solara.use_memo(model_params, [])
    defaults = {k: (v.value if isinstance(v, Slider) else v["value"]) for k, v in levers.items()}
    parameters = solara.use_reactive(defaults)
    play_interval = solara.use_reactive(300)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
    with solara.Sidebar(), solara.Column():
        with solara.Card("Run"):
            ModelController(
                reactive_model,
                model_parameters=parameters,
                play_interval=play_interval,
                render_interval=render_interval,
                use_threads=use_threads,
            )
            solara.SliderInt("Play interval (ms)", value=play_interval, min=50, max=1000, step=50)
        with solara.Card("Levers (press Reset to apply)"):
            LeverInputs(
                levers,
                on_change=lambda name, value: parameters.set({**parameters.value, name: value}),
            )
    Main(reactive_model.value)


@solara.component
def Page() -> None:
    """The page ``solara run sim.dashboard.app`` serves: one model per browser session."""
    model = solara.use_memo(DashboardModel, [])
    Dashboard(model)
