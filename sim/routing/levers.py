"""The network's state in one quarter: which segments are open, capacities, delays, fees.

Every lever's dates are a :class:`sim.policy.schedule.Schedule` window (step
path, no pair scope; the scope is the lever's target segments): openings,
capacity, border-time and fee changes from Q1 of their year on, closures from
``from_quarter`` through ``to_quarter``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from sim.policy.schedule import Schedule
from sim.quarters import parse_quarter, quarter_ordinal
from sim.routing.config import LEVER_FIELDS, CorridorsConfig
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


def from_year(year: int) -> Schedule:
    """The schedule of a corridor lever in force from Q1 of ``year`` on, for good."""
    return Schedule.window(f"{year}Q1")


def year_start(year: int) -> int:
    """Quarter ordinal of Q1 of ``year`` (any year, e.g. 10**6 for 'ever')."""
    return 4 * year


def in_force(schedule: Schedule, quarter: int) -> bool:
    """True if a (step) corridor lever is in force in the quarter with ordinal ``quarter``."""
    return schedule.fraction(quarter) > 0


def lever_schedule(name: str, lever: object) -> Schedule:
    """When one lever of the ``corridors.<name>`` list is in force.

    Closures over their window (bounds inclusive), every other lever from Q1 of
    its ``year`` on, for good (:func:`from_year`).
    """
    if name == "closures":
        return Schedule.window(lever.from_quarter, lever.to_quarter)
    return from_year(lever.year)


LeverSet = tuple[tuple[int, ...], ...]
"""Which levers are in force: per :data:`LEVER_FIELDS` list, the positions in force."""


def levers_in_force(cfg: CorridorsConfig, quarter: int) -> LeverSet:
    """The positions of the levers of each list in force in the quarter with ordinal ``quarter``."""
    return tuple(
        tuple(
            k
            for k, lever in enumerate(getattr(cfg, name))
            if in_force(lever_schedule(name, lever), quarter)
        )
        for name in LEVER_FIELDS
    )


def with_levers(cfg: CorridorsConfig, chosen: LeverSet) -> CorridorsConfig:
    """A copy of ``cfg`` keeping only the levers at the positions ``chosen``."""
    kept = copy.deepcopy(cfg)
    for name, positions in zip(LEVER_FIELDS, chosen, strict=True):
        setattr(kept, name, [getattr(cfg, name)[k] for k in positions])
    return kept


def lever_sets(cfg: CorridorsConfig) -> list[LeverSet]:
    """Every distinct set of levers in force in some quarter, in order of first use.

    The set can change only where a lever starts or a closure ends, so these
    quarters are the only ones to look at; before the first of them none is in
    force (the empty set, listed only if it recurs).
    """
    changes: set[int] = set()
    for name in LEVER_FIELDS:
        for lever in getattr(cfg, name):
            if name == "closures":
                changes |= {
                    quarter_ordinal(lever.from_quarter),
                    quarter_ordinal(lever.to_quarter) + 1,
                }
            else:
                changes.add(year_start(lever.year))
    found: list[LeverSet] = []
    for q in sorted(changes):
        chosen = levers_in_force(cfg, q)
        if chosen not in found:
            found.append(chosen)
    return found


def opened_by(net: Network, cfg: CorridorsConfig, year: int) -> np.ndarray:
    """Segments open in ``year`` by status, openings and (if enabled) announced years.

    A segment with a dated capacity (``capacity_schedule.csv``) is closed before
    its first dated year (not yet in operation) and from a dated capacity of 0 on
    (out of operation), whatever its status.
    """
    is_open = net.is_open.copy()
    if cfg.announced_openings:
        is_open |= (net.announced_year > 0) & (net.announced_year <= year)
    for o in cfg.openings:
        if in_force(from_year(o.year), year_start(year)):
            is_open[net.segment_index(o.segment)] = True
    return is_open & net.in_operation(year)


def closed_in(net: Network, cfg: CorridorsConfig, quarter: str) -> np.ndarray:
    """Segments closed by shocks active in ``quarter`` (bounds inclusive)."""
    q = quarter_ordinal(quarter)
    closed = np.zeros(net.n_segments, dtype=bool)
    for c in cfg.closures:
        if in_force(Schedule.window(c.from_quarter, c.to_quarter), q):
            closed[net.targets(c.target)] = True
    return closed


def _by_km(net: Network, idx: np.ndarray, target: str) -> np.ndarray | float:
    """Weights that spread a whole-corridor amount over its segments pro rata by km.

    1 on a segment target; km_s / Σ km on a corridor (equal shares if it has no km).
    """
    if target in net.segment_ids:
        return 1.0
    km = net.km[idx]
    return km / km.sum() if km.sum() > 0 else np.full(idx.size, 1.0 / idx.size)


def segment_state(net: Network, cfg: CorridorsConfig, quarter: str) -> SegmentState:
    """Apply the config's levers and shocks for ``quarter`` (``"YYYYQn"``).

    Capacities are the network's in that year (dated capacities from
    ``capacity_schedule.csv``, see :meth:`Network.capacity_in`); then capacity
    changes: the latest entry in force (by year, then list order) sets the
    capacity; a corridor target sets each of its capacitated segments.
    Border-time factors in force multiply, then their added days add (a
    corridor's spread pro rata by km), floored at 0. Fees in force and the calibrated
    corridor frictions add (a corridor's is spread pro rata by km over its
    segments); the total is floored at 0.
    """
    year = parse_quarter(quarter)[0]
    q = quarter_ordinal(quarter)
    is_open = opened_by(net, cfg, year) & ~closed_in(net, cfg, quarter)

    capacity = net.capacity_in(year)
    changes = [c for c in cfg.capacity_changes if in_force(from_year(c.year), q)]
    for c in sorted(changes, key=lambda c: c.year):
        idx = net.targets(c.target)
        if c.target not in net.segment_ids:
            idx = idx[np.isfinite(net.capacity[idx])]
        capacity[idx] = c.capacity_mt_per_year * 1e6

    border = net.border_days.copy()
    changes = [b for b in cfg.border_time_changes if in_force(from_year(b.year), q)]
    for b in changes:
        border[net.targets(b.target)] *= b.factor
    for b in changes:
        if b.days:
            idx = net.targets(b.target)
            border[idx] += b.days * _by_km(net, idx, b.target)
    np.maximum(border, 0.0, out=border)

    fee = net.fee.copy()
    for f in cfg.fee_changes:
        if in_force(from_year(f.year), q):
            idx = net.targets(f.target)
            fee[idx] += f.usd_per_t * _by_km(net, idx, f.target)
    for name, usd_per_t in cfg.corridor_frictions.items():
        idx = net.targets(name)
        fee[idx] += usd_per_t * _by_km(net, idx, name)
    np.maximum(fee, 0.0, out=fee)
    return SegmentState(is_open=is_open, capacity=capacity, border_days=border, fee=fee)
