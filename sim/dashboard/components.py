"""Solara components of the dashboard; each takes the model and re-renders every step.

Mesa's SolaraViz calls each component with the current model. A component
that is already a Solara component is not wrapped by Mesa, so each one reads
``update_counter`` itself to re-render after Step, Play and Reset.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from typing import Any

import solara
from mesa.visualization import Slider
from mesa.visualization.utils import update_counter

from sim.dashboard import charts
from sim.dashboard.model import DashboardModel

READOUT_KEYS: dict[str, tuple[str, str]] = {
    "intra_cis_trade_share": ("Intra-CIS trade share", "{:.3%}"),
    "national_currency_share_cis": ("National-currency settlement share (CIS)", "{:.2%}"),
    "cis_real_income": ("CIS real income (1 = calibration)", "{:.5f}"),
}


def _tag(key: str, value: float, shown: str) -> str:
    data = "" if shown == "n/a" else f"{float(value):.10g}"
    return f'<b data-series="{html.escape(key)}" data-value="{data}">{html.escape(shown)}</b>'


def readout_html(model: DashboardModel) -> str:
    """The latest value of each plotted series, as HTML with machine-readable tags.

    Each value is a ``<span data-series="KEY" data-value="…">`` so a browser test
    (or a screen reader) can read exactly what the charts show; corridor volumes
    are ``volume:<corridor>`` in tonnes carried in the quarter.
    """
    last = model.history[-1] if model.history else {}
    quarter = last.get("quarter", "— (press Step or ▶)")
    rows = [
        f'<div>Quarter: <b data-series="quarter">{html.escape(str(quarter))}</b>'
        f" · step {model.steps} of {len(model.quarters)}</div>"
    ]
    for key, (label, fmt) in READOUT_KEYS.items():
        value = last.get(key, math.nan)
        shown = "n/a" if isinstance(value, float) and math.isnan(value) else fmt.format(value)
        rows.append(f"<div>{html.escape(label)}: {_tag(key, value, shown)}</div>")
    volumes = model.corridor_volumes
    if volumes is not None:
        busiest = volumes.drop(index=["domestic", "deep sea", "regional", "port"], errors="ignore")
        cells = [
            f"{html.escape(str(name))} {_tag(f'volume:{name}', v, f'{v / 1e6:,.1f}')}"
            for name, v in busiest.sort_index().items()
        ]
        rows.append("<div>Mt carried this quarter: " + " · ".join(cells) + "</div>")
    return "\n".join(rows)


@solara.component
def Readout(model: DashboardModel) -> None:
    """Latest values of the headline series, plus the levers in force."""
    update_counter.get()
    with solara.Card("Latest quarter"):
        solara.HTML(tag="div", unsafe_innerHTML=readout_html(model), classes=["caravan-readout"])
        lv = model.levers
        solara.Text(
            f"Scenario {lv.scenario}, seed {lv.seed}, {lv.quarters} quarters; tariff cut "
            f"{lv.tariff_cut:.0%} on {lv.tariff_target} over {lv.phase_in} quarter(s)"
            + (f"; link density {lv.link_density:.2f}" if lv.link_density is not None else "")
            + (f"; payment risk {lv.payment_risk:.2f}" if lv.payment_risk > 0 else "")
            + (f"; {lv.closed_corridor} closed" if lv.close_corridor else "")
            + "."
        )


@solara.component
def LayerStatus(model: DashboardModel) -> None:
    """Any lever the model refused, and how levers apply."""
    update_counter.get()
    with solara.Card("Levers"):
        for warning in model.lever_warnings:
            solara.Warning(warning)
        solara.Text("Change a control, then press Reset to apply it; Step or ▶ runs.")


@solara.component
def CorridorMap(model: DashboardModel) -> None:
    """Corridor network at real coordinates; line width = segment volume; a closure in red."""
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
    solara.FigureAltair(charts.settlement_chart(model.history))


def shown_value(value: Any, step: float | None = None) -> str:
    """A control's value as text: ``0.35`` for a float slider, ``12`` for an int one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int) or (step is not None and float(step).is_integer()):
        return str(int(round(value)))
    return f"{value:.2f}"


@solara.component
def LeverInputs(params: dict[str, Any], on_change: Callable[[str, Any], None]) -> None:
    """One input per lever; each slider shows its label above it (wrapped) and its value."""
    values = solara.use_reactive(
        {k: (v.value if isinstance(v, Slider) else v["value"]) for k, v in params.items()}
    )

    def set_value(name: str, value: Any) -> None:
        values.value = {**values.value, name: value}
        on_change(name, value)

    for name, spec in params.items():
        current = values.value[name]
        with solara.Column(gap="0px", classes=["caravan-lever"], style={"margin-bottom": "6px"}):
            if isinstance(spec, Slider):
                solara.Text(
                    f"{spec.label}: {shown_value(current, spec.step)}",
                    style={"font-size": "0.9em", "white-space": "normal"},
                )
                widget = solara.SliderFloat if spec.is_float_slider else solara.SliderInt
                widget(
                    "",
                    value=current,
                    on_value=lambda v, n=name: set_value(n, v),
                    min=spec.min,
                    max=spec.max,
                    step=spec.step,
                    thumb_label=False,
                )
            elif spec["type"] == "Select":
                solara.Select(
                    spec["label"],
                    value=current,
                    values=spec["values"],
                    on_value=lambda v, n=name: set_value(n, v),
                )
            elif spec["type"] == "Checkbox":
                solara.Checkbox(
                    label=spec["label"], value=current, on_value=lambda v, n=name: set_value(n, v)
                )
            else:
                solara.InputText(
                    spec["label"], value=str(current), on_value=lambda v, n=name: set_value(n, v)
                )


COMPONENTS = (Readout, HeadlineSeries, CorridorMap, RealIncome, SettlementShares, LayerStatus)
"""Components in display order."""
