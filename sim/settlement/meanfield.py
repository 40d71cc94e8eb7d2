"""Expected-value (mean-field) dynamics of the settlement rule.

The state is the expected share m[p, g, c] of trader group g of pair p settled
in currency c. Given the same costs, it is the expectation of the agent
dynamics over revision draws (law of large numbers); the agent shares converge
to it as traders per group grow (tested). Used for calibration, where a
smooth, noise-free objective is needed.
"""

from __future__ import annotations

import numpy as np

from sim.settlement.choice import meanfield_step, revision_probability
from sim.settlement.engine import SettlementCore
from sim.settlement.outputs import headline


class MeanFieldSettlement:
    """Expected shares per (pair, group, currency).

    Args:
        core: Market, schedule and intercepts.
        group_weights: (P, G) value weight of each group in each pair.
        state: (P, G, C) initial expected shares (copied).
        revision_rate: Calvo revision rate.
    """

    def __init__(
        self,
        core: SettlementCore,
        group_weights: np.ndarray,
        state: np.ndarray,
        revision_rate: float,
    ) -> None:
        self.core = core
        self.group_weights = group_weights
        self.state = np.array(state, dtype=float)
        self.rate = revision_rate

    @property
    def shares(self) -> np.ndarray:
        """(P, C) expected value shares ``Σ_g W_pg m_pgc``."""
        return (self.group_weights[:, :, None] * self.state).sum(axis=1)

    def step(self, quarter: str, pair_flows: np.ndarray) -> dict[str, float]:
        """Advance one quarter; return the headline series.

        Args:
            quarter: ``"YYYYQn"``.
            pair_flows: (P,) trade values.

        Returns:
            Headline series (see :mod:`sim.settlement.outputs`).
        """
        ev = self.core.evaluate(quarter, pair_flows, self.shares)
        q = revision_probability(ev.block, self.rate)
        self.state = meanfield_step(self.state, ev.prob, q)
        pair_cost = (self.group_weights[:, :, None] * self.state * ev.cost).sum(axis=(1, 2))
        return headline(self.core.market, pair_flows, self.shares, pair_cost)
