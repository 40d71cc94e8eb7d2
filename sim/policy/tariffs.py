"""Bilateral ad-valorem tariffs: the 2023/24 regime and scheduled changes.

Baseline rule for importer j and exporter i (rates from
``sim/data/policy/tariffs_applied.csv``, WDI TM.TAX.MRCH.SM.AR.ZS, source R1;
agreements from ``trade_agreements.csv``, sources R4-R6):

1. domestic sales (i = j): 0;
2. both in the EAEU customs union: 0 (EAEU treaty, R4);
3. both parties to the CIS FTA 2011 (in force or ratified): the importer's
   applied rate × ``cis_fta_exemption_share`` — the share of trade still on
   the exemption lists (an assumed parameter, see :class:`TariffConfig`);
4. EAEU–Iran interim agreement (in force 27 Oct 2019): Iran's rate on EAEU
   goods lowered by 7 pp and the EAEU's on Iranian goods by 3.5 pp (the
   industrial cuts, NOTES.md/Armenpress 2018; applied to all goods as an
   assumption), floored at 0;
5. otherwise: the importer's applied simple-mean rate (which already averages
   over its preferences).

Missing applied rates are imputed and flagged: a CIS economy without one (TKM)
gets the mean of the other CIS economies' rates; any other economy without one
(ROW, and every economy of a wide world such as ``dots2020`` outside the 15 of
``tariffs_applied.csv``) gets the mean of all shipped rates.

Bloc membership (CIS, EAEU, CIS_FTA = the 2011 FTA's parties in force or ratified)
is the world's (:attr:`sim.data.world.World.blocs`, ``blocs.csv``), not typed here.

Scheduled changes (:class:`TariffChange`) scale the baseline rate for a set of
importers × exporters along a linear or step path between two quarters: a
:class:`~sim.policy.schedule.Schedule` (scope × window × path) with a scale.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from sim.policy.schedule import Schedule
from sim.quarters import quarter_ordinal

INTERIM_AGREEMENT = "EAEU-Iran interim agreement"
IRAN_INTERIM_CUT_BY_IRAN = 0.07
IRAN_INTERIM_CUT_BY_EAEU = 0.035


@dataclass(frozen=True)
class AppliedRates:
    """Applied tariff rate per economy (fraction) with its provenance."""

    rate: dict[str, float]
    provenance: dict[str, str]


@lru_cache(maxsize=1)
def _applied_table() -> pd.DataFrame:
    path = resources.files("sim.data.policy").joinpath("tariffs_applied.csv")
    with resources.as_file(path) as file:
        return pd.read_csv(file)


@lru_cache(maxsize=1)
def _reported() -> tuple[dict[str, float], dict[str, int]]:
    """The shipped applied rates (fractions) and their years, by ISO3 (read once a process)."""
    table = _applied_table()
    reported = {
        row.iso3: row.applied_simple_mean_pct / 100.0
        for row in table.itertuples()
        if pd.notna(row.applied_simple_mean_pct)
    }
    return reported, {row.iso3: row.year for row in table.itertuples()}


@lru_cache(maxsize=1)
def _interim_partner() -> str:
    """The EAEU's partner in the 2019 interim agreement (``trade_agreements.csv``: IRN)."""
    path = resources.files("sim.data.policy").joinpath("trade_agreements.csv")
    with resources.as_file(path) as file:
        table = pd.read_csv(file)
    row = table[table["agreement"] == INTERIM_AGREEMENT].iloc[0]
    (partner,) = [p for p in str(row["parties"]).split(";") if p != "EAEU"]
    return partner


def applied_rates(economies: Sequence[str], cis: Sequence[str] = ()) -> AppliedRates:
    """Applied simple-mean tariff per economy, imputing the missing ones.

    Args:
        economies: ISO3 codes (``"ROW"`` allowed).
        cis: The CIS economies (the world's ``CIS`` bloc): their missing rates take
            the mean of the other CIS rates.

    Returns:
        Rates as fractions and a provenance string per economy
        (``"reported (R1, year)"``, ``"imputed: ..."``).
    """
    reported, years = _reported()
    cis_rates = [reported[c] for c in cis if c in reported]
    cis_mean = float(np.mean(cis_rates)) if cis_rates else math.nan
    all_mean = float(np.mean(list(reported.values())))
    rate, provenance = {}, {}
    for code in economies:
        if code in reported:
            rate[code] = reported[code]
            provenance[code] = f"reported (R1, WDI {int(years[code])})"
        elif code in cis and cis_rates:
            rate[code] = cis_mean
            provenance[code] = "imputed: mean of the other CIS economies' applied rates"
        else:
            rate[code] = all_mean
            provenance[code] = "imputed: mean of the shipped applied rates (no figure shipped)"
    return AppliedRates(rate, provenance)


def baseline_tariffs(
    economies: Sequence[str],
    cis_fta_exemption_share: float,
    eaeu_iran_interim: bool = True,
    blocs: Mapping[str, Sequence[str]] | None = None,
) -> np.ndarray:
    """The baseline n×n tariff matrix τ_ij (row exporter i, column importer j).

    Args:
        economies: ISO3 codes in model order.
        cis_fta_exemption_share: share of CIS-FTA trade still tariffed, in [0, 1].
        eaeu_iran_interim: apply the 2019 EAEU–Iran interim cuts.
        blocs: The world's blocs (``World.blocs``: EAEU, CIS_FTA); ``None`` = those of
            the default world. Missing CIS rates take the mean over the default world's
            whole CIS bloc.

    Returns:
        n×n array of ad-valorem rates (fractions), zero on the diagonal.
    """
    from sim.data.loader import load_world

    # The CIS mean is over every CIS economy of the registry, modelled or folded.
    registry = load_world()
    blocs = registry.blocs if blocs is None else blocs
    rates = applied_rates(economies, registry.bloc_members("CIS")).rate
    codes = list(economies)
    importer_rate = np.array([rates[c] for c in codes])
    tariff = np.tile(importer_rate, (len(codes), 1))
    eaeu = np.isin(codes, list(blocs.get("EAEU", ())))
    fta = np.isin(codes, list(blocs.get("CIS_FTA", ())))
    both_fta = np.outer(fta, fta)
    tariff = np.where(both_fta, tariff * cis_fta_exemption_share, tariff)
    tariff = np.where(np.outer(eaeu, eaeu), 0.0, tariff)
    partner = _interim_partner()
    if eaeu_iran_interim and partner in codes:
        irn = codes.index(partner)
        tariff[eaeu, irn] = np.maximum(tariff[eaeu, irn] - IRAN_INTERIM_CUT_BY_IRAN, 0.0)
        tariff[irn, eaeu] = np.maximum(tariff[irn, eaeu] - IRAN_INTERIM_CUT_BY_EAEU, 0.0)
    np.fill_diagonal(tariff, 0.0)
    return tariff


def phase_fraction(quarter: str, start: str, end: str, path: str) -> float:
    """How far a phase-in has progressed at ``quarter``, in [0, 1] (:class:`Schedule`).

    ``linear``: 0 before ``start``, rising in equal steps to 1 at ``end``;
    ``step``: 0 before ``start``, 1 from ``start`` on (``end`` ignored).
    """
    schedule = Schedule(
        np.zeros((0, 0), dtype=bool), quarter_ordinal(start), quarter_ordinal(end), None, path
    )
    return schedule.fraction(quarter_ordinal(quarter))


@dataclass(frozen=True)
class ScaledChange:
    """A scheduled change resolved against a world: where, when, and the final multiple."""

    schedule: Schedule
    scale: float


def compile_changes(
    changes: Sequence[object], economies: Sequence[str], blocs: dict[str, tuple[str, ...]]
) -> list[ScaledChange]:
    """Resolve config entries (``TariffChange``) into schedules, once per run."""
    return [ScaledChange(Schedule.of(c, economies, blocs), float(c.scale)) for c in changes]


def scaled_matrix(base: np.ndarray, quarter: int, changes: Sequence[ScaledChange]) -> np.ndarray:
    """Apply resolved changes at the quarter with ordinal ``quarter``.

    Each change moves its cells from ``base`` towards ``base × scale`` by the
    fraction in force f(q): τ_ij(q) = τ_ij · (1 + f(q) · (scale − 1)). Changes
    compose multiplicatively in the order given. The diagonal never changes.
    """
    result = base
    for change in changes:
        fraction = change.schedule.fraction(quarter)
        if fraction == 0.0:
            continue
        factor = 1.0 + fraction * (change.scale - 1.0)
        result = np.where(change.schedule.cells, result * factor, result)
    return result if result is not base else base.copy()


def scheduled_matrix(
    base: np.ndarray,
    quarter: str,
    changes: Sequence[object],
    economies: Sequence[str],
    blocs: dict[str, tuple[str, ...]],
) -> np.ndarray:
    """:func:`scaled_matrix` for config entries and a quarter label (resolves them each call)."""
    return scaled_matrix(base, quarter_ordinal(quarter), compile_changes(changes, economies, blocs))
