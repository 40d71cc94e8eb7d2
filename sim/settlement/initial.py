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

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from sim.errors import DataError
from sim.quarters import quarter_ordinal, quarter_range
from sim.settlement.market import Market
from sim.settlement.shipped import read_table


def _pattern_members(pattern: str, economies: tuple[str, ...], blocs: dict) -> np.ndarray:
    """(n,) bool: which economies a rule pattern (``*``, a code or a bloc name) matches."""
    if pattern == "*":
        return np.ones(len(economies), dtype=bool)
    members = blocs.get(pattern, (pattern,))
    return np.array([e in members for e in economies])


@dataclass(frozen=True)
class Rule:
    """One rule of the initial-shares table: patterns and (token, share) rows in table order.

    ``share`` is NaN on the rows whose status is ``solved``.
    """

    name: str
    exporter: str
    importer: str
    tokens: tuple[str, ...]
    share: np.ndarray
    solved: bool


@cache
def read_rules(name: str = "initial_shares_2021.csv") -> tuple[Rule, ...]:
    """The shipped rule table as :class:`Rule` objects, in table order (cached)."""
    rules = read_table(name)
    out = []
    for rule, rows in rules.groupby("rule", sort=False):
        solved = (rows["status"] == "solved").to_numpy()
        share = np.where(solved, np.nan, rows["share"].to_numpy(float))
        first = rows.iloc[0]
        tokens = tuple(rows["currency"])
        out.append(Rule(str(rule), first.exporter, first.importer, tokens, share, solved.any()))
    return tuple(out)


def rule_of_pairs(market: Market, rules: Sequence[Rule]) -> np.ndarray:
    """(P,) index of the first rule whose exporter and importer patterns match each pair.

    Raises:
        DataError: If a pair matches no rule (the shipped table ends with a catch-all).
    """
    m = market
    assign = np.full(m.n_pairs, -1, dtype=np.int64)
    for k, r in enumerate(rules):
        hit = (assign < 0) & _pattern_members(r.exporter, m.economies, m.blocs)[m.exp]
        hit &= _pattern_members(r.importer, m.economies, m.blocs)[m.imp]
        assign[hit] = k
    if (assign < 0).any():
        p = int(np.flatnonzero(assign < 0)[0])
        pair = f"{m.economies[m.exp[p]]}->{m.economies[m.imp[p]]}"
        raise DataError("initial_shares_2021.csv", f"no rule matches {pair}")
    return assign


def rule_shares(
    market: Market, pairs: np.ndarray, tokens: Sequence[str], share: np.ndarray, avail: np.ndarray
) -> np.ndarray:
    """(len(pairs), C) shares of the given pairs under one rule (before normalization).

    Each token puts its share on one currency: an ISO code, ``EXP`` / ``IMP``
    (the exporter's / importer's own currency); dropped where not offered.
    ``NAT_OTHER`` goes evenly to the pair's offered national options that no
    token of the rule names.

    Args:
        market: Static structure.
        pairs: (k,) pair indices governed by the rule.
        tokens: The rule's currency tokens, in table order.
        share: Share of each token.
        avail: (P, C) options offered at start.
    """
    m = market
    k = np.arange(pairs.size)
    out = np.zeros((pairs.size, m.n_currencies))
    named = np.zeros_like(out, dtype=bool)
    nat_other = 0.0
    for tok, x in zip(tokens, share, strict=True):
        if tok == "NAT_OTHER":
            nat_other += x
            continue
        if tok == "EXP":
            c = m.home[m.exp[pairs]]
        elif tok == "IMP":
            c = m.home[m.imp[pairs]]
        elif tok in m.currencies:
            c = np.full(pairs.size, m.currencies.index(tok))
        else:
            continue
        named[k, c] = True
        out[k, c] += np.where(avail[pairs, c], x, 0.0)
    if nat_other > 0:
        cols = m.national[pairs] & avail[pairs] & ~named
        n = cols.sum(axis=1, keepdims=True)
        out += np.where(cols, nat_other / np.maximum(n, 1), 0.0)
    return out


def table_shares(
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
        the solved rule's currencies to their shares (empty if its exporter is absent).
    """
    m = market
    rules = read_rules()
    assign = rule_of_pairs(m, rules)
    shares = np.zeros((m.n_pairs, m.n_currencies))
    for k, r in enumerate(rules):
        if not r.solved:
            pairs = np.flatnonzero(assign == k)
            shares[pairs] = rule_shares(m, pairs, r.tokens, r.share, avail)
    # the first solved rule is solved for its exporter's receipts; any later one stays empty
    k = next((k for k, r in enumerate(rules) if r.solved), -1)
    solved: dict[str, float] = {}
    if k >= 0 and rules[k].exporter in m.economies:
        r, in_rule = rules[k], assign == k
        solved = _solve_exports(m, r.exporter, flows, shares, in_rule, r.tokens)
        x = np.where(np.isnan(r.share), [solved[t] for t in r.tokens], r.share)
        shares[in_rule] = rule_shares(m, np.flatnonzero(in_rule), r.tokens, x, avail)
    tot = shares.sum(axis=1, keepdims=True)
    bad = tot[:, 0] <= 0
    if bad.any():  # a rule named only currencies not offered: fall back to even vehicles
        shares[bad] = (m.vehicle[None, :] & avail[bad]).astype(float)
        tot = shares.sum(axis=1, keepdims=True)
    return shares / tot, solved


def _solve_exports(
    m: Market,
    exporter: str,
    flows: np.ndarray,
    fixed: np.ndarray,
    in_rule: np.ndarray,
    tokens: Sequence[str],
) -> dict[str, float]:
    """Shares of the solved rule so that the exporter's receipts hit the targets.

    The targets are the rows ``use == initial`` of ``targets.csv`` named
    ``<exporter>_exports_<currency>`` (for RUS: the CBR receipts of Jan 2022).
    With w = the solved pairs' share of the exporter's exports and f_c the
    currency shares contributed by its other export pairs,
    ``x_c = (t_c − f_c) / w`` for each solved currency, clipped at 0 and
    normalized to sum 1 (closed form).
    """
    targets = read_table("targets.csv")
    init = targets[targets["use"] == "initial"].set_index("series")["value"]
    rows = m.exp == m.economies.index(exporter)
    f_tot = flows[rows].sum()
    w = flows[rows & in_rule].sum() / f_tot
    contrib = (flows[rows & ~in_rule, None] * fixed[rows & ~in_rule]).sum(axis=0) / f_tot
    out: dict[str, float] = {}
    for tok in tokens:
        key = f"{exporter.lower()}_exports_{tok.lower()}"
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
