"""Corridor network: shipped graph, candidate paths, logit assignment with congestion.

Public entry points: :class:`CorridorsConfig` (Hydra group ``corridors``),
:class:`CorridorPhase` and :class:`RoutingResult` (one quarter's routing),
:func:`network_geometry` (hubs and segments for maps).
"""

from sim.routing.config import CorridorsConfig
from sim.routing.geometry import network_geometry
from sim.routing.phase import CorridorPhase, RoutingResult

__all__ = ["CorridorPhase", "CorridorsConfig", "RoutingResult", "network_geometry"]
