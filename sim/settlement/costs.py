"""Option costs: pure, vectorized functions (arrays in, arrays out; no Mesa, no I/O).

All costs are ad valorem (fraction of the invoice value). For pair p settled
in currency c, for the wholesale (s = 0) and retail (s = 1) segments:

    cost[p, s, c] = conversion + delay_days · delay_cost_per_day
                    − subsidy[p]·national[p, c] + mandate[p]·(1 − national[p, c])

and, per trader with hazard exposure e, the expected loss from blocking

    loss[p, s, c] = e · loss_given_block · h_eff[p, s, c].

Conversion (Krugman 1980, "Vehicle currencies and the structure of
international exchange", JMCB 12(3); Rey 2001, "International trade and
currency exchange", REStud 68(2): the cost of exchanging two currencies falls
with the volume traded between them — a thick-market externality):

- vehicle leg (either currency is USD/EUR, and the other is not onshore-only;
  :func:`~sim.settlement.market.leg_kinds`): ``vehicle_spread``;
- national leg of economy e into currency c: with probability d (density of
  direct correspondent links between e and the issuer of c) a direct
  conversion at spread s(ℓ_e(c)) — or, if ``synthetic_cross`` (default),
  through USD when that is cheaper, as banks quote illiquid crosses — otherwise
  a double conversion through USD:
  ``d·min(s(ℓ), 2·vehicle_spread) + (1 − d)·2·vehicle_spread``;
- spread of a direct national conversion (liquidity ℓ = share of economy e's
  recent trade value settled in c, plus exogenous depth):
  ``s(ℓ) = s_min + (s_max − s_min)·exp(−κ·ℓ)``.

Delay: ``vehicle_delay_days`` for a vehicle option; for an option with national
legs ``d_opt·D_dir + (1 − d_opt)·2·vehicle_delay_days`` with
``D_dir = national_delay_days + x·(interconnected_delay_days − national_delay_days)``,
x = payment-system interconnection, d_opt = product of the legs' densities.

Blocking hazard: ``h_eff = d_opt·h[p, c] + (1 − d_opt)·h_ind[p, c]`` with
``h_ind = 1 − Π_k (1 − max(h_k[p, c], h_k[p, USD]))`` over the hazard
components k (primary, secondary; :func:`combine_components`): an indirect
national payment passes through the vehicle channel too, and within one
component the two legs face the same risk (the same refusing bank), so the worse
of the two counts. d_opt = 1 for an option with no national leg. When the
national option's own hazard is 0 (every shipped 2022 event) this is the former
``h[p, c] + (1 − d_opt)·h[p, USD]``. With
``vehicle_leg_hazard`` = ω > 0 (0 by default), a vehicle leg that buys or
sells the other party's own currency c adds ``ω·h[p, v]``, v the converting
party's home (vehicle) currency: ``+ ω·(1{imp leg vehicle, c = home(exp)}·h[p, home(imp)]
+ 1{exp leg vehicle, c = home(imp)}·h[p, home(exp)])``.

Card acceptance a gives the retail segment a direct channel: its density is
``1 − (1 − d)·(1 − a)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.settlement.config import CostConfig
from sim.settlement.market import LEG_NATIONAL, LEG_NONE, LEG_VEHICLE, Market


def conversion_spread(
    liquidity: np.ndarray, s_min: float, s_max: float, kappa: float
) -> np.ndarray:
    """Spread of one direct national-national conversion.

    ``s(ℓ) = s_min + (s_max − s_min)·exp(−κ·ℓ)``: falls from ``s_max`` in a
    market with no volume towards ``s_min`` as the share ℓ of recent volume
    settled in the currency rises (functional form ``assumed``; the direction
    follows Krugman 1980 and Rey 2001). The FX microstructure evidence on the
    form is weak: Hartmann (1998), "Do Reuters spreads reflect currencies'
    differences in global trading activity?", JIMF 17(4) (FMG DP 265), finds a
    negative but barely significant long-run volume effect in a log-log panel;
    Galati (2000), BIS WP 93, finds no significant effect of unexpected volume
    on emerging-market spreads. Neither pins an exponential, a power law or a
    saturation level; the form is kept because it does not decide the RUB/CNY
    ranking: from the end-2022 depth (31.5 %) the yuan's Moscow spread is within
    1 bp of ``s_min`` for κ >= 20, and the ranking on Russia's non-China pairs is
    set by the legs and hazards (tens of bp).

    Args:
        liquidity: Liquidity ℓ in [0, 1], any shape.
        s_min: Spread at full liquidity (ad valorem).
        s_max: Spread at zero liquidity (ad valorem).
        kappa: Decay κ >= 0.

    Returns:
        Spread, same shape as ``liquidity``.
    """
    return s_min + (s_max - s_min) * np.exp(-kappa * liquidity)


def combine_components(*hazards: np.ndarray) -> np.ndarray:
    """Hazard of a payment exposed to several independent blocking risks.

    ``h = 1 − Π_k (1 − h_k)``: a payment goes through only if no component
    blocks it. The components are distinct channels — a payment blocked by
    the sanctioning jurisdiction's own banks (the 2022 measures) and one refused
    by a third-country bank fearing secondary sanctions (EO 14114 of 22 Dec
    2023) — so neither bounds the other, unlike two sources of the same risk
    (combined by the maximum). Independence is ``assumed``: no source measures
    the correlation of the two.

    Args:
        hazards: Arrays of the same shape, each in [0, 1].

    Returns:
        Combined hazard, same shape, in [0, 1].
    """
    through = np.ones_like(hazards[0])
    for h in hazards:
        through = through * (1.0 - h)
    return 1.0 - through


def economy_liquidity(
    incidence: np.ndarray, flows: np.ndarray, shares: np.ndarray, exogenous: np.ndarray
) -> np.ndarray:
    """Liquidity ℓ_e(c): share of economy e's trade value settled in c, plus depth.

    ``ℓ_e(c) = min(1, Σ_p A_ep F_p s_pc / Σ_p A_ep F_p + ℓ0_c)``.

    Args:
        incidence: (n, P) 1 where economy e is a party of pair p.
        flows: (P,) pair trade value (any unit).
        shares: (P, C) value share of each currency on each pair (rows sum to 1).
        exogenous: (C,) exogenous liquidity ℓ0_c in [0, 1].

    Returns:
        (n, C) liquidity in [0, 1]; an economy with no trade gets ℓ0.
    """
    num = incidence @ (flows[:, None] * shares)
    den = incidence @ flows
    own = np.divide(num, den[:, None], out=np.zeros_like(num), where=den[:, None] > 0)
    return np.minimum(1.0, own + exogenous[None, :])


def option_liquidity(
    parties: tuple[np.ndarray, np.ndarray],
    column: np.ndarray,
    flows: np.ndarray,
    shares: np.ndarray,
    exogenous: np.ndarray,
    n: int,
) -> np.ndarray:
    """:func:`economy_liquidity` from shares on each pair's option slots.

    The same ``ℓ_e(c) = min(1, Σ_p A_ep F_p s_pc / Σ_p A_ep F_p + ℓ0_c)``, summed over
    the two parties of each pair and its K option slots instead of an (n, P) product.

    Args:
        parties: (P,) exporter and (P,) importer index of each pair.
        column: (P, K) currency of each slot (:class:`~sim.settlement.options.OptionSet`).
        flows: (P,) pair trade value.
        shares: (P, K) value share of each slot (0 on padded slots).
        exogenous: (C,) exogenous liquidity ℓ0_c.
        n: Number of economies.

    Returns:
        (n, C) liquidity in [0, 1].
    """
    c = exogenous.size
    weight = (flows[:, None] * shares).reshape(-1)
    num = np.zeros(n * c)
    den = np.zeros(n)
    for econ in parties:
        num += np.bincount((econ[:, None] * c + column).reshape(-1), weight, n * c)
        den += np.bincount(econ, flows, n)
    num = num.reshape(n, c)
    own = np.divide(num, den[:, None], out=np.zeros_like(num), where=den[:, None] > 0)
    return np.minimum(1.0, own + exogenous[None, :])


@dataclass(frozen=True)
class OptionCosts:
    """Costs of every option for both segments.

    Attributes:
        base: (P, 2, C) ad-valorem cost without the expected blocking loss.
        hazard: (P, 2, C) effective blocking hazard per quarter (exposure 1).
        conversion: (P, 2, C) conversion part of ``base``.
        delay_days: (P, 2, C) payment delay in days.
    """

    base: np.ndarray
    hazard: np.ndarray
    conversion: np.ndarray
    delay_days: np.ndarray


@dataclass(frozen=True)
class StaticOptionTerms:
    """The liquidity-independent part of the option costs (fixed while levers are).

    ``base = fixed + coef_imp · direct_imp[:, None, :] + coef_exp · direct_exp[:, None, :]``
    with ``direct_*`` from :func:`direct_spreads` (the only part that moves with
    liquidity, i.e. every quarter).

    Attributes:
        fixed: (P, 2, C) cost without the direct-conversion spreads.
        coef_imp, coef_exp: (P, 2, C) density of the importer's / exporter's
            direct national leg (0 where the leg is not national).
        conversion_fixed: (P, 2, C) conversion part of ``fixed``.
        hazard: (P, 2, C) effective blocking hazard per quarter (exposure 1).
        delay_days: (P, 2, C) payment delay in days.
    """

    fixed: np.ndarray
    coef_imp: np.ndarray
    coef_exp: np.ndarray
    conversion_fixed: np.ndarray
    hazard: np.ndarray
    delay_days: np.ndarray


def static_option_terms(
    market: Market,
    density: np.ndarray,
    hazard: np.ndarray,
    interconnection: np.ndarray,
    cards: np.ndarray,
    subsidy: np.ndarray,
    mandate: np.ndarray,
    params: CostConfig,
    column: np.ndarray | None = None,
    onshore: np.ndarray | None = None,
    hazard_parts: np.ndarray | None = None,
) -> StaticOptionTerms:
    """Liquidity-independent terms of :func:`option_costs` (arguments as there).

    ``hazard_parts`` ((K, P, C), :attr:`~sim.settlement.levers.Levers.hazard_parts`)
    are the components whose combination is ``hazard``; ``None``: ``hazard`` is one
    component.

    With ``column`` ((P, K) currency of each pair's option slots,
    :class:`~sim.settlement.options.OptionSet`) the terms are (P, 2, K) on the slots.
    ``onshore`` ((C,) bool, :attr:`~sim.settlement.levers.Levers.onshore`) names the
    currencies without an offshore market, whose legs against a vehicle are national
    (:meth:`~sim.settlement.market.Market.leg_kinds_at`); ``None``: none.
    """
    m = market
    if onshore is None:
        onshore = np.zeros(m.n_currencies, dtype=bool)
    kinds = m.leg_kinds_at(onshore)
    sv = params.vehicle_spread
    if column is None:
        column = np.arange(m.n_currencies)[None, :]

        def pick(x: np.ndarray) -> np.ndarray:
            return x

    else:

        def pick(x: np.ndarray) -> np.ndarray:
            return np.take_along_axis(x, column, axis=1)

    iss = np.maximum(m.issuer_u, 0)[column]
    cards_pc = cards[:, None]

    def leg(kind: np.ndarray, econ: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(P, 2, C) density of a direct national leg and the leg's fixed cost."""
        d = density[econ[:, None], iss]
        d = np.where(kind == LEG_NATIONAL, d, 1.0)
        # segment axis: 0 wholesale, 1 retail (card acceptance adds a direct channel)
        d = np.stack([d, 1.0 - (1.0 - d) * (1.0 - cards_pc)], axis=1)
        k = kind[:, None, :]
        national = k == LEG_NATIONAL
        coef = np.where(national, d, 0.0)
        fixed = np.where(k == LEG_NONE, 0.0, np.where(national, (1.0 - d) * 2.0 * sv, sv))
        return d, coef, fixed

    kind_imp, kind_exp = pick(kinds[0]), pick(kinds[1])
    d_i, coef_i, fix_i = leg(kind_imp, m.imp)
    d_e, coef_e, fix_e = leg(kind_exp, m.exp)
    conversion_fixed = fix_i + fix_e
    has_nat = ((kind_imp == LEG_NATIONAL) | (kind_exp == LEG_NATIONAL))[:, None, :]
    d_opt = d_i * d_e
    d_direct = params.national_delay_days + interconnection * (
        params.interconnected_delay_days - params.national_delay_days
    )
    days_nat = d_opt * d_direct[:, None, None] + (1.0 - d_opt) * 2.0 * params.vehicle_delay_days
    delay = np.where(has_nat, days_nat, params.vehicle_delay_days)
    national = pick(m.national)[:, None, :]
    fixed = (
        conversion_fixed
        + delay * params.delay_cost_per_day
        - subsidy[:, None, None] * national
        + mandate[:, None, None] * ~national
    )
    parts = hazard[None] if hazard_parts is None else hazard_parts
    h_ind = combine_components(*np.maximum(parts, parts[:, :, m.usd : m.usd + 1]))
    h_eff = d_opt * pick(hazard)[:, None, :] + (1.0 - d_opt) * pick(h_ind)[:, None, :]
    if params.vehicle_leg_hazard:
        extra = vehicle_leg_hazard(m, hazard, kinds)
        h_eff = h_eff + params.vehicle_leg_hazard * pick(extra)[:, None, :]
    return StaticOptionTerms(
        fixed=fixed,
        coef_imp=coef_i,
        coef_exp=coef_e,
        conversion_fixed=conversion_fixed,
        hazard=h_eff,
        delay_days=delay,
    )


def vehicle_leg_hazard(
    market: Market, hazard: np.ndarray, kinds: tuple[np.ndarray, np.ndarray] | None = None
) -> np.ndarray:
    """(P, C) hazard carried by vehicle legs into or out of a party's own currency.

    ``x[p, c] = 1{leg_imp = vehicle, c = home(exp), c not vehicle}·h[p, home(imp)]
    + 1{leg_exp = vehicle, c = home(imp), c not vehicle}·h[p, home(exp)]``: an
    importer whose home currency is a vehicle (EUR for the EU, USD for the rest
    of the world) buys the exporter's currency with it from the exporter's
    banks (the same channel a vehicle payment uses), and symmetrically for the
    exporter. A third currency (CNY on a RUS–ROW pair) bought in a market
    outside both parties carries no such hazard. Modelling assumption
    (``assumed``), used as a sensitivity.

    Args:
        market: Static structure.
        hazard: (P, C) blocking hazard on settling pair p in currency c.
        kinds: (P, C) importer and exporter leg kinds (default: the market's).

    Returns:
        (P, C) additional effective hazard (0 where no such leg).
    """
    m = market
    kind_imp, kind_exp = kinds if kinds is not None else (m.leg_kind_imp, m.leg_kind_exp)
    rows = np.arange(hazard.shape[0])
    col = np.arange(hazard.shape[1])[None, :]
    home_exp, home_imp = m.home[m.exp], m.home[m.imp]
    non_vehicle = ~m.vehicle[None, :]
    imp_leg = (kind_imp == LEG_VEHICLE) & (col == home_exp[:, None]) & non_vehicle
    exp_leg = (kind_exp == LEG_VEHICLE) & (col == home_imp[:, None]) & non_vehicle
    return imp_leg * hazard[rows, home_imp][:, None] + exp_leg * hazard[rows, home_exp][:, None]


def economy_spreads(liquidity: np.ndarray, params: CostConfig) -> np.ndarray:
    """(n, C) spread of a direct conversion by each economy into each currency.

    ``s(ℓ_e(c))`` (:func:`conversion_spread`), capped at two vehicle spreads if
    ``synthetic_cross``.
    """
    s = conversion_spread(
        liquidity, params.national_spread_min, params.national_spread_max,
        params.liquidity_decay,
    )  # fmt: skip
    if params.synthetic_cross:
        s = np.minimum(s, 2.0 * params.vehicle_spread)
    return s


def direct_spreads(
    market: Market, liquidity: np.ndarray, params: CostConfig
) -> tuple[np.ndarray, np.ndarray]:
    """(P, C) spread of a direct conversion by the importer and by the exporter.

    :func:`economy_spreads` of the converting economy.
    """
    s = economy_spreads(liquidity, params)
    return s[market.imp], s[market.exp]


def option_costs(
    market: Market,
    liquidity: np.ndarray,
    density: np.ndarray,
    hazard: np.ndarray,
    interconnection: np.ndarray,
    cards: np.ndarray,
    subsidy: np.ndarray,
    mandate: np.ndarray,
    params: CostConfig,
    onshore: np.ndarray | None = None,
    hazard_parts: np.ndarray | None = None,
) -> OptionCosts:
    """Cost of settling each pair in each currency (equations in the module docstring).

    Args:
        market: Static structure (leg kinds, homes, issuers).
        liquidity: (n, C) from :func:`economy_liquidity`.
        density: (U, U) direct-link density between economy codes.
        hazard: (P, C) blocking hazard on each option.
        interconnection: (P,) in [0, 1].
        cards: (P,) card acceptance in [0, 1].
        subsidy: (P,) ad-valorem subsidy to national options.
        mandate: (P,) ad-valorem penalty on non-national options.
        params: Cost parameters.
        onshore: (C,) currencies without an offshore market (default none).
        hazard_parts: (K, P, C) hazard components whose combination is ``hazard``
            (default: ``hazard`` is one component).

    Returns:
        :class:`OptionCosts` (defined for every option; availability is
        applied by the choice rule).
    """
    st = static_option_terms(
        market, density, hazard, interconnection, cards, subsidy, mandate, params,
        onshore=onshore, hazard_parts=hazard_parts,
    )  # fmt: skip
    di, de = direct_spreads(market, liquidity, params)
    moving = st.coef_imp * di[:, None, :] + st.coef_exp * de[:, None, :]
    return OptionCosts(
        base=st.fixed + moving,
        hazard=st.hazard,
        conversion=st.conversion_fixed + moving,
        delay_days=st.delay_days,
    )


def group_costs(
    costs: OptionCosts,
    segment_of_group: np.ndarray,
    exposure_of_group: np.ndarray,
    loss_given_block: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Total cost and blocking probability per trader group.

    ``cost[p, g, c] = base[p, s_g, c] + e_g · LGD · h_eff[p, s_g, c]`` and
    ``block[p, g, c] = min(1, e_g · h_eff[p, s_g, c])``.

    Args:
        costs: Option costs by segment.
        segment_of_group: (G,) segment (0 wholesale, 1 retail) of each group.
        exposure_of_group: (G,) hazard exposure multiplier e_g >= 0.
        loss_given_block: LGD in [0, 1].

    Returns:
        ``(cost, block)``, each (P, G, C).
    """
    h = costs.hazard[:, segment_of_group, :] * exposure_of_group[None, :, None]
    cost = costs.base[:, segment_of_group, :] + loss_given_block * h
    return cost, np.minimum(1.0, h)
