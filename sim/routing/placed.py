"""Routing on the economies the network can place; the others keep their calibrated cost.

A wide world (e.g. ``dots2020``) names economies the corridor network has no hub
for (``corridors.economy_hubs``). Their pairs are not routed: their transport cost
stays at the calibration (τ ratio 1), their τ and transit days are NaN (not on the
network) and their trade loads no segment. The economies that have a hub, ROW
included, are routed as in a world of their own (:class:`CorridorPhase`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np

from sim.data.world import World
from sim.routing.config import CorridorsConfig
from sim.routing.phase import CorridorPhase, RoutingResult


def placed_economies(economies: Sequence[str], cfg: CorridorsConfig) -> tuple[str, ...]:
    """The economies (in the given order) that ``cfg.economy_hubs`` places on the network."""
    return tuple(e for e in economies if cfg.economy_hubs.get(e))


class PlacedRouting:
    """:class:`CorridorPhase` on the placed economies, embedded in the world's n×n arrays.

    Args:
        world: The run's world (its economies, ROW last, and baseline flows).
        cfg: The ``corridors`` config.
        start_quarter: ``YYYYQn``.

    Attributes:
        unplaced: Economies without a hub (their pairs keep their calibrated cost).
        phase: The routing phase of the placed economies.
    """

    def __init__(self, world: World, cfg: CorridorsConfig, start_quarter: str) -> None:
        self.economies = tuple(world.economies)
        placed = placed_economies(self.economies, cfg)
        self.unplaced = tuple(e for e in self.economies if e not in placed)
        self._idx = np.array([self.economies.index(e) for e in placed], dtype=np.int64)
        self._n = len(self.economies)
        flows = np.asarray(world.flows, dtype=float)
        self.phase = CorridorPhase(placed, cfg, flows[np.ix_(self._idx, self._idx)], start_quarter)
        if self.unplaced:
            print(
                f"routing: {len(self.unplaced)} economies have no hub on the corridor network and "
                f"keep their calibrated transport cost: {', '.join(self.unplaced)}",
                file=sys.stderr,
            )

    def step(self, quarter: str, flows: np.ndarray) -> RoutingResult:
        """Route the placed economies' ``flows``; embed the result (see the module doc)."""
        ix = np.ix_(self._idx, self._idx)
        inner = self.phase.step(quarter, np.asarray(flows, dtype=float)[ix])
        if not self.unplaced:
            return inner

        def embed(a: np.ndarray, fill: float, diagonal: float | None = None) -> np.ndarray:
            out = np.full((self._n, self._n), fill)
            out[ix] = a
            if diagonal is not None:
                np.fill_diagonal(out, diagonal)
            return out

        return RoutingResult(
            quarter=inner.quarter,
            tau_ratio=embed(inner.tau_ratio, 1.0),
            tau=embed(inner.tau, np.nan, 1.0),
            transit_days=embed(inner.transit_days, np.nan, 0.0),
            route_shares={k: embed(v, 0.0) for k, v in inner.route_shares.items()},
            segments=inner.segments,
            iterations=inner.iterations,
            gap=inner.gap,
        )
