"""Dated events that drive the settlement layer: blocking hazards and FX-market depth.

Two shipped tables of ``sim/data/settlement``, each row with its source:

- ``payment_events.csv``: payment-blocking events (the 2022 reserve freeze and
  SWIFT disconnections, Chinese state banks' 2022 restrictions on USD finance
  of Russian trade, US Executive Order 14114 of 22 Dec 2023, Chinese banks'
  refusals of Russia-linked payments in early 2024). Each event puts a hazard
  of the named *level* (a parameter: fitted on the 2022 points, or for the
  post-2022 events assumed equal to a 2022 level) on some currencies of the
  pairs in its scope from its quarter on. Each event belongs to a *component*:
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

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from sim.quarters import parse_quarter
from sim.settlement.shipped import read_table

EVENTS_FILE = "payment_events.csv"
LIQUIDITY_FILE = "fx_liquidity.csv"


class EventHazard(NamedTuple):
    """A hazard of one event (the fields of :class:`~sim.settlement.config.HazardEntry`)."""

    scope: str
    from_quarter: str
    to_quarter: str
    hazard: float
    currencies: list[str]
    component: str


def payment_events() -> pd.DataFrame:
    """The shipped event table (cached read; do not mutate)."""
    return read_table(EVENTS_FILE)


def event_levels() -> tuple[str, ...]:
    """Names of the hazard levels the event table refers to."""
    return tuple(dict.fromkeys(payment_events()["level"]))


def event_hazards(levels: Mapping[str, float]) -> list[EventHazard]:
    """Hazard entries of the shipped events at the given levels.

    Args:
        levels: Level name → hazard per quarter (every name of :func:`event_levels`).

    Returns:
        One :class:`EventHazard` per event, in table order.
    """
    out = []
    for e in payment_events().itertuples():
        out.append(
            EventHazard(
                scope=e.scope,
                from_quarter=e.from_quarter,
                to_quarter="" if pd.isna(e.to_quarter) else str(e.to_quarter),
                hazard=float(levels[e.level]),
                currencies=str(e.currencies).split(),
                component=str(e.component),
            )
        )
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
