"""Structured configuration of the settlement layer (Hydra group ``settlement``).

Every field has a default, and its allowed range and unit on the field
(:func:`sim.fields.param`). Hydra checks types and unknown keys; the one
validator :func:`sim.fields.check_tree` checks the ranges and then
:meth:`SettlementConfig.check` the rules across fields (codes, scopes, dates,
the trader count); both raise :class:`~sim.errors.ConfigError` naming the
dotted key (``settlement.<field>``).

Scopes. Levers and shocks apply to a *scope*, a string naming a set of
unordered economy pairs:

- ``"ALL"``: every pair;
- an economy code, e.g. ``"RUS"``: every pair with RUS on either side;
- a bloc name, e.g. ``"EAEU"``: every pair with both sides in the bloc;
- ``"AAA-BBB"``, e.g. ``"RUS-CHN"``: that pair, both directions.

Economy codes in scopes may name issuers outside the world (e.g. ``"CHN"`` when
only CNY is present as a third currency).

Provenance of the defaults is in ``sim/data/settlement/parameters.csv``; the
behavioural parameters fitted on the 2022 points are in
``sim/data/settlement/fitted_parameters.json`` (written by
``python -m sim.settlement.calibrate``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

from sim.errors import ConfigError
from sim.fields import Context, check_tree, param
from sim.quarters import quarter_ordinal
from sim.settlement.events import COMPONENTS, event_levels
from sim.settlement.fitted import fitted_hazard_levels, fitted_parameters
from sim.settlement.registry import registry

#: The fitted parameters (``sim/data/settlement/fitted_parameters.json``): the defaults.
FITTED: dict[str, float] = fitted_parameters()

#: Bytes per trader a run holds (trader arrays, the phase's per-trader indices and the
#: step's temporaries; an upper estimate of the measured ~200).
BYTES_PER_TRADER = 256


@dataclass
class WorldContext(Context):
    """:class:`~sim.fields.Context` plus what the settlement checks read from the World.

    Attributes:
        blocs: Bloc name → members (bloc names are valid scopes).
        currencies: Currency of each economy (``World.currency_of``); empty = as
            in the shipped world.
    """

    blocs: dict[str, Sequence[str]] = field(default_factory=dict)
    currencies: tuple[str, ...] = ()


@dataclass
class LeverEntry:
    """One scheduled value of a policy lever on a scope.

    Attributes:
        scope: Pair set (see module docstring).
        from_quarter: First quarter the entry applies (``"YYYYQn"``; ``""`` = always).
        to_quarter: Last quarter it applies, inclusive (``""`` = open-ended).
        value: Lever value at ``from_quarter`` (unit of the lever).
        ramp_to: If not None, the value moves linearly from ``value`` at
            ``from_quarter`` to ``ramp_to`` at ``to_quarter`` (both required).
    """

    scope: str = "ALL"
    from_quarter: str = param("", optional_quarter=True)
    to_quarter: str = param("", optional_quarter=True)
    value: float = param(0.0, low=0, high=1, unit="lever unit")
    ramp_to: float | None = param(None, low=0, high=1, unit="lever unit")

    def check(self, ctx: Context, prefix: str) -> None:
        """A ramp needs both quarters."""
        if self.ramp_to is not None and not (self.from_quarter and self.to_quarter):
            raise ConfigError(prefix + ".ramp_to", "needs both from_quarter and to_quarter")


@dataclass
class HazardEntry:
    """A payment-blocking hazard on some currencies for pairs in a scope.

    Attributes:
        scope: Pair set (see module docstring); ``"RUS"`` = every pair with Russia.
        from_quarter: First quarter (``""`` = always).
        to_quarter: Last quarter, inclusive (``""`` = open-ended).
        hazard: Probability per quarter, in [0, 1], that a payment of a fully
            exposed trader in one of ``currencies`` is blocked or frozen.
        currencies: ISO codes the hazard applies to (default: the vehicles).
        component: ``"primary"`` (blocking by the sanctioning jurisdictions' own
            banks, the default) or ``"secondary"`` (refusals by third-country
            banks under secondary-sanctions risk). Entries of one component
            combine by the maximum; the two components as independent events
            (:func:`~sim.settlement.costs.combine_components`).
    """

    scope: str = "ALL"
    from_quarter: str = param("", optional_quarter=True)
    to_quarter: str = param("", optional_quarter=True)
    hazard: float = param(0.0, low=0, high=1, unit="probability per quarter")
    currencies: list[str] = field(default_factory=lambda: ["USD", "EUR"])
    component: str = param("primary", choices=COMPONENTS)


@dataclass
class HazardScale:
    """A multiplier of the hazards on some currencies for pairs in a scope.

    Attributes:
        scope: Pair set (see module docstring).
        from_quarter: First quarter (``""`` = always).
        to_quarter: Last quarter, inclusive (``""`` = open-ended).
        factor: Multiplier of the hazard (events and entries, each component),
            >= 0; the result is capped at 1. Factors of entries that apply multiply.
        currencies: ISO codes it applies to (default: the vehicles).
    """

    scope: str = "ALL"
    from_quarter: str = param("", optional_quarter=True)
    to_quarter: str = param("", optional_quarter=True)
    factor: float = param(1.0, low=0, high=1000, unit="×")
    currencies: list[str] = field(default_factory=lambda: ["USD", "EUR"])


@dataclass
class ThirdCurrencyRule:
    """When a currency of neither party is an option on a pair.

    Attributes:
        currency: ISO code offered as an option.
        scope: Pairs it is offered on (see module docstring).
        from_quarter: First quarter it is offered (``""`` = always).
    """

    currency: str = "CNY"
    scope: str = "CHN"
    from_quarter: str = param("", optional_quarter=True)


@dataclass
class TraderConfig:
    """Trader population.

    Attributes:
        n_traders: Traders over all international pairs, >= number of pairs x
            ``min_per_pair``. Allocated to pairs by trade value (largest remainder).
        min_per_pair: Minimum traders per international pair, >= 1.
        size_distribution: ``"pareto"`` or ``"lognormal"``.
        pareto_alpha: Pareto tail exponent of trader size, > 0. Default 1.06:
            Axtell (2001, Science 293:1818), U.S. firm sizes are Zipf
            (P(S > s) ∝ s^-α with α ≈ 1; point estimate 1.059).
        size_cap: Upper truncation of relative size (Pareto scale = 1), > 1.
        lognormal_sigma: Log-sd if ``size_distribution == "lognormal"``, > 0.
        retail_share: Fraction of each pair's traders (the smallest by size)
            forming the retail segment that card acceptance reaches, in [0, 1].
        exposure_levels: Exposure classes: multipliers of the hazard, >= 0
            (``assumed``: mean 1, spread 0.25-1.75).
        exposure_weights: Probability of each exposure class, >= 0, sum 1.
    """

    n_traders: int = param(250_000, low=1, integer=True, unit="traders")
    min_per_pair: int = param(5, low=1, integer=True, unit="traders")
    size_distribution: str = param("pareto", choices=("pareto", "lognormal"))
    pareto_alpha: float = param(1.06, low=0, high=100, open_low=True)
    size_cap: float = param(1.0e5, low=1, high=10**12, open_low=True, unit="× smallest size")
    lognormal_sigma: float = param(2.0, low=0, high=10, open_low=True)
    retail_share: float = param(0.3, low=0, high=1, unit="share of traders")
    exposure_levels: list[float] = param(
        default_factory=lambda: [0.25, 0.75, 1.25, 1.75], low=0, high=1000, unit="× hazard"
    )
    exposure_weights: list[float] = param(
        default_factory=lambda: [0.25, 0.25, 0.25, 0.25], low=0, high=1, unit="probability"
    )

    def check(self, ctx: Context, prefix: str) -> None:
        """Integer counts; exposure weights as long as the levels and summing to 1."""
        for name in ("n_traders", "min_per_pair"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool):
                raise ConfigError(f"{prefix}.{name}", f"must be an integer >= 1, got {v!r}")
        if not self.exposure_levels or len(self.exposure_levels) != len(self.exposure_weights):
            raise ConfigError(
                f"{prefix}.exposure_weights", "must be non-empty and as long as exposure_levels"
            )
        if abs(sum(self.exposure_weights) - 1.0) > 1e-9:
            total = sum(self.exposure_weights)
            raise ConfigError(f"{prefix}.exposure_weights", f"must sum to 1, got {total:.6g}")


@dataclass
class CostConfig:
    """Option-cost parameters (ad valorem = fraction of the invoice value).

    Attributes:
        vehicle_spread: Spread of one conversion against USD or EUR, in [0, 0.2]
            (``assumed`` 0.25 %).
        national_spread_min: Spread of a direct national-national conversion in a
            fully liquid market, in [0, 0.2] (``assumed`` 0.1 %).
        national_spread_max: Same in a market with no volume, >= min, <= 0.5
            (``assumed`` 3 %).
        synthetic_cross: If True, a linked bank converts through USD when the
            direct cross is dearer (spread capped at two vehicle spreads).
        vehicle_leg_hazard: Share, in [0, 1], of the pair's blocking hazard on a
            vehicle currency that a vehicle-currency leg buying or selling a
            party's own currency carries (a rest-of-world importer buying RUB
            with USD settles the vehicle side with the Russian party's banks).
            0 (default): none; 1: all (sensitivities ``python -m
            sim.settlement.calibrate --variant vehicle_leg_hazard`` and
            ``--variant vehicle_leg_share``, which fits the share on 2022). A leg
            into an onshore-only currency is national, not a vehicle leg, so from
            2022Q1 this share no longer touches RUB (``onshore_currencies``).
        liquidity_decay: κ in s(ℓ) = s_min + (s_max - s_min)·exp(-κ·ℓ), >= 0.
            Default: fitted on the 2022 points (``fitted_parameters.json``).
        exogenous_liquidity: Extra liquidity ℓ0 per currency (offshore depth),
            each in [0, 1]; ℓ = min(1, ℓ_model + ℓ0).
        dated_liquidity: If True (default), the dated market depths of
            ``sim/data/settlement/fx_liquidity.csv`` (the yuan's share of Moscow
            Exchange FX trading, Bank of Russia) apply: ℓ = max(ℓ, ℓ_ext(q))
            (:mod:`sim.settlement.events`).
        delay_cost_per_day: Cost of one day of payment delay, ad valorem per
            day, >= 0 (``assumed``: 10 % a year financing cost / 365).
        vehicle_delay_days: Days to settle in a vehicle currency, >= 0 (SWIFT
            gpi, 2018: almost 100 % credited within 24 h → 1 day).
        national_delay_days: Days for a direct national-currency transfer via
            correspondent accounts without interconnected systems, >= 0 (``assumed``).
        interconnected_delay_days: Days with fully interconnected payment
            systems, >= 0 (``assumed``).
        loss_given_block: Loss, as a fraction of value, when a payment is
            blocked (fees, rerouting, frozen working capital), in [0, 1] (``assumed``).
    """

    vehicle_spread: float = param(0.0025, low=0, high=0.2, unit="ad valorem")
    national_spread_min: float = param(0.001, low=0, high=0.2, unit="ad valorem")
    national_spread_max: float = param(0.03, low=0, high=0.5, unit="ad valorem")
    synthetic_cross: bool = True
    vehicle_leg_hazard: float = param(0.0, low=0, high=1, unit="share of the hazard")
    liquidity_decay: float = param(FITTED["liquidity_decay"], low=0, high=1000)
    exogenous_liquidity: dict[str, float] = param(
        default_factory=dict, low=0, high=1, unit="share of a market's volume"
    )
    dated_liquidity: bool = True
    delay_cost_per_day: float = param(0.10 / 365.0, low=0, high=0.1, unit="ad valorem per day")
    vehicle_delay_days: float = param(1.0, low=0, high=365, unit="days")
    national_delay_days: float = param(2.0, low=0, high=365, unit="days")
    interconnected_delay_days: float = param(0.0, low=0, high=365, unit="days")
    loss_given_block: float = param(0.10, low=0, high=1, unit="share of value")

    def check(self, ctx: Context, prefix: str) -> None:
        """The spread with no volume is not below the fully liquid one."""
        if self.national_spread_max < self.national_spread_min:
            raise ConfigError(
                f"{prefix}.national_spread_max",
                f"must be >= national_spread_min {self.national_spread_min:g}, "
                f"got {self.national_spread_max!r}",
            )


@dataclass
class InitialConfig:
    """Initial settlement state.

    Attributes:
        table: Name of a shipped initial-share table in ``sim/data/settlement``
            (``"cis2021"``), or ``""`` for a synthetic start.
        national_share: Synthetic start only: share in national currencies on
            every pair, in [0, 1], split evenly over the national options.
        national_currency: Synthetic start only: if set (ISO code), the national
            share goes to this currency on pairs where it is a national option
            (e.g. ``"RUB"``, the regional anchor); elsewhere it is split evenly.
        intercepts: Which alternative-specific constants are calibrated so the
            initial shares are the stationary state of the choice rule at start
            costs (as share parameters are calibrated in CGE models):
            ``"vehicles"`` (default): one per vehicle currency and pair — a
            dominant-currency convention premium (Gopinath et al. 2020, AER
            110(3)); the split among the other options then follows from their
            costs alone (liquidity, links), so it is *not* forced to the table;
            ``"all"``: every option (the table is reproduced exactly, but the
            2021 split among national currencies is locked in);
            ``"none"``: no intercepts; traders start from the table shares.
        floor_share: Share given to calibrated options absent from the table,
            in (0, 0.1].
    """

    table: str = param("cis2021", choices=("cis2021", ""))
    national_share: float = param(0.3, low=0, high=1, unit="share")
    national_currency: str = ""
    intercepts: str = param("vehicles", choices=("vehicles", "all", "none"))
    floor_share: float = param(0.002, low=0, high=0.1, open_low=True, unit="share")


@dataclass
class SettlementConfig:
    """Settlement layer: trader populations choosing a settlement currency.

    Attributes:
        enabled: If False the model holds settlement cost at zero.
        revision_rate: Fraction of traders whose revision clock expires per
            quarter (Calvo rate), in (0, 1]. Mean contract length 1/rate quarters.
            Default: fitted on the 2022 points (``fitted_parameters.json``).
        logit_scale: β in P(k) ∝ exp(a_k − β·cost_k), cost ad valorem; > 0.
            1/β is the cost difference (ad valorem) that changes odds by e.
            Default: fitted.
        vehicles: Vehicle currencies, offered on every pair.
        onshore_currencies: Currencies without an offshore market, each with the
            first quarter of that state (default ``{"RUB": "2022Q1"}``): from then
            a party whose home currency is a vehicle buys or sells
            one of them as a *national* leg (a direct link with the issuer's banks
            with the link density, else a double conversion through USD that
            carries the vehicle hazard), not as a deep-market vehicle leg.
            Source for RUB: Clearstream, "Russia-related measures", 28 Feb 2022
            (RUB no longer an eligible settlement currency, no FX services in
            RUB) and Euroclear, 1 Mar 2022 (no RUB settlement, Moscow cash
            correspondent disabled). Before that quarter the leg is a vehicle leg
            (:mod:`sim.settlement.market`). Must not be a vehicle; ``""``: always.
        national_bloc: Currencies of this bloc's members count as "national"
            on pairs inside the bloc (besides the parties' own currencies).
        third_currency_rules: When a currency of neither party is offered.
        traders: Trader population.
        costs: Option-cost parameters.
        initial: Initial state.
        link_density: Default density of direct correspondent links between two
            economies' banks, in [0, 1] (probability a national-national
            conversion has a direct link; otherwise double conversion via USD).
        link_entries: Overrides of link density (later entries win), value in [0, 1].
        interconnection: Default payment-system interconnection, in [0, 1]
            (0 = none, 1 = national-currency payments take
            ``interconnected_delay_days``).
        interconnection_entries: Overrides, value in [0, 1].
        card_acceptance: Default mutual acceptance of national payment cards,
            in [0, 1]; gives the retail segment a direct channel.
        card_entries: Overrides, value in [0, 1].
        event_hazards: If True (default), the dated payment-blocking events of
            ``sim/data/settlement/payment_events.csv`` apply (before ``hazards``).
        event_onset_by_date: If True (default), an event is in force in its
            first quarter only from its date (the hazard of the fraction of the
            quarter after it, :func:`~sim.settlement.events.partial_hazard`); if
            False, for the whole quarter.
        event_legs: If True (default), an event is screened ``legs`` times
            (``payment_events.csv``; 2 on the pairs of RUS and BLR with the EU,
            :func:`~sim.settlement.events.screened_hazard`); if False, once.
        hazard_levels: Level of each event hazard (name → probability per
            quarter, in [0, 1]). Default: fitted (``fitted_parameters.json``).
        hazards: Further payment-blocking hazards (max over events and entries
            of the same component that apply; components combine as independent
            events).
        hazard_scales: Multipliers of the hazards (a spike relative to the
            status quo, e.g. ``shock=payment_block``).
        subsidies: Ad-valorem subsidies to national-currency options, >= 0
            (summed over entries that apply).
        mandates: Ad-valorem penalties on non-national options (enforcement of
            a national-currency mandate), >= 0 (summed).
    """

    enabled: bool = True
    revision_rate: float = param(
        FITTED["revision_rate"], low=0, high=1, open_low=True, unit="share per quarter"
    )
    logit_scale: float = param(
        FITTED["logit_scale"], low=0, high=1_000_000, open_low=True, unit="1 / ad valorem"
    )
    vehicles: list[str] = field(default_factory=lambda: ["USD", "EUR"])
    onshore_currencies: dict[str, str] = field(default_factory=lambda: {"RUB": "2022Q1"})
    national_bloc: str = "CIS"
    third_currency_rules: list[ThirdCurrencyRule] = field(
        default_factory=lambda: [
            ThirdCurrencyRule(currency="CNY", scope="RUS", from_quarter="2022Q1"),
            ThirdCurrencyRule(currency="RUB", scope="CIS", from_quarter=""),
        ]
    )
    traders: TraderConfig = field(default_factory=TraderConfig)
    costs: CostConfig = field(default_factory=CostConfig)
    initial: InitialConfig = field(default_factory=InitialConfig)
    link_density: float = param(0.5, low=0, high=1, unit="share")
    link_entries: list[LeverEntry] = field(
        default_factory=lambda: [
            LeverEntry(scope="CIS", value=0.9),
            LeverEntry(scope="RUS-CHN", value=0.5),
        ]
    )
    interconnection: float = param(0.0, low=0, high=1, unit="share")
    interconnection_entries: list[LeverEntry] = field(default_factory=list)
    card_acceptance: float = param(0.0, low=0, high=1, unit="share")
    card_entries: list[LeverEntry] = field(default_factory=list)
    event_hazards: bool = True
    event_onset_by_date: bool = True
    event_legs: bool = True
    hazard_levels: dict[str, float] = param(
        default_factory=fitted_hazard_levels, low=0, high=1, unit="probability per quarter"
    )
    hazards: list[HazardEntry] = field(default_factory=list)
    hazard_scales: list[HazardScale] = field(default_factory=list)
    subsidies: list[LeverEntry] = field(default_factory=list)
    mandates: list[LeverEntry] = field(default_factory=list)

    def validate(
        self,
        economies: Sequence[str],
        blocs: dict[str, Sequence[str]] | None = None,
        currencies: Sequence[str] = (),
    ) -> None:
        """Check this config stand-alone: field metadata, then :meth:`check`.

        Args:
            economies: The world's economy codes.
            blocs: Bloc name → members; bloc names are valid scopes. The
                default blocs CIS and EAEU are always accepted.
            currencies: The world's currency of each economy (default: as in
                the shipped world).

        Raises:
            ConfigError: Naming the first offending key, e.g.
                ``settlement.revision_rate: must be in (0, 1], got 1.5``.
        """
        ctx = WorldContext(self, tuple(economies), dict(blocs or {}), tuple(currencies))
        check_tree(self, "settlement", ctx)

    def check(self, ctx: Context, prefix: str) -> None:
        """Rules across fields (ranges are on the fields, checked by :func:`check_tree`).

        Codes, currencies, scopes and bloc names against the World
        (:mod:`sim.settlement.registry`), the order of each entry's quarters, the
        trader count against the pairs and memory, no hazard at the initial state,
        a level for every dated event.
        """
        p = prefix
        world = ctx if isinstance(ctx, WorldContext) else WorldContext(ctx.root, ctx.economies)
        economies, currencies = world.economies, world.currencies
        for k, c in enumerate(currencies):
            if not (isinstance(c, str) and len(c) == 3 and c.isalpha() and c.isupper()):
                raise ConfigError(f"{p}.currencies[{k}]", f"must be an ISO 4217 code, got {c!r}")
        reg = registry(economies, currencies)
        known_blocs = {"CIS", "EAEU"} | set(world.blocs)
        known_econ = set(reg.economies)
        _ccy = partial(_currency, known=reg.currency_set)
        if not self.vehicles:
            raise ConfigError(f"{p}.vehicles", "must name at least one vehicle currency")
        for k, c in enumerate(self.vehicles):
            _ccy(f"{p}.vehicles[{k}]", c)
        if "USD" not in self.vehicles:
            raise ConfigError(f"{p}.vehicles", "must contain 'USD' (the double-conversion vehicle)")
        for c, first in self.onshore_currencies.items():
            _ccy(f"{p}.onshore_currencies", c)
            if c in self.vehicles:
                raise ConfigError(f"{p}.onshore_currencies.{c}", f"{c!r} is a vehicle currency")
            if first:
                checked_quarter(f"{p}.onshore_currencies.{c}", first)
        if self.national_bloc and self.national_bloc not in known_blocs:
            raise ConfigError(f"{p}.national_bloc", f"unknown bloc {self.national_bloc!r}")
        for k, r in enumerate(self.third_currency_rules):
            key = f"{p}.third_currency_rules[{k}]"
            _ccy(key + ".currency", r.currency)
            _scope(key + ".scope", r.scope, known_econ, known_blocs)
        self._validate_population(f"{p}.traders", len(economies))
        for cur in self.costs.exogenous_liquidity:
            _ccy(f"{p}.costs.exogenous_liquidity", cur)
        if self.initial.national_currency:
            _ccy(f"{p}.initial.national_currency", self.initial.national_currency)
        for name in (
            "link_entries", "interconnection_entries", "card_entries", "subsidies", "mandates",
        ):  # fmt: skip
            for k, e in enumerate(getattr(self, name)):
                _scope(f"{p}.{name}[{k}].scope", e.scope, known_econ, known_blocs)
                _window(f"{p}.{name}[{k}]", e.from_quarter, e.to_quarter)
        for name in ("hazards", "hazard_scales"):
            for k, h in enumerate(getattr(self, name)):
                key = f"{p}.{name}[{k}]"
                _scope(key + ".scope", h.scope, known_econ, known_blocs)
                _window(key, h.from_quarter, h.to_quarter)
                for m, c in enumerate(h.currencies):
                    _ccy(f"{key}.currencies[{m}]", c)
                if name == "hazards":
                    self._validate_start_hazard(key, h)
        if self.event_hazards:
            for name in event_levels():
                if name not in self.hazard_levels:
                    raise ConfigError(f"{p}.hazard_levels", f"missing level {name!r}")
        known = event_levels()
        for name in self.hazard_levels:
            if name not in known:
                raise ConfigError(
                    f"{p}.hazard_levels.{name}",
                    f"is not a dated event; known: {', '.join(sorted(known))}",
                )

    def _validate_population(self, p: str, n_economies: int) -> None:
        """Trader count between what the pairs need and what memory allows."""
        t = self.traders
        need = n_economies * (n_economies - 1) * t.min_per_pair
        if t.n_traders < need:
            raise ConfigError(
                f"{p}.n_traders",
                f"must be >= {need} ({n_economies * (n_economies - 1)} pairs x "
                f"min_per_pair {t.min_per_pair}), got {t.n_traders}",
            )
        limit = available_memory() // 2
        if t.n_traders * BYTES_PER_TRADER > limit:
            raise ConfigError(
                f"{p}.n_traders",
                f"needs about {t.n_traders * BYTES_PER_TRADER / 1e9:.1f} GB "
                f"({BYTES_PER_TRADER} bytes per trader), more than half of this machine's "
                f"memory: must be <= {limit // BYTES_PER_TRADER}, got {t.n_traders}",
            )

    def _validate_start_hazard(self, key: str, h: HazardEntry) -> None:
        """Refuse a hazard that is active at any initial state (no ``from_quarter``).

        The intercepts make the initial shares the steady state of the choice rule,
        which holds only without blocking (blocked traders revise more often than
        the Calvo rate); with a hazard at the start the calibration does not
        converge for the fitted logit scale (checked: hazard 0.05 on every pair).
        """
        if not h.from_quarter and h.hazard > 0:
            raise ConfigError(
                key + ".from_quarter",
                f"a hazard ({h.hazard!r}) active at the initial state breaks its steady-state "
                "calibration: give a from_quarter after the initial quarter (2021Q4 for the "
                "shipped table)",
            )


def available_memory() -> int:
    """Physical memory of this machine in bytes (``os.sysconf``; 8 GiB if unknown)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def _currency(key: str, code: str, known: frozenset[str]) -> None:
    """ConfigError unless ``code`` is the currency of some economy of the World."""
    if code not in known:
        raise ConfigError(key, f"unknown currency code {code!r}; known: {', '.join(sorted(known))}")


def _scope(key: str, scope: str, econ: set[str], blocs: set[str]) -> None:
    if scope == "ALL" or scope in econ or scope in blocs:
        return
    parts = scope.split("-")
    if len(parts) == 2 and parts[0] in econ and parts[1] in econ and parts[0] != parts[1]:
        return
    raise ConfigError(
        key, f"unknown scope {scope!r}: use 'ALL', an economy code, a bloc name or 'AAA-BBB'"
    )


def checked_quarter(key: str, label: str) -> int:
    """Ordinal of a quarter label; ConfigError naming ``key`` if it is malformed."""
    try:
        return quarter_ordinal(label)
    except ValueError:
        msg = f"must be a quarter label 'YYYYQn' (n in 1..4), got {label!r}"
        raise ConfigError(key, msg) from None


def _window(key: str, a: str, b: str) -> None:
    qa = checked_quarter(key + ".from_quarter", a) if a else None
    qb = checked_quarter(key + ".to_quarter", b) if b else None
    if qa is not None and qb is not None and qb < qa:
        raise ConfigError(key + ".to_quarter", f"must not be before from_quarter {a}, got {b}")
