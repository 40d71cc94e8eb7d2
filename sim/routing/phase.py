"""The routing phase of a quarter: trade values in, route-based trade costs and segment loads out.

Per quarter: the levers give each segment's state; each pair's trade value is
split into commodity groups by the exporter's export mix and turned into
tonnes by each group's value per tonne (``commodity_groups.csv``,
``export_mix.csv``); the tonnes of every (pair, group) *class* are split over
the candidate paths the group may use (pipelines only for crude oil and gas)
by a logit in generalized cost, with BPR congestion, iterated by MSA
(:mod:`sim.routing._fast_assign`, checked against the readable
:func:`sim.routing.assign.msa_assign`). A quarter whose free-flow costs and
open segments are the previous solve's (only tonnes or dated capacities
differ) starts MSA from that solve's shares, so the result depends on the
run's history within the MSA tolerance (``msa_tol``). The
class's expected cost per tonne (logsum) C*_c gives the pair's iceberg cost

    τ_ij = 1 + Σ_g m_ig · C*_ijg / V_g

(m_ig the exporter's value share of group g, V_g its US$/t): transport cost as
a share of the goods' value, reported relative to the start-quarter baseline.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from sim.errors import ConfigError, ModelError
from sim.policy.schedule import Schedule, pair_mask
from sim.quarters import is_quarter, quarter_ordinal
from sim.routing._fast_assign import Prepared, msa_assign_fast, prepare
from sim.routing.assign import Assignment
from sim.routing.config import LEVER_FIELDS, CorridorsConfig
from sim.routing.costs import iceberg_tau, logsum_cost, segment_money
from sim.routing.levers import (
    SegmentState,
    from_year,
    lever_sets,
    levers_in_force,
    segment_state,
    with_levers,
)
from sim.routing.network import Network, load_network
from sim.routing.path_cache import cache_key, cached_paths
from sim.routing.paths import (
    PathSet,
    enumerate_paths,
    path_ends,
    search_levers,
    with_lever_paths,
)
from sim.routing.regions import hub_weights
from sim.routing.validation import check_against_network

LOG = logging.getLogger(__name__)
SEGMENT_COLUMNS = (
    "quarter",
    "segment",
    "corridor",
    "mode",
    "volume_t",
    "capacity",
    "utilization",
    "transit_days",
    "capacity_price",
)
#: δ used to weight the path search (Hummels & Schaur 2013 low end); the config's
#: δ acts on the assignment only.
PATH_SEARCH_DELTA = 0.006
#: Value per tonne (US$/t) weighting the freight path search (one for all pairs).
PATH_SEARCH_VALUE = 1000.0
#: Units of the segment table's columns (also written to the Parquet metadata).
SEGMENT_UNITS = {
    "volume_t": "tonnes per quarter (both directions)",
    "capacity": "tonnes per quarter (both directions); NaN = uncapacitated",
    "utilization": "volume_t / capacity (dimensionless)",
    "transit_days": "days (congested running time plus border delay)",
    "capacity_price": "US$ per tonne: shadow price that holds a full segment to its capacity "
    "(0 if not full, uncapacitated, or capacities soft)",
}


@dataclass(frozen=True)
class SegmentLoads:
    """One quarter's segment table as arrays (:func:`segments_table` makes the DataFrame).

    The routing phase keeps a quarter's segment results as these arrays and
    builds tables only when asked: a run builds its ``segments`` table once, from
    all quarters at once, which is several times cheaper than one DataFrame a
    quarter and a concatenation.

    Attributes:
        quarter: ``YYYYQn``.
        labels: ``segment``, ``corridor``, ``mode`` label columns (the phase's, shared).
        volume_t: Tonnes in the quarter per segment.
        capacity: Tonnes per quarter (NaN = uncapacitated).
        utilization: ``volume_t / capacity`` (NaN if uncapacitated).
        transit_days: Congested days incl. border delay.
        capacity_price: Capacity shadow price, US$/t (:func:`sim.routing.costs.capacity_prices`).
    """

    quarter: str
    labels: dict[str, pd.api.extensions.ExtensionArray]
    volume_t: np.ndarray
    capacity: np.ndarray
    utilization: np.ndarray
    transit_days: np.ndarray
    capacity_price: np.ndarray

    def frame(self) -> pd.DataFrame:
        """This quarter's segment table (:attr:`RoutingResult.segments`)."""
        return segments_table([self])


def segments_table(loads: Sequence[SegmentLoads]) -> pd.DataFrame:
    """The segment tables of ``loads``, one quarter after another (columns ``SEGMENT_COLUMNS``).

    The same frame as ``pd.concat([one quarter's frame, ...], ignore_index=True)``:
    string columns of the labels' string dtype, the units in ``attrs``.
    """
    dtype = loads[0].labels["segment"].dtype
    n = [len(x.volume_t) for x in loads]

    def strings(parts: list) -> pd.api.extensions.ExtensionArray:
        return pd.array(np.concatenate([np.asarray(p, dtype=object) for p in parts]), dtype=dtype)

    columns = {
        "quarter": strings([[x.quarter] * k for x, k in zip(loads, n, strict=True)]),
        **{name: strings([x.labels[name] for x in loads]) for name in SEGMENT_COLUMNS[1:4]},
        **{name: np.concatenate([getattr(x, name) for x in loads]) for name in SEGMENT_COLUMNS[4:]},
    }
    table = pd.DataFrame(columns, columns=list(SEGMENT_COLUMNS))
    table.attrs["units"] = dict(SEGMENT_UNITS)
    return table


def over_capacity(
    loads: Sequence[SegmentLoads], tolerance: float = 0.0
) -> dict[str, dict[str, float | int]]:
    """The segments whose volume exceeds their capacity in some quarter of ``loads``.

    With soft capacities (``corridors.capacity_price_step`` 0), BPR congestion
    (:func:`~sim.routing.costs.bpr_factor`, f = 1 + α (v / c)^β) makes a full
    segment dearer but does not cap what it carries. With capacity prices a
    segment stays within the assignment's tolerance of its capacity unless
    tonnes that have no other open path are left on it at the price ceiling.
    This says where and by how much, for the run's metadata and summary.

    Args:
        loads: The run's quarterly segment loads, in order.
        tolerance: A quarter counts as over if v > c · (1 + tolerance) (the MSA
            tolerance with capacity prices, 0 without).

    Returns:
        ``{segment: {"peak_utilization": max_q v/c, "quarters_over": #q over}}``
        for every segment over in a quarter, the highest peak first (peak
        rounded to 3 decimals); empty if none.
    """
    if not loads:
        return {}
    names = np.asarray(loads[0].labels["segment"], dtype=object)
    utilization = np.stack([np.nan_to_num(x.utilization, nan=0.0) for x in loads])
    peak, quarters = utilization.max(axis=0), (utilization > 1.0 + tolerance).sum(axis=0)
    over = [k for k in np.argsort(-peak, kind="stable") if quarters[k] > 0]
    return {
        str(names[k]): {
            "peak_utilization": round(float(peak[k]), 3),
            "quarters_over": int(quarters[k]),
        }
        for k in over
    }


@dataclass(frozen=True)
class RoutingResult:
    """Routing outcome of one quarter (n×n arrays: row exporter, column importer).

    Attributes:
        quarter: ``YYYYQn``.
        tau_ratio: τ_ij(quarter) / τ_ij(baseline); exactly 1 where nothing changed
            and on the diagonal.
        tau: Iceberg transport cost τ_ij = 1 + C*_ij / V_ij (≥ 1; 1 on the diagonal).
        transit_days: Tonnage-weighted mean days in transit (0 on the diagonal).
        route_shares: Corridor name → n×n share of the pair's tonnage on paths
            that use at least one segment of that corridor (a path may use
            several corridors, so shares of different corridors need not sum to 1).
        segment_loads: The quarter's segment results as arrays (:attr:`segments`).
        iterations: MSA iterations used.
        gap: Final MSA gap (max over capacitated segments of |y − v| / c).
    """

    quarter: str
    tau_ratio: np.ndarray
    tau: np.ndarray
    transit_days: np.ndarray
    route_shares: dict[str, np.ndarray]
    segment_loads: SegmentLoads
    iterations: int
    gap: float

    @functools.cached_property
    def segments(self) -> pd.DataFrame:
        """One row per segment (columns ``SEGMENT_COLUMNS``), built when first asked for.

        quarter, segment, corridor, volume_t (tonnes in the quarter), capacity
        (tonnes per quarter; NaN = uncapacitated), utilization (volume_t / capacity;
        NaN if uncapacitated), transit_days (congested days incl. border delay).
        """
        return self.segment_loads.frame()


def without_levers(cfg: CorridorsConfig) -> CorridorsConfig:
    """A copy of ``cfg`` with every lever and shock list emptied (the status-quo network)."""
    status_quo = copy.deepcopy(cfg)
    for name in LEVER_FIELDS:
        setattr(status_quo, name, [])
    return status_quo


def group_values(net: Network, cfg: CorridorsConfig) -> np.ndarray:
    """US$ per tonne of each commodity group: config overrides, else the shipped table."""
    c = net.commodities
    over = cfg.group_value_overrides
    return np.array([float(over.get(g, v)) for g, v in zip(c.groups, c.usd_per_t, strict=True)])


@dataclass(frozen=True)
class Classes:
    """(pair, group, origin hub, destination hub) classes and the paths each may use.

    Attributes:
        pair: Pair index (into ``PathSet.pairs``) of each class.
        group: Group index of each class.
        ptr: Offsets: class c owns expanded paths ``ptr[c]:ptr[c+1]``.
        path: PathSet path index of each expanded path.
        hub_share: w_i,g,o · w_j,g,d, the class's share of its (pair, group)
            tonnes (:mod:`sim.routing.regions`); 1 for single-hub economies.
    """

    pair: np.ndarray
    group: np.ndarray
    ptr: np.ndarray
    path: np.ndarray
    hub_share: np.ndarray


def build_classes(
    paths: PathSet,
    mix: np.ndarray,
    pipeline_group: np.ndarray,
    ends: np.ndarray,
    weights: dict[str, list[np.ndarray]],
) -> Classes:
    """One class per pair, group (positive export share) and hub cell; its admissible paths.

    Args:
        paths: Candidate paths.
        mix: (n, G) export-value shares by exporter.
        pipeline_group: (G,) True where the group may use pipeline paths.
        ends: (P, 2) index of each path's start hub among the exporter's hubs and
            of its end hub among the importer's.
        weights: :func:`sim.routing.regions.hub_weights` (``export``/``import``).
    """
    pair, group, ptr, chosen, share = [], [], [0], [], []
    for k, (i, j) in enumerate(paths.pairs):
        own = np.arange(paths.ptr[k], paths.ptr[k + 1])
        w_out, w_in = weights["export"][i], weights["import"][j]
        for g in np.flatnonzero(mix[i] > 0):
            admissible = own if pipeline_group[g] else own[~paths.pipeline[own]]
            for o in np.flatnonzero(w_out[g] > 0):
                for d in np.flatnonzero(w_in[g] > 0):
                    keep = admissible[(ends[admissible, 0] == o) & (ends[admissible, 1] == d)]
                    pair.append(k)
                    group.append(g)
                    chosen.append(keep)
                    share.append(w_out[g, o] * w_in[g, d])
                    ptr.append(ptr[-1] + keep.size)
    return Classes(
        pair=np.array(pair, dtype=np.int64),
        group=np.array(group, dtype=np.int64),
        ptr=np.array(ptr, dtype=np.int64),
        path=np.concatenate(chosen).astype(np.int64),
        hub_share=np.array(share, dtype=float),
    )


def hub_ends(net: Network, paths: PathSet, hubs: Sequence[Sequence[str]]) -> np.ndarray:
    """(P, 2) start hub of each path among its exporter's ``hubs``, end hub among the importer's."""
    out = np.zeros((len(paths.segments), 2), dtype=np.int64)
    for k, (i, j) in enumerate(paths.pairs):
        first = set(hubs[i])
        for p in range(paths.ptr[k], paths.ptr[k + 1]):
            start, end = path_ends(net, paths.segments[p], first)
            out[p] = hubs[i].index(start), hubs[j].index(end)
    return out


def _with_unit_diagonal(a: np.ndarray) -> np.ndarray:
    np.fill_diagonal(a, 1.0)
    return a


def _with_zero_diagonal(a: np.ndarray) -> np.ndarray:
    np.fill_diagonal(a, 0.0)
    return a


class CorridorPhase:
    """Routes each quarter's trade over the corridor network.

    Economies without a hub in ``corridors.economy_hubs`` (a world beyond the
    network's) are off the network: their pairs keep the world's calibrated
    transport cost (τ ratio 1, τ and transit days NaN, nothing routed), and
    the construction logs one warning naming them.

    Args:
        economies: Economy codes in model order (any subset of the 15, plus ROW,
            or economies the network does not know, which stay off it).
        cfg: The ``corridors`` config (dataclass or its OmegaConf object).
        base_flows: n×n baseline trade, US$ bn per year (row exporter).
        start_quarter: ``YYYYQn``; the baseline is assigned in this quarter.
        blocs: The world's bloc names and members (for route premiums' scopes);
            None = ISO3 codes only.

    Attributes:
        model_economies: All economies, in model order (results are n×n over them).
        economies: The routed economies (those with a hub); classes index these.
        off_network: Economies without a hub.
        baseline: The start-quarter result (τ_base), in model order.
        base_flows: The baseline trade it was assigned (US$ bn/yr), model order.
        paths: The candidate paths (enumerated once per distinct input; cached
            on disk, see :mod:`sim.routing.path_cache`).
        paths_source: ``"memory"``, ``"disk"`` or ``"built"``.
        classes: The (pair, group) classes and their admissible paths.
        last_assignment: Path-level detail of the latest solve (over class paths).

    Raises:
        ConfigError: bad config, unknown names, or a pair without a route.
    """

    def __init__(
        self,
        economies: Sequence[str],
        cfg: CorridorsConfig,
        base_flows: np.ndarray,
        start_quarter: str,
        blocs: dict[str, Sequence[str]] | None = None,
    ) -> None:
        if not is_quarter(start_quarter):
            raise ConfigError("sim.start", f"must be a quarter label YYYYQn, got {start_quarter!r}")
        self.model_economies = tuple(economies)
        self.cfg = cfg
        on = np.array([bool(cfg.economy_hubs.get(e)) for e in self.model_economies], dtype=bool)
        self.off_network = tuple(e for e, o in zip(self.model_economies, on, strict=True) if not o)
        if on.sum() < 2:
            raise ConfigError("corridors.economy_hubs", "fewer than two economies have a hub")
        if self.off_network:
            LOG.warning(
                "routing: %s %s no hub on the corridor network; trade to and from %s "
                "keeps its calibrated transport cost (tau ratio 1, no tonnes routed)",
                ", ".join(self.off_network),
                "has" if len(self.off_network) == 1 else "have",
                "it" if len(self.off_network) == 1 else "them",
            )
        self._on = np.flatnonzero(on)
        self.economies = tuple(self.model_economies[i] for i in self._on)
        cfg.validate(self.economies)
        self.net = net = load_network()
        check_against_network(net, cfg, self.economies)
        n = len(self.economies)
        com = net.commodities
        try:
            self.mix = com.shares(self.economies)
        except Exception as error:  # DataError: an economy without an export mix
            raise ConfigError("world.economies", str(error)) from None
        self.group_value = group_values(net, cfg)
        group_tv = cfg.value_of_time_per_day * com.time_factor * self.group_value
        # Path search weights: one value of time for every pair (freight paths) and
        # the pipeline groups' (pipeline paths), at the fixed search δ and value,
        # so a fitted or swept δ or a group value does not move the paths.
        search_tv = PATH_SEARCH_DELTA * com.time_factor * self.group_value
        time_value = np.full((n, n), PATH_SEARCH_DELTA * PATH_SEARCH_VALUE)
        pipe_tv = float(search_tv[com.pipeline].mean()) if com.pipeline.any() else 0.0
        self._status_quo = without_levers(cfg)

        def candidates(config: CorridorsConfig) -> tuple[PathSet, str]:
            key = cache_key(
                config, self.economies, start_quarter, (time_value, np.array([pipe_tv]))
            )
            return cached_paths(
                key,
                net,
                lambda: enumerate_paths(
                    net, config, self.economies, start_quarter, time_value, pipe_tv
                ),
            )

        # The status quo's candidates always; in a quarter with levers in force, also the
        # paths enumerated with exactly those levers (paths.with_lever_paths).
        self.paths, self.paths_source = candidates(self._status_quo)
        admitted = np.ones((1, self.paths.n_paths), dtype=bool)
        in_force_sets = [chosen for chosen in lever_sets(cfg) if any(chosen)]
        if in_force_sets:
            levered = [
                candidates(search_levers(with_levers(cfg, chosen), start_quarter))[0]
                for chosen in in_force_sets
            ]
            self.paths, admitted = with_lever_paths(net, self.paths, levered)
        self._admitted_row = {chosen: k + 1 for k, chosen in enumerate(in_force_sets)}
        p = self.paths
        hubs = [list(cfg.economy_hubs[e]) for e in self.economies]
        weights = hub_weights(self.economies, cfg.economy_hubs, com.groups)
        self.classes = c = build_classes(p, self.mix, com.pipeline, hub_ends(net, p, hubs), weights)
        self._incidence = sparse.csr_matrix(p.incidence[c.path])
        self._admitted = admitted[:, c.path]  # per set of levers in force (lever_row), rows
        # each class's status-quo candidates: the logsum's constant (costs.logsum_cost)
        self._status_quo_count = np.add.reduceat(self._admitted[0], c.ptr[:-1])
        i_of = p.pairs[c.pair, 0]
        self._class_i, self._class_j = i_of, p.pairs[c.pair, 1]
        self._class_share = self.mix[i_of, c.group] * c.hub_share
        self._class_value = self.group_value[c.group]
        sizes = np.diff(c.ptr)
        self._path_time_value = np.repeat(group_tv[c.group], sizes)
        self._rate = np.array([cfg.freight_rate_overrides.get(m, net.rate[m]) for m in net.mode])
        corridors = net.corridors
        seg_corridor = np.array([corridors.index(x) for x in net.corridor])
        onehot = np.zeros((net.n_segments, len(corridors)))
        onehot[np.arange(net.n_segments), seg_corridor] = 1.0
        self._uses = np.asarray((self._incidence @ onehot) > 0, dtype=float)
        # Sums over a pair's classes, and over a class's rows, as sparse products.
        n_classes = len(c.pair)
        flat = self._class_i * n + self._class_j
        self._to_pair = sparse.csr_matrix(
            (np.ones(n_classes), (flat, np.arange(n_classes))), shape=(n * n, n_classes)
        )
        self._row_class = np.repeat(np.arange(n_classes), sizes)
        rows = self._row_class.size
        self._row_to_pair = sparse.csr_matrix(
            (np.ones(rows), (flat[self._row_class], np.arange(rows))), shape=(n * n, rows)
        )
        # Σ over a pair's rows that use corridor k, for every (pair, k) at once: the
        # product _row_to_pair @ (_uses · w) without its terms that are exactly 0
        # (the same sums, term by term in the same order, so the same floats)
        row, k = np.nonzero(self._uses)  # row-major: increasing row within each (pair, k)
        n_k = len(corridors)
        self._row_to_pair_corridor = sparse.csr_matrix(
            (np.ones(row.size), (flat[self._row_class[row]] * n_k + k, row)),
            shape=(n * n * n_k, rows),
        )
        # The segment table's label columns, built once (string arrays are slow to infer).
        self._labels = {
            name: pd.Series(list(values)).array
            for name, values in (
                ("segment", net.segment_ids),
                ("corridor", net.corridor),
                ("mode", net.mode),
            )
        }
        self._corridors = corridors
        self._n = n
        # Tonnage weight of each class within its pair (tonnes per US$ of the pair).
        weight = self._class_share / self._class_value
        total = np.bincount(c.pair, weights=weight, minlength=len(p.pairs))
        self._class_weight = weight / total[c.pair]

        # The baseline is the status-quo network in the start quarter, before any
        # lever or shock of this run (so a closure from the start still shows up as a
        # change in τ). Logit cost scale: the class's cheapest free-flow cost, over θ.
        state0 = segment_state(net, self._status_quo, start_quarter)
        self._available_kept: tuple[bytes, np.ndarray] | None = None  # see _available
        available0 = self._available(state0, lever_row=0)
        free_cost = self._incidence @ segment_money(
            net.km, self._rate, state0.fee
        ) + self._path_time_value * (self._incidence @ (net.base_days + state0.border_days))
        c_ref = np.minimum.reduceat(np.where(available0, free_cost, np.inf), c.ptr[:-1])
        if not np.all(np.isfinite(c_ref) & (c_ref > 0)):
            raise ConfigError("corridors", "some pair has no open path in the start quarter")
        self._path_scale = np.repeat(c_ref / cfg.logit_theta, sizes)
        self._premiums = self._route_premiums({k: tuple(v) for k, v in (blocs or {}).items()})
        self.last_assignment: Assignment | None = None
        self.base_flows = np.asarray(base_flows, dtype=float)
        base_flows = self._routed(self.base_flows)
        # The baseline starts cold; a later quarter starts from the previous solve's
        # shares when only tonnes or capacities differ from it (see _solve).
        self._warm: np.ndarray | None = None
        self._warm_prices: np.ndarray | None = None
        self._warm_key = b""
        self._prepared: tuple[bytes, Prepared] | None = None  # see _solve
        baseline = self._solve(start_quarter, state0, base_flows, lever_row=0)
        self.baseline_assignment = self.last_assignment
        self._tau_base = baseline.tau
        self.baseline = self._in_model_order(baseline)

    def _route_premiums(
        self, blocs: dict[str, tuple[str, ...]]
    ) -> list[tuple[Schedule, float, np.ndarray]]:
        """Each route premium's schedule (pair scope), size and rows it applies to.

        A row (a class's candidate path) pays premium p if its class's pair is in
        p's scope and its path uses a segment in p's territory
        (:meth:`Network.in_territory`).

        Raises:
            ConfigError: an unknown economy, bloc or territory code.
        """
        known = set(self.model_economies) | set(blocs) | {"ALL"}
        countries = set(self.net.hubs["country_iso3"])
        out = []
        for k, premium in enumerate(self.cfg.route_premiums):
            key = f"corridors.route_premiums[{k}]"
            for side in ("exporters", "importers"):
                for code in getattr(premium, side):
                    if code not in known:
                        raise ConfigError(f"{key}.{side}", f"unknown economy or bloc {code!r}")
            for code in premium.territory:
                if code not in countries:
                    raise ConfigError(f"{key}.territory", f"no hub in {code!r}")
            cells = pair_mask(
                premium.exporters, premium.importers, premium.both_directions,
                self.economies, blocs,
            )  # fmt: skip
            schedule = dataclasses.replace(from_year(premium.year), cells=cells)
            through = (self._incidence @ self.net.in_territory(premium.territory)) > 0
            in_scope = cells[self._class_i, self._class_j][self._row_class]
            out.append((schedule, float(premium.usd_per_t), in_scope & through))
        return out

    def _row_extra(self, quarter: str) -> np.ndarray | None:
        """US$/t added to each row by the route premiums in force (None if none is)."""
        q = quarter_ordinal(quarter)
        live = [(usd, rows) for s, usd, rows in self._premiums if s.fraction(q) > 0]
        if not live:
            return None
        return sum(usd * rows for usd, rows in live).astype(float)

    def step(self, quarter: str, flows: np.ndarray) -> RoutingResult:
        """Assign ``flows`` (n×n US$ bn/yr) in ``quarter`` (``YYYYQn``); return costs and loads."""
        if not is_quarter(quarter):
            raise ValueError(f"not a quarter label YYYYQn: {quarter!r}")
        state = segment_state(self.net, self.cfg, quarter)
        routed = self._routed(np.asarray(flows, dtype=float))
        extra = self._row_extra(quarter)
        result = self._solve(quarter, state, routed, extra, lever_row=self.lever_row(quarter))
        ratio = result.tau / self._tau_base
        np.fill_diagonal(ratio, 1.0)
        return self._in_model_order(dataclasses.replace(result, tau_ratio=ratio))

    def _routed(self, flows: np.ndarray) -> np.ndarray:
        """The routed economies' block of a model-order n×n array."""
        n = len(self.model_economies)
        if flows.shape != (n, n):
            raise ValueError(f"flows must be a finite, non-negative {n}x{n} array")
        return flows[np.ix_(self._on, self._on)]

    def _in_model_order(self, result: RoutingResult) -> RoutingResult:
        """``result`` with its n×n arrays over all model economies.

        Pairs with an off-network economy: τ ratio 1 (the calibrated cost is
        kept), τ and transit days NaN (not routed), route shares 0.
        """
        if not self.off_network:
            return result
        n, on = len(self.model_economies), np.ix_(self._on, self._on)

        def widen(block: np.ndarray, fill: float) -> np.ndarray:
            out = np.full((n, n), fill)
            out[on] = block
            return out

        return dataclasses.replace(
            result,
            tau_ratio=_with_unit_diagonal(widen(result.tau_ratio, 1.0)),
            tau=_with_unit_diagonal(widen(result.tau, np.nan)),
            transit_days=_with_zero_diagonal(widen(result.transit_days, np.nan)),
            route_shares={k: widen(v, 0.0) for k, v in result.route_shares.items()},
        )

    def class_tonnes(self, flows: np.ndarray) -> np.ndarray:
        """Tonnes per quarter of each class: X_ij · 1e9 · m_ig · w_igo · w_jgd / V_g / 4.

        X in US$ bn/yr; w the class's origin and destination hub shares
        (:mod:`sim.routing.regions`).
        """
        x = np.asarray(flows, dtype=float)[self._class_i, self._class_j]
        return x * 1e9 * self._class_share / self._class_value / 4.0

    def lever_row(self, quarter: str) -> int:
        """Which candidates ``quarter`` is routed over: 0 = the status quo's only.

        Else the row of the set of levers in force then, whose own candidate
        paths (enumerated with exactly those levers) are admitted besides the
        status quo's (:func:`~sim.routing.paths.with_lever_paths`): before its
        first lever a run is routed as the run without levers, and a lever's
        paths wait for its date.
        """
        chosen = levers_in_force(self.cfg, quarter_ordinal(quarter))
        return self._admitted_row[chosen] if any(chosen) else 0

    def _available(self, state: SegmentState, lever_row: int = 0) -> np.ndarray:
        """(rows,) bool: the row's path is open and a candidate for ``lever_row``.

        Read-only, and kept while the open segments are the same (most quarters).
        """
        key = state.is_open.tobytes() + lever_row.to_bytes(4)
        kept = self._available_kept
        if kept is None or kept[0] != key:
            closed = self._incidence @ (~state.is_open).astype(float)
            available = (closed == 0) & self._admitted[lever_row]
            available.flags.writeable = False
            self._available_kept = kept = (key, available)
        return kept[1]

    def _pair_sum(self, per_class: np.ndarray) -> np.ndarray:
        """n×n matrix of per-class values summed over each pair's classes."""
        return (self._to_pair @ per_class).reshape(self._n, self._n)

    def _solve(
        self,
        quarter: str,
        state: SegmentState,
        flows: np.ndarray,
        extra: np.ndarray | None = None,
        lever_row: int = 0,
    ) -> RoutingResult:
        n, c, net = self._n, self.classes, self.net
        flows = np.asarray(flows, dtype=float)
        if flows.shape != (n, n) or not np.all(np.isfinite(flows)) or (flows < 0).any():
            raise ValueError(f"flows must be a finite, non-negative {n}x{n} array")
        available = self._available(state, lever_row)
        reachable = np.maximum.reduceat(available, c.ptr[:-1])
        if not reachable.all():
            k = int(np.flatnonzero(~reachable)[0])
            a, b = self.economies[self._class_i[k]], self.economies[self._class_j[k]]
            raise ModelError(f"{quarter}: no open path from {a} to {b}")
        key = state.cost_key() + lever_row.to_bytes(4) + (b"" if extra is None else extra.tobytes())
        warm = key == self._warm_key
        inputs = dict(
            incidence=self.paths.incidence,
            path_of=c.path,
            ptr=c.ptr,
            segment_money=segment_money(net.km, self._rate, state.fee),
            time_value=self._path_time_value,
            scale=self._path_scale,
            available=available,
            free_days=net.base_days + state.border_days,
            capacity=state.capacity / 4.0,
            alpha=self.cfg.bpr_alpha,
            beta=self.cfg.bpr_beta,
            row_extra=extra,
        )
        # the tonnes-independent set-up, kept while the state and capacities are the same
        prepared_key = key + state.capacity.tobytes()
        if self._prepared is None or self._prepared[0] != prepared_key:
            self._prepared = (prepared_key, prepare(**inputs))
        out: Assignment = msa_assign_fast(
            **inputs,
            pair_tonnes=self.class_tonnes(flows),
            max_iter=self.cfg.msa_max_iter,
            tol=self.cfg.msa_tol,
            price_step=self.cfg.capacity_price_step,
            start_shares=self._warm if warm else None,
            start_prices=self._warm_prices if warm else None,
            prepared=self._prepared[1],
        )
        self.last_assignment = out
        self._warm, self._warm_prices, self._warm_key = out.shares, out.shadow_price, key
        expected = logsum_cost(
            out.path_cost, self._path_scale, available, c.ptr, self._status_quo_count
        )
        tau = 1.0 + self._pair_sum(
            self._class_share * (iceberg_tau(expected, self._class_value) - 1)
        )
        np.fill_diagonal(tau, 1.0)
        class_days = np.add.reduceat(out.shares * out.path_days, c.ptr[:-1])
        days = self._pair_sum(self._class_weight * class_days)
        # tonnage share of each pair on paths using each corridor: Σ_rows w·s·uses
        row_weight = out.shares * self._class_weight[self._row_class]
        by_pair = (self._row_to_pair_corridor @ row_weight).reshape(n * n, -1)
        shares = {name: by_pair[:, k].reshape(n, n) for k, name in enumerate(self._corridors)}
        cap = state.capacity / 4.0
        with np.errstate(invalid="ignore", divide="ignore"):
            util = out.segment_volume / cap
        loads = SegmentLoads(
            quarter, self._labels, out.segment_volume, cap, util, out.segment_days,
            out.shadow_price,
        )  # fmt: skip
        return RoutingResult(
            quarter=quarter,
            tau_ratio=np.ones((n, n)),
            tau=tau,
            transit_days=days,
            route_shares=shares,
            segment_loads=loads,
            iterations=out.iterations,
            gap=out.gap,
        )
