"""Solara components of the dashboard; each takes the model and re-renders every step.

Mesa's SolaraViz calls each component with the current model. A component
that is already a Solara component is not wrapped by Mesa, so each one reads
``update_counter`` itself to re-render after Step, Play and Reset.
"""

from __future__ import annotations

import html
import math

import solara
from mesa.visualization.utils import update_counter

from sim.dashboard import charts
from sim.dashboard.levers import available_layers
from sim.dashboard.model import DashboardModel

READOUT_KEYS: dict[str, tuple[str, str]] = {
    "intra_cis_trade_share": ("Intra-CIS trade share", "{:.4%}"),
    "national_currency_share_cis": ("National-currency settlement share (CIS)", "{:.2%}"),
    "cis_real_income": ("CIS real income (base = 1)", "{:.5f}"),
}


def readout_html(model: DashboardModel) -> str:
    """The latest value of each plotted headline series, as HTML with machine-readable tags.

    Each value is a ``<span data-series="KEY" data-value="…">`` so a browser test
    (or a screen reader) can read exactly what the charts show.
    """
    last = model.history[-1] if model.history else {}
    quarter = last.get("quarter", "— (press Step or Play)")
    rows = [
        f'<div>Quarter: <b data-series="quarter">{html.escape(str(quarter))}</b>'
        f" · step {model.steps} of {len(model.quarters)}</div>"
    ]
    for key, (label, fmt) in READOUT_KEYS.items():
        value = last.get(key, math.nan)
        shown = "n/a" if isinstance(value, float) and math.isnan(value) else fmt.format(value)
        data = "" if shown == "n/a" else f"{float(value):.10g}"
        tag = f'<b data-series="{key}" data-value="{data}">{shown}</b>'
        rows.append(f"<div>{html.escape(label)}: {tag}</div>")
    return "\n".join(rows)


@solara.component
def Readout(model: DashboardModel) -> None:
    """Latest values of the headline series, plus the levers in force."""
    update_counter.get()
    with solara.Card("Latest quarter"):
        solara.HTML(tag="div", unsafe_innerHTML=readout_html(model), classes=["caravan-readout"])
        lv = model.levers
        solara.Text(
            f"Scenario {lv.scenario}, seed {lv.seed}; tariff cut {lv.tariff_cut:.0%} on "
            f"{lv.tariff_target} over {lv.phase_in} quarter(s)"
            + (f"; {lv.closed_corridor} closed" if lv.close_corridor else "")
            + "."
        )


@solara.component
def LayerStatus(model: DashboardModel) -> None:
    """Which levers are live, and any lever the model refused."""
    update_counter.get()
    layers = available_layers()
    live_routing = getattr(model, "routing_result", None) is not None or model.steps == 0
    with solara.Card("Levers"):
        if not layers["settlement"]:
            solara.Info(
                "Correspondent-link density and payment risk switch on once the settlement "
                "phase is part of the model."
            )
        if not layers["corridors"]:
            solara.Info(
                "Corridor capacity and closure switch on once the corridor phase is part of "
                "the model; the map shows the network without volumes."
            )
        elif not live_routing:
            solara.Info("The corridor phase did not report segment volumes this quarter.")
        for warning in model.lever_warnings:
            solara.Warning(warning)
        solara.Text("Change a control, then press Reset to apply it; Step or ▶ runs.")


@solara.component
def CorridorMap(model: DashboardModel) -> None:
    """Corridor network at real coordinates; line width = segment volume."""
    update_counter.get()
    closed = model.levers.closed_corridor if model.levers.close_corridor else None
    chart = charts.corridor_map(model.segment_volumes, closed)
    if chart is None:
        solara.Info("Corridor data (sim/data/corridors) is not available.")
        return
    solara.FigureAltair(chart)


@solara.component
def HeadlineSeries(model: DashboardModel) -> None:
    """Intra-CIS trade share and national-currency settlement share by quarter."""
    update_counter.get()
    solara.FigureAltair(charts.headline_chart(model.history))


@solara.component
def RealIncome(model: DashboardModel) -> None:
    """Real income of every economy by quarter."""
    update_counter.get()
    solara.FigureAltair(charts.real_income_chart(model.real_income()))


@solara.component
def SettlementShares(model: DashboardModel) -> None:
    """CIS trade by settlement currency (national, vehicle, third)."""
    update_counter.get()
    if not available_layers()["settlement"]:
        solara.Info("Settlement shares appear once the settlement phase is part of the model.")
        return
    solara.FigureAltair(charts.settlement_chart(model.history))


COMPONENTS = (Readout, HeadlineSeries, CorridorMap, RealIncome, SettlementShares, LayerStatus)
"""Components in display order."""
