"""Policy levers and shocks resolved for one quarter.

Rules for combining entries that apply to the same pair:

- link density, interconnection, card acceptance: start from the default;
  entries are applied in order, a later entry overrides an earlier one;
- hazards: the maximum over the shipped events (:mod:`sim.settlement.events`,
  if ``event_hazards``) and the entries (independent sources do not add up to
  more than the worst of them), then multiplied by the ``hazard_scales`` that
  apply and capped at 1;
- subsidies and mandates: the sum over entries.

An entry with ``ramp_to`` moves linearly from ``value`` at ``from_quarter`` to
``ramp_to`` at ``to_quarter``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from sim.settlement.config import LeverEntry, SettlementConfig
from sim.settlement.events import event_hazards
from sim.settlement.market import Market, scope_matrix
from sim.settlement.quarters import in_window, quarter_index


@dataclass(frozen=True)
class Levers:
    """Lever values in one quarter.

    Attributes:
        density: (U, U) symmetric direct-correspondent-link density between
            economy codes (``Market.codes``), in [0, 1].
        interconnection: (P,) payment-system interconnection, in [0, 1].
        cards: (P,) mutual card acceptance, in [0, 1].
        hazard: (P, C) blocking hazard per quarter on settling pair p in c.
        subsidy: (P,) ad-valorem subsidy to national options.
        mandate: (P,) ad-valorem penalty on non-national options.
    """

    density: np.ndarray
    interconnection: np.ndarray
    cards: np.ndarray
    hazard: np.ndarray
    subsidy: np.ndarray
    mandate: np.ndarray


class LeverSchedule:
    """Resolves the config's lever entries for any quarter (cached per quarter)."""

    def __init__(self, market: Market, cfg: SettlementConfig) -> None:
        self.market = market
        self.cfg = cfg
        self.hazards = [
            *(event_hazards(cfg.hazard_levels) if cfg.event_hazards else []),
            *cfg.hazards,
        ]
        self._scope_cache: dict[str, np.ndarray] = {}
        self._cache: dict[int, Levers] = {}
        self._breaks = self._breakpoints()

    def _breakpoints(self) -> list[int]:
        """Quarter indices where some entry starts, ends or ramps.

        Levers are constant between two of them, so one :class:`Levers` serves each period.
        """
        cfg, out = self.cfg, set()
        entries = [
            *cfg.link_entries, *cfg.interconnection_entries, *cfg.card_entries,
            *cfg.subsidies, *cfg.mandates, *self.hazards, *cfg.hazard_scales,
        ]  # fmt: skip
        for e in entries:
            a = quarter_index(e.from_quarter, "settlement.from_quarter") if e.from_quarter else None
            b = quarter_index(e.to_quarter, "settlement.to_quarter") if e.to_quarter else None
            out.update(x for x in (a, None if b is None else b + 1) if x is not None)
            if getattr(e, "ramp_to", None) is not None and a is not None and b is not None:
                out.update(range(a, b + 1))
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
        q = quarter_index(quarter, "settlement.quarter")
        period = bisect.bisect_right(self._breaks, q)
        if period not in self._cache:
            self._cache[period] = self._resolve(q)
        return self._cache[period]

    def _resolve(self, q: int) -> Levers:
        m, cfg = self.market, self.cfg
        u = len(m.codes)
        density = np.full((u, u), float(cfg.link_density))
        for k, e in enumerate(cfg.link_entries):
            v = _value(e, q, f"settlement.link_entries[{k}]")
            if v is not None:
                density[self._scope_u(e.scope)] = v
        np.fill_diagonal(density, 1.0)

        def pair_lever(default: float, entries: list[LeverEntry], name: str) -> np.ndarray:
            out = np.full(m.n_pairs, float(default))
            for k, e in enumerate(entries):
                v = _value(e, q, f"settlement.{name}[{k}]")
                if v is not None:
                    out[self._pairs(e.scope)] = v
            return out

        def pair_sum(entries: list[LeverEntry], name: str) -> np.ndarray:
            out = np.zeros(m.n_pairs)
            for k, e in enumerate(entries):
                v = _value(e, q, f"settlement.{name}[{k}]")
                if v is not None:
                    out[self._pairs(e.scope)] += v
            return out

        hazard = np.zeros((m.n_pairs, m.n_currencies))
        for k, h in enumerate(self.hazards):
            if not in_window(q, h.from_quarter, h.to_quarter, f"settlement.hazards[{k}]"):
                continue
            cols = [m.currencies.index(c) for c in h.currencies if c in m.currencies]
            rows = self._pairs(h.scope)
            for c in cols:
                hazard[rows, c] = np.maximum(hazard[rows, c], h.hazard)
        for k, s in enumerate(cfg.hazard_scales):
            if not in_window(q, s.from_quarter, s.to_quarter, f"settlement.hazard_scales[{k}]"):
                continue
            cols = [m.currencies.index(c) for c in s.currencies if c in m.currencies]
            rows = self._pairs(s.scope)
            for c in cols:
                hazard[rows, c] *= s.factor
        np.minimum(hazard, 1.0, out=hazard)
        return Levers(
            density=density,
            interconnection=pair_lever(
                cfg.interconnection, cfg.interconnection_entries, "interconnection_entries"
            ),
            cards=pair_lever(cfg.card_acceptance, cfg.card_entries, "card_entries"),
            hazard=hazard,
            subsidy=pair_sum(cfg.subsidies, "subsidies"),
            mandate=pair_sum(cfg.mandates, "mandates"),
        )


def _value(e: LeverEntry, q: int, key: str) -> float | None:
    """Value of an entry in quarter index q, or None if it does not apply."""
    if not in_window(q, e.from_quarter, e.to_quarter, key):
        return None
    if e.ramp_to is None:
        return float(e.value)
    a = quarter_index(e.from_quarter, key + ".from_quarter")
    b = quarter_index(e.to_quarter, key + ".to_quarter")
    frac = 1.0 if b == a else (q - a) / (b - a)
    return float(e.value + frac * (e.ramp_to - e.value))
