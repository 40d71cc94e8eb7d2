"""`DashboardModel`: a :class:`~sim.model.CaravanModel` built from dashboard levers.

Mesa's SolaraViz re-creates the model on *Reset* by calling its class with
keyword arguments (one per control). This subclass takes those keywords,
turns them into a validated config (:func:`sim.dashboard.levers.build_config`)
and, after every quarter, keeps a small per-quarter history of the series the
dashboard plots, reading the optional corridor and settlement phases only if
the model has them (``routing_result``, ``settlement_result``).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import pandas as pd

from sim.dashboard.levers import Levers, build_config, scenario_names
from sim.data.loader import load_world
from sim.data.world import World
from sim.model import CaravanModel

CAPACITY_PREFIX = "capacity_"
"""Keyword prefix of corridor capacity multipliers, e.g. ``capacity_middle_corridor``."""


def slug(name: str) -> str:
    """Keyword-safe slug of a corridor name (``"Middle Corridor"`` → ``middle_corridor``)."""
    return "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")


@lru_cache(maxsize=4)
def cached_world(name: str) -> World:
    """The shipped world, loaded once per process (it is read-only)."""
    return load_world(name, None, None)


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _seed(text: int | str) -> tuple[int, list[str]]:
    """The seed typed by the student, or the default 42 with a warning."""
    try:
        value = int(str(text).strip())
    except ValueError:
        return 42, [f"seed {text!r} is not a whole number; using 42"]
    if value < 0:
        return 42, [f"seed {value} is negative; using 42"]
    return value, []


def _scenario(name: object) -> tuple[str, list[str]]:
    """The scenario picked, if it is a shipped scenario name; else baseline with a warning.

    The select offers only the names in ``scenarios/``, but a client can send any
    value: a path (``../../x``) or an unknown name is refused here, never composed.
    """
    text = str(name)
    if text in scenario_names():
        return text, []
    return "baseline", [f"scenario {text!r} is not one of scenarios/; using baseline"]


class DashboardModel(CaravanModel):
    """Caravan configured by the dashboard's controls.

    Args:
        scenario_name: Scenario name (``scenarios/<name>.yaml``). Not ``scenario``:
            Mesa's Reset passes its own ``Scenario`` object under that name.
        seed: The one seed (an int, or text holding one).
        quarters: Quarters to simulate; the model stops after the last.
        tariff_cut: Share of the baseline tariff removed on ``tariff_target`` pairs.
        tariff_target: Which pairs the cut applies to (see ``TARIFF_TARGETS``).
        phase_in: Quarters over which the cut phases in (1 = at once).
        link_density: Correspondent-link density on CIS pairs (settlement layer).
        payment_risk: Blocking hazard on USD/EUR payments of pairs with Russia.
        close_corridor: Close ``closed_corridor`` for the whole horizon.
        closed_corridor: Corridor the toggle closes.
        scenario: Mesa's ``Scenario`` object, passed by SolaraViz on Reset; ignored
            (Caravan's scenarios are Hydra files, chosen by ``scenario_name``).
        **capacity: ``capacity_<corridor slug>`` → capacity multiplier.
    """

    def __init__(
        self,
        scenario_name: str = "baseline",
        seed: int | str = 42,
        quarters: int = 12,
        tariff_cut: float = 0.0,
        tariff_target: str = "CIS FTA (intra-CIS)",
        phase_in: int = 1,
        link_density: float | None = None,
        payment_risk: float = 0.0,
        close_corridor: bool = False,
        closed_corridor: str = "Middle Corridor",
        scenario: object | None = None,
        **capacity: float,
    ) -> None:
        from sim.dashboard.levers import CLOSABLE_CORRIDORS

        del scenario  # Mesa's own scenario object; Caravan's scenario is scenario_name

        names = {slug(n): n for n in CLOSABLE_CORRIDORS}
        multipliers = {
            names.get(key.removeprefix(CAPACITY_PREFIX), key.removeprefix(CAPACITY_PREFIX)): float(
                value
            )
            for key, value in capacity.items()
            if key.startswith(CAPACITY_PREFIX)
        }
        unknown = [key for key in capacity if not key.startswith(CAPACITY_PREFIX)]
        if unknown:
            raise TypeError(f"unknown dashboard parameter(s): {', '.join(unknown)}")
        seed_value, seed_warning = _seed(seed)
        scenario_name, scenario_warning = _scenario(scenario_name)
        seed_warning += scenario_warning
        self.levers = Levers(
            scenario=scenario_name,
            seed=seed_value,
            quarters=int(quarters),
            tariff_cut=float(tariff_cut),
            tariff_target=tariff_target,
            phase_in=int(phase_in),
            link_density=None if link_density is None else float(link_density),
            payment_risk=float(payment_risk),
            capacity=multipliers,
            close_corridor=bool(close_corridor),
            closed_corridor=closed_corridor,
        )
        cfg, self.lever_warnings = build_config(self.levers)
        self.lever_warnings = [*seed_warning, *self.lever_warnings]
        super().__init__(cfg, world=cached_world(cfg.world.name))
        self.history: list[dict[str, float | str]] = []
        self.segment_volumes: pd.Series | None = None
        self.corridor_volumes: pd.Series | None = None
        self.running = True

    def step(self) -> None:
        """One quarter of :class:`CaravanModel`, then the dashboard's snapshot."""
        super().step()
        self._snapshot()
        if self.steps >= len(self.quarters):
            self.running = False

    def _snapshot(self) -> None:
        world = self.records.world[-1]
        row: dict[str, float | str] = {
            "quarter": self.records.quarters[-1],
            "intra_cis_trade_share": _float(world.get("intra_cis_trade_share")),
            "cis_real_income": _float(world.get("cis_real_income")),
        }
        headline = self.settlement_headline()
        for key in (
            "national_currency_share_cis",
            "vehicle_currency_share",
            "national_currency_share_world",
        ):
            row[key] = _float(headline.get(key, world.get(key)))
        self.history.append(row)
        self.segment_volumes = self.read_segment_volumes()
        self.corridor_volumes = self.read_corridor_volumes()

    def settlement_headline(self) -> dict[str, Any]:
        """The settlement phase's headline dict for the last quarter ({} if absent)."""
        result = getattr(self, "settlement_result", None)
        headline = getattr(result, "headline", None)
        return dict(headline) if isinstance(headline, dict) else {}

    def read_segment_volumes(self) -> pd.Series:
        """Tonnes carried per segment id in the last quarter (``routing_result.segments``)."""
        frame = self.routing_result.segments
        latest = frame[frame["quarter"] == self.records.quarters[-1]]
        return latest.groupby("segment")["volume_t"].sum().astype(float)

    def read_corridor_volumes(self) -> pd.Series:
        """Tonnes carried per corridor in the last quarter (segments summed)."""
        frame = self.routing_result.segments
        latest = frame[frame["quarter"] == self.records.quarters[-1]]
        return latest.groupby("corridor")["volume_t"].sum().astype(float)

    def real_income(self) -> pd.DataFrame:
        """Long table quarter × economy of real income (base = 1)."""
        codes = [agent.iso3 for agent in self.economy_agents]
        rows = [
            {"quarter": q, "economy": code, "real_income": float(value)}
            for q, economy in zip(self.records.quarters, self.records.economies, strict=True)
            for code, value in zip(codes, economy["real_income"], strict=True)
        ]
        return pd.DataFrame(rows, columns=["quarter", "economy", "real_income"])
