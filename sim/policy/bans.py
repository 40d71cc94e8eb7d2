"""Coercive measures on trade: import and export bans on pairs and dates (issue 17 §6).

A ban covers a share of a pair's trade — the goods it names, as a share of the
pair's trade value in a stated year — from a first quarter on (optionally
phased in over wind-down quarters, optionally lifted). It is a prohibitive
trade cost on the covered goods: with a share β_ij of the flow i → j banned,
the importer's demand weight for i's goods falls to (1 − β_ij) of its baseline
(t̂ → ∞ on the banned part, so λ'_ij ∝ (1 − β_ij) λ_ij (p̂_i t̂_ij)^(1−σ)); a full
ban (β = 1) removes the flow. Import bans (the importer forbids) and export
bans (the exporter forbids) act on the same cells; ``imposed_by`` records which
it is. The covered share is of the pair's trade as a whole (one sector): the
banned goods' own substitution is not modelled, only the cut.

Deficits: a ban leaves every economy's deficit at its baseline share of income
(:func:`sim.economics.gravity.spending_ratios`), carried by the trade still
allowed. A ban thus moves no income between economies: the target's real income
changes only through its terms of trade p̂/P̂ (and the world factor κ̂ common to
all), so an embargo cannot make it richer by letting it spend a surplus it earned
on the banned goods.

Several bans on one pair cover different goods, so their shares add up:
allowed = 1 − min(1, Σ f·β).

Goods groups. A ban may name a commodity group ``group`` of the routing layer
(``sim/data/corridors/commodity_groups.csv``: ``oil_gas``, ``bulk``, ``metals``,
…) and the share ``coverage`` of that group's value its goods make up; then

    β_ij = m_i,g · coverage

with m_i,g exporter i's export-value share of group g (``export_mix.csv``,
sourced or flagged as assumed there). As in the routing layer, the pair's
composition is assumed equal to the exporter's, so one ban on a bloc of
exporters bans a different share of each exporter's trade. A ban names either
a group (and its coverage) or a stated ``share``, not both; a measure whose
goods span several groups keeps a stated share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from sim.data.commodities import Commodities, shipped_commodities
from sim.errors import ConfigError
from sim.fields import param
from sim.policy.schedule import PATHS, Schedule
from sim.quarters import is_quarter, quarter_ordinal

IMPOSERS = ("importer", "exporter")


@dataclass
class TradeBan:
    """A ban on (a share of) the trade from some exporters to some importers.

    Attributes:
        exporters: ISO3 codes or bloc names whose goods are banned; empty or ALL = all.
        importers: ISO3 codes or bloc names where they are banned; as ``exporters``.
        both_directions: Also ban the reverse flows (an embargo both ways).
        imposed_by: ``importer`` (an import ban) or ``exporter`` (an export ban).
        goods: What is banned, in words (e.g. "coal, HS 2701").
        share: Share of the pair's trade value the banned goods make up, in (0, 1];
            leave it at 1 when ``group`` is set (the share is then derived).
        group: Commodity group the banned goods belong to (``commodity_groups.csv``,
            e.g. ``oil_gas``); empty = none (``share`` is used).
        coverage: Share of the group's value the banned goods make up, in (0, 1]
            (1 = the whole group); used only with ``group``.
        start: First quarter the ban applies (``YYYYQn``).
        end: Quarter a linear wind-down completes (≥ start; = start for a step).
        path: ``step`` (in full from ``start``) or ``linear`` (phased in to ``end``).
        until: Quarter from which the ban is lifted (empty = never).
        source: Where the ban and its coverage are published.
    """

    exporters: list[str] = field(default_factory=list)
    importers: list[str] = field(default_factory=list)
    both_directions: bool = False
    imposed_by: str = param("importer", choices=IMPOSERS)
    goods: str = "all goods"
    share: float = param(1.0, low=0.0, high=1.0, open_low=True, unit="share of pair's trade")
    group: str = ""
    coverage: float = param(1.0, low=0.0, high=1.0, open_low=True, unit="share of the group")
    start: str = param("2025Q1", quarter=True)
    end: str = param("2025Q1", quarter=True)
    path: str = param("step", choices=PATHS)
    until: str | None = None
    source: str = ""


@dataclass(frozen=True)
class ResolvedBan:
    """A ban resolved against one world.

    Attributes:
        schedule: The pairs and dates.
        share: Banned share β of each exporter's flows (length n, one per exporter row).
    """

    schedule: Schedule
    share: np.ndarray


def banned_shares(ban: TradeBan, economies: Sequence[str], commodities: Commodities) -> np.ndarray:
    """β_i for every exporter i: the stated share, or m_i,g · coverage for a goods group.

    Raises:
        DataError: if an exporter has no row in ``export_mix.csv``.
    """
    if not ban.group:
        return np.full(len(economies), float(ban.share))
    column = commodities.groups.index(ban.group)
    return commodities.shares(list(economies))[:, column] * float(ban.coverage)


def compile_bans(
    bans: Sequence[TradeBan],
    economies: Sequence[str],
    blocs: dict[str, tuple[str, ...]],
    commodities: Commodities | None = None,
) -> list[ResolvedBan]:
    """Resolve the configured bans once per run.

    Args:
        bans: The configured bans.
        economies: The run's economies (ROW last).
        blocs: Bloc name → member codes.
        commodities: Commodity groups and export mix; default the shipped tables
            (read only if a ban names a group).
    """
    if commodities is None and any(ban.group for ban in bans):
        commodities = shipped_commodities()
    return [
        ResolvedBan(Schedule.of(ban, economies, blocs), banned_shares(ban, economies, commodities))
        for ban in bans
    ]


def allowed_share(n: int, quarter: int, bans: Sequence[ResolvedBan]) -> np.ndarray | None:
    """n×n share of each flow still allowed at quarter ordinal ``quarter`` (None = no ban).

    allowed_ij = 1 − min(1, Σ_bans f_b(q) β_b) over the bans whose scope holds (i, j)
    (the bans cover different goods of the pair); the diagonal is never banned.
    """
    banned = None
    for ban in bans:
        fraction = ban.schedule.fraction(quarter)
        if fraction == 0.0:
            continue
        if banned is None:
            banned = np.zeros((n, n))
        banned = banned + np.where(ban.schedule.cells, fraction * ban.share[:, None], 0.0)
    return None if banned is None else 1.0 - np.minimum(banned, 1.0)


def validate_ban(key: str, ban: TradeBan) -> None:
    """Check the ban-specific fields (scope and dates are checked like tariff changes).

    Raises:
        ConfigError: naming the key and the allowed range.
    """
    for name in ("start", "end"):
        value = getattr(ban, name)
        if not is_quarter(value) or not 1990 <= int(value[:4]) <= 2100:
            raise ConfigError(
                f"{key}.{name}", f"must be a quarter label YYYYQn (1990Q1-2100Q4), got {value!r}"
            )
    if ban.path not in PATHS:
        raise ConfigError(f"{key}.path", f"must be 'linear' or 'step', got {ban.path!r}")
    for name in ("share", "coverage"):
        value = getattr(ban, name)
        if not (0.0 < value <= 1.0) or not np.isfinite(value):
            raise ConfigError(f"{key}.{name}", f"must be in (0, 1], got {value}")
    if ban.group:
        groups = shipped_commodities().groups
        if ban.group not in groups:
            raise ConfigError(
                f"{key}.group", f"must be one of {', '.join(groups)} (or empty), got {ban.group!r}"
            )
        if ban.share != 1.0:
            raise ConfigError(
                f"{key}.share",
                f"leave it out when group is set (the share is derived: the exporter's "
                f"{ban.group} share in export_mix.csv x coverage), got {ban.share}",
            )
    elif ban.coverage != 1.0:
        raise ConfigError(f"{key}.coverage", "applies only with a group; set group or share")
    if ban.imposed_by not in IMPOSERS:
        raise ConfigError(
            f"{key}.imposed_by", f"must be 'importer' or 'exporter', got {ban.imposed_by!r}"
        )
    if ban.until is not None:
        if not is_quarter(ban.until):
            raise ConfigError(f"{key}.until", f"must be a quarter label YYYYQn, got {ban.until!r}")
        if quarter_ordinal(ban.until) <= quarter_ordinal(ban.start):
            raise ConfigError(f"{key}.until", f"must be after start ({ban.start}), got {ban.until}")
