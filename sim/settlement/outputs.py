"""Outputs of the settlement layer: the long table and the headline series.

Definitions (value-weighted by the quarter's trade flows):

- *national currency*: see :mod:`sim.settlement.market` (a party's currency,
  or on a pair inside the national bloc (CIS) another member's currency;
  never a vehicle).
- ``national_currency_share_cis`` / ``_eaeu``: national share of trade between
  members (both parties in the bloc).
- ``vehicle_currency_share`` / ``_eaeu``: USD + EUR (the vehicles) share of the
  same trade.
- ``rus_exports_<ccy>``: share of Russia's exports to every partner (ROW
  included) settled in RUB, USD, EUR, CNY; ``_usd_eur`` = USD + EUR;
  ``_friendly`` = everything else (as in the CBR statistics).
- ``<a>_<b>_national``: national share of the pair's trade, both directions
  (RUS-CHN: RUB + CNY).
- ``eaeu_rub`` / ``eaeu_usd``: RUB / USD share of intra-EAEU trade.
- ``settlement_cost_cis`` / ``_world``: value-weighted ad-valorem settlement
  cost of intra-CIS / all international trade.

A headline whose scope has no trade in the world (e.g. no RUS) is NaN, by
design and documented here: the key is always present so that columns of
``world.parquet`` are stable.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.settlement.market import Market

HEADLINE_PAIRS = (("RUS", "CHN"), ("RUS", "KAZ"), ("RUS", "IRN"), ("RUS", "IND"))


class HeadlineSpec:
    """The headline series as fixed linear maps of (flows, shares, pair cost).

    Every series is ``Σ_p Σ_c N[k, p, c] F_p s_pc / Σ_p D[k, p] F_p`` (shares) or
    ``Σ_p D[k, p] F_p cost_p / Σ_p D[k, p] F_p`` (costs); NaN when the denominator is
    0. Built once per market, so a quarter costs two small matrix products.

    Args:
        market: Static structure.
    """

    def __init__(self, market: Market) -> None:
        m = market
        p, c = m.n_pairs, m.n_currencies
        veh, nat = m.vehicle, m.national
        every = np.ones(p, dtype=bool)
        names: list[str] = []
        num: list[np.ndarray] = []
        den: list[np.ndarray] = []
        cost_names: list[str] = []
        cost_rows: list[np.ndarray] = []
        order: list[tuple[str, int]] = []  # (kind, index) in output order

        def share(key: str, rows: np.ndarray, cols: np.ndarray) -> None:
            sel = np.broadcast_to(cols, (p, c)) & rows[:, None]
            order.append(("share", len(names)))
            names.append(key)
            num.append(sel.reshape(-1).astype(float))
            den.append(rows.astype(float))

        def cost(key: str, rows: np.ndarray) -> None:
            order.append(("cost", len(cost_names)))
            cost_names.append(key)
            cost_rows.append(rows.astype(float))

        def col(code: str) -> np.ndarray:
            out = np.zeros(c, dtype=bool)
            if code in m.currencies:
                out[m.currencies.index(code)] = True
            return out

        for bloc, suffix in (("CIS", "cis"), ("EAEU", "eaeu")):
            rows = m.bloc_pairs(bloc)
            share(f"national_currency_share_{suffix}", rows, nat)
            key = "vehicle_currency_share" if bloc == "CIS" else "vehicle_currency_share_eaeu"
            share(key, rows, veh)
        share("national_currency_share_world", every, nat)
        share("vehicle_currency_share_world", every, veh)
        cost("settlement_cost_cis", m.bloc_pairs("CIS"))
        cost("settlement_cost_world", every)
        if "RUS" in m.economies:
            rus = m.exp == m.economies.index("RUS")
        else:
            rus = np.zeros(p, dtype=bool)
        for code in ("RUB", "USD", "EUR", "CNY"):
            share(f"rus_exports_{code.lower()}", rus, col(code))
        usd_eur = col("USD") | col("EUR")
        share("rus_exports_usd_eur", rus, usd_eur)
        share("rus_exports_friendly", rus, ~(usd_eur | col("RUB")))
        eaeu = m.bloc_pairs("EAEU")
        share("eaeu_rub", eaeu, col("RUB"))
        share("eaeu_usd", eaeu, col("USD"))
        for a, b in HEADLINE_PAIRS:
            rows = np.zeros(p, dtype=bool)
            if a in m.economies and b in m.economies:
                ia, ib = m.economies.index(a), m.economies.index(b)
                rows = ((m.exp == ia) & (m.imp == ib)) | ((m.exp == ib) & (m.imp == ia))
            share(f"{a.lower()}_{b.lower()}_national", rows, nat)
        self.names = tuple(names)
        self.cost_names = tuple(cost_names)
        self.numerator = np.array(num)  # (K, P·C)
        self.denominator = np.array(den)  # (K, P)
        self.cost_rows = np.array(cost_rows)  # (K', P)
        self.order = tuple(order)
        # output position → index into the concatenated (share values, cost values)
        self._keys = tuple(
            self.names[k] if kind == "share" else self.cost_names[k] for kind, k in order
        )
        self._nan = np.full(len(order), np.nan)
        self._take = np.array(
            [k if kind == "share" else len(names) + k for kind, k in order], dtype=np.intp
        )

    def __call__(
        self, flows: np.ndarray, shares: np.ndarray, pair_cost: np.ndarray
    ) -> dict[str, float]:
        """Headline series (see module docstring); arguments as :func:`headline`."""
        fs = (flows[:, None] * shares).reshape(-1)
        den = self.denominator @ flows
        cden = self.cost_rows @ flows
        # NaN where the denominator is 0 (divided only where it is positive)
        out = self._nan.copy()
        k = den.size
        np.divide(self.numerator @ fs, den, out=out[:k], where=den > 0)
        np.divide(self.cost_rows @ (flows * pair_cost), cden, out=out[k:], where=cden > 0)
        return dict(zip(self._keys, out.take(self._take).tolist(), strict=True))


def headline_spec(market: Market) -> HeadlineSpec:
    """The market's :class:`HeadlineSpec` (built on first use, then cached on the market)."""
    spec = market.derived.get("headline")
    if spec is None:
        spec = market.derived["headline"] = HeadlineSpec(market)
    return spec  # type: ignore[return-value]


def headline(
    market: Market, flows: np.ndarray, shares: np.ndarray, pair_cost: np.ndarray
) -> dict[str, float]:
    """Headline series for ``world.parquet`` (see module docstring).

    Args:
        market: Static structure.
        flows: (P,) pair trade values.
        shares: (P, C) value shares.
        pair_cost: (P,) value-weighted settlement cost of each pair.

    Returns:
        Dict of floats.
    """
    return headline_spec(market)(flows, shares, pair_cost)


class TableBuilder:
    """The long table for ``settlement.parquet``, one row per shown (pair, currency).

    Columns quarter, exporter, importer, currency, share_by_value,
    share_by_count, mean_cost. A cell is shown when the option is offered or
    still held by traders. The exporter, importer and currency labels of every
    cell are built once as pandas string arrays; a table takes the rows it needs.

    Args:
        market: Static structure.
    """

    def __init__(self, market: Market) -> None:
        m = market
        p, c = np.divmod(np.arange(m.n_pairs * m.n_currencies), m.n_currencies)
        econ = np.asarray(m.economies, dtype=object)
        ccy = np.asarray(m.currencies, dtype=object)
        self.exporter = pd.array(econ[m.exp[p]], dtype="str")
        self.importer = pd.array(econ[m.imp[p]], dtype="str")
        self.currency = pd.array(ccy[c], dtype="str")

    def __call__(
        self,
        quarter: str,
        available: np.ndarray,
        by_value: np.ndarray,
        by_count: np.ndarray,
        mean_cost: np.ndarray,
    ) -> pd.DataFrame:
        """Long table of one quarter (arguments as :meth:`many`, one quarter)."""
        return self.many([quarter], [available], [by_value], [by_count], [mean_cost])

    def many(
        self,
        quarters: Sequence[str],
        available: Sequence[np.ndarray],
        by_value: Sequence[np.ndarray],
        by_count: Sequence[np.ndarray],
        mean_cost: Sequence[np.ndarray],
    ) -> pd.DataFrame:
        """Long tables of several quarters in one frame, quarter by quarter.

        Args:
            quarters: Quarter labels (Q).
            available: (Q, P, C) offered options (or Q arrays (P, C)).
            by_value: (Q, P, C) value shares (or Q arrays).
            by_count: (Q, P, C) count shares (or Q arrays).
            mean_cost: (Q, P, C) ad-valorem cost (or Q arrays).
        """
        q, size = len(quarters), self.currency.size
        shown = np.reshape(available, (q, size)) | (np.reshape(by_count, (q, size)) > 0)
        flat = np.flatnonzero(shown)  # quarter by quarter, cells in (P, C) order
        quarter, keep = np.divmod(flat, size)

        def column(arrays: Sequence[np.ndarray]) -> np.ndarray:
            return np.reshape(arrays, -1).take(flat)

        return pd.DataFrame(
            {
                "quarter": pd.array(list(quarters), dtype="str").take(quarter),
                "exporter": self.exporter.take(keep),
                "importer": self.importer.take(keep),
                "currency": self.currency.take(keep),
                "share_by_value": column(by_value),
                "share_by_count": column(by_count),
                "mean_cost": column(mean_cost),
            },
            copy=False,
        )
