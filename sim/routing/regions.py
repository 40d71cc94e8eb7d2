"""Where an economy's trade starts and ends: regional hub shares by commodity group.

A large economy's trade does not all start at one centroid: Russia's coal leaves
from Siberia and the Far East, China's manufactures from the coast.
``sim/data/corridors/trade_regions.csv`` gives, per economy, side (``export`` or
``import``) and commodity group (``*`` = every group without its own rows), the
share s_egh of the group's tonnes that starts (export) or ends (import) at hub h.
Each row has a ``basis`` (derived / assumed) and a ``source``.

The share of the tonnes of group g of economy e at hub h, over the hubs H_e the
config gives e (``corridors.economy_hubs``), is

    w_egh = s_egh / Σ_{h' ∈ H_e} s_egh'

and, where no hub of H_e has a row for g, w_egh = 1 for the first hub of H_e
(the centroid). These are fixed weights, not a route choice: the tonnes of a
(pair, group) split over (origin hub, destination hub) cells by w_i,g,o · w_j,g,d
before the logit assigns each cell to its paths.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.data.trade_regions import ALL_GROUPS, SIDES, trade_regions


def hub_weights(
    economies: Sequence[str], economy_hubs: dict[str, Sequence[str]], groups: Sequence[str]
) -> dict[str, list[np.ndarray]]:
    """w_egh per side: for each economy (in order) a (G, len(H_e)) array; rows sum to 1.

    Args:
        economies: Routed economy codes.
        economy_hubs: Each economy's hubs H_e (first = centroid).
        groups: Commodity group names, in network order.
    """
    table = trade_regions()
    out: dict[str, list[np.ndarray]] = {}
    for side in SIDES:
        per_economy = []
        for e in economies:
            hubs = list(economy_hubs[e])
            w = np.zeros((len(groups), len(hubs)))
            for g, group in enumerate(groups):
                shares = table.get((e, side, group)) or table.get((e, side, ALL_GROUPS)) or {}
                w[g] = [shares.get(h, 0.0) for h in hubs]
                if w[g].sum() > 0:
                    w[g] /= w[g].sum()
                else:
                    w[g, 0] = 1.0
            per_economy.append(w)
        out[side] = per_economy
    return out
