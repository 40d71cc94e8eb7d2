"""Structured configuration of the settlement layer (Hydra group ``settlement``).

Every field has a default, a unit and an allowed range. Hydra checks types and
unknown keys; :meth:`SettlementConfig.validate` checks ranges and codes and
raises :class:`~sim.errors.ConfigError` naming the dotted key
(``settlement.<field>``).

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

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

from sim.errors import ConfigError
from sim.quarters import quarter_ordinal
from sim.settlement.events import event_levels
from sim.settlement.fitted import fitted_hazard_levels, fitted_parameters
from sim.settlement.registry import registry

#: The fitted parameters (``sim/data/settlement/fitted_parameters.json``): the defaults.
FITTED: dict[str, float] = fitted_parameters()

#: Bytes per trader a run holds (trader arrays, the phase's per-trader indices and the
#: step's temporaries; an upper estimate of the measured ~200).
BYTES_PER_TRADER = 256


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
    from_quarter: str = ""
    to_quarter: str = ""
    value: float = 0.0
    ramp_to: float | None = None


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
    """

    scope: str = "ALL"
    from_quarter: str = ""
    to_quarter: str = ""
    hazard: float = 0.0
    currencies: list[str] = field(default_factory=lambda: ["USD", "EUR"])


@dataclass
class HazardScale:
    """A multiplier of the hazards on some currencies for pairs in a scope.

    Attributes:
        scope: Pair set (see module docstring).
        from_quarter: First quarter (``""`` = always).
        to_quarter: Last quarter, inclusive (``""`` = open-ended).
        factor: Multiplier of the hazard (events and entries), >= 0; the result
            is capped at 1. Factors of entries that apply multiply.
        currencies: ISO codes it applies to (default: the vehicles).
    """

    scope: str = "ALL"
    from_quarter: str = ""
    to_quarter: str = ""
    factor: float = 1.0
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
    from_quarter: str = ""


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

    n_traders: int = 250_000
    min_per_pair: int = 5
    size_distribution: str = "pareto"
    pareto_alpha: float = 1.06
    size_cap: float = 1.0e5
    lognormal_sigma: float = 2.0
    retail_share: float = 0.3
    exposure_levels: list[float] = field(default_factory=lambda: [0.25, 0.75, 1.25, 1.75])
    exposure_weights: list[float] = field(default_factory=lambda: [0.25, 0.25, 0.25, 0.25])


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
        vehicle_leg_hazard: If True, a vehicle-currency leg that buys or sells a
            party's own currency (a rest-of-world importer buying RUB with USD)
            carries the pair's blocking hazard on that vehicle currency: the FX
            trade settles its vehicle side with the party's banks. Off by default
            because it worsens the fit to the 2022 points (sensitivity
            ``python -m sim.settlement.calibrate --variant vehicle_leg_hazard``).
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

    vehicle_spread: float = 0.0025
    national_spread_min: float = 0.001
    national_spread_max: float = 0.03
    synthetic_cross: bool = True
    vehicle_leg_hazard: bool = False
    liquidity_decay: float = FITTED["liquidity_decay"]
    exogenous_liquidity: dict[str, float] = field(default_factory=dict)
    dated_liquidity: bool = True
    delay_cost_per_day: float = 0.10 / 365.0
    vehicle_delay_days: float = 1.0
    national_delay_days: float = 2.0
    interconnected_delay_days: float = 0.0
    loss_given_block: float = 0.10


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

    table: str = "cis2021"
    national_share: float = 0.3
    national_currency: str = ""
    intercepts: str = "vehicles"
    floor_share: float = 0.002


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
        hazard_levels: Level of each event hazard (name → probability per
            quarter, in [0, 1]). Default: fitted (``fitted_parameters.json``).
        hazards: Further payment-blocking hazards (max over events and entries
            that apply).
        hazard_scales: Multipliers of the hazards (a spike relative to the
            status quo, e.g. ``shock=payment_block``).
        subsidies: Ad-valorem subsidies to national-currency options, >= 0
            (summed over entries that apply).
        mandates: Ad-valorem penalties on non-national options (enforcement of
            a national-currency mandate), >= 0 (summed).
    """

    enabled: bool = True
    revision_rate: float = FITTED["revision_rate"]
    logit_scale: float = FITTED["logit_scale"]
    vehicles: list[str] = field(default_factory=lambda: ["USD", "EUR"])
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
    link_density: float = 0.5
    link_entries: list[LeverEntry] = field(
        default_factory=lambda: [
            LeverEntry(scope="CIS", value=0.9),
            LeverEntry(scope="RUS-CHN", value=0.5),
        ]
    )
    interconnection: float = 0.0
    interconnection_entries: list[LeverEntry] = field(default_factory=list)
    card_acceptance: float = 0.0
    card_entries: list[LeverEntry] = field(default_factory=list)
    event_hazards: bool = True
    hazard_levels: dict[str, float] = field(default_factory=fitted_hazard_levels)
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
        """Check ranges, codes, scopes and quarter labels.

        Codes and currencies are those of the World (:mod:`sim.settlement.registry`):
        the run's, then the shipped world's.

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
        p = "settlement"
        known_blocs = {"CIS", "EAEU"} | set(blocs or {})
        for k, c in enumerate(currencies):
            if not (isinstance(c, str) and len(c) == 3 and c.isalpha() and c.isupper()):
                raise ConfigError(f"{p}.currencies[{k}]", f"must be an ISO 4217 code, got {c!r}")
        reg = registry(economies, currencies)
        known_econ = set(reg.economies)
        _ccy = partial(_currency, known=reg.currency_set)
        _num(f"{p}.revision_rate", self.revision_rate, 0.0, 1.0, lo_open=True)
        _num(f"{p}.logit_scale", self.logit_scale, 0.0, 1e6, lo_open=True)
        if not self.vehicles:
            raise ConfigError(f"{p}.vehicles", "must name at least one vehicle currency")
        for k, c in enumerate(self.vehicles):
            _ccy(f"{p}.vehicles[{k}]", c)
        if "USD" not in self.vehicles:
            raise ConfigError(f"{p}.vehicles", "must contain 'USD' (the double-conversion vehicle)")
        if self.national_bloc and self.national_bloc not in known_blocs:
            raise ConfigError(f"{p}.national_bloc", f"unknown bloc {self.national_bloc!r}")
        for k, r in enumerate(self.third_currency_rules):
            key = f"{p}.third_currency_rules[{k}]"
            _ccy(key + ".currency", r.currency)
            _scope(key + ".scope", r.scope, known_econ, known_blocs)
            if r.from_quarter:
                checked_quarter(key + ".from_quarter", r.from_quarter)
        self._validate_traders(f"{p}.traders")
        self._validate_population(f"{p}.traders", len(economies))
        self._validate_costs(f"{p}.costs", reg.currency_set)
        i = self.initial
        if i.table not in ("", "cis2021"):
            raise ConfigError(f"{p}.initial.table", f"must be 'cis2021' or '', got {i.table!r}")
        if i.intercepts not in ("vehicles", "all", "none"):
            raise ConfigError(
                f"{p}.initial.intercepts",
                f"must be 'vehicles', 'all' or 'none', got {i.intercepts!r}",
            )
        _num(f"{p}.initial.national_share", i.national_share, 0.0, 1.0)
        if i.national_currency:
            _ccy(f"{p}.initial.national_currency", i.national_currency)
        _num(f"{p}.initial.floor_share", i.floor_share, 0.0, 0.1, lo_open=True)
        _num(f"{p}.link_density", self.link_density, 0.0, 1.0)
        _num(f"{p}.interconnection", self.interconnection, 0.0, 1.0)
        _num(f"{p}.card_acceptance", self.card_acceptance, 0.0, 1.0)
        for name, hi in (
            ("link_entries", 1.0),
            ("interconnection_entries", 1.0),
            ("card_entries", 1.0),
            ("subsidies", 1.0),
            ("mandates", 1.0),
        ):
            for k, e in enumerate(getattr(self, name)):
                _entry(f"{p}.{name}[{k}]", e, hi, known_econ, known_blocs)
        for k, h in enumerate(self.hazards):
            key = f"{p}.hazards[{k}]"
            _scope(key + ".scope", h.scope, known_econ, known_blocs)
            _window(key, h.from_quarter, h.to_quarter)
            _num(key + ".hazard", h.hazard, 0.0, 1.0)
            for m, c in enumerate(h.currencies):
                _ccy(f"{key}.currencies[{m}]", c)
            self._validate_start_hazard(key, h)
        for k, h in enumerate(self.hazard_scales):
            key = f"{p}.hazard_scales[{k}]"
            _scope(key + ".scope", h.scope, known_econ, known_blocs)
            _window(key, h.from_quarter, h.to_quarter)
            _num(key + ".factor", h.factor, 0.0, 1e3)
            for m, c in enumerate(h.currencies):
                _ccy(f"{key}.currencies[{m}]", c)
        if self.event_hazards:
            for name in event_levels():
                if name not in self.hazard_levels:
                    raise ConfigError(f"{p}.hazard_levels", f"missing level {name!r}")
        for name, v in self.hazard_levels.items():
            _num(f"{p}.hazard_levels.{name}", v, 0.0, 1.0)

    def _validate_traders(self, p: str) -> None:
        t = self.traders
        if not isinstance(t.n_traders, int) or t.n_traders < 1:
            raise ConfigError(f"{p}.n_traders", f"must be an integer >= 1, got {t.n_traders!r}")
        if not isinstance(t.min_per_pair, int) or t.min_per_pair < 1:
            raise ConfigError(
                f"{p}.min_per_pair", f"must be an integer >= 1, got {t.min_per_pair!r}"
            )
        if t.size_distribution not in ("pareto", "lognormal"):
            raise ConfigError(
                f"{p}.size_distribution",
                f"must be 'pareto' or 'lognormal', got {t.size_distribution!r}",
            )
        _num(f"{p}.pareto_alpha", t.pareto_alpha, 0.0, 100.0, lo_open=True)
        _num(f"{p}.size_cap", t.size_cap, 1.0, 1e12, lo_open=True)
        _num(f"{p}.lognormal_sigma", t.lognormal_sigma, 0.0, 10.0, lo_open=True)
        _num(f"{p}.retail_share", t.retail_share, 0.0, 1.0)
        if not t.exposure_levels or len(t.exposure_levels) != len(t.exposure_weights):
            raise ConfigError(
                f"{p}.exposure_weights", "must be non-empty and as long as exposure_levels"
            )
        for k, v in enumerate(t.exposure_levels):
            _num(f"{p}.exposure_levels[{k}]", v, 0.0, 1e3)
        for k, v in enumerate(t.exposure_weights):
            _num(f"{p}.exposure_weights[{k}]", v, 0.0, 1.0)
        if abs(sum(t.exposure_weights) - 1.0) > 1e-9:
            raise ConfigError(
                f"{p}.exposure_weights", f"must sum to 1, got {sum(t.exposure_weights):.6g}"
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

    def _validate_costs(self, p: str, currencies: frozenset[str]) -> None:
        c = self.costs
        _num(f"{p}.vehicle_spread", c.vehicle_spread, 0.0, 0.2)
        _num(f"{p}.national_spread_min", c.national_spread_min, 0.0, 0.2)
        _num(f"{p}.national_spread_max", c.national_spread_max, c.national_spread_min, 0.5)
        _num(f"{p}.liquidity_decay", c.liquidity_decay, 0.0, 1e3)
        for cur, v in c.exogenous_liquidity.items():
            _currency(f"{p}.exogenous_liquidity", cur, currencies)
            _num(f"{p}.exogenous_liquidity.{cur}", v, 0.0, 1.0)
        _num(f"{p}.delay_cost_per_day", c.delay_cost_per_day, 0.0, 0.1)
        _num(f"{p}.vehicle_delay_days", c.vehicle_delay_days, 0.0, 365.0)
        _num(f"{p}.national_delay_days", c.national_delay_days, 0.0, 365.0)
        _num(f"{p}.interconnected_delay_days", c.interconnected_delay_days, 0.0, 365.0)
        _num(f"{p}.loss_given_block", c.loss_given_block, 0.0, 1.0)


def available_memory() -> int:
    """Physical memory of this machine in bytes (``os.sysconf``; 8 GiB if unknown)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def _num(key: str, v: object, lo: float, hi: float, lo_open: bool = False) -> None:
    """Raise ConfigError unless ``v`` is a finite number in the range."""
    ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(float(v))
    if ok:
        x = float(v)  # type: ignore[arg-type]
        ok = (x > lo if lo_open else x >= lo) and x <= hi
    if not ok:
        left = "(" if lo_open else "["
        raise ConfigError(key, f"must be in {left}{lo:g}, {hi:g}], got {v!r}")


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


def _entry(key: str, e: LeverEntry, hi: float, econ: set[str], blocs: set[str]) -> None:
    _scope(key + ".scope", e.scope, econ, blocs)
    _window(key, e.from_quarter, e.to_quarter)
    _num(key + ".value", e.value, 0.0, hi)
    if e.ramp_to is not None:
        _num(key + ".ramp_to", e.ramp_to, 0.0, hi)
        if not (e.from_quarter and e.to_quarter):
            raise ConfigError(key + ".ramp_to", "needs both from_quarter and to_quarter")
