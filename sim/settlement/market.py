"""Static structure of the settlement market: pairs, currencies, options, legs.

Built once per run from the world's economies and the config. Everything is a
numpy array indexed by international pair ``p`` (exporter ``exp[p]`` ≠ importer
``imp[p]``, row-major over the flow matrix) and by currency ``c`` in the
currency universe ``currencies`` (the world's currencies, then the vehicles,
then third currencies named by the rules).

Options of a pair (``option_from[p, c]`` = first quarter index it is offered):

- every vehicle currency (``cfg.vehicles``, default USD and EUR), always;
- the exporter's and the importer's currency, always;
- a third currency where a :class:`~sim.settlement.config.ThirdCurrencyRule`
  allows it. Defaults: CNY on every pair with Russia from 2022Q1 (after the
  2022 restrictions on Russia's vehicle-currency payments Russian trade moved
  to CNY: the CBR reports CNY 0.4 % → 14 % of export receipts Jan → Sep 2022),
  and RUB on pairs with both parties in the CIS (RUB is the anchor of
  intra-regional settlement: 81.3 % of EAEU mutual settlements in 2023, EEC).
  CNY is offered on any pair with CHN anyway, as China's own currency.

National currency (``national[p, c]``): not a vehicle, and either the currency
of one of the parties, or, on a pair with both parties in ``cfg.national_bloc``
(default CIS), the currency of another member of that bloc. EUR on a pair with
the EU and USD on a pair with ROW therefore count as vehicle, not national.

Conversion legs of settling pair p in currency c: the importer converts its
home currency to c (unless they are equal), the exporter converts c to its home
currency (unless equal). A leg is a *vehicle leg* if either currency is a
vehicle (a deep global market, always a direct link) and a *national leg*
otherwise (needs a direct correspondent link between the converting economy's
banks and the issuer of c; otherwise the payment goes through USD). A leg into
or out of an *onshore-only* currency (``cfg.onshore_currencies``, default RUB)
is national even against a vehicle: after Clearstream (28 Feb 2022) and
Euroclear (1 Mar 2022) stopped settling RUB, a rest-of-world or EU buyer gets
roubles only through Russian banks — directly, with the link density to Russia,
or through the vehicle channel into Russia, with its hazard
(:func:`leg_kinds`), from the quarter the config names (default 2022Q1); before
it the leg is a vehicle leg (``Market.onshore_from``, resolved per quarter by the
lever schedule).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from sim.errors import ConfigError
from sim.quarters import quarter_ordinal
from sim.settlement.config import SettlementConfig
from sim.settlement.registry import Registry, registry

#: Quarter index meaning "always" / "never".
ALWAYS = -(10**6)
NEVER = 10**6

LEG_NONE, LEG_VEHICLE, LEG_NATIONAL = 0, 1, 2


@dataclass(frozen=True)
class Market:
    """Static settlement structure (see module docstring).

    Attributes:
        economies: World economy codes, ROW last.
        currencies: Currency universe (ISO codes).
        home: (n,) currency index of each economy's own currency.
        vehicle: (C,) True for vehicle currencies.
        usd: Index of USD in ``currencies``.
        codes: Economy-code universe U for link densities: the world's
            economies, then issuers of third currencies outside the world.
        issuer_u: (C,) index in ``codes`` of each currency's issuer (-1 for a
            vehicle whose issuer is not in ``codes``).
        exp, imp: (P,) exporter and importer economy indices of each pair.
        incidence: (n, P) 1.0 where the economy is a party of the pair.
        option_from: (P, C) first quarter index the option is offered.
        national: (P, C) national-currency option (see module docstring).
        leg_kind_imp, leg_kind_exp: (P, C) LEG_NONE / LEG_VEHICLE / LEG_NATIONAL
            while every currency has an offshore market (:meth:`leg_kinds_at`
            gives them for a quarter).
        onshore_from: (C,) first quarter index a currency is onshore-only
            (``NEVER`` if it never is).
        blocs: Bloc name → member codes (restricted to ``codes``).
        derived: Cache of structures derived from the market (filled on use).
    """

    economies: tuple[str, ...]
    currencies: tuple[str, ...]
    home: np.ndarray
    vehicle: np.ndarray
    usd: int
    codes: tuple[str, ...]
    issuer_u: np.ndarray
    exp: np.ndarray
    imp: np.ndarray
    incidence: np.ndarray
    option_from: np.ndarray
    national: np.ndarray
    leg_kind_imp: np.ndarray
    leg_kind_exp: np.ndarray
    onshore_from: np.ndarray
    blocs: dict[str, tuple[str, ...]]
    _scope_cache: dict[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)
    #: Structures derived from the market and cached by their builders (e.g. headline maps).
    derived: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    @property
    def n_pairs(self) -> int:
        """Number of international pairs P = n(n-1)."""
        return int(self.exp.size)

    @property
    def n_currencies(self) -> int:
        """Size C of the currency universe."""
        return len(self.currencies)

    def available(self, q: int) -> np.ndarray:
        """(P, C) bool: options offered in quarter index ``q``."""
        return self.option_from <= q

    def leg_kinds_at(self, onshore: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(P, C) importer and exporter leg kinds with the onshore-only currencies ``onshore``.

        Args:
            onshore: (C,) bool, currencies with no offshore market in the quarter
                (``onshore_from <= q``).
        """
        if not onshore.any():
            return self.leg_kind_imp, self.leg_kind_exp
        key = "legs:" + onshore.tobytes().hex()
        if key not in self.derived:
            self.derived[key] = tuple(
                leg_kinds(self.home[e], self.vehicle, onshore) for e in (self.imp, self.exp)
            )
        return self.derived[key]  # type: ignore[return-value]

    def ever_available(self) -> np.ndarray:
        """(P, C) bool: options offered in some quarter."""
        return self.option_from < NEVER

    def pair_index(self, exporter: str, importer: str) -> int:
        """Index of the pair (exporter, importer)."""
        n = len(self.economies)
        i, j = self.economies.index(exporter), self.economies.index(importer)
        if i == j:
            raise ValueError("a pair needs two different economies")
        return i * (n - 1) + (j if j < i else j - 1)

    def scope_pairs(self, scope: str) -> np.ndarray:
        """(P,) bool mask of the world pairs in a scope (cached; do not mutate)."""
        if scope not in self._scope_cache:
            u = self.u_index
            mat = scope_matrix(scope, self.codes, self.blocs)
            self._scope_cache[scope] = mat[u[self.exp], u[self.imp]]
        return self._scope_cache[scope]

    @property
    def u_index(self) -> np.ndarray:
        """(n,) index of each world economy in ``codes`` (the identity prefix)."""
        return np.arange(len(self.economies))

    def bloc_pairs(self, bloc: str) -> np.ndarray:
        """(P,) bool: pairs with both parties in ``bloc`` (all False if unknown)."""
        if bloc not in self.blocs:
            return np.zeros(self.n_pairs, dtype=bool)
        return self.scope_pairs(bloc)


def scope_matrix(scope: str, codes: Sequence[str], blocs: dict[str, tuple[str, ...]]) -> np.ndarray:
    """(U, U) bool: which unordered code pairs a scope covers (diagonal False).

    Args:
        scope: ``"ALL"``, an economy code, a bloc name or ``"AAA-BBB"``.
        codes: Economy-code universe.
        blocs: Bloc name → members.

    Returns:
        Symmetric boolean matrix.
    """
    u = len(codes)
    idx = {c: k for k, c in enumerate(codes)}
    m = np.zeros((u, u), dtype=bool)
    if scope == "ALL":
        m[:] = True
    elif scope in blocs:
        inside = np.array([c in blocs[scope] for c in codes])
        m = np.outer(inside, inside)
    elif scope in idx:
        m[idx[scope], :] = True
        m[:, idx[scope]] = True
    elif "-" in scope:
        a, b = scope.split("-", 1)
        if a in idx and b in idx:
            m[idx[a], idx[b]] = m[idx[b], idx[a]] = True
    np.fill_diagonal(m, False)
    return m


def build_market(
    economies: Sequence[str],
    currencies: Sequence[str],
    blocs: dict[str, tuple[str, ...]],
    cfg: SettlementConfig,
) -> Market:
    """Build the static market for a world.

    Args:
        economies: Economy codes of the World, ROW last.
        currencies: Currency of each economy, same order.
        blocs: Bloc name → member codes.
        cfg: Validated settlement config.

    Returns:
        The :class:`Market`.

    Raises:
        ConfigError: On a length mismatch.
    """
    economies = tuple(economies)
    if len(currencies) != len(economies):
        raise ConfigError(
            "settlement.currencies",
            f"must have one currency per economy ({len(economies)}), got {len(currencies)}",
        )
    if len(economies) < 2:
        raise ConfigError("settlement.economies", "needs at least two economies")
    ccys: list[str] = []
    for c in list(currencies) + list(cfg.vehicles) + [r.currency for r in cfg.third_currency_rules]:
        if c not in ccys:
            ccys.append(c)
    n, cc = len(economies), len(ccys)
    cidx = {c: k for k, c in enumerate(ccys)}
    home = np.array([cidx[c] for c in currencies], dtype=np.int64)
    vehicle = np.array([c in cfg.vehicles for c in ccys])

    reg = registry(economies, currencies)
    issuer = [_issuer(c, reg, economies) for c in ccys]
    codes = list(economies)
    codes += [e for e in dict.fromkeys(issuer) if e is not None and e not in codes]
    uidx = {e: k for k, e in enumerate(codes)}
    issuer_u = np.array([uidx.get(e or "", -1) for e in issuer], dtype=np.int64)
    blocs_u = {b: tuple(m for m in mem if m in uidx) for b, mem in blocs.items()}

    ii, jj = np.nonzero(~np.eye(n, dtype=bool))
    exp, imp = ii.astype(np.int64), jj.astype(np.int64)
    npairs = exp.size
    incidence = np.zeros((n, npairs))
    incidence[exp, np.arange(npairs)] = 1.0
    incidence[imp, np.arange(npairs)] = 1.0

    option_from = np.full((npairs, cc), NEVER, dtype=np.int64)
    option_from[:, vehicle] = ALWAYS
    option_from[np.arange(npairs), home[exp]] = ALWAYS
    option_from[np.arange(npairs), home[imp]] = ALWAYS
    for rule in cfg.third_currency_rules:
        start = quarter_ordinal(rule.from_quarter) if rule.from_quarter else ALWAYS
        mask = scope_matrix(rule.scope, codes, blocs_u)[exp, imp]
        col = cidx[rule.currency]
        option_from[mask, col] = np.minimum(option_from[mask, col], start)

    bloc = cfg.national_bloc
    in_bloc = np.array([e in blocs_u.get(bloc, ()) for e in codes])
    both_in = in_bloc[exp] & in_bloc[imp]
    issuer_in_bloc = np.array([k >= 0 and in_bloc[k] for k in issuer_u])
    col = np.arange(cc)[None, :]
    party = (col == home[exp][:, None]) | (col == home[imp][:, None])
    national = ~vehicle[None, :] & (party | (both_in[:, None] & issuer_in_bloc[None, :]))

    onshore_from = np.array(
        [
            (quarter_ordinal(cfg.onshore_currencies[c]) if cfg.onshore_currencies[c] else ALWAYS)
            if c in cfg.onshore_currencies
            else NEVER
            for c in ccys
        ],
        dtype=np.int64,
    )

    def legs(h: np.ndarray) -> np.ndarray:
        return leg_kinds(h, vehicle, np.zeros(cc, dtype=bool))

    return Market(
        economies=economies,
        currencies=tuple(ccys),
        home=home,
        vehicle=vehicle,
        usd=cidx["USD"],
        codes=tuple(codes),
        issuer_u=issuer_u,
        exp=exp,
        imp=imp,
        incidence=incidence,
        option_from=option_from,
        national=national,
        leg_kind_imp=legs(home[imp]),
        leg_kind_exp=legs(home[exp]),
        onshore_from=onshore_from,
        blocs=blocs_u,
    )


def leg_kinds(home: np.ndarray, vehicle: np.ndarray, onshore: np.ndarray) -> np.ndarray:
    """(P, C) kind of the conversion leg of a party with home currency ``home[p]`` into c.

    ``LEG_NONE`` if c = home; ``LEG_VEHICLE`` if c or home is a vehicle, unless c is
    an onshore-only currency (no offshore market: Clearstream 28 Feb 2022 and
    Euroclear 1 Mar 2022 stopped settling RUB); ``LEG_NATIONAL`` otherwise.

    Args:
        home: (P,) currency index of the converting party's home currency.
        vehicle: (C,) True for vehicle currencies.
        onshore: (C,) True for currencies traded only in their issuer's market.

    Returns:
        (P, C) int8 leg kinds.
    """
    col = np.arange(vehicle.size)[None, :]
    deep = (vehicle[None, :] | vehicle[home][:, None]) & ~onshore[None, :]
    kind = np.where(deep, LEG_VEHICLE, LEG_NATIONAL)
    kind[col == home[:, None]] = LEG_NONE
    return kind.astype(np.int8)


def _issuer(c: str, reg: Registry, economies: Sequence[str]) -> str | None:
    """Issuer of a currency in the registry (the run's world first); ROW only if in the world."""
    iss = reg.issuer(c)
    return None if iss == "ROW" and "ROW" not in economies else iss
