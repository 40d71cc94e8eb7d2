"""Structured config of the corridor layer (Hydra group ``corridors``) and its validation.

Levers name a *target*: a segment id from ``sim/data/corridors/segments.csv``
(e.g. ``"astara_irn-rasht_rail"``, ``"port:aktau"``) or a corridor name
(``"East-West"``, ``"Middle Corridor"``, ``"INSTC western"``, ``"INSTC Trans-Caspian"``,
``"INSTC eastern"``, ``"INSTC sea"``, ``"Siberia-South"``, ``"Trans-Siberian"``,
``"CHN-KAZ gateways"``, ``"Suez"``, ``"Cape"``, ``"deep sea"``, ``"regional"``,
``"domestic"``, ``"port"``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import ConfigError
from sim.quarters import is_quarter, parse_quarter, quarter_ordinal

#: Default economy -> hub mapping (hub ids of ``sim/data/corridors/hubs.csv``).
DEFAULT_ECONOMY_HUBS: dict[str, list[str]] = {
    "ARM": ["yerevan"],
    "AZE": ["baku"],
    "BLR": ["minsk"],
    "KAZ": ["astana"],
    "KGZ": ["bishkek"],
    "MDA": ["chisinau"],
    "RUS": ["moscow"],
    "TJK": ["dushanbe"],
    "TKM": ["ashgabat"],
    "UZB": ["tashkent"],
    "CHN": ["xian"],
    "EUU": ["duisburg"],
    "IRN": ["tehran"],
    "IND": ["nhava_sheva"],
    "TUR": ["istanbul"],
    "ROW": ["row"],
}
MIN_YEAR, MAX_YEAR = 1990, 2100
#: The fitted route-choice parameters, written once by
#: ``python -m sim.routing.calibrate --fit --write`` (with their provenance).
FITTED_FILE = Path(__file__).resolve().parents[1] / "data" / "corridors" / "fitted_parameters.json"


def fitted_parameters() -> dict[str, Any]:
    """The fitted value of time and corridor frictions (US$/t) from :data:`FITTED_FILE`."""
    return json.loads(FITTED_FILE.read_text(encoding="utf-8"))["parameters"]


#: Read once per process; the defaults of :class:`CorridorsConfig` below.
_FITTED = fitted_parameters()
#: Modes whose freight rate a config may override (``modes.csv`` rows).
FREIGHT_MODES = ("rail", "road", "sea", "ferry", "pipeline")


@dataclass
class CapacityChange:
    """A capacity investment in force from Q1 of ``year``.

    Attributes:
        target: Segment id, or corridor name (then every capacitated segment of
            the corridor gets this capacity).
        year: First year in force, 1990-2100.
        capacity_mt_per_year: New capacity, Mt/yr (both directions), in (0, 1000].
    """

    target: str = ""
    year: int = 2027
    capacity_mt_per_year: float = 10.0


@dataclass
class Opening:
    """A planned segment opens from Q1 of ``year``.

    Attributes:
        segment: Segment id with status ``planned`` (e.g. ``astara_irn-rasht_rail``).
        year: Opening year, 1990-2100.
    """

    segment: str = ""
    year: int = 2028


@dataclass
class BorderTimeChange:
    """Border/transshipment delay multiplied by ``factor`` from Q1 of ``year``.

    Attributes:
        target: Segment id or corridor name (all its segments).
        year: First year in force, 1990-2100.
        factor: Multiplier on the shipped delay, in [0, 10] (0.5 = halved).
            Factors of several entries in force on a segment multiply.
    """

    target: str = ""
    year: int = 2025
    factor: float = 1.0


@dataclass
class FeeChange:
    """A transit fee added from Q1 of ``year``.

    Attributes:
        target: Segment id, or corridor name (the fee is for the whole corridor
            and is spread over its segments pro rata by km, so a path that runs
            the full corridor pays it once).
        year: First year in force, 1990-2100.
        usd_per_t: Fee change, US$ per tonne, in [-1000, 1000]; entries in force
            add up; a segment's total fee is floored at 0.
    """

    target: str = ""
    year: int = 2025
    usd_per_t: float = 0.0


@dataclass
class Closure:
    """A shock: the target carries nothing from ``from_quarter`` to ``to_quarter`` inclusive.

    Attributes:
        target: Segment id or corridor name.
        from_quarter: First closed quarter, ``YYYYQn``.
        to_quarter: Last closed quarter, ``YYYYQn`` (not before ``from_quarter``).
    """

    target: str = ""
    from_quarter: str = "2025Q1"
    to_quarter: str = "2025Q4"


@dataclass
class CorridorsConfig:
    """Corridor network parameters and levers (Hydra group ``corridors``).

    Attributes:
        value_of_time_per_day: δ, ad-valorem cost of one day in transit, share of
            the goods' value per day, in [0, 0.1] (each group's is δ times its
            ``time_factor``). Default: the fitted value in
            ``sim/data/corridors/fitted_parameters.json`` (about 0.011 %/day), fitted to the rail
            share of China-EU trade value (5.5 %, K8) by
            ``python -m sim.routing.calibrate``: 55 times below the low end of
            Hummels & Schaur (2013, AER 103(7): 0.6-2.1 %/day, estimated on
            the time-sensitive goods that go by air); at 0.6 %/day the model
            sends 20-40 % of China-EU value by rail.
        logit_theta: θ, dimensionless route-choice dispersion, in (0, 100]: a
            path dearer than the pair's baseline cheapest one by a fraction x of
            it gets e^(−θx) times the weight. Default 5 (assumed).
        k_paths: Cheapest simple paths enumerated per pair, in [1, 50] (corridor
            and shock paths are added on top). Default 5.
        path_relevance: A corridor path is kept if its free-flow cost is at most
            this multiple of the pair's cheapest, in [1, 100]. Default 3.
        bpr_alpha: BPR α in [0, 10]. Default 0.15 (BPR 1964).
        bpr_beta: BPR β in [0, 10]. Default 4 (BPR 1964).
        msa_max_iter: Maximum MSA iterations per quarter, in [1, 1000]. Default 40.
        msa_tol: Stop when max over capacitated segments of |y − v| / c ≤ tol,
            in (0, 1]. Default 0.03 (3 % of capacity; the quarter's gap is
            reported in ``RoutingResult.gap``). A quarter whose network state
            is the baseline's starts from the baseline equilibrium, so one near
            it stops after one iteration; a quarter with levers in force starts
            from the free-flow shares.
        group_value_overrides: US$/t by commodity group (ids of
            ``sim/data/corridors/commodity_groups.csv``, e.g. ``manufactures``),
            values in (0, 1e7]; override the shipped value per tonne.
        freight_rate_overrides: US$ per tonne-km by mode (``rail``, ``road``,
            ``sea``, ``ferry``, ``pipeline``), in [0, 10]; override ``modes.csv``
            (assumed).
        corridor_frictions: Calibrated unobserved cost of using a corridor (US$/t
            for the whole corridor, spread over its segments pro rata by km, like a
            corridor fee), keys corridor names or segment ids, values in
            [0, 1000]: an
            alternative-specific constant standing for what the network does not
            see (sanctions and insurance risk, paperwork, unreliability). Part of
            the status-quo network, not a lever; fitted by
            ``python -m sim.routing.calibrate``. Does not move candidate paths.
        economy_hubs: Economy -> hub ids its trade starts and ends at (one or more;
            several hubs are joined by zero-cost connectors).
        announced_openings: If true, planned segments open in their announced
            year (Rasht-Astara rail 2028, Trans-Afghan 2027); default false:
            planned segments open only through ``openings``.
        capacity_changes: Capacity investment schedule.
        openings: Openings of planned segments.
        border_time_changes: Border/transshipment delay changes.
        fee_changes: Transit fee changes.
        closures: Closures of segments or corridors (shocks).
    """

    value_of_time_per_day: float = float(_FITTED["value_of_time_per_day"])
    logit_theta: float = 5.0
    k_paths: int = 5
    path_relevance: float = 3.0
    bpr_alpha: float = 0.15
    bpr_beta: float = 4.0
    msa_max_iter: int = 40
    msa_tol: float = 3e-2
    group_value_overrides: dict[str, float] = field(default_factory=dict)
    corridor_frictions: dict[str, float] = field(
        default_factory=lambda: dict(_FITTED["corridor_frictions"])
    )
    freight_rate_overrides: dict[str, float] = field(default_factory=dict)
    economy_hubs: dict[str, list[str]] = field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_ECONOMY_HUBS.items()}
    )
    announced_openings: bool = False
    capacity_changes: list[CapacityChange] = field(default_factory=list)
    openings: list[Opening] = field(default_factory=list)
    border_time_changes: list[BorderTimeChange] = field(default_factory=list)
    fee_changes: list[FeeChange] = field(default_factory=list)
    closures: list[Closure] = field(default_factory=list)

    def validate(self, economies: Sequence[str]) -> None:
        """Check ranges, quarter labels and the economy-hub mapping's shape.

        Names that only the network knows (segments, corridors, hubs, commodity
        groups) and the route check are checked where the network lives, by
        :func:`sim.routing.validation.check_against_network`, which
        :class:`~sim.routing.phase.CorridorPhase` runs before anything else.
        This method reads no data.

        Raises:
            ConfigError: with the dotted key, e.g. ``corridors.logit_theta``.
        """
        _range("corridors.value_of_time_per_day", self.value_of_time_per_day, 0.0, 0.1)
        _range("corridors.logit_theta", self.logit_theta, 0.0, 100.0, low_open=True)
        _integer("corridors.k_paths", self.k_paths, 1, 50)
        _range("corridors.path_relevance", self.path_relevance, 1.0, 100.0)
        _range("corridors.bpr_alpha", self.bpr_alpha, 0.0, 10.0)
        _range("corridors.bpr_beta", self.bpr_beta, 0.0, 10.0)
        _integer("corridors.msa_max_iter", self.msa_max_iter, 1, 1000)
        _range("corridors.msa_tol", self.msa_tol, 0.0, 1.0, low_open=True)
        for group, value in self.group_value_overrides.items():
            _range(f"corridors.group_value_overrides.{group}", value, 0.0, 1e7, low_open=True)
        for name, value in self.corridor_frictions.items():
            _range(f"corridors.corridor_frictions.{name}", value, 0.0, 1000.0)
        for mode, value in self.freight_rate_overrides.items():
            dotted = f"corridors.freight_rate_overrides.{mode}"
            if mode not in FREIGHT_MODES:
                raise ConfigError(dotted, f"unknown mode; allowed: {', '.join(FREIGHT_MODES)}")
            _range(dotted, value, 0.0, 10.0)
        if len(set(economies)) != len(economies):
            raise ConfigError("corridors.economy_hubs", "economies list an economy twice")
        owner: dict[str, str] = {}
        for code in economies:
            hubs = self.economy_hubs.get(code)
            if not hubs:
                raise ConfigError("corridors.economy_hubs", f"no hub for economy {code!r}")
            for hub in hubs:
                if owner.setdefault(hub, code) != code:
                    raise ConfigError(
                        f"corridors.economy_hubs.{code}",
                        f"hub {hub!r} is already the hub of {owner[hub]}",
                    )
        for i, c in enumerate(self.capacity_changes):
            key = f"corridors.capacity_changes[{i}]"
            _integer(f"{key}.year", c.year, MIN_YEAR, MAX_YEAR)
            _range(f"{key}.capacity_mt_per_year", c.capacity_mt_per_year, 0.0, 1000.0, True)
        for i, o in enumerate(self.openings):
            _integer(f"corridors.openings[{i}].year", o.year, MIN_YEAR, MAX_YEAR)
        for i, b in enumerate(self.border_time_changes):
            key = f"corridors.border_time_changes[{i}]"
            _integer(f"{key}.year", b.year, MIN_YEAR, MAX_YEAR)
            _range(f"{key}.factor", b.factor, 0.0, 10.0)
        for i, f in enumerate(self.fee_changes):
            key = f"corridors.fee_changes[{i}]"
            _integer(f"{key}.year", f.year, MIN_YEAR, MAX_YEAR)
            _range(f"{key}.usd_per_t", f.usd_per_t, -1000.0, 1000.0)
        for i, c in enumerate(self.closures):
            key = f"corridors.closures[{i}]"
            for name in ("from_quarter", "to_quarter"):
                label = getattr(c, name)
                if not is_quarter(label) or not MIN_YEAR <= parse_quarter(label)[0] <= MAX_YEAR:
                    raise ConfigError(
                        f"{key}.{name}",
                        f"must be a quarter label YYYYQn (1990-2100), got {label!r}",
                    )
            if quarter_ordinal(c.to_quarter) < quarter_ordinal(c.from_quarter):
                raise ConfigError(
                    f"{key}.to_quarter",
                    f"must not be before from_quarter {c.from_quarter}, got {c.to_quarter}",
                )


def _range(key: str, value: object, low: float, high: float, low_open: bool = False) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    ok = ok and (low < value if low_open else low <= value) and value <= high  # type: ignore[operator]
    if not ok:
        bracket = "(" if low_open else "["
        raise ConfigError(key, f"must be in {bracket}{low:g}, {high:g}], got {value}")


def _integer(key: str, value: object, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ConfigError(key, f"must be an integer in [{low}, {high}], got {value}")
