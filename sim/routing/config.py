"""Structured config of the corridor layer (Hydra group ``corridors``) and its validation.

Levers name a *target*: a segment id from ``sim/data/corridors/segments.csv``
(e.g. ``"astara_irn-rasht_rail"``, ``"port:aktau"``) or a corridor name
(``"East-West"``, ``"Middle Corridor"``, ``"INSTC western"``, ``"INSTC Trans-Caspian"``,
``"INSTC eastern"``, ``"INSTC sea"``, ``"Siberia-South"``, ``"Trans-Siberian"``,
``"CHN-KAZ gateways"``, ``"Suez"``, ``"Cape"``, ``"deep sea"``, ``"regional"``,
``"domestic"``, ``"port"``).
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.data.trade_regions import regional_hubs
from sim.errors import ConfigError
from sim.fields import Context, check_tree, param
from sim.quarters import quarter_ordinal

HUBS_FILE = Path(__file__).resolve().parents[1] / "data" / "corridors" / "hubs.csv"


@functools.cache
def default_economy_hubs() -> dict[str, tuple[str, ...]]:
    """Default economy -> hubs mapping: the centroid, then the regional hubs.

    The hand-written hubs table marks, in column ``centroid_of``, the hub that
    stands for an economy's origin and destination of trade (its capital, main
    port or rail head; the ``note`` column says which and why). Economies with
    regional shares in ``trade_regions.csv`` (:mod:`sim.routing.regions`) also
    get the hubs named there (read and checked by
    :func:`sim.data.trade_regions.trade_regions`).
    """
    with open(HUBS_FILE, newline="", encoding="utf-8") as file:
        rows = csv.DictReader(file)
        centroids = {row["centroid_of"]: row["hub"] for row in rows if row["centroid_of"]}
    regional = regional_hubs()
    return {e: tuple(dict.fromkeys([hub, *regional.get(e, ())])) for e, hub in centroids.items()}


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
    year: int = param(2027, low=MIN_YEAR, high=MAX_YEAR, integer=True, unit="year")
    capacity_mt_per_year: float = param(10.0, low=0, high=1000, open_low=True, unit="Mt/yr")


@dataclass
class Opening:
    """A planned segment opens from Q1 of ``year``.

    Attributes:
        segment: Segment id with status ``planned`` (e.g. ``astara_irn-rasht_rail``).
        year: Opening year, 1990-2100.
    """

    segment: str = ""
    year: int = param(2028, low=MIN_YEAR, high=MAX_YEAR, integer=True, unit="year")


@dataclass
class BorderTimeChange:
    """Border/transshipment delay multiplied by ``factor``, plus ``days``, from Q1 of ``year``.

    Attributes:
        target: Segment id or corridor name (all its segments).
        year: First year in force, 1990-2100.
        factor: Multiplier on the shipped delay, in [0, 10] (0.5 = halved).
            Factors of several entries in force on a segment multiply.
        days: Days added after the factors, in [-365, 365]; on a corridor target
            spread over its segments pro rata by km (a path through the whole
            corridor waits them once). Entries in force add up; a segment's
            delay is floored at 0. Default 0.
    """

    target: str = ""
    year: int = param(2025, low=MIN_YEAR, high=MAX_YEAR, integer=True, unit="year")
    factor: float = param(1.0, low=0, high=10, unit="× shipped delay")
    days: float = param(0.0, low=-365, high=365, unit="days")


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
    year: int = param(2025, low=MIN_YEAR, high=MAX_YEAR, integer=True, unit="year")
    usd_per_t: float = param(0.0, low=-1000, high=1000, unit="US$/t")


@dataclass
class RoutePremium:
    """A cost premium on one set of trading pairs' routes through some economies' territory.

    From Q1 of ``year``, every candidate path of a pair in scope (``exporters`` ×
    ``importers``, as a tariff change's scope, :class:`sim.policy.schedule.Schedule`)
    that uses at least one segment with a hub in ``territory`` costs ``usd_per_t``
    more, once per path (a risk, insurance or compliance cost per consignment, not
    per km). Paths that avoid the territory, and pairs out of scope, are unchanged.

    Attributes:
        exporters: ISO3 codes or bloc names; empty or ALL = all.
        importers: As ``exporters``.
        both_directions: Also apply with exporters and importers swapped.
        territory: ISO3 codes (``hubs.csv`` ``country_iso3``): a segment is in the
            territory if either of its hubs lies there.
        year: First year in force, 1990-2100.
        usd_per_t: Premium, US$ per tonne, in [0, 1000]; premiums in force add up.
    """

    exporters: list[str] = field(default_factory=list)
    importers: list[str] = field(default_factory=list)
    both_directions: bool = True
    territory: list[str] = field(default_factory=lambda: ["RUS", "BLR"])
    year: int = param(2025, low=MIN_YEAR, high=MAX_YEAR, integer=True, unit="year")
    usd_per_t: float = param(0.0, low=0, high=1000, unit="US$/t")


@dataclass
class Closure:
    """A shock: the target carries nothing from ``from_quarter`` to ``to_quarter`` inclusive.

    Attributes:
        target: Segment id or corridor name.
        from_quarter: First closed quarter, ``YYYYQn``.
        to_quarter: Last closed quarter, ``YYYYQn`` (not before ``from_quarter``).
    """

    target: str = ""
    from_quarter: str = param("2025Q1", quarter=True)
    to_quarter: str = param("2025Q4", quarter=True)

    def check(self, ctx: Context, prefix: str) -> None:
        """``to_quarter`` is not before ``from_quarter``."""
        if quarter_ordinal(self.to_quarter) < quarter_ordinal(self.from_quarter):
            raise ConfigError(
                f"{prefix}.to_quarter",
                f"must not be before from_quarter {self.from_quarter}, got {self.to_quarter}",
            )


#: The lever and shock lists of :class:`CorridorsConfig` (empty = the status-quo network).
LEVER_FIELDS = (
    "capacity_changes",
    "openings",
    "border_time_changes",
    "fee_changes",
    "route_premiums",
    "closures",
)


@dataclass
class CorridorsConfig:
    """Corridor network parameters and levers (Hydra group ``corridors``).

    Attributes:
        value_of_time_per_day: δ, ad-valorem cost of one day in transit, share of
            the goods' value per day, in [0, 0.1] (each group's is δ times its
            ``time_factor``). Default: the fitted value in
            ``sim/data/corridors/fitted_parameters.json``, fitted to the rail
            share of China-EU trade value (5.5 %, K8) by
            ``python -m sim.routing.calibrate``: below the low end of Hummels &
            Schaur (2013, AER 103(7): 0.6-2.1 %/day, estimated on the
            time-sensitive goods that go by air) by nearly an order of magnitude
            (each refit's value is in the corridor DATA_REPORT). With one hub per economy
            (before the regional hubs) the fit gave 0.011 %/day, and 0.6 %/day
            sent 20-40 % of China-EU value by rail.
        logit_theta: θ, dimensionless route-choice dispersion, in (0, 100]: a
            path dearer than the pair's baseline cheapest one by a fraction x of
            it gets e^(−θx) times the weight. Default 5 (assumed).
        k_paths: Cheapest simple paths enumerated per pair, in [1, 50] (corridor
            and shock paths are added on top). Default 5.
        path_relevance: A corridor path is kept if its free-flow cost is at most
            this multiple of the pair's cheapest, in [1, 100]. Default 3.
        bpr_alpha: BPR α in [0, 10]. Default 0.15 (BPR 1964).
        bpr_beta: BPR β in [0, 10]. Default 4 (BPR 1964).
        capacity_price_step: θ of the capacity prices, in [0, 2]: with θ > 0
            capacities are hard, each capacitated segment gets the shadow price
            (US$/t, paid by the paths that cross it) that holds its volume to its
            capacity (:func:`sim.routing.costs.capacity_prices`; a capacity-constrained
            stochastic user equilibrium, Bell 1995). 0 makes them soft: BPR
            congestion alone, which makes a full segment dearer but does not cap it
            (the model before stop 28; on the 2023 network 12 segments then ran
            above capacity, up to 2.1×). Default 1 (a Newton step on the segment's
            tonnes).
        msa_max_iter: Maximum MSA iterations per quarter, in [1, 1000]. Default 200
            (a cold start with capacity prices takes about 20 on the default 2024
            network, 35-55 on the 2021-22 networks).
        msa_tol: Stop when max over capacitated segments of |y − v| / c ≤ tol
            (with capacity prices, also v ≤ c · (1 + tol) and a priced segment
            within tol of full), in (0, 1]. Default 0.03 (3 % of capacity; the quarter's gap is
            reported in ``RoutingResult.gap``). A quarter whose free-flow costs and
            open segments are the previous quarter's (only tonnes or dated
            capacities differ) starts from that quarter's shares; other quarters
            start from the free-flow shares.
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
            the first is the centroid). Each commodity group's tonnes split over
            the hubs by the shares in ``sim/data/corridors/trade_regions.csv``
            (fixed weights, :mod:`sim.routing.regions`); a group without shares
            there starts and ends at the first hub. Default: the centroid of
            ``hubs.csv``, then the hubs ``trade_regions.csv`` names.
        announced_openings: If true, planned segments open in their announced
            year (Rasht-Astara rail 2028, Trans-Afghan 2027); default false:
            planned segments open only through ``openings``.
        capacity_changes: Capacity investment schedule.
        openings: Openings of planned segments.
        border_time_changes: Border/transshipment delay changes.
        fee_changes: Transit fee changes.
        route_premiums: Pair-scoped premiums on routes through a territory.
        closures: Closures of segments or corridors (shocks).
    """

    value_of_time_per_day: float = param(
        float(_FITTED["value_of_time_per_day"]), low=0, high=0.1, unit="share of value per day"
    )
    logit_theta: float = param(5.0, low=0, high=100, open_low=True)
    k_paths: int = param(5, low=1, high=50, integer=True, unit="paths")
    path_relevance: float = param(3.0, low=1, high=100, unit="× cheapest free-flow cost")
    bpr_alpha: float = param(0.15, low=0, high=10)
    bpr_beta: float = param(4.0, low=0, high=10)
    capacity_price_step: float = param(1.0, low=0, high=2)
    msa_max_iter: int = param(200, low=1, high=1000, integer=True, unit="iterations")
    msa_tol: float = param(3e-2, low=0, high=1, open_low=True, unit="share of capacity")
    group_value_overrides: dict[str, float] = param(
        default_factory=dict, low=0, high=10_000_000, open_low=True, unit="US$/t"
    )
    corridor_frictions: dict[str, float] = param(
        default_factory=lambda: dict(_FITTED["corridor_frictions"]), low=0, high=1000, unit="US$/t"
    )
    freight_rate_overrides: dict[str, float] = param(
        default_factory=dict, low=0, high=10, unit="US$ per tonne-km"
    )
    economy_hubs: dict[str, list[str]] = field(
        default_factory=lambda: {k: list(v) for k, v in default_economy_hubs().items()}
    )
    announced_openings: bool = False
    capacity_changes: list[CapacityChange] = field(default_factory=list)
    openings: list[Opening] = field(default_factory=list)
    border_time_changes: list[BorderTimeChange] = field(default_factory=list)
    fee_changes: list[FeeChange] = field(default_factory=list)
    route_premiums: list[RoutePremium] = field(default_factory=list)
    closures: list[Closure] = field(default_factory=list)

    def validate(self, economies: Sequence[str]) -> None:
        """Check this config alone (prefix ``corridors``) for the given economies.

        The ranges, units and quarter labels are on the fields (:func:`sim.fields.param`)
        and checked by :func:`sim.fields.check_tree`, which the whole-config
        validation runs too; :meth:`check` adds the cross-field rules. Names that
        only the network knows (segments, corridors, hubs, commodity groups) and
        the route check are checked where the network lives, by
        :func:`sim.routing.validation.check_against_network`, which
        :class:`~sim.routing.phase.CorridorPhase` runs before anything else.
        This method reads no data.

        Raises:
            ConfigError: with the dotted key, e.g. ``corridors.logit_theta``.
        """
        check_tree(self, "corridors", Context(root=self, economies=tuple(economies)))

    def check(self, ctx: Context, prefix: str) -> None:
        """Cross-field rules: freight-rate modes, the economy-hub mapping's shape.

        An economy without a hub is allowed (it stays off the network, see
        :class:`~sim.routing.phase.CorridorPhase`); a hub may serve one economy only.
        """
        for mode in self.freight_rate_overrides:
            if mode not in FREIGHT_MODES:
                raise ConfigError(
                    f"{prefix}.freight_rate_overrides.{mode}",
                    f"unknown mode; allowed: {', '.join(FREIGHT_MODES)}",
                )
        economies = ctx.economies
        if len(set(economies)) != len(economies):
            raise ConfigError(f"{prefix}.economy_hubs", "economies list an economy twice")
        owner: dict[str, str] = {}
        for code in economies:
            for hub in self.economy_hubs.get(code) or ():
                if owner.setdefault(hub, code) != code:
                    raise ConfigError(
                        f"{prefix}.economy_hubs.{code}",
                        f"hub {hub!r} is already the hub of {owner[hub]}",
                    )
