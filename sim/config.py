"""Structured configuration (Hydra/OmegaConf dataclasses) and range validation.

Hydra checks types and unknown keys against these dataclasses but not ranges,
and ``+key=value`` bypasses the schema. :func:`validate` therefore re-checks
the composed config against the schema (refusing unknown keys) and every
range, raising :class:`sim.errors.ConfigError` naming the dotted key, before
any run starts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.errors import ConfigError
from sim.quarters import is_quarter, quarter_ordinal
from sim.routing.config import CorridorsConfig
from sim.settlement.config import SettlementConfig
from sim.sweep.schema import SweepConfig, validate_sweep

ECONOMY_CODES = (
    "ARM",
    "AZE",
    "BLR",
    "KAZ",
    "KGZ",
    "MDA",
    "RUS",
    "TJK",
    "TKM",
    "UZB",
    "CHN",
    "EUU",
    "IRN",
    "IND",
    "TUR",
)
BLOC_NAMES = ("CIS", "EAEU", "CIS_FTA")


@dataclass
class WorldConfig:
    """Which world and which economies.

    Attributes:
        name: Shipped world (``sim.data.loader.WORLDS``: ``cis2023``, ``cis2021``).
        economies: ISO3 codes to model (empty = all 15); the others fold into ROW.
        trade_matrix: Optional path to a user-supplied complete trade matrix CSV
            (columns exporter, importer, value_usd_bn), replacing the shipped one.
    """

    name: str = "cis2023"
    economies: list[str] = field(default_factory=list)
    trade_matrix: str | None = None


@dataclass
class TradeConfig:
    """The GE trade core.

    Attributes:
        sigma: Elasticity of substitution σ (> 1, at most 20). Default 5: a trade
            elasticity σ − 1 = 4, as in Simonovska & Waugh (2014, JIE 92(1)).
        adjustment: Share of the gap between realised and GE-target flows closed
            each quarter, in (0, 1]; 1 = the quarter is the GE counterfactual.
    """

    sigma: float = 5.0
    adjustment: float = 1.0


@dataclass
class SimConfig:
    """Simulation horizon and baseline growth.

    Attributes:
        quarters: Number of quarters to simulate (1-400).
        start: First simulated quarter, ``YYYYQn`` (1990Q1-2100Q4).
        growth: ``weo`` = real output grows along the IMF WEO path shipped with the
            data (held at the last observed rate afterwards); ``flat`` = no growth.
    """

    quarters: int = 12
    start: str = "2024Q1"
    growth: str = "weo"


@dataclass
class TariffChange:
    """A scheduled change to the tariff (or non-tariff barrier) rate of a set of pairs.

    The rate of each affected pair moves from its baseline τ to τ × ``scale``
    along ``path`` between ``start`` and ``end`` (quarter labels).

    Attributes:
        exporters: ISO3 codes or bloc names (CIS, EAEU, CIS_FTA); empty or ALL = all.
        importers: As ``exporters``.
        both_directions: Also apply with exporters and importers swapped.
        start: First quarter of the phase-in (``YYYYQn``).
        end: Quarter the phase-in completes (≥ start).
        path: ``linear`` or ``step``.
        scale: Final multiple of the baseline rate, in [0, 10] (0 = abolished).
    """

    exporters: list[str] = field(default_factory=list)
    importers: list[str] = field(default_factory=list)
    both_directions: bool = True
    start: str = "2025Q1"
    end: str = "2025Q1"
    path: str = "linear"
    scale: float = 0.0


@dataclass
class TariffConfig:
    """Tariff regime and its scheduled changes.

    Attributes:
        regime: ``applied2023`` (the rules in :mod:`sim.policy.tariffs`).
        cis_fta_exemption_share: Share of CIS-FTA trade still tariffed at the
            importer's applied rate, in [0, 1]. Default 0.1 is *assumed* (the
            exemption lists are not quantified in the shipped sources).
        eaeu_iran_interim: Apply the 2019 EAEU–Iran interim cuts.
        changes: Scheduled tariff changes.
        ntb_base: Non-tariff barriers as an ad-valorem equivalent on every
            international pair, in [0, 10]; 0 = none modelled at baseline. Only
            changes relative to the baseline affect trade.
        ntb_changes: Scheduled changes of the NTB equivalent (``scale`` of ntb_base).
    """

    regime: str = "applied2023"
    cis_fta_exemption_share: float = 0.1
    eaeu_iran_interim: bool = True
    changes: list[TariffChange] = field(default_factory=list)
    ntb_base: float = 0.0
    ntb_changes: list[TariffChange] = field(default_factory=list)


@dataclass
class OutputConfig:
    """What a run writes.

    Attributes:
        pairs: Write ``pairs.parquet`` (the largest table).
        summary: Print a short summary at the end of a run.
    """

    pairs: bool = True
    summary: bool = True


@dataclass
class ScenarioConfig:
    """Name and description of the scenario being run (set by ``scenario=NAME``).

    Attributes:
        name: Scenario name.
        description: One line on what it represents.
        requires: Capabilities it needs (e.g. ``corridors``, ``settlement``).
    """

    name: str = "baseline"
    description: str = "2024 status quo: policy levers held at their 2023/24 values."
    requires: list[str] = field(default_factory=list)


@dataclass
class CaravanConfig:
    """The whole configuration of one run.

    Attributes:
        seed: The one seed (int ≥ 0); every random stream derives from it.
    """

    seed: int = 42
    world: WorldConfig = field(default_factory=WorldConfig)
    trade: TradeConfig = field(default_factory=TradeConfig)
    sim: SimConfig = field(default_factory=SimConfig)
    tariff: TariffConfig = field(default_factory=TariffConfig)
    corridors: CorridorsConfig = field(default_factory=CorridorsConfig)
    settlement: SettlementConfig = field(default_factory=SettlementConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    sweep: SweepConfig = field(default_factory=SweepConfig)


CAPABILITIES: frozenset[str] = frozenset({"trade", "tariffs", "corridors", "settlement"})
"""Capabilities built into the model; a scenario requiring another one is refused."""


def _range(key: str, value: float, low: float, high: float, *, open_low: bool = False) -> None:
    below = value <= low if open_low else value < low
    if below or value > high or not math.isfinite(value):  # NaN passes both comparisons
        bracket = "(" if open_low else "["
        raise ConfigError(key, f"must be in {bracket}{low}, {high}], got {value}")


def _quarter(key: str, value: str) -> None:
    if not is_quarter(value) or not 1990 <= int(value[:4]) <= 2100:
        raise ConfigError(key, f"must be a quarter label YYYYQn (1990Q1-2100Q4), got {value!r}")


def _codes(key: str, codes: Sequence[str], allow_blocs: bool) -> None:
    allowed = ECONOMY_CODES + (BLOC_NAMES + ("ALL",) if allow_blocs else ())
    for code in codes:
        if code not in allowed:
            raise ConfigError(key, f"unknown economy {code!r}; allowed: {', '.join(allowed)}")


def _validate_change(key: str, change: Any, modelled: Sequence[str] = ()) -> None:
    _codes(f"{key}.exporters", change.exporters, allow_blocs=True)
    _codes(f"{key}.importers", change.importers, allow_blocs=True)
    for side in ("exporters", "importers"):
        folded = [c for c in getattr(change, side) if c in ECONOMY_CODES and c not in modelled]
        if modelled and folded:
            raise ConfigError(
                f"{key}.{side}",
                f"economy {folded[0]!r} is not modelled (world.economies folds it into ROW)",
            )
    single = set(change.exporters) == set(change.importers) and len(set(change.exporters)) == 1
    if single and change.exporters[0] in ECONOMY_CODES:
        raise ConfigError(
            f"{key}.importers",
            f"selects no international pair (exporters and importers are both "
            f"{change.exporters[0]!r}; domestic sales carry no tariff)",
        )
    _quarter(f"{key}.start", change.start)
    _quarter(f"{key}.end", change.end)
    if quarter_ordinal(change.end) < quarter_ordinal(change.start):
        raise ConfigError(
            f"{key}.end", f"must not be before start ({change.start}), got {change.end}"
        )
    if change.path not in ("linear", "step"):
        raise ConfigError(f"{key}.path", f"must be 'linear' or 'step', got {change.path!r}")
    _range(f"{key}.scale", change.scale, 0.0, 10.0)


def model_economies(cfg: CaravanConfig) -> tuple[str, ...]:
    """The economies a run models, in canonical order, with ROW last."""
    chosen = set(cfg.world.economies) or set(ECONOMY_CODES)
    return (*[code for code in ECONOMY_CODES if code in chosen], "ROW")


def to_typed(cfg: DictConfig | dict) -> CaravanConfig:
    """Merge a composed config onto the schema, refusing unknown keys and wrong types.

    Raises:
        ConfigError: naming the offending key.
    """
    schema = OmegaConf.structured(CaravanConfig)
    try:
        plain = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else cfg
        plain = {k: v for k, v in plain.items() if k != "hydra"}
        merged = OmegaConf.merge(schema, plain)
    except OmegaConfBaseException as error:
        key = getattr(error, "full_key", None) or "config"
        message = str(getattr(error, "msg", error)).splitlines()[0]
        if "not in struct" in message or "Key '" in message and "not in" in message:
            message = "unknown key (not in the config schema)"
        raise ConfigError(key, message) from None
    typed: CaravanConfig = OmegaConf.to_object(merged)  # type: ignore[assignment]
    return typed


def validate(cfg: CaravanConfig) -> CaravanConfig:
    """Check every range and cross-field rule; return ``cfg`` unchanged.

    Raises:
        ConfigError: the first violation, naming the dotted key and what is allowed.
    """
    if cfg.seed < 0 or cfg.seed > 2**63 - 1:
        raise ConfigError("seed", f"must be an integer in [0, 2^63 - 1], got {cfg.seed}")
    from sim.data.loader import WORLDS

    if cfg.world.name not in WORLDS:
        allowed = ", ".join(WORLDS)
        raise ConfigError("world.name", f"unknown world {cfg.world.name!r}; allowed: {allowed}")
    _codes("world.economies", cfg.world.economies, allow_blocs=False)
    if len(set(cfg.world.economies)) != len(cfg.world.economies):
        raise ConfigError("world.economies", "lists an economy twice")
    if cfg.world.economies and len(cfg.world.economies) < 2:
        raise ConfigError("world.economies", "must list at least 2 economies (or none for all)")
    _range("trade.sigma", cfg.trade.sigma, 1.0, 20.0, open_low=True)
    _range("trade.adjustment", cfg.trade.adjustment, 0.0, 1.0, open_low=True)
    if not 1 <= cfg.sim.quarters <= 400:
        raise ConfigError("sim.quarters", f"must be an integer in [1, 400], got {cfg.sim.quarters}")
    _quarter("sim.start", cfg.sim.start)
    if cfg.sim.growth not in ("weo", "flat"):
        raise ConfigError("sim.growth", f"must be 'weo' or 'flat', got {cfg.sim.growth!r}")
    if cfg.tariff.regime != "applied2023":
        raise ConfigError("tariff.regime", f"must be 'applied2023', got {cfg.tariff.regime!r}")
    _range("tariff.cis_fta_exemption_share", cfg.tariff.cis_fta_exemption_share, 0.0, 1.0)
    _range("tariff.ntb_base", cfg.tariff.ntb_base, 0.0, 10.0)
    for i, change in enumerate(cfg.tariff.changes):
        _validate_change(f"tariff.changes[{i}]", change, cfg.world.economies)
    for i, change in enumerate(cfg.tariff.ntb_changes):
        _validate_change(f"tariff.ntb_changes[{i}]", change, cfg.world.economies)
    if cfg.tariff.ntb_changes and cfg.tariff.ntb_base == 0.0:
        raise ConfigError(
            "tariff.ntb_base",
            "is 0, so tariff.ntb_changes (which scale it) would have no effect; "
            "set the baseline NTB ad-valorem equivalent > 0",
        )
    cfg.corridors.validate(model_economies(cfg))
    cfg.settlement.validate(model_economies(cfg))
    validate_sweep(cfg.sweep)
    missing = [name for name in cfg.scenario.requires if name not in CAPABILITIES]
    if missing:
        raise ConfigError(
            "scenario.requires",
            f"scenario {cfg.scenario.name!r} needs {', '.join(missing)}, which this version of "
            f"Caravan does not have yet (built: {', '.join(sorted(CAPABILITIES))})",
        )
    return cfg
