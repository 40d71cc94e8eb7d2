"""Checks of a corridor config against the network it runs on: names and routes.

Run where the network lives (by :class:`~sim.routing.phase.CorridorPhase`
before it enumerates paths), so that the config's own validator
(:meth:`~sim.routing.config.CorridorsConfig.validate`) stays a range check that
reads no data.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np

from sim.errors import ConfigError
from sim.quarters import parse_quarter
from sim.routing.config import CorridorsConfig
from sim.routing.levers import closed_in, opened_by
from sim.routing.network import Network


def check_against_network(net: Network, cfg: CorridorsConfig, economies: Sequence[str]) -> None:
    """Every named hub, segment, corridor and group exists; every pair has a route.

    Route check: every ordered pair must be connected over the segments open in
    the data, and, at the first quarter of every closure, over the segments
    open then (openings in force) minus all closures active then.

    Raises:
        ConfigError: naming the dotted key.
    """
    for code in economies:
        for hub in cfg.economy_hubs[code]:
            if hub not in net.hubs.index:
                raise ConfigError(f"corridors.economy_hubs.{code}", f"unknown hub {hub!r}")
    groups = net.commodities.groups
    for group in cfg.group_value_overrides:
        if group not in groups:
            raise ConfigError(
                f"corridors.group_value_overrides.{group}",
                f"unknown commodity group; allowed: {', '.join(groups)}",
            )
    for i, c in enumerate(cfg.capacity_changes):
        key = f"corridors.capacity_changes[{i}].target"
        segs = _target(net, key, c.target)
        if c.target not in net.segment_ids and not np.isfinite(net.capacity[segs]).any():
            raise ConfigError(
                key, f"corridor {c.target!r} has no capacitated segment; name a segment id"
            )
    for i, o in enumerate(cfg.openings):
        if o.segment not in net.segment_ids:
            raise ConfigError(f"corridors.openings[{i}].segment", f"unknown segment {o.segment!r}")
        closed = net.closed_from(net.segment_index(o.segment))
        if closed is not None:
            raise ConfigError(
                f"corridors.openings[{i}].segment",
                f"{o.segment} is out of operation from {closed} (capacity_schedule.csv); "
                "an opening does not reopen it",
            )
    for i, b in enumerate(cfg.border_time_changes):
        _target(net, f"corridors.border_time_changes[{i}].target", b.target)
    for i, f in enumerate(cfg.fee_changes):
        _target(net, f"corridors.fee_changes[{i}].target", f.target)
    for i, c in enumerate(cfg.closures):
        _target(net, f"corridors.closures[{i}].target", c.target)
    for name in cfg.corridor_frictions:
        _target(net, f"corridors.corridor_frictions.{name}", name)
    check_routes(net, cfg, economies)


def _target(net: Network, key: str, name: str) -> np.ndarray:
    try:
        return net.targets(name)
    except KeyError:
        corridors = ", ".join(net.corridors)
        raise ConfigError(
            key, f"unknown segment or corridor {name!r}; corridors: {corridors}"
        ) from None


def generic_nodes(net: Network) -> set[str]:
    """Hubs of kind ``generic`` (the ROW node): route end points, never passed through."""
    return set(net.hubs.index[net.hubs["kind"] == "generic"])


def _connected_pairs(graph: nx.Graph, hubs: dict[str, list[str]], economies: Sequence[str]):
    comp = {}
    for k, nodes in enumerate(nx.connected_components(graph)):
        for node in nodes:
            comp[node] = k
    reach = {e: {comp.get(h, -1 - i) for i, h in enumerate(hubs[e])} for e in economies}
    for a in economies:
        for b in economies:
            if a != b and not (reach[a] & reach[b]):
                return a, b
    return None


def check_routes(net: Network, cfg: CorridorsConfig, economies: Sequence[str]) -> None:
    """Raise ConfigError if an ordered pair has no route (see :func:`check_against_network`).

    Pipelines do not count: every pair needs a route that any goods can use.
    """
    hubs = {e: list(cfg.economy_hubs[e]) for e in economies}
    generic = generic_nodes(net)
    freight = ~net.is_pipeline

    def undirected(mask: np.ndarray) -> tuple[nx.Graph, dict[str, list[str]]]:
        # Generic nodes are not passed through: drop them and let an economy
        # mapped to one reach whatever its neighbours reach.
        g = nx.Graph()
        g.add_nodes_from(h for hs in hubs.values() for h in hs if h not in generic)
        ends = {h: [] for h in generic}
        mask = mask & freight
        for a, b in zip(net.from_node[mask], net.to_node[mask], strict=True):
            if a in generic or b in generic:
                g.add_node(b if a in generic else a)
                ends[a if a in generic else b].append(b if a in generic else a)
            else:
                g.add_edge(a, b)
        mapped = {
            e: [x for h in hs for x in (ends[h] if h in generic else [h])] for e, hs in hubs.items()
        }
        return g, mapped

    missing = _connected_pairs(*undirected(net.is_open), economies)
    if missing:
        raise ConfigError(
            "corridors.economy_hubs",
            f"no open route from {missing[0]} to {missing[1]} on the shipped network "
            f"(hubs {hubs[missing[0]]} and {hubs[missing[1]]})",
        )
    for i, c in enumerate(cfg.closures):
        q = c.from_quarter
        mask = opened_by(net, cfg, parse_quarter(q)[0]) & ~closed_in(net, cfg, q)
        missing = _connected_pairs(*undirected(mask), economies)
        if missing:
            raise ConfigError(
                f"corridors.closures[{i}]",
                f"closing {c.target!r} from {q} (with the closures active then) leaves "
                f"no route from {missing[0]} to {missing[1]}",
            )
