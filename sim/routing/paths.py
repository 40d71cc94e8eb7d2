"""Candidate paths per economy pair, enumerated once, and the path-segment incidence matrix.

The candidate set of an ordered pair (i, j), i ≠ j, is the union of

1. the ``k_paths`` cheapest simple paths (Yen's algorithm, networkx
   ``shortest_simple_paths``) over every segment that is or will be open;
2. the cheapest path over the segments open in the start quarter;
3. for each named corridor (not ``domestic``, ``regional``, ``deep sea``,
   ``port``): the cheapest path through at least one of its segments (kept if
   simple and its cost is at most ``path_relevance`` × the pair's cheapest),
   and the cheapest path avoiding the corridor (always kept, so that a
   corridor shock has a fallback);
4. for each closure's first quarter: the cheapest path over the segments open
   then, with every closure active then removed, and the cheapest path through
   each named corridor on that network (as in 3), so that a closure's
   diversions to other corridors are candidates;
5. for each route premium's territory (:class:`~sim.routing.config.RoutePremium`):
   the same two kinds of path over the network without the territory's segments
   (:meth:`Network.in_territory`), so that routes around a premium are
   candidates (for every pair: the candidate set does not depend on the scope).

Weights are free-flow generalized costs per tonne at the start quarter
(freight + fees + δ·V·days). Parallel segments between the same two nodes
(e.g. the Astara-Rasht road and the planned railway) each give a path.
Because closures active in a quarter are a subset of those active at the
latest closure start before it, item 4 guarantees an open candidate in every
quarter once :func:`sim.routing.validation.check_routes` has passed.

No candidate leaves a country's territory and comes back into it (a foreign
loop, e.g. Siberia -> Manzhouli -> Harbin -> Suifenhe -> Nakhodka, or a leg
by sea back into the exporter's ports after a land leg through a neighbour):
:func:`reenters` on the sequence of hub territories (the hub's economy, else
its ``country_iso3``; sea waypoints and the rest-of-world hub have none).
Shipping cargo through a neighbour's customs territory and back in is a
re-export and a re-import (two customs clearances each way), which the
network's border days do not price; a pair whose every path re-enters keeps
them all (none in the shipped network).

Items 1-5 run on the freight network without pipelines, so every candidate is
admissible to every commodity group. Pipeline paths are added on top (item 6):
the ``k_paths`` cheapest paths over the network with pipelines, at the value
of time of the pipeline-admissible groups, that use at least one pipeline
segment; only pipeline-admissible groups (crude oil and gas) may take them.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import islice, product

import networkx as nx
import numpy as np
from scipy import sparse

from sim.errors import ConfigError
from sim.quarters import parse_quarter, quarter_ordinal
from sim.routing.config import CorridorsConfig
from sim.routing.levers import closed_in, from_year, in_force, opened_by, segment_state
from sim.routing.network import Network
from sim.routing.validation import generic_nodes

#: Corridors that are not "routes" for item 3 above (generic links).
GENERIC_CORRIDORS = ("domestic", "regional", "deep sea", "port")
OUT = "^out"
#: Simple paths drawn per wanted candidate when re-entering ones are skipped: a
#: pair takes its ``k_paths`` cheapest non-re-entering paths from the first
#: ``REENTRY_SEARCH_FACTOR * k_paths`` simple paths. The bound keeps the search finite
#: for a pair whose cheap paths mostly loop through a neighbour (Yen's algorithm
#: costs one shortest-path search per path drawn); if all of them re-enter, the
#: cheapest is kept. 4 is a cap on work, not a fitted value (set with the rule, 1b32daa).
REENTRY_SEARCH_FACTOR = 4


@dataclass(frozen=True)
class PathSet:
    """Candidate paths of all pairs, grouped by pair.

    Attributes:
        pairs: (n_pairs, 2) int array of (exporter, importer) economy indices.
        ptr: Offsets, pair k owns paths ``ptr[k]:ptr[k+1]``.
        segments: Segment indices of each path, in travel order.
        incidence: P×S CSR matrix, 1 where a path uses a segment.
        pipeline: True where a path uses a pipeline segment.
    """

    pairs: np.ndarray
    ptr: np.ndarray
    segments: tuple[tuple[int, ...], ...]
    incidence: sparse.csr_matrix
    pipeline: np.ndarray

    @property
    def n_paths(self) -> int:
        """Number of candidate paths."""
        return len(self.segments)


def named_corridors(net: Network) -> list[str]:
    """Corridors other than the generic ones (domestic, regional, deep sea, port)."""
    return [c for c in net.corridors if c not in GENERIC_CORRIDORS]


def _through_corridors(
    net: Network,
    graph: nx.DiGraph,
    parallels: dict[tuple[str, str], list[int]],
    mask: np.ndarray,
    weight: np.ndarray,
    economies: Sequence[str],
    members: list[tuple[int, int]],
    best: dict[tuple[int, int], float],
    relevance: float,
    per_pair: dict[tuple[int, int], list[tuple[int, ...]]],
) -> None:
    """Add, per pair and named corridor, the cheapest path through one of its segments.

    The cheapest path through arc (u, v) costs d(o, u) + w_uv + d(v, d), with
    distances from one forward Dijkstra per origin and one backward Dijkstra per
    destination. Kept if simple and at most ``relevance`` × the pair's cheapest.
    """
    rev = graph.reverse(copy=False)
    fwd = {
        i: nx.single_source_dijkstra(graph, origin(economies[i]), weight="w")
        for i in sorted({i for i, _ in members})
    }
    bwd = {
        j: nx.single_source_dijkstra(rev, destination(economies[j]), weight="w")
        for j in sorted({j for _, j in members})
    }
    for corridor in named_corridors(net):
        in_c = (net.corridor == corridor) & mask
        arcs = [
            (u, v, min(weight[s] for s in segs if in_c[s]))
            for (u, v), segs in parallels.items()
            if any(in_c[s] for s in segs)
        ]
        for i, j in members:
            (do, po), (dd, pd) = fwd[i], bwd[j]
            cands = sorted((do[u] + w + dd[v], u, v) for u, v, w in arcs if u in do and v in dd)
            for total, u, v in cands:  # the cheapest whose concatenation is a simple path
                if total > relevance * best[(i, j)]:
                    break
                nodes = po[u] + pd[v][::-1]
                if len(set(nodes)) == len(nodes):
                    per_pair[(i, j)].extend(
                        p for p in _expand(nodes, parallels, mask) if in_c[list(p)].any()
                    )
                    break


def hub_territories(net: Network) -> dict[str, str]:
    """Hub id -> customs territory: the hub's economy, else its ``country_iso3``.

    Sea waypoints (``kind`` ``sea_waypoint``) and the generic rest-of-world
    hub (``generic``) have none: passing them is not entering a territory.
    """
    out = {}
    for hub, row in net.hubs.iterrows():
        if row["kind"] in ("sea_waypoint", "generic"):
            continue
        code = row["economy"] if isinstance(row["economy"], str) and row["economy"] else None
        code = code or (row["country_iso3"] if isinstance(row["country_iso3"], str) else None)
        if code:
            out[str(hub)] = str(code)
    return out


def reenters(territory: dict[str, str], nodes: Sequence[str]) -> bool:
    """True if the node sequence leaves a territory and enters it again.

    ``nodes`` are graph nodes in travel order (hub ids, ``<hub>~sea``; others,
    such as the economy connectors, are ignored). Consecutive hubs of one
    territory form one visit; a path re-enters if a territory has two visits.
    """
    visits: list[str] = []
    for node in nodes:
        code = territory.get(node.split("~")[0])
        if code is not None and (not visits or visits[-1] != code):
            visits.append(code)
    return len(visits) != len(set(visits))


def path_nodes(net: Network, path: Sequence[int]) -> list[str]:
    """The graph nodes of ``path`` in travel order (its start end first)."""
    if len(path) == 1:
        return [net.from_node[path[0]], net.to_node[path[0]]]
    node = path_ends(net, path, set())[0]
    nodes = [node]
    for s in path:
        node = net.to_node[s] if net.from_node[s] == node else net.from_node[s]
        nodes.append(node)
    return nodes


def origin(code: str) -> str:
    """Graph node where ``code``'s exports start."""
    return f"O:{code}"


def destination(code: str) -> str:
    """Graph node where ``code``'s imports end."""
    return f"D:{code}"


def build_graph(
    net: Network,
    mask: np.ndarray,
    weight: np.ndarray,
    economy_hubs: dict[str, list[str]] | None = None,
) -> tuple[nx.DiGraph, dict[tuple[str, str], list[int]]]:
    """Directed graph of the segments in ``mask`` plus economy connectors.

    Every segment gives an arc each way, except pipelines (from_hub -> to_hub).

    Returns:
        The graph (arc attribute ``w`` = the cheapest parallel segment's weight)
        and, per arc, the indices of all parallel segments on it.
    """
    graph = nx.DiGraph()
    parallels: dict[tuple[str, str], list[int]] = {}
    generic = generic_nodes(net)
    for s in np.flatnonzero(mask):
        a, b, w = net.from_node[s], net.to_node[s], float(weight[s])
        # Pipelines flow one way (from_hub -> to_hub); every other link both ways.
        for u, v in ((a, b),) if net.is_pipeline[s] else ((a, b), (b, a)):
            # A generic node (ROW) is an end point only: arcs into it reach its
            # in-node, arcs out of it leave its out-node, so no path passes through.
            u = u + OUT if u in generic else u
            parallels.setdefault((u, v), []).append(int(s))
            if not graph.has_edge(u, v) or graph[u][v]["w"] > w:
                graph.add_edge(u, v, w=w)
    for code, hubs in (economy_hubs or {}).items():
        for hub in hubs:
            graph.add_edge(origin(code), hub + OUT if hub in generic else hub, w=0.0)
            graph.add_edge(hub, destination(code), w=0.0)
    return graph, parallels


def _expand(nodes: Sequence[str], parallels: dict[tuple[str, str], list[int]], mask: np.ndarray):
    legs = []
    for u, v in zip(nodes[1:-2], nodes[2:-1], strict=True):
        legs.append([s for s in parallels[(u, v)] if mask[s]])
    return [tuple(p) for p in product(*legs)]


def start_weights(net: Network, cfg: CorridorsConfig, start_quarter: str) -> np.ndarray:
    """Free-flow money cost (US$/t) and days per segment at the start quarter.

    At the shipped freight rates (``modes.csv``), without corridor frictions
    and without the days that border-time changes add: rate overrides,
    frictions and added days change the assignment, not the candidate set, so
    a sweep or a calibration over them reuses one path set, and a corridor
    whose dated delays fall later (e.g. the Middle Corridor's 2021 days) keeps
    its paths.

    Returns:
        (2, S) array: row 0 = freight + fees, row 1 = free-flow days.
    """
    bare = copy.copy(cfg)
    bare.corridor_frictions = {}
    bare.border_time_changes = [replace(b, days=0.0) for b in cfg.border_time_changes]
    state = segment_state(net, bare, start_quarter)
    rate = np.array([net.rate[m] for m in net.mode])  # shipped rates: overrides do not move paths
    money = net.km * rate + state.fee
    days = net.base_days + state.border_days
    return np.vstack([money, days])


def search_levers(cfg: CorridorsConfig, start_quarter: str) -> CorridorsConfig:
    """``cfg`` with only the levers :func:`enumerate_paths` reads, for its cache key.

    The search weights are the start quarter's free-flow costs without added
    border days (:func:`start_weights`), so capacity changes, border-time
    changes that only add days, and fee and border-time changes not yet in force
    in ``start_quarter`` do not move the candidates; dropping them gives sets of
    levers that differ only in those one path set (one enumeration). Openings,
    closures and route premiums are kept.
    """
    q = quarter_ordinal(start_quarter)
    kept = copy.deepcopy(cfg)
    kept.capacity_changes = []
    kept.border_time_changes = [
        b for b in cfg.border_time_changes if b.factor != 1.0 and in_force(from_year(b.year), q)
    ]
    kept.fee_changes = [f for f in cfg.fee_changes if in_force(from_year(f.year), q)]
    return kept


def enumerate_paths(
    net: Network,
    cfg: CorridorsConfig,
    economies: Sequence[str],
    start_quarter: str,
    time_value: np.ndarray,
    pipeline_time_value: float,
) -> PathSet:
    """Enumerate the candidate paths of every ordered pair (see module docstring).

    An economy with several hubs (``corridors.economy_hubs``) gets the candidate
    set of every (origin hub, destination hub) combination, so that each hub's
    share of the trade (:mod:`sim.routing.regions`) has paths of its own; a
    pair's candidates are the union over its hub combinations.

    Args:
        net: The network.
        cfg: Validated corridor config.
        economies: Economy codes, in model order.
        start_quarter: ``YYYYQn`` of the start.
        time_value: n×n δ·V (US$ per tonne-day) per pair, for items 1-4.
        pipeline_time_value: δ·V of the pipeline-admissible goods, for item 5.
    """
    cells = [(k, hub) for k, e in enumerate(economies) for hub in cfg.economy_hubs[e]]
    names = [f"{economies[k]}@{hub}" for k, hub in cells]
    owner = np.array([k for k, _ in cells])
    hubs = {name: [hub] for name, (_, hub) in zip(names, cells, strict=True)}
    per_cell = _enumerate(
        net, cfg, names, hubs, start_quarter, time_value[np.ix_(owner, owner)],
        pipeline_time_value, owner[:, None] == owner[None, :],
    )  # fmt: skip
    n = len(economies)
    pairs, ptr, segments = [], [0], []
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            found = [
                p
                for a in np.flatnonzero(owner == i)
                for b in np.flatnonzero(owner == j)
                for p in per_cell[(int(a), int(b))]
            ]
            pairs.append((i, j))
            segments.extend(dict.fromkeys(found))
            ptr.append(len(segments))
    return path_set(net, pairs, ptr, segments)


def path_ends(net: Network, path: Sequence[int], first: set[str]) -> tuple[str, str]:
    """(start hub, end hub) of ``path``; ``first`` = the exporter's hubs (for one-segment paths)."""
    ends = [(net.from_node[s], net.to_node[s]) for s in path]
    if len(path) == 1:
        a, b = ends[0]
        return (a, b) if a in first else (b, a)
    start = next(x for x in ends[0] if x not in ends[1])
    end = next(x for x in ends[-1] if x not in ends[-2])
    return start, end


def _enumerate(
    net: Network,
    cfg: CorridorsConfig,
    economies: Sequence[str],
    hubs: dict[str, list[str]],
    start_quarter: str,
    time_value: np.ndarray,
    pipeline_time_value: float,
    skip: np.ndarray,
) -> dict[tuple[int, int], list[tuple[int, ...]]]:
    """Candidate paths (items 1-6) between the ``economies`` (here: one hub each).

    Pairs where ``skip`` is True (two hubs of one economy) get none.

    Raises:
        ConfigError: a pair without a route.
    """
    n = len(economies)
    year = parse_quarter(start_quarter)[0]
    freight = ~net.is_pipeline
    territory = hub_territories(net)
    everything = net.is_open | opened_by(net, cfg, 10**6)  # every segment ever opened
    universe = everything & freight
    open_start = opened_by(net, cfg, year) & ~closed_in(net, cfg, start_quarter) & freight
    money, days = start_weights(net, cfg, start_quarter)

    variants = [open_start]
    variants += [universe & (net.corridor != c) for c in named_corridors(net)]
    shocked = [
        opened_by(net, cfg, parse_quarter(q)[0]) & ~closed_in(net, cfg, q) & freight
        for q in sorted({c.from_quarter for c in cfg.closures})
    ]
    territories = sorted({tuple(sorted(p.territory)) for p in cfg.route_premiums})
    shocked += [universe & ~net.in_territory(t) for t in territories]  # 5: around a premium
    variants += shocked

    per_pair: dict[tuple[int, int], list[tuple[int, ...]]] = {}
    for tv in np.unique(time_value[~skip]):
        weight = money + tv * days
        members = [
            (i, j) for i in range(n) for j in range(n) if not skip[i, j] and time_value[i, j] == tv
        ]
        graph, parallels = build_graph(net, universe, weight, hubs)
        best: dict[tuple[int, int], float] = {}
        for i, j in members:  # 1. k cheapest
            paths = per_pair.setdefault((i, j), [])
            gen = nx.shortest_simple_paths(
                graph, origin(economies[i]), destination(economies[j]), weight="w"
            )
            drawn = islice(gen, REENTRY_SEARCH_FACTOR * cfg.k_paths)
            simple = (nodes for nodes in drawn if not reenters(territory, nodes))
            for nodes in islice(simple, cfg.k_paths):
                paths.extend(_expand(nodes, parallels, universe))
            if not paths:  # all REENTRY_SEARCH_FACTOR * k re-enter: keep the cheapest
                nodes = next(nx.shortest_simple_paths(
                    graph, origin(economies[i]), destination(economies[j]), weight="w"
                ))  # fmt: skip
                paths.extend(_expand(nodes, parallels, universe))
            best[(i, j)] = min(float(weight[list(p)].sum()) for p in paths)
        _through_corridors(
            net,
            graph,
            parallels,
            universe,
            weight,
            economies,
            members,
            best,
            cfg.path_relevance,
            per_pair,
        )  # 3a
        for mask in shocked:  # 4b, 5: through each corridor with closures / without a territory
            g, par = build_graph(net, mask, weight, hubs)
            _through_corridors(
                net, g, par, mask, weight, economies, members, best, cfg.path_relevance, per_pair
            )
        for mask in variants:  # 2, 3b, 4, 5
            g, par = build_graph(net, mask, weight, hubs)
            for i in sorted({i for i, _ in members}):
                if origin(economies[i]) not in g:
                    continue
                _, found = nx.single_source_dijkstra(g, origin(economies[i]), weight="w")
                for i2, j in members:
                    if i2 == i and destination(economies[j]) in found:
                        nodes = found[destination(economies[j])]
                        per_pair[(i, j)].extend(_expand(nodes, par, mask))

    weight = money + pipeline_time_value * days
    piped = _pipeline_paths(net, economies, hubs, everything, weight, skip, cfg.k_paths)
    out = {}
    for i in range(n):
        for j in range(n):
            if skip[i, j]:
                continue
            found = list(dict.fromkeys(per_pair.get((i, j), [])))
            unique = [p for p in found if not reenters(territory, path_nodes(net, p))] or found
            if not unique:
                raise ConfigError(
                    "corridors.economy_hubs", f"no route from {economies[i]} to {economies[j]}"
                )
            piped_ij = [p for p in dict.fromkeys(piped.get((i, j), [])) if p not in unique]
            unique += [p for p in piped_ij if not reenters(territory, path_nodes(net, p))]
            out[(i, j)] = unique
    return out


def _pipeline_paths(
    net: Network,
    economies: Sequence[str],
    hubs: dict[str, list[str]],
    mask: np.ndarray,
    weight: np.ndarray,
    skip: np.ndarray,
    k_paths: int,
) -> dict[tuple[int, int], list[tuple[int, ...]]]:
    """Item 5: per pair, the ``k_paths`` cheapest paths over ``mask`` that use a pipeline."""
    if not (net.is_pipeline & mask).any():
        return {}
    graph, parallels = build_graph(net, mask, weight, hubs)
    out: dict[tuple[int, int], list[tuple[int, ...]]] = {}
    for i, a in enumerate(economies):
        for j, b in enumerate(economies):
            if skip[i, j]:
                continue
            gen = nx.shortest_simple_paths(graph, origin(a), destination(b), weight="w")
            for nodes in islice(gen, k_paths):
                out.setdefault((i, j), []).extend(
                    p for p in _expand(nodes, parallels, mask) if net.is_pipeline[list(p)].any()
                )
    return out


def path_set(
    net: Network,
    pairs: Sequence[tuple[int, int]],
    ptr: Sequence[int],
    segments: Sequence[tuple[int, ...]],
) -> PathSet:
    """Assemble a :class:`PathSet` (incidence matrix and pipeline flags) from path lists."""
    segments = tuple(tuple(int(s) for s in p) for p in segments)
    rows = np.repeat(np.arange(len(segments)), [len(p) for p in segments])
    cols = np.fromiter((s for p in segments for s in p), dtype=np.int64, count=rows.size)
    incidence = sparse.csr_matrix(
        (np.ones(rows.size), (rows, cols)), shape=(len(segments), net.n_segments)
    )
    incidence.sum_duplicates()
    incidence.data[:] = 1.0  # a path uses a segment at most once
    return PathSet(
        pairs=np.array(pairs, dtype=np.int64).reshape(-1, 2),
        ptr=np.array(ptr, dtype=np.int64),
        segments=segments,
        incidence=incidence,
        pipeline=np.asarray(incidence @ net.is_pipeline.astype(float) > 0),
    )


def with_lever_paths(
    net: Network, status_quo: PathSet, levered: Sequence[PathSet]
) -> tuple[PathSet, np.ndarray]:
    """The candidate set of a run with levers: the status quo's paths, then the levers' new ones.

    A lever (an opening, a closure, a route premium) changes which paths are
    enumerated (module docstring: items 1 and 3-5), and can push some of the status
    quo's paths out of a pair's k cheapest. Routed over one set for the whole run,
    a run would differ from the run without levers before any lever is in force,
    and a later lever would act before its date. Here each pair keeps every path of
    ``status_quo``, in its order, followed by the paths of each of ``levered`` (the
    sets enumerated with the levers in force at some quarter) it lacks so far.

    Args:
        net: The network the sets were enumerated on.
        status_quo: The candidate set without levers (``without_levers``).
        levered: Candidate sets, one per set of levers in force, over the same pairs.

    Returns:
        The combined :class:`PathSet`, and a (1 + len(levered), paths) bool array:
        row 0 admits the status quo's paths only, row s + 1 those and the paths of
        ``levered[s]``.
    """
    for other in levered:
        if not np.array_equal(status_quo.pairs, other.pairs):
            raise ValueError("the path sets must cover the same pairs in the same order")
    ptr, segments, rows = [0], [], []
    for k in range(len(status_quo.pairs)):
        own = status_quo.segments[status_quo.ptr[k] : status_quo.ptr[k + 1]]
        known = set(own)
        per_set = [s.segments[s.ptr[k] : s.ptr[k + 1]] for s in levered]
        # each path once, in the order of the first set that has it
        added = list(dict.fromkeys(p for paths in per_set for p in paths if p not in known))
        in_set = [set(paths) for paths in per_set]
        segments += [*own, *added]
        rows += [(True,) * (1 + len(levered))] * len(own)
        rows += [(False, *(path in paths for paths in in_set)) for path in added]
        ptr.append(len(segments))
    pairs = [tuple(pair) for pair in status_quo.pairs.tolist()]
    admitted = np.array(rows, dtype=bool).reshape(len(segments), 1 + len(levered)).T
    return path_set(net, pairs, ptr, segments), np.ascontiguousarray(admitted)
