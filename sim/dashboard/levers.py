"""Dashboard levers → a validated :class:`~sim.config.CaravanConfig`.

The dashboard exposes a handful of levers (sliders, toggles, a scenario
picker). :func:`build_config` composes the chosen scenario with Hydra, then
applies the levers on top of the typed config:

* tariff cut and phase-in → one :class:`~sim.config.TariffChange` appended to
  ``tariff.changes`` (so it composes with the scenario's own changes);
* correspondent-link density and payment risk → ``settlement`` entries;
* corridor capacity multipliers and a corridor closure → ``corridors`` entries.

The scenario must be one of the shipped names (``scenarios/``): whatever a
client sends, nothing outside that folder is composed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import lru_cache

from sim.config import CaravanConfig, TariffChange, validate
from sim.errors import ConfigError
from sim.quarters import quarter_range, shift_quarter

TARIFF_TARGETS: dict[str, tuple[list[str], list[str]]] = {
    "CIS FTA (intra-CIS)": (["CIS"], ["CIS"]),
    "CIS ↔ China": (["CIS"], ["CHN"]),
    "CIS ↔ EU27": (["CIS"], ["EUU"]),
    "CIS ↔ Iran": (["CIS"], ["IRN"]),
    "CIS ↔ India": (["CIS"], ["IND"]),
    "CIS ↔ Türkiye": (["CIS"], ["TUR"]),
    "CIS ↔ everyone": (["CIS"], ["ALL"]),
}
"""Which pairs the tariff-cut slider applies to (exporters, importers; both directions)."""

CLOSABLE_CORRIDORS: tuple[str, ...] = (
    "Middle Corridor",
    "INSTC western",
    "INSTC Trans-Caspian",
    "INSTC eastern",
    "East-West",
    "Siberia-South",
    "Trans-Siberian",
    "CHN-KAZ gateways",
    "Suez",
)
"""Corridor names (``sim/data/corridors/segments.csv``) offered by the closure toggle."""

RISK_SCOPE = "RUS"
"""Pairs exposed to the payment-risk slider: every pair with Russia on either side."""


@dataclass(frozen=True)
class Levers:
    """What the student set in the dashboard.

    Attributes:
        scenario: Scenario name (a file stem in ``scenarios/``).
        seed: The one seed.
        quarters: Quarters to simulate.
        tariff_cut: Share of the baseline tariff removed, in [0, 1].
        tariff_target: Key of :data:`TARIFF_TARGETS`.
        phase_in: Quarters over which the cut phases in linearly (≥ 1; 1 = at once).
        link_density: Correspondent-link density on CIS pairs, in [0, 1], or None
            to keep the scenario's value.
        payment_risk: Per-quarter probability that a USD/EUR payment on a pair
            with Russia is blocked, in [0, 1]; 0 adds nothing.
        capacity: Corridor name → capacity multiplier (1 = unchanged).
        close_corridor: Close ``closed_corridor`` for the whole horizon.
        closed_corridor: Name of the corridor the toggle closes.
    """

    scenario: str = "baseline"
    seed: int = 42
    quarters: int = 12
    tariff_cut: float = 0.0
    tariff_target: str = "CIS FTA (intra-CIS)"
    phase_in: int = 1
    link_density: float | None = None
    payment_risk: float = 0.0
    capacity: dict[str, float] = field(default_factory=dict)
    close_corridor: bool = False
    closed_corridor: str = "Middle Corridor"


def scenario_names() -> list[str]:
    """Names of the shipped scenarios (stems of ``scenarios/*.yaml``): the picker's only choices."""
    from sim.compose import scenario_files

    return list(scenario_files())


@lru_cache(maxsize=32)
def _scenario_config(scenario: str, seed: int, quarters: int) -> CaravanConfig:
    """Compose and validate a scenario once (Hydra composition takes ~0.2 s)."""
    from sim.compose import compose_and_validate

    if scenario not in scenario_names():
        raise ConfigError(
            "scenario", f"must be one of {', '.join(scenario_names())}, got {scenario!r}"
        )
    overrides = [f"scenario={scenario}", f"seed={seed}", f"sim.quarters={quarters}"]
    return compose_and_validate(overrides)


def scenario_config(scenario: str, seed: int = 42, quarters: int = 12) -> CaravanConfig:
    """A fresh (deep-copied) validated config of ``scenario``.

    Raises:
        ConfigError: naming the key, if the scenario cannot be composed.
    """
    return copy.deepcopy(_scenario_config(scenario, seed, quarters))


def tariff_change(levers: Levers, start: str) -> TariffChange | None:
    """The tariff change the sliders describe (None if the cut is 0)."""
    if levers.tariff_cut <= 0:
        return None
    exporters, importers = TARIFF_TARGETS[levers.tariff_target]
    return TariffChange(
        exporters=list(exporters),
        importers=list(importers),
        both_directions=True,
        start=start,
        end=shift_quarter(start, max(levers.phase_in, 1) - 1),
        path="linear",
        scale=float(1.0 - min(levers.tariff_cut, 1.0)),
    )


def _apply_settlement(cfg: CaravanConfig, levers: Levers, start: str) -> None:
    """Settlement levers from the first simulated quarter on.

    They must not apply before ``start``: the settlement layer calibrates its
    intercepts to the observed initial shares (and spins up from 2021Q4), so a
    lever in force then would be absorbed into the calibration.
    """
    from sim.settlement.config import HazardEntry, LeverEntry

    settlement = cfg.settlement  # type: ignore[attr-defined]
    if levers.link_density is not None:
        settlement.link_entries = [
            *settlement.link_entries,
            LeverEntry(scope="CIS", from_quarter=start, value=float(levers.link_density)),
        ]
    if levers.payment_risk > 0:
        settlement.hazards = [
            *settlement.hazards,
            HazardEntry(scope=RISK_SCOPE, from_quarter=start, hazard=float(levers.payment_risk)),
        ]


def _apply_corridors(cfg: CaravanConfig, levers: Levers, start: str, end: str) -> None:
    import numpy as np

    from sim.routing.config import CapacityChange, Closure
    from sim.routing.network import load_network

    corridors = cfg.corridors  # type: ignore[attr-defined]
    net = load_network()
    year = int(start[:4])
    changes = list(corridors.capacity_changes)
    for name, factor in levers.capacity.items():
        if abs(factor - 1.0) < 1e-12:
            continue
        for index in np.flatnonzero(np.asarray(net.corridor) == name):
            capacity = float(net.capacity[index])
            if np.isfinite(capacity) and capacity > 0:
                changes.append(
                    CapacityChange(
                        target=str(net.segment_ids[index]),
                        year=year,
                        capacity_mt_per_year=capacity * factor / 1e6,
                    )
                )
    corridors.capacity_changes = changes
    if levers.close_corridor:
        closure = Closure(target=levers.closed_corridor, from_quarter=start, to_quarter=end)
        corridors.closures = [*corridors.closures, closure]


def build_config(levers: Levers) -> tuple[CaravanConfig, list[str]]:
    """The validated config for ``levers``, and warnings about levers that were not applied.

    A lever whose value the model refuses (e.g. a closure that leaves a pair
    with no route) is dropped with a warning; the rest of the levers still apply.

    Raises:
        ConfigError: if the scenario itself cannot be composed.
    """
    cfg = scenario_config(levers.scenario, levers.seed, levers.quarters)
    start = cfg.sim.start
    end = quarter_range(start, cfg.sim.quarters)[-1]
    warnings: list[str] = []
    change = tariff_change(levers, start)
    if change is not None:
        cfg.tariff.changes = [*cfg.tariff.changes, change]
    steps = (
        ("settlement", lambda c: _apply_settlement(c, levers, start)),
        ("corridors", lambda c: _apply_corridors(c, levers, start, end)),
    )
    for layer, apply in steps:
        trial = copy.deepcopy(cfg)
        try:
            apply(trial)
            validate(trial)
            _validate_layer(trial, layer)
        except (ConfigError, KeyError, ValueError, AttributeError, ImportError) as error:
            warnings.append(f"{layer} levers not applied: {error}")
            continue
        cfg = trial
    return validate(cfg), warnings


def _validate_layer(cfg: CaravanConfig, layer: str) -> None:
    """Run a layer's own ``validate`` if it has one (ranges, routes after closures)."""
    section = getattr(cfg, layer)
    check = getattr(section, "validate", None)
    if check is None:
        return
    from sim.config import model_economies

    economies = list(model_economies(cfg)[:-1])
    if layer == "corridors":
        check(economies)
    else:
        check(economies + ["ROW"])
