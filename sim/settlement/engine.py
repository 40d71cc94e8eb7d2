"""The quarter's choice problem: levers → liquidity → option costs → logit.

Shared by the agent-based phase (:mod:`sim.settlement.phase`) and the
expected-value dynamics (:mod:`sim.settlement.meanfield`), so both apply
exactly the same rule.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.errors import ConfigError
from sim.quarters import quarter_ordinal
from sim.settlement.config import SettlementConfig
from sim.settlement.costs import (
    direct_spreads,
    economy_liquidity,
    economy_spreads,
    option_liquidity,
    static_option_terms,
)
from sim.settlement.events import ExternalLiquidity
from sim.settlement.levers import Levers, LeverSchedule
from sim.settlement.market import Market, build_market
from sim.settlement.options import OptionSet


@dataclass(frozen=True)
class Evaluation:
    """Choice problem of one quarter.

    Attributes:
        quarter: Quarter label.
        levers: Lever values.
        available: (P, C) offered options.
        cost: (P, G, C) total ad-valorem cost per group (incl. expected blocking loss).
        block: (P, G, C) probability per quarter that a payment is blocked.
        prob: (P, G, C) logit choice probabilities.
        liquidity: (n, C) liquidity used for the spreads.
        any_hazard: Whether any blocking probability is positive.
    """

    quarter: str
    levers: Levers
    available: np.ndarray
    cost: np.ndarray
    block: np.ndarray
    prob: np.ndarray
    liquidity: np.ndarray
    any_hazard: bool


@dataclass(frozen=True)
class _Static:
    """Everything of a quarter's choice problem that does not move with liquidity.

    Built once per lever set (the schedule caches levers per quarter) and
    intercept array; reused while they stay the same.
    """

    levers: Levers
    intercepts: np.ndarray
    beta: float
    available: np.ndarray  # (P, C)
    fixed: np.ndarray  # (P, G, C) cost without direct spreads, blocking loss included
    coef_imp: np.ndarray  # (P, 2, C) by segment (the direct legs do not depend on exposure)
    coef_exp: np.ndarray  # (P, 2, C)
    block: np.ndarray  # (P, G, C)
    v_fixed: np.ndarray  # (P, G, C) a − β·fixed, −inf where not offered
    any_hazard: bool


@dataclass(frozen=True)
class _LeverTerms:
    """The part of :class:`_Static` that depends on the levers only, not on intercepts."""

    levers: Levers
    fixed: np.ndarray  # (P, G, C)
    coef_imp: np.ndarray  # (P, 2, C)
    coef_exp: np.ndarray  # (P, 2, C)
    block: np.ndarray  # (P, G, C)
    any_hazard: bool


def _with_intercepts(lt: _LeverTerms, available: np.ndarray, a: np.ndarray, beta: float) -> _Static:
    """The static choice problem: lever terms, offered options, intercepts a and β."""
    return _Static(
        levers=lt.levers,
        intercepts=a,
        beta=beta,
        available=available,
        fixed=lt.fixed,
        coef_imp=lt.coef_imp,
        coef_exp=lt.coef_exp,
        block=lt.block,
        v_fixed=np.where(available[:, None, :], a[:, None, :] - beta * lt.fixed, -np.inf),
        any_hazard=lt.any_hazard,
    )


class SettlementCore:
    """Market structure, lever schedule, groups and intercepts of one run.

    Args:
        economies: Economy codes, ROW last.
        currencies: Currency per economy.
        blocs: Bloc name → members.
        cfg: Settlement config (validated here).
    """

    def __init__(
        self,
        economies: Sequence[str],
        currencies: Sequence[str],
        blocs: dict[str, tuple[str, ...]],
        cfg: SettlementConfig,
    ) -> None:
        cfg.validate(economies, blocs, currencies)
        self.cfg = cfg
        self.market: Market = build_market(economies, currencies, blocs, cfg)
        self.schedule = LeverSchedule(self.market, cfg)
        levels = np.asarray(cfg.traders.exposure_levels, dtype=float)
        e = levels.size
        self.n_groups = 2 * e
        self.segment_of_group = np.repeat([0, 1], e)
        self.exposure_of_group = np.tile(levels, 2)
        m = self.market
        self.exogenous = np.array(
            [cfg.costs.exogenous_liquidity.get(c, 0.0) for c in m.currencies], dtype=float
        )
        self._intercepts = np.zeros((m.n_pairs, m.n_currencies))
        self._static: dict[int, _Static] = {}  # slot 0: the last lever set
        self._terms: _LeverTerms | None = None  # the last lever set's terms
        self.options = OptionSet.of(m.ever_available())
        self._option_cache: tuple[tuple, _Static] | None = None  # evaluate_options' static
        self._option_terms: tuple[Levers, _LeverTerms] | None = None  # its lever terms
        # the offered set changes only at the quarters options open: one array per period
        self._opening = sorted({int(x) for x in np.unique(m.option_from)})
        self._avail: dict[int, np.ndarray] = {}
        self._external_series = (
            ExternalLiquidity(m.economies, m.currencies) if cfg.costs.dated_liquidity else None
        )
        self._external: dict[str, np.ndarray | None] = {}
        self.pair_flat = m.exp * len(m.economies) + m.imp  # (P,) flat index of (exp, imp) in n×n

    @property
    def intercepts(self) -> np.ndarray:
        """(P, C) alternative-specific constants (setting them resets the cache)."""
        return self._intercepts

    @intercepts.setter
    def intercepts(self, value: np.ndarray) -> None:
        self._intercepts = np.asarray(value, dtype=float)
        self._static.clear()
        self._option_cache = None

    def _lever_terms(self, lev: Levers) -> _LeverTerms:
        """The part of :meth:`static` that depends on the levers only (cached per lever set)."""
        if self._terms is None or self._terms.levers is not lev:
            self._terms = self._terms_of(lev, None)
        return self._terms

    def _terms_of(self, lev: Levers, column: np.ndarray | None) -> _LeverTerms:
        """Lever terms on all currencies, or on the (P, K) option slots ``column``."""
        cfg = self.cfg
        terms = static_option_terms(
            self.market, lev.density, lev.hazard, lev.interconnection, lev.cards,
            lev.subsidy, lev.mandate, cfg.costs, column, lev.onshore, lev.hazard_parts,
        )  # fmt: skip
        seg = self.segment_of_group
        h = terms.hazard[:, seg, :] * self.exposure_of_group[None, :, None]
        return _LeverTerms(
            levers=lev,
            fixed=terms.fixed[:, seg, :] + cfg.costs.loss_given_block * h,
            coef_imp=terms.coef_imp,
            coef_exp=terms.coef_exp,
            block=np.minimum(1.0, h),
            any_hazard=bool(np.any(lev.hazard > 0)),
        )

    def _available(self, q: int) -> np.ndarray:
        """(P, C) offered options in quarter index ``q`` (one array per opening period)."""
        period = bisect.bisect_right(self._opening, q)
        avail = self._avail.get(period)
        if avail is None:
            avail = self._avail[period] = self.market.available(q)
        return avail

    def offered(self, quarter: str) -> np.ndarray:
        """(P, C) options offered in ``quarter``."""
        return self._available(quarter_ordinal(quarter))

    def static(self, quarter: str, intercepts: np.ndarray | None = None) -> _Static:
        """The liquidity-independent part of the quarter's choice problem (cached).

        Args:
            quarter: ``"YYYYQn"``.
            intercepts: Override of the calibrated intercepts (not cached).
        """
        lev = self.schedule.at(quarter)
        a = self._intercepts if intercepts is None else intercepts
        beta = float(self.cfg.logit_scale)
        avail = self._available(quarter_ordinal(quarter))
        # reuse while levers (one object per constant period), offered options,
        # intercepts and β are the same
        st = self._static.get(0)
        if (
            st is not None
            and st.intercepts is a
            and st.beta == beta
            and st.levers is lev
            and st.available is avail
        ):
            return st
        st = _with_intercepts(self._lever_terms(lev), avail, a, beta)
        if intercepts is None:
            self._static[0] = st
        return st

    def pair_flows(self, flows: np.ndarray, key: str = "settlement.flows") -> np.ndarray:
        """(P,) international flows from an n×n matrix, checked.

        Raises:
            ConfigError: Wrong shape, non-finite or negative entries.
        """
        m = self.market
        n = len(m.economies)
        f = np.asarray(flows, dtype=float)
        if f.shape != (n, n):
            raise ConfigError(key, f"must be an {n}x{n} matrix, got shape {f.shape}")
        # one pass each for the usual case (NaN fails both comparisons)
        if not (f.min() >= 0.0 and f.max() < np.inf):
            if not np.all(np.isfinite(f)):
                raise ConfigError(key, "must be finite (found NaN or inf)")
            raise ConfigError(key, f"must be >= 0, got minimum {f.min():.6g}")
        return f.reshape(-1).take(self.pair_flat)

    def liquidity(self, quarter: str, pair_flows: np.ndarray, shares: np.ndarray) -> np.ndarray:
        """(n, C) liquidity of every economy's market in every currency.

        The model's own (:func:`economy_liquidity`), floored by the dated exogenous
        depth of :func:`~sim.settlement.events.external_liquidity`.
        """
        liq = economy_liquidity(self.market.incidence, pair_flows, shares, self.exogenous)
        return self._with_external(quarter, liq)

    def _with_external(self, quarter: str, liq: np.ndarray) -> np.ndarray:
        """Liquidity floored by the quarter's dated exogenous depth (if any)."""
        if quarter not in self._external:
            series = self._external_series
            ext = None if series is None or not series.series else series.at(quarter)
            self._external[quarter] = ext
        ext = self._external[quarter]
        return liq if ext is None else np.maximum(liq, ext)

    def spreads(
        self, quarter: str, pair_flows: np.ndarray, shares: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(P, C) direct-conversion spreads of the importer and the exporter (as in evaluate)."""
        liq = self.liquidity(quarter, pair_flows, shares)
        return direct_spreads(self.market, liq, self.cfg.costs)

    def evaluate(
        self,
        quarter: str,
        pair_flows: np.ndarray,
        shares: np.ndarray,
        intercepts: np.ndarray | None = None,
    ) -> Evaluation:
        """Costs and choice probabilities in a quarter given last quarter's shares.

        Args:
            quarter: ``"YYYYQn"``.
            pair_flows: (P,) trade values (liquidity weights).
            shares: (P, C) value shares of the recent state (liquidity).
            intercepts: Override of the calibrated intercepts.

        Returns:
            :class:`Evaluation`.
        """
        st = self.static(quarter, intercepts)
        liq = self.liquidity(quarter, pair_flows, shares)
        di, de = direct_spreads(self.market, liq, self.cfg.costs)
        return self._choice(quarter, st, di, de, liq)

    def evaluate_options(
        self, quarter: str, pair_flows: np.ndarray, shares: np.ndarray
    ) -> Evaluation:
        """:meth:`evaluate` on each pair's options only (the calibrated intercepts).

        Same arguments, but ``shares`` (P, K) and every (.., C) array of the result
        (.., K): slot k of pair p is currency ``self.options.column[p, k]`` (padded
        slots are not offered and hold share 0). Equal to :meth:`evaluate` at those
        slots up to rounding; on a wide world a fraction of its cost.
        """
        m, o = self.market, self.options
        st = self._option_static(quarter)
        own = option_liquidity(
            (m.exp, m.imp), o.column, pair_flows, shares, self.exogenous, len(m.economies)
        )
        liq = self._with_external(quarter, own)
        s = economy_spreads(liq, self.cfg.costs)
        di, de = s[m.imp[:, None], o.column], s[m.exp[:, None], o.column]
        return self._choice(quarter, st, di, de, liq)

    def _option_static(self, quarter: str) -> _Static:
        """:meth:`static` (calibrated intercepts) on each pair's option slots (cached)."""
        o = self.options
        lev = self.schedule.at(quarter)
        avail = self._available(quarter_ordinal(quarter))
        key = (lev, avail, self._intercepts)
        cached = self._option_cache
        if cached is not None and all(x is y for x, y in zip(cached[0], key, strict=True)):
            return cached[1]
        # the lever terms on the slots change with the levers only
        if self._option_terms is None or self._option_terms[0] is not lev:
            self._option_terms = (lev, self._terms_of(lev, o.column))
        lt = self._option_terms[1]
        offered = o.gather(avail)
        a = o.gather(self._intercepts)
        beta = float(self.cfg.logit_scale)
        st = _with_intercepts(lt, offered, a, beta)
        self._option_cache = (key, st)
        return st

    def _choice(
        self, quarter: str, st: _Static, di: np.ndarray, de: np.ndarray, liq: np.ndarray
    ) -> Evaluation:
        """Costs and logit probabilities from the static part and the direct spreads."""
        # groups are ordered segment-major (g = s·E + e): the moving part is per segment
        p, c = di.shape
        moving = st.coef_imp * di[:, None, :]
        moving += st.coef_exp * de[:, None, :]
        moving = moving[:, :, None, :]  # (P, 2, 1, C)
        shape4 = (p, 2, self.n_groups // 2, c)
        cost = (st.fixed.reshape(shape4) + moving).reshape(p, self.n_groups, c)
        # logit (McFadden 1974), as choice.logit_probabilities: v = a − β·cost, −inf if not offered
        v = (st.v_fixed.reshape(shape4) - st.beta * moving).reshape(p, self.n_groups, c)
        v -= v.max(axis=2, keepdims=True)
        np.exp(v, out=v)
        v /= v.sum(axis=2, keepdims=True)
        return Evaluation(
            quarter=quarter,
            levers=st.levers,
            available=st.available,
            cost=cost,
            block=st.block,
            prob=v,
            liquidity=liq,
            any_hazard=st.any_hazard,
        )
