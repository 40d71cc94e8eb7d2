"""Policy levers and shocks resolved for one quarter.

Rules for combining entries that apply to the same pair:

- link density, interconnection, card acceptance: start from the default;
  entries are applied in order, a later entry overrides an earlier one;
- hazards: within each component (``primary``: blocking by the sanctioning
  jurisdictions' banks; ``secondary``: third-country banks' refusals under
  secondary-sanctions risk), the maximum over the shipped events
  (:mod:`sim.settlement.events`, if ``event_hazards``) and the entries (sources
  of the same risk do not add up to more than the worst of them); the two
  components as independent events, ``1 − (1 − h_primary)(1 − h_secondary)``
  (:func:`~sim.settlement.costs.combine_components`), after each component is
  multiplied by the ``hazard_scales`` that apply and capped at 1;
- subsidies and mandates: the sum over entries.

Every entry's dates are one :class:`~sim.policy.schedule.Schedule` (the lever
schedule type of every layer): in force from ``from_quarter`` through
``to_quarter`` (a ``step`` schedule lifted the quarter after). An entry with
``ramp_to`` moves linearly from ``value`` at ``from_quarter`` (a) to ``ramp_to``
at ``to_quarter`` (b): value + (ramp_to − value)·(q − a)/(b − a), which is the
``linear`` schedule phased in over a+1 … b.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from sim.policy.schedule import Schedule
from sim.quarters import quarter_ordinal
from sim.settlement.config import LeverEntry, SettlementConfig
from sim.settlement.costs import combine_components
from sim.settlement.events import COMPONENTS, event_hazards
from sim.settlement.market import ALWAYS, NEVER, Market, scope_matrix


@dataclass(frozen=True)
class Levers:
    """Lever values in one quarter.

    Attributes:
        density: (U, U) symmetric direct-correspondent-link density between
            economy codes (``Market.codes``), in [0, 1].
        interconnection: (P,) payment-system interconnection, in [0, 1].
        cards: (P,) mutual card acceptance, in [0, 1].
        hazard: (P, C) blocking hazard per quarter on settling pair p in c
            (the components of ``hazard_parts`` combined).
        hazard_parts: (K, P, C) hazard of each component of ``COMPONENTS``.
        subsidy: (P,) ad-valorem subsidy to national options.
        mandate: (P,) ad-valorem penalty on non-national options.
        onshore: (C,) bool, currencies with no offshore market in the quarter
            (``Market.onshore_from``: their legs against a vehicle are national).
    """

    density: np.ndarray
    interconnection: np.ndarray
    cards: np.ndarray
    hazard: np.ndarray
    hazard_parts: np.ndarray
    subsidy: np.ndarray
    mandate: np.ndarray
    onshore: np.ndarray


class LeverSchedule:
    """Resolves the config's lever entries for any quarter (cached per quarter)."""

    def __init__(self, market: Market, cfg: SettlementConfig) -> None:
        self.market = market
        self.cfg = cfg
        self.hazards = [
            *(
                event_hazards(cfg.hazard_levels, cfg.event_onset_by_date, cfg.event_legs)
                if cfg.event_hazards
                else []
            ),
            *cfg.hazards,
        ]
        self._scope_cache: dict[str, np.ndarray] = {}
        self._cache: dict[int, Levers] = {}
        self._breaks = self._breakpoints()

    def _breakpoints(self) -> list[int]:
        """Quarter ordinals where some entry starts, ends or ramps.

        Levers are constant between two of them, so one :class:`Levers` serves each period.
        """
        cfg, out = self.cfg, set()
        entries = [
            *cfg.link_entries, *cfg.interconnection_entries, *cfg.card_entries,
            *cfg.subsidies, *cfg.mandates, *self.hazards, *cfg.hazard_scales,
        ]  # fmt: skip
        for e in entries:
            window, ramp = schedules(e)
            out.update(x for x in (window.first, window.lifted) if x not in (None, ALWAYS))
            if ramp is not None:
                out.update(range(ramp.first, ramp.last + 1))
        m = self.market
        out.update(int(x) for x in m.onshore_from if x not in (ALWAYS, NEVER))
        return sorted(out)

    def _scope_u(self, scope: str) -> np.ndarray:
        if scope not in self._scope_cache:
            m = self.market
            self._scope_cache[scope] = scope_matrix(scope, m.codes, m.blocs)
        return self._scope_cache[scope]

    def _pairs(self, scope: str) -> np.ndarray:
        m = self.market
        return self._scope_u(scope)[m.exp, m.imp]

    def at(self, quarter: str) -> Levers:
        """Lever values in ``quarter`` (``"YYYYQn"``)."""
        q = quarter_ordinal(quarter)
        period = bisect.bisect_right(self._breaks, q)
        if period not in self._cache:
            self._cache[period] = self._resolve(q)
        return self._cache[period]

    def _resolve(self, q: int) -> Levers:
        m, cfg = self.market, self.cfg
        u = len(m.codes)
        density = np.full((u, u), float(cfg.link_density))
        for e in cfg.link_entries:
            v = lever_value(e, q)
            if v is not None:
                density[self._scope_u(e.scope)] = v
        np.fill_diagonal(density, 1.0)

        def pair_lever(default: float, entries: list[LeverEntry]) -> np.ndarray:
            out = np.full(m.n_pairs, float(default))
            for e in entries:
                v = lever_value(e, q)
                if v is not None:
                    out[self._pairs(e.scope)] = v
            return out

        def pair_sum(entries: list[LeverEntry]) -> np.ndarray:
            out = np.zeros(m.n_pairs)
            for e in entries:
                v = lever_value(e, q)
                if v is not None:
                    out[self._pairs(e.scope)] += v
            return out

        parts = {k: np.zeros((m.n_pairs, m.n_currencies)) for k in COMPONENTS}
        for h in self.hazards:
            if not schedules(h)[0].fraction(q):
                continue
            part = parts[h.component]
            cols = [m.currencies.index(c) for c in h.currencies if c in m.currencies]
            rows = self._pairs(h.scope)
            for c in cols:
                part[rows, c] = np.maximum(part[rows, c], h.hazard)
        stack = np.stack(list(parts.values()))
        for s in cfg.hazard_scales:
            if not schedules(s)[0].fraction(q):
                continue
            cols = [m.currencies.index(c) for c in s.currencies if c in m.currencies]
            rows = self._pairs(s.scope)
            for c in cols:
                stack[:, rows, c] *= s.factor
        np.minimum(stack, 1.0, out=stack)
        hazard = combine_components(*stack)
        return Levers(
            density=density,
            interconnection=pair_lever(cfg.interconnection, cfg.interconnection_entries),
            cards=pair_lever(cfg.card_acceptance, cfg.card_entries),
            hazard=hazard,
            hazard_parts=stack,
            subsidy=pair_sum(cfg.subsidies),
            mandate=pair_sum(cfg.mandates),
            onshore=m.onshore_from <= q,
        )


def schedules(entry: object) -> tuple[Schedule, Schedule | None]:
    """The entry's window and, if it ramps, its ramp, as :class:`Schedule` objects.

    Window: ``step`` from ``from_quarter`` (``""``: always), lifted the quarter
    after ``to_quarter`` (``""``: never). Ramp (``ramp_to`` set; validation
    requires both quarters): ``linear`` over a+1 … b, so its fraction is
    (q − a)/(b − a) for a ≤ q ≤ b. The scope's pairs are resolved by the caller
    (:meth:`LeverSchedule._pairs`), so the schedules carry no ``cells``.
    """
    if entry.from_quarter:
        window = Schedule.window(entry.from_quarter, entry.to_quarter or None)
    else:  # in force from any initial state on
        lifted = quarter_ordinal(entry.to_quarter) + 1 if entry.to_quarter else None
        window = Schedule(cells=None, first=ALWAYS, last=ALWAYS, lifted=lifted, path="step")
    if getattr(entry, "ramp_to", None) is None:
        return window, None
    a, b = window.first, quarter_ordinal(entry.to_quarter)  # validation: both quarters given
    return window, Schedule(cells=None, first=a + 1, last=max(a + 1, b), lifted=None, path="linear")


def lever_value(e: LeverEntry, q: int) -> float | None:
    """Value of an entry in the quarter with ordinal q, or None if it is not in force."""
    window, ramp = schedules(e)
    if not window.fraction(q):
        return None
    if ramp is None:
        return float(e.value)
    return float(e.value + ramp.fraction(q) * (e.ramp_to - e.value))
