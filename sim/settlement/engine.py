"""The quarter's choice problem: levers → liquidity → option costs → logit.

Shared by the agent-based phase (:mod:`sim.settlement.phase`) and the
expected-value dynamics (:mod:`sim.settlement.meanfield`), so both apply
exactly the same rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.errors import ConfigError
from sim.settlement.choice import logit_probabilities
from sim.settlement.config import SettlementConfig
from sim.settlement.costs import economy_liquidity, group_costs, option_costs
from sim.settlement.levers import Levers, LeverSchedule
from sim.settlement.market import Market, build_market
from sim.settlement.quarters import quarter_index


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
        cfg.validate(economies, blocs)
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
        self.intercepts = np.zeros((m.n_pairs, m.n_currencies))

    def pair_flows(self, flows: np.ndarray, key: str = "settlement.flows") -> np.ndarray:
        """(P,) international flows from an n×n matrix, checked.

        Raises:
            ConfigError: Wrong shape, non-finite or negative entries.
        """
        n = len(self.market.economies)
        f = np.asarray(flows, dtype=float)
        if f.shape != (n, n):
            raise ConfigError(key, f"must be an {n}x{n} matrix, got shape {f.shape}")
        if not np.all(np.isfinite(f)):
            raise ConfigError(key, "must be finite (found NaN or inf)")
        if np.any(f < 0):
            raise ConfigError(key, f"must be >= 0, got minimum {f.min():.6g}")
        return f[self.market.exp, self.market.imp]

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
        m, cfg = self.market, self.cfg
        lev = self.schedule.at(quarter)
        q = quarter_index(quarter, "settlement.quarter")
        avail = m.available(q)
        liq = economy_liquidity(m.incidence, pair_flows, shares, self.exogenous)
        oc = option_costs(
            m, liq, lev.density, lev.hazard, lev.interconnection, lev.cards,
            lev.subsidy, lev.mandate, cfg.costs,
        )  # fmt: skip
        cost, block = group_costs(
            oc, self.segment_of_group, self.exposure_of_group, cfg.costs.loss_given_block
        )
        a = self.intercepts if intercepts is None else intercepts
        prob = logit_probabilities(a, cost, cfg.logit_scale, avail)
        return Evaluation(
            quarter=quarter,
            levers=lev,
            available=avail,
            cost=cost,
            block=block,
            prob=prob,
            liquidity=liq,
            any_hazard=bool(np.any(lev.hazard > 0)),
        )
