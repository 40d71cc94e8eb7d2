"""One schedule type for every lever: a scope × a date window × a path.

A lever entry (a tariff or NTB change, a trade ban, and any later lever that
adopts it) says *which pairs* (exporters × importers, ISO3 codes or bloc names,
optionally both directions), *when* (a first and a last quarter of the
phase-in, optionally a quarter from which it is lifted) and *how* (``step``: in
full from the first quarter; ``linear``: in equal steps, complete in the last
quarter). :class:`Schedule` turns such an entry into a pair mask and, for a
quarter index, the fraction in force:

    f(q) = 0                                    q < first or q ≥ lifted
    f(q) = 1                                    step, first ≤ q < lifted
    f(q) = min(1, (q − first + 1)/(last − first + 1))   linear

(the phase-in convention of the tariff schedules: a 4-quarter linear phase-in
is ¼ done in its first quarter and complete in its last). Quarters are integer
ordinals from :mod:`sim.quarters`.

Scope is exporters × importers only for now; a goods group (the routing
layer's commodity groups, once they exist) would be a third axis of the same
scope, selecting the share of each pair's trade the entry covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.quarters import quarter_ordinal

PATHS = ("linear", "step")


def expand_codes(
    codes: Sequence[str], economies: Sequence[str], blocs: dict[str, tuple[str, ...]]
) -> np.ndarray:
    """Boolean mask over ``economies`` for a list of ISO3 codes, bloc names or ``"ALL"``.

    An empty list means all economies. Unknown names are the caller's to
    validate beforehand.
    """
    if not codes or "ALL" in codes:
        return np.ones(len(economies), dtype=bool)
    wanted: set[str] = set()
    for code in codes:
        wanted.update(blocs.get(code, (code,)))
    return np.isin(list(economies), sorted(wanted))


def pair_mask(
    exporters: Sequence[str],
    importers: Sequence[str],
    both_directions: bool,
    economies: Sequence[str],
    blocs: dict[str, tuple[str, ...]],
) -> np.ndarray:
    """n×n mask of the international pairs an entry's scope selects (row exporter)."""
    cells = np.outer(
        expand_codes(exporters, economies, blocs), expand_codes(importers, economies, blocs)
    )
    if both_directions:
        cells |= cells.T
    np.fill_diagonal(cells, False)
    return cells


@dataclass(frozen=True)
class Schedule:
    """A lever's scope, window and path, resolved against one world.

    Attributes:
        cells: n×n mask of the pairs in scope; None for a lever scoped on
            something else (a corridor lever names segments, see :meth:`window`).
        first: quarter ordinal of the first quarter in force.
        last: quarter ordinal in which a linear phase-in completes (≥ first).
        lifted: quarter ordinal from which the lever no longer applies (None = never).
        path: ``linear`` or ``step``.
    """

    cells: np.ndarray | None
    first: int
    last: int
    lifted: int | None
    path: str

    @classmethod
    def of(
        cls,
        entry: object,
        economies: Sequence[str],
        blocs: dict[str, tuple[str, ...]],
    ) -> Schedule:
        """Resolve a config entry against a world.

        The entry has ``exporters``, ``importers``, ``both_directions``, ``start``,
        ``end``, ``path`` and optionally ``until`` (quarter labels).
        """
        until = getattr(entry, "until", None)
        return cls(
            cells=pair_mask(
                entry.exporters, entry.importers, entry.both_directions, economies, blocs
            ),
            first=quarter_ordinal(entry.start),
            last=quarter_ordinal(entry.end),
            lifted=quarter_ordinal(until) if until else None,
            path=entry.path,
        )

    @classmethod
    def window(cls, first: str, last_in_force: str | None = None) -> Schedule:
        """A step lever in force from ``first`` through ``last_in_force`` (inclusive).

        Quarter labels; ``last_in_force`` None = for good. No pair scope (``cells``
        None): the corridor levers' scope is their target segments.
        """
        start = quarter_ordinal(first)
        lifted = quarter_ordinal(last_in_force) + 1 if last_in_force else None
        return cls(cells=None, first=start, last=start, lifted=lifted, path="step")

    def fraction(self, quarter: int) -> float:
        """Share of the lever in force in the quarter with ordinal ``quarter``, in [0, 1]."""
        if quarter < self.first or (self.lifted is not None and quarter >= self.lifted):
            return 0.0
        if self.path == "step" or self.last <= self.first:
            return 1.0
        return min(1.0, (quarter - self.first + 1) / (self.last - self.first + 1))
