"""Dated events that drive the settlement layer: blocking hazards and FX-market depth.

Two shipped tables of ``sim/data/settlement``, each row with its source:

- ``payment_events.csv``: payment-blocking events (the 2022 reserve freeze and
  SWIFT disconnections, Chinese state banks' 2022 restrictions on USD finance
  of Russian trade, US Executive Order 14114 of 22 Dec 2023, Chinese banks'
  refusals of Russia-linked payments in early 2024). Each event puts a hazard
  of the named *level* (a parameter: fitted on the 2022 points, or for the
  post-2022 events assumed equal to a 2022 level) on some currencies of the
  pairs in its scope from its quarter on; in that first quarter only for the
  part of the quarter after its date (:func:`in_force_fraction`,
  :func:`partial_hazard`), and ``legs`` times on a payment that banks bound
  by the measure screen ``legs`` times (:func:`screened_hazard`: the pairs of
  Russia and Belarus with the EU, where the EU party's own bank screens it as
  well as the correspondent). Each event belongs to a *component*:
  ``primary`` (payments blocked by the sanctioning jurisdictions' banks: the
  2022 measures) or ``secondary`` (third-country banks refusing Russia-linked
  payments for fear of secondary sanctions: EO 14114 on their USD/EUR business
  from 2023Q4, Chinese banks on every currency of Russia–China from 2024Q1).
  Within a component hazards combine by the maximum; the components combine
  as independent events, ``1 − (1 − h_primary)(1 − h_secondary)``
  (:mod:`sim.settlement.levers`).
- ``fx_liquidity.csv``: exogenous depth of a currency market in an economy,
  the yuan's share of Moscow Exchange FX trading (Bank of Russia, via
  Reuters/TASS). Liquidity of economy e in currency c becomes
  ``max(ℓ_model, ℓ_ext(q))``: the market is at least as deep as its exchange
  turnover says, whether or not the model's traders settle in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import cache
from typing import NamedTuple

import numpy as np
import pandas as pd

from sim.errors import DataError
from sim.quarters import parse_quarter, shift_quarter
from sim.settlement.shipped import read_table

EVENTS_FILE = "payment_events.csv"
LIQUIDITY_FILE = "fx_liquidity.csv"

#: Hazard components: ``primary`` (blocking by the sanctioning jurisdictions' own
#: banks) and ``secondary`` (third-country banks under secondary-sanctions risk),
#: combined as independent events (:func:`~sim.settlement.costs.combine_components`).
COMPONENTS = ("primary", "secondary")


class EventHazard(NamedTuple):
    """A hazard of one event (the fields of :class:`~sim.settlement.config.HazardEntry`)."""

    scope: str
    from_quarter: str
    to_quarter: str
    hazard: float
    currencies: list[str]
    component: str


@cache
def payment_events() -> pd.DataFrame:
    """The shipped event table (cached read; do not mutate).

    Raises:
        DataError: A row's ``component`` is not one of :data:`COMPONENTS`, its
            ``legs`` is not a whole number >= 1, or its ``date`` or ``from_quarter``
            does not parse (naming the row and column).
    """
    table = read_table(EVENTS_FILE)
    path = f"sim/data/settlement/{EVENTS_FILE}"
    for row, e in enumerate(table.itertuples(), start=2):
        if e.component not in COMPONENTS:
            raise DataError(
                path, f"row {row}, component {e.component!r}: must be one of {COMPONENTS}"
            )
        legs = pd.to_numeric(pd.Series([e.legs]), errors="coerce").iloc[0]
        if pd.isna(legs) or legs != int(legs) or legs < 1:
            raise DataError(path, f"row {row}, legs {e.legs!r}: must be a whole number >= 1")
        try:
            in_force_fraction(str(e.date), str(e.from_quarter))
        except (ValueError, TypeError, IndexError):
            raise DataError(
                path,
                f"row {row}, date {e.date!r} (from_quarter {e.from_quarter!r}): must be "
                "YYYY-MM-DD, YYYY-MM or a range a/b, and the quarter YYYYQn",
            ) from None
    return table


def event_levels() -> tuple[str, ...]:
    """Names of the hazard levels the event table refers to."""
    return tuple(dict.fromkeys(payment_events()["level"]))


def in_force_fraction(date: str, quarter: str) -> float:
    """Share of the days of ``quarter`` on which an event dated ``date`` is in force.

    ``f = (last day of the quarter − first day in force + 1) / days in the quarter``,
    the first day in force being the first date of ``date`` (``YYYY-MM-DD`` or
    ``YYYY-MM``, then the first of the month; a range ``a/b`` starts at ``a``).
    1 if the event starts on or before the quarter's first day, 0 if after its last.
    Example: the reserve freeze of 28 Feb 2022 is in force on 32 of the 90 days
    of 2022Q1 (0.356); EO 14114 of 22 Dec 2023 on 10 of the 92 days of 2023Q4.

    Args:
        date: The event's ``date`` field of ``payment_events.csv``.
        quarter: ``"YYYYQn"``.
    """
    parts = [int(x) for x in date.split("/")[0].split("-")]
    first = dt.date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)
    year, q = parse_quarter(quarter)
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)
    days = (end - max(first, start)).days
    return min(1.0, max(0.0, days / (end - start).days))


def partial_hazard(hazard: float, fraction: float) -> float:
    """Hazard of a quarter in which a blocking risk is in force for ``fraction`` of it.

    ``h_f = 1 − (1 − h)^f``: the quarterly hazard h as a constant rate
    λ = −ln(1 − h) acting for the fraction f of the quarter, 1 − exp(−λ·f). A
    payment made before the event's date is not exposed to it, so a measure
    taken late in a quarter (28 Feb in 2022Q1) does not count as a whole
    quarter of blocking.

    Args:
        hazard: Hazard per quarter h in [0, 1].
        fraction: Share f of the quarter in force, in [0, 1].
    """
    if hazard >= 1.0:
        return 1.0 if fraction > 0 else 0.0
    return float(1.0 - (1.0 - hazard) ** fraction)


def screened_hazard(hazard: float, legs: int) -> float:
    """Hazard of a payment screened by ``legs`` banks bound by the same measure.

    ``h_n = 1 − (1 − h)^n``: each screening blocks it with probability h,
    independently (``assumed``: no source measures the correlation). A payment on
    a third-country pair of Russia (Kazakhstan, China) in USD or EUR meets one
    bank bound by the 2022 measures, the correspondent in the currency's
    jurisdiction; on a pair of Russia or Belarus with the EU it meets two, as
    the EU party's own bank is bound too (Council Regulations (EU) 2022/328,
    2022/334, 2022/345 and 2022/398 bind every EU operator). n = 2 there adds no
    parameter: the level h of one screening is the one fitted on every pair.

    Args:
        hazard: Hazard of one screening per quarter, in [0, 1].
        legs: Number of screenings n >= 1.
    """
    return float(1.0 - (1.0 - hazard) ** legs)


def event_hazards(
    levels: Mapping[str, float], by_date: bool = True, by_legs: bool = True
) -> list[EventHazard]:
    """Hazard entries of the shipped events at the given levels.

    With ``by_date``, an event whose date falls after the first day of its first
    quarter gives two entries: that quarter at :func:`partial_hazard` of its
    :func:`in_force_fraction`, and the full level from the next quarter on.

    Args:
        levels: Level name → hazard per quarter (every name of :func:`event_levels`).
        by_date: Onset on the event's date (default); False: from the first day of
            its quarter.
        by_legs: Each event at :func:`screened_hazard` of its ``legs`` (default);
            False: every event screened once.

    Returns:
        The entries of each event (one or two), in table order.
    """
    out = []
    for e in payment_events().itertuples():
        h = EventHazard(
            scope=e.scope,
            from_quarter=e.from_quarter,
            to_quarter="" if pd.isna(e.to_quarter) else str(e.to_quarter),
            hazard=screened_hazard(float(levels[e.level]), int(e.legs) if by_legs else 1),
            currencies=str(e.currencies).split(),
            component=str(e.component),
        )
        f = in_force_fraction(str(e.date), h.from_quarter) if by_date else 1.0
        if f < 1.0:
            out.append(h._replace(to_quarter=h.from_quarter, hazard=partial_hazard(h.hazard, f)))
            if h.to_quarter == h.from_quarter:  # in force for part of one quarter only
                continue
            h = h._replace(from_quarter=shift_quarter(h.from_quarter, 1))
        out.append(h)
    return out


def _month(label: str) -> int:
    year, month = (int(x) for x in label.split("-"))
    return 12 * year + month - 1


def liquidity_path(dates: Sequence[str], values: Sequence[float], quarter: str) -> float:
    """Value of a dated series at the last month of ``quarter``.

    Linear interpolation between the dated observations (``YYYY-MM``); the
    first value before the first date, the last value after the last date.

    Args:
        dates: Observation months, increasing.
        values: Observed values.
        quarter: ``"YYYYQn"``.
    """
    year, q = parse_quarter(quarter)
    x = 12 * year + 3 * q - 1
    return float(np.interp(x, [_month(d) for d in dates], np.asarray(values, dtype=float)))


class ExternalLiquidity:
    """Dated exogenous liquidity ℓ_ext of ``fx_liquidity.csv`` for one set of economies.

    The table is read once; :meth:`at` interpolates (see :func:`liquidity_path`).

    Args:
        economies: Economy codes (rows).
        currencies: Currency universe (columns).
    """

    def __init__(self, economies: Sequence[str], currencies: Sequence[str]) -> None:
        self.shape = (len(economies), len(currencies))
        self.series: list[tuple[int, int, list[str], list[float]]] = []
        t = read_table(LIQUIDITY_FILE)
        for (eco, cur), g in t.groupby(["economy", "currency"], sort=False):
            if eco in economies and cur in currencies:
                g = g.sort_values("date")
                row, col = list(economies).index(eco), list(currencies).index(cur)
                self.series.append((row, col, list(g["date"]), list(g["value"])))

    def at(self, quarter: str) -> np.ndarray:
        """(n, C) ℓ_ext in ``quarter`` (0 where the table has no series)."""
        out = np.zeros(self.shape)
        for row, col, dates, values in self.series:
            out[row, col] = liquidity_path(dates, values, quarter)
        return out


def external_liquidity(
    economies: Sequence[str], currencies: Sequence[str], quarter: str
) -> np.ndarray:
    """(n, C) exogenous liquidity of each economy's market in each currency in ``quarter``.

    From ``fx_liquidity.csv`` (0 where the table has no series); see
    :class:`ExternalLiquidity`.
    """
    return ExternalLiquidity(economies, currencies).at(quarter)
