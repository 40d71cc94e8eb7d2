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

import numpy as np
import pandas as pd

from sim.settlement.market import Market

HEADLINE_PAIRS = (("RUS", "CHN"), ("RUS", "KAZ"), ("RUS", "IRN"), ("RUS", "IND"))


def _share(flows: np.ndarray, shares: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> float:
    """Σ_p∈rows F_p Σ_c∈cols s_pc / Σ_p∈rows F_p (NaN if no trade).

    ``cols`` is a (C,) or (P, C) boolean mask.
    """
    f = flows[rows]
    den = float(f.sum())
    if den <= 0:
        return float("nan")
    sel = shares[rows] * (cols if cols.ndim == 1 else cols[rows])
    return float(f @ sel.sum(axis=1) / den)


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
    m = market
    veh = m.vehicle
    nat = m.national
    out: dict[str, float] = {}
    for bloc, suffix in (("CIS", "cis"), ("EAEU", "eaeu")):
        rows = m.bloc_pairs(bloc)
        out[f"national_currency_share_{suffix}"] = _share(flows, shares, rows, nat)
        key = "vehicle_currency_share" if bloc == "CIS" else "vehicle_currency_share_eaeu"
        out[key] = _share(flows, shares, rows, veh)
    every = np.ones(m.n_pairs, dtype=bool)
    out["national_currency_share_world"] = _share(flows, shares, every, nat)
    out["vehicle_currency_share_world"] = _share(flows, shares, every, veh)
    cis = m.bloc_pairs("CIS")
    for rows, key in ((cis, "settlement_cost_cis"), (every, "settlement_cost_world")):
        den = float(flows[rows].sum())
        out[key] = float((flows[rows] * pair_cost[rows]).sum() / den) if den > 0 else float("nan")

    def col(code: str) -> np.ndarray:
        c = np.zeros(m.n_currencies, dtype=bool)
        if code in m.currencies:
            c[m.currencies.index(code)] = True
        return c

    if "RUS" in m.economies:
        rus = m.exp == m.economies.index("RUS")
    else:
        rus = np.zeros(m.n_pairs, dtype=bool)
    for code in ("RUB", "USD", "EUR", "CNY"):
        out[f"rus_exports_{code.lower()}"] = _share(flows, shares, rus, col(code))
    usd_eur = col("USD") | col("EUR")
    out["rus_exports_usd_eur"] = _share(flows, shares, rus, usd_eur)
    out["rus_exports_friendly"] = _share(flows, shares, rus, ~(usd_eur | col("RUB")))
    eaeu = m.bloc_pairs("EAEU")
    out["eaeu_rub"] = _share(flows, shares, eaeu, col("RUB"))
    out["eaeu_usd"] = _share(flows, shares, eaeu, col("USD"))
    for a, b in HEADLINE_PAIRS:
        rows = np.zeros(m.n_pairs, dtype=bool)
        if a in m.economies and b in m.economies:
            ia, ib = m.economies.index(a), m.economies.index(b)
            rows = ((m.exp == ia) & (m.imp == ib)) | ((m.exp == ib) & (m.imp == ia))
        out[f"{a.lower()}_{b.lower()}_national"] = _share(flows, shares, rows, nat)
    return out


def settlement_table(
    quarter: str,
    market: Market,
    available: np.ndarray,
    by_value: np.ndarray,
    by_count: np.ndarray,
    mean_cost: np.ndarray,
) -> pd.DataFrame:
    """Long table for ``settlement.parquet``: one row per pair and currency.

    Rows: every offered option, and any option still held by traders.

    Args:
        quarter: Quarter label.
        market: Static structure.
        available: (P, C) offered options.
        by_value: (P, C) value shares.
        by_count: (P, C) count shares.
        mean_cost: (P, C) ad-valorem cost (see :class:`SettlementResult`).

    Returns:
        DataFrame with columns quarter, exporter, importer, currency,
        share_by_value, share_by_count, mean_cost.
    """
    m = market
    p, c = np.nonzero(available | (by_count > 0))
    econ = np.asarray(m.economies, dtype=object)
    ccy = np.asarray(m.currencies, dtype=object)
    return pd.DataFrame(
        {
            "quarter": quarter,
            "exporter": econ[m.exp[p]],
            "importer": econ[m.imp[p]],
            "currency": ccy[c],
            "share_by_value": by_value[p, c],
            "share_by_count": by_count[p, c],
            "mean_cost": mean_cost[p, c],
        }
    )
