"""The routing phase of a quarter: trade values in, route-based trade costs and segment loads out.

Per quarter: the levers give each segment's state; trade values become tonnes
through value-to-weight; tonnes are split over the candidate paths of each
pair by a logit in generalized cost, with BPR congestion, iterated by MSA; the
pair's expected cost per tonne (logsum) gives the iceberg cost
τ_ij = 1 + C*_ij / V_ij, reported relative to the start-quarter baseline.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.errors import ConfigError, ModelError
from sim.quarters import is_quarter
from sim.routing.assign import Assignment, msa_assign
from sim.routing.config import CorridorsConfig
from sim.routing.costs import iceberg_tau, logsum_cost, segment_money
from sim.routing.levers import SegmentState, segment_state
from sim.routing.network import Network, load_network
from sim.routing.paths import PathSet, enumerate_paths

SEGMENT_COLUMNS = (
    "quarter",
    "segment",
    "corridor",
    "volume_t",
    "capacity",
    "utilization",
    "transit_days",
)
_PATH_CACHE: dict[tuple, PathSet] = {}
_PATH_CACHE_SIZE = 8


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
        segments: One row per segment: quarter, segment, corridor, volume_t
            (tonnes in the quarter), capacity (tonnes per quarter; NaN =
            uncapacitated), utilization (volume_t / capacity; NaN if
            uncapacitated), transit_days (congested days incl. border delay).
        iterations: MSA iterations used.
        gap: Final MSA gap (max over capacitated segments of |y − v| / c).
    """

    quarter: str
    tau_ratio: np.ndarray
    tau: np.ndarray
    transit_days: np.ndarray
    route_shares: dict[str, np.ndarray]
    segments: pd.DataFrame
    iterations: int
    gap: float


LEVER_FIELDS = ("capacity_changes", "openings", "border_time_changes", "fee_changes", "closures")


def without_levers(cfg: CorridorsConfig) -> CorridorsConfig:
    """A copy of ``cfg`` with every lever and shock list emptied (the status-quo network)."""
    status_quo = copy.deepcopy(cfg)
    for name in LEVER_FIELDS:
        setattr(status_quo, name, [])
    return status_quo


def value_per_tonne_matrix(
    net: Network, cfg: CorridorsConfig, economies: Sequence[str]
) -> np.ndarray:
    """n×n US$ per tonne: config overrides first, then ``value_to_weight.csv``.

    Within each source the most specific key wins: ``EXP-IMP``, ``EXP-*``,
    ``*-IMP``, ``*-*``.
    """
    n = len(economies)
    out = np.empty((n, n))
    over = {tuple(str(k).split("-")): float(v) for k, v in cfg.value_per_tonne_overrides.items()}
    for i, a in enumerate(economies):
        for j, b in enumerate(economies):
            keys = ((a, b), (a, "*"), ("*", b), ("*", "*"))
            hit = next((over[k] for k in keys if k in over), None)
            out[i, j] = hit if hit is not None else net.value_per_tonne(a, b)
    return out


class CorridorPhase:
    """Routes each quarter's trade over the corridor network.

    Args:
        economies: Economy codes in model order (any subset of the 15, plus ROW).
        cfg: The ``corridors`` config (dataclass or its OmegaConf object).
        base_flows: n×n baseline trade, US$ bn per year (row exporter).
        start_quarter: ``YYYYQn``; the baseline is assigned in this quarter.

    Attributes:
        baseline: The start-quarter result (τ_base).
        paths: The candidate paths (enumerated once; cached per process).
        last_assignment: Path-level detail of the latest solve (shares, tonnes).

    Raises:
        ConfigError: bad config, unknown names, or a pair without a route.
    """

    def __init__(
        self,
        economies: Sequence[str],
        cfg: CorridorsConfig,
        base_flows: np.ndarray,
        start_quarter: str,
    ) -> None:
        if not is_quarter(start_quarter):
            raise ConfigError("sim.start", f"must be a quarter label YYYYQn, got {start_quarter!r}")
        self.economies = tuple(economies)
        self.cfg = cfg
        cfg.validate(self.economies)
        self.net = load_network()
        n = len(self.economies)
        self.value_per_tonne = value_per_tonne_matrix(self.net, cfg, self.economies)
        time_value = cfg.value_of_time_per_day * self.value_per_tonne
        key = (self.economies, repr(cfg), start_quarter)
        if key not in _PATH_CACHE:
            if len(_PATH_CACHE) >= _PATH_CACHE_SIZE:
                _PATH_CACHE.pop(next(iter(_PATH_CACHE)))
            _PATH_CACHE[key] = enumerate_paths(
                self.net, cfg, self.economies, start_quarter, time_value
            )
        self.paths = _PATH_CACHE[key]
        p = self.paths
        self._pair_i, self._pair_j = p.pairs[:, 0], p.pairs[:, 1]
        self._pair_value = self.value_per_tonne[self._pair_i, self._pair_j]
        self._path_time_value = np.repeat(time_value[self._pair_i, self._pair_j], np.diff(p.ptr))
        self._rate = np.array(
            [cfg.freight_rate_overrides.get(m, self.net.rate[m]) for m in self.net.mode]
        )
        corridors = self.net.corridors
        seg_corridor = np.array([corridors.index(c) for c in self.net.corridor])
        onehot = np.zeros((self.net.n_segments, len(corridors)))
        onehot[np.arange(self.net.n_segments), seg_corridor] = 1.0
        self._uses = np.asarray((p.incidence @ onehot) > 0, dtype=float)
        self._corridors = corridors
        self._n = n

        # The baseline is the status-quo network in the start quarter, before any
        # lever or shock of this run (so a closure from the start still shows up as a
        # change in τ). Logit cost scale: the pair's cheapest free-flow cost, over θ.
        state0 = segment_state(self.net, without_levers(cfg), start_quarter)
        available0 = self._available(state0)
        free_cost = p.incidence @ segment_money(
            self.net.km, self._rate, state0.fee
        ) + self._path_time_value * (p.incidence @ (self.net.base_days + state0.border_days))
        c_ref = np.minimum.reduceat(np.where(available0, free_cost, np.inf), p.ptr[:-1])
        if not np.all(np.isfinite(c_ref) & (c_ref > 0)):
            raise ConfigError("corridors", "some pair has no open path in the start quarter")
        self._path_scale = np.repeat(c_ref / cfg.logit_theta, np.diff(p.ptr))
        self.last_assignment: Assignment | None = None
        self.baseline = self._solve(start_quarter, state0, base_flows)
        self._tau_base = self.baseline.tau

    def step(self, quarter: str, flows: np.ndarray) -> RoutingResult:
        """Assign ``flows`` (n×n US$ bn/yr) in ``quarter`` (``YYYYQn``); return costs and loads."""
        if not is_quarter(quarter):
            raise ValueError(f"not a quarter label YYYYQn: {quarter!r}")
        result = self._solve(quarter, segment_state(self.net, self.cfg, quarter), flows)
        ratio = result.tau / self._tau_base
        np.fill_diagonal(ratio, 1.0)
        return RoutingResult(
            quarter=result.quarter,
            tau_ratio=ratio,
            tau=result.tau,
            transit_days=result.transit_days,
            route_shares=result.route_shares,
            segments=result.segments,
            iterations=result.iterations,
            gap=result.gap,
        )

    def _available(self, state: SegmentState) -> np.ndarray:
        closed = self.paths.incidence @ (~state.is_open).astype(float)
        return closed == 0

    def _solve(self, quarter: str, state: SegmentState, flows: np.ndarray) -> RoutingResult:
        n, p, net = self._n, self.paths, self.net
        flows = np.asarray(flows, dtype=float)
        if flows.shape != (n, n) or not np.all(np.isfinite(flows)) or (flows < 0).any():
            raise ValueError(f"flows must be a finite, non-negative {n}x{n} array")
        available = self._available(state)
        if not np.maximum.reduceat(available, p.ptr[:-1]).all():
            k = int(np.flatnonzero(~np.maximum.reduceat(available, p.ptr[:-1]))[0])
            a, b = self.economies[p.pairs[k, 0]], self.economies[p.pairs[k, 1]]
            raise ModelError(f"{quarter}: no open path from {a} to {b}")
        tonnes = flows[self._pair_i, self._pair_j] * 1e9 / self._pair_value / 4.0
        out: Assignment = msa_assign(
            incidence=p.incidence,
            ptr=p.ptr,
            pair_tonnes=tonnes,
            path_money=p.incidence @ segment_money(net.km, self._rate, state.fee),
            time_value=self._path_time_value,
            scale=self._path_scale,
            available=available,
            free_days=net.base_days + state.border_days,
            capacity=state.capacity / 4.0,
            alpha=self.cfg.bpr_alpha,
            beta=self.cfg.bpr_beta,
            max_iter=self.cfg.msa_max_iter,
            tol=self.cfg.msa_tol,
        )
        self.last_assignment = out
        expected = logsum_cost(out.path_cost, self._path_scale, available, p.ptr)
        tau = np.ones((n, n))
        tau[self._pair_i, self._pair_j] = iceberg_tau(expected, self._pair_value)
        days = np.zeros((n, n))
        days[self._pair_i, self._pair_j] = np.add.reduceat(out.shares * out.path_days, p.ptr[:-1])
        by_corridor = np.add.reduceat(out.shares[:, None] * self._uses, p.ptr[:-1], axis=0)
        shares = {}
        for c, name in enumerate(self._corridors):
            m = np.zeros((n, n))
            m[self._pair_i, self._pair_j] = by_corridor[:, c]
            shares[name] = m
        cap = state.capacity / 4.0
        with np.errstate(invalid="ignore", divide="ignore"):
            util = out.segment_volume / cap
        segments = pd.DataFrame(
            {
                "quarter": quarter,
                "segment": net.segment_ids,
                "corridor": net.corridor,
                "volume_t": out.segment_volume,
                "capacity": cap,
                "utilization": util,
                "transit_days": out.segment_days,
            },
            columns=list(SEGMENT_COLUMNS),
        )
        return RoutingResult(
            quarter=quarter,
            tau_ratio=np.ones((n, n)),
            tau=tau,
            transit_days=days,
            route_shares=shares,
            segments=segments,
            iterations=out.iterations,
            gap=out.gap,
        )
