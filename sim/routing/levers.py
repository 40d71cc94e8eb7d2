"""The network's state in one quarter: which segments are open, capacities, delays, fees."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.quarters import parse_quarter, quarter_ordinal
from sim.routing.config import CorridorsConfig
from sim.routing.network import Network


@dataclass(frozen=True)
class SegmentState:
    """Per-segment arrays in force in one quarter.

    Attributes:
        is_open: False if planned and not yet open, or closed by a shock.
        capacity: t/yr (NaN = uncapacitated).
        border_days: Border/transshipment delay (days) after border-time changes.
        fee: US$/t after fee changes (≥ 0).
    """

    is_open: np.ndarray
    capacity: np.ndarray
    border_days: np.ndarray
    fee: np.ndarray

    def key(self) -> bytes:
        """Bytes identifying the state (equal states give equal keys)."""
        return self.cost_key() + self.capacity.tobytes()

    def cost_key(self) -> bytes:
        """Bytes identifying the free-flow costs and open segments (capacities left out)."""
        return b"".join(a.tobytes() for a in (self.is_open, self.border_days, self.fee))


def opened_by(net: Network, cfg: CorridorsConfig, year: int) -> np.ndarray:
    """Segments open in ``year`` by status, openings and (if enabled) announced years.

    A segment with a dated capacity (``capacity_schedule.csv``) is closed before
    its first dated year (not yet in operation), whatever its status.
    """
    is_open = net.is_open.copy()
    if cfg.announced_openings:
        is_open |= (net.announced_year > 0) & (net.announced_year <= year)
    for o in cfg.openings:
        if o.year <= year:
            is_open[net.segment_index(o.segment)] = True
    return is_open & net.built_by(year)


def closed_in(net: Network, cfg: CorridorsConfig, quarter: str) -> np.ndarray:
    """Segments closed by shocks active in ``quarter`` (bounds inclusive)."""
    q = quarter_ordinal(quarter)
    closed = np.zeros(net.n_segments, dtype=bool)
    for c in cfg.closures:
        if quarter_ordinal(c.from_quarter) <= q <= quarter_ordinal(c.to_quarter):
            closed[net.targets(c.target)] = True
    return closed


def segment_state(net: Network, cfg: CorridorsConfig, quarter: str) -> SegmentState:
    """Apply the config's levers and shocks for ``quarter`` (``"YYYYQn"``).

    Capacities are the network's in that year (dated capacities from
    ``capacity_schedule.csv``, see :meth:`Network.capacity_in`); then capacity
    changes: the latest entry in force (by year, then list order) sets the
    capacity; a corridor target sets each of its capacitated segments.
    Border-time factors in force multiply. Fees in force and the calibrated
    corridor frictions add (a corridor's is spread pro rata by km over its
    segments); the total is floored at 0.
    """
    year = parse_quarter(quarter)[0]
    is_open = opened_by(net, cfg, year) & ~closed_in(net, cfg, quarter)

    capacity = net.capacity_in(year)
    in_force = sorted((c for c in cfg.capacity_changes if c.year <= year), key=lambda c: c.year)
    for c in in_force:
        idx = net.targets(c.target)
        if c.target not in net.segment_ids:
            idx = idx[np.isfinite(net.capacity[idx])]
        capacity[idx] = c.capacity_mt_per_year * 1e6

    border = net.border_days.copy()
    for b in cfg.border_time_changes:
        if b.year <= year:
            border[net.targets(b.target)] *= b.factor

    fee = net.fee.copy()
    for f in cfg.fee_changes:
        if f.year > year:
            continue
        idx = net.targets(f.target)
        if f.target in net.segment_ids:
            fee[idx] += f.usd_per_t
        else:
            km = net.km[idx]
            weights = km / km.sum() if km.sum() > 0 else np.full(idx.size, 1.0 / idx.size)
            fee[idx] += f.usd_per_t * weights
    for name, usd_per_t in cfg.corridor_frictions.items():
        idx = net.targets(name)
        km = net.km[idx]
        fee[idx] += usd_per_t * (km / km.sum() if km.sum() > 0 else 1.0 / idx.size)
    np.maximum(fee, 0.0, out=fee)
    return SegmentState(is_open=is_open, capacity=capacity, border_days=border, fee=fee)
