"""Initial settlement shares per pair: from the shipped rule table or synthetic.

The table ``sim/data/settlement/initial_shares_2021.csv`` holds rules
(exporter pattern, importer pattern, currency token, share, status, source).
Patterns: ``*``, an economy code, or a bloc name (member). The first rule whose
patterns match a pair gives its shares. Currency tokens: an ISO code; ``EXP``
/ ``IMP`` (the exporter's / importer's currency); ``NAT_OTHER`` (the pair's
national options not named elsewhere in the rule, evenly). Shares of tokens
that are not offered at start are dropped and the rest renormalized.

Rows with status ``solved`` have no share: their shares are solved at start so
that Russia's export receipts by currency equal the CBR figures used as the
initial state (rows ``use == initial`` of ``targets.csv``).
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from sim.errors import DataError
from sim.quarters import quarter_ordinal, quarter_range
from sim.settlement.market import Market
from sim.settlement.shipped import read_table


def _match(pattern: str, code: str, blocs: dict[str, tuple[str, ...]]) -> bool:
    if pattern == "*":
        return True
    if pattern in blocs:
        return code in blocs[pattern]
    return pattern == code


def _rule_shares(
    rows: pd.DataFrame, p: int, market: Market, avail: np.ndarray, solved: dict[str, float]
) -> np.ndarray:
    """(C,) shares of one pair from one rule's rows (before normalization)."""
    m = market
    out = np.zeros(m.n_currencies)
    named: set[int] = set()
    nat_other = 0.0
    for r in rows.itertuples():
        tok = r.currency
        share = solved[tok] if r.status == "solved" else float(r.share)
        if tok == "NAT_OTHER":
            nat_other += share
            continue
        if tok == "EXP":
            c = int(m.home[m.exp[p]])
        elif tok == "IMP":
            c = int(m.home[m.imp[p]])
        elif tok in m.currencies:
            c = m.currencies.index(tok)
        else:
            continue
        named.add(c)
        if avail[p, c]:
            out[c] += share
    if nat_other > 0:
        cols = [c for c in np.flatnonzero(m.national[p] & avail[p]) if c not in named]
        for c in cols:
            out[c] += nat_other / len(cols)
    return out


#: Initial shares by a hash of their inputs (set-up is paid once per distinct input).
_SHARES_CACHE: dict[str, tuple[np.ndarray, dict[str, float]]] = {}


def _inputs_hash(market: Market, flows: np.ndarray, avail: np.ndarray, table: str) -> str:
    """SHA-1 of everything :func:`table_shares` reads."""
    m = market
    h = hashlib.sha1(repr((table, m.economies, m.currencies, sorted(m.blocs.items()))).encode())
    for a in (m.exp, m.imp, m.home, m.national, np.asarray(flows, float), avail):
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def table_shares(
    market: Market, flows: np.ndarray, avail: np.ndarray, table: str = "cis2021"
) -> tuple[np.ndarray, dict[str, float]]:
    """Initial (P, C) shares from the shipped rule table (cached by a hash of the inputs).

    Args and returns as :func:`_table_shares`; the arrays returned are copies.
    """
    key = _inputs_hash(market, flows, avail, table)
    if key not in _SHARES_CACHE:
        _SHARES_CACHE[key] = _table_shares(market, flows, avail, table)
    shares, solved = _SHARES_CACHE[key]
    return shares.copy(), dict(solved)


def _table_shares(
    market: Market, flows: np.ndarray, avail: np.ndarray, table: str = "cis2021"
) -> tuple[np.ndarray, dict[str, float]]:
    """Initial (P, C) shares from the shipped rule table.

    Args:
        market: Static structure.
        flows: (P,) pair trade values (weights for the solved rule).
        avail: (P, C) options offered at start.
        table: Table name (``"cis2021"``).

    Returns:
        ``(shares, solved)``: rows sum to 1 over offered options; ``solved`` maps
        the solved rule's currencies to their shares (empty if RUS is absent).
    """
    rules = read_table("initial_shares_2021.csv")
    order = list(dict.fromkeys(rules["rule"]))
    groups = {k: rules[rules["rule"] == k] for k in order}
    m = market
    assign = np.empty(m.n_pairs, dtype=object)
    for p in range(m.n_pairs):
        a, b = m.economies[m.exp[p]], m.economies[m.imp[p]]
        for k in order:
            g = groups[k]
            if _match(g["exporter"].iloc[0], a, m.blocs) and _match(
                g["importer"].iloc[0], b, m.blocs
            ):
                assign[p] = k
                break
        else:  # pragma: no cover - the table ends with a catch-all
            raise DataError("initial_shares_2021.csv", f"no rule matches {a}->{b}")
    shares = np.zeros((m.n_pairs, m.n_currencies))
    solved_rule = [k for k in order if (groups[k]["status"] == "solved").any()]
    solved: dict[str, float] = {}
    zero = {t: 0.0 for t in rules.loc[rules["status"] == "solved", "currency"]}
    for p in range(m.n_pairs):
        if assign[p] not in solved_rule:
            shares[p] = _rule_shares(groups[assign[p]], p, m, avail, zero)
    if solved_rule and "RUS" in m.economies:
        k = solved_rule[0]
        solved = _solve_rus_exports(m, flows, avail, shares, assign == k, groups[k])
        for p in np.flatnonzero(assign == k):
            shares[p] = _rule_shares(groups[k], p, m, avail, solved)
    tot = shares.sum(axis=1, keepdims=True)
    bad = tot[:, 0] <= 0
    if bad.any():  # a rule named only currencies not offered: fall back to even vehicles
        shares[bad] = (m.vehicle[None, :] & avail[bad]).astype(float)
        tot = shares.sum(axis=1, keepdims=True)
    return shares / tot, solved


def _solve_rus_exports(
    m: Market,
    flows: np.ndarray,
    avail: np.ndarray,
    fixed: np.ndarray,
    in_rule: np.ndarray,
    rows: pd.DataFrame,
) -> dict[str, float]:
    """Shares of the solved rule so that Russia's export receipts hit the targets.

    With w = the solved pairs' share of Russia's exports and f_c the currency
    shares contributed by the other Russian export pairs,
    ``x_c = (t_c − f_c) / w`` for each solved currency, clipped at 0 and
    normalized to sum 1 (closed form).
    """
    targets = read_table("targets.csv")
    init = targets[targets["use"] == "initial"].set_index("series")["value"]
    rus = m.economies.index("RUS")
    rus_rows = m.exp == rus
    f_tot = flows[rus_rows].sum()
    w = flows[rus_rows & in_rule].sum() / f_tot
    contrib = (flows[rus_rows & ~in_rule, None] * fixed[rus_rows & ~in_rule]).sum(axis=0) / f_tot
    out: dict[str, float] = {}
    for tok in rows["currency"]:
        key = f"rus_exports_{tok.lower()}"
        if tok in m.currencies and key in init.index and w > 0:
            out[tok] = max(0.0, (float(init[key]) - contrib[m.currencies.index(tok)]) / w)
        else:
            out[tok] = 0.0
    s = sum(out.values())
    return {k: v / s for k, v in out.items()} if s > 0 else out


def synthetic_shares(
    market: Market, avail: np.ndarray, national_share: float, anchor: str = ""
) -> np.ndarray:
    """Synthetic start: ``national_share`` evenly over offered national options, rest over vehicles.

    Args:
        market: Static structure.
        avail: (P, C) offered options.
        national_share: Share in national currencies, in [0, 1].
        anchor: If set, the national share goes to this currency where it is an
            offered national option.

    Returns:
        (P, C) shares; a pair with no national option puts everything on vehicles.
    """
    nat = market.national & avail
    if anchor and anchor in market.currencies:
        a = np.zeros_like(nat)
        a[:, market.currencies.index(anchor)] = True
        has = (nat & a).any(axis=1, keepdims=True)
        nat = np.where(has, nat & a, nat)
    nat = nat.astype(float)
    veh = (market.vehicle[None, :] & avail).astype(float)
    n_nat = nat.sum(axis=1, keepdims=True)
    n_veh = veh.sum(axis=1, keepdims=True)
    has_nat = n_nat > 0
    ns = np.where(has_nat, national_share, 0.0)
    return ns * nat / np.maximum(n_nat, 1) + (1 - ns) * veh / np.maximum(n_veh, 1)


def with_floor(shares: np.ndarray, avail: np.ndarray, floor: float) -> np.ndarray:
    """Give every offered option at least ``floor`` and renormalize rows."""
    s = np.where(avail, np.maximum(shares, floor), 0.0)
    return s / s.sum(axis=1, keepdims=True)


#: Date of each shipped initial settlement state (end of the quarter it describes).
INITIAL_QUARTER = {"cis2021": "2021Q4"}


def spinup_quarters(enabled: bool, table: str, start: str) -> list[str]:
    """Quarters the settlement layer is run through before the first simulated quarter.

    The shipped initial state describes 2021Q4. A run starting later first
    replays the settlement layer from 2021Q4 to the quarter before ``start``, on
    the calibration trade matrix and under the configured levers and the dated
    events (the 2022 payment-blocking measures, ...), so the first simulated
    quarter starts from the state that history implies rather than from 2021.

    Args:
        enabled: Whether the settlement layer runs.
        table: ``settlement.initial.table`` (``""``: synthetic start, no spin-up).
        start: ``sim.start``.
    """
    initial = INITIAL_QUARTER.get(table)
    if not enabled or initial is None:
        return []
    count = quarter_ordinal(start) - quarter_ordinal(initial)
    return quarter_range(initial, count) if count > 0 else []
