"""Calibrate route choice and freight levels to published corridor volumes; print the table.

Run: ``uv run python -m sim.routing.calibrate`` (prints the calibration table
for the shipped defaults); ``--identification`` prints the China-EU rail share
over a grid of δ and an East-West friction (why δ sits below Hummels &
Schaur's range, see :func:`identification`); ``--fit`` re-fits the parameters first and prints
them; ``--write`` also writes ``sim/data/corridors/calibration.csv`` and, after
``--fit``, the fitted parameters to ``sim/data/corridors/fitted_parameters.json``,
the one source of the :class:`~sim.routing.config.CorridorsConfig` defaults.

What is fitted (:data:`PARAMETERS`): the value of time δ
(``corridors.value_of_time_per_day``) to the rail share of China-EU trade
value, and one friction per corridor (``corridors.corridor_frictions``,
US$/t, an alternative-specific constant of the route-choice logit) to that
corridor's fitted volume (and one on the Astara crossing to the Astara
transit figure), each by bisection, swept Gauss-Seidel. θ (logit
dispersion) stays at 5: fitted instead of δ it runs to its bound (100) with
the rail share still 5x too high, and an East-West friction runs to 1,000
US$/t. The transport cost share is reported against its cited band (not
used by the fit). Everything else in :data:`FACTS` is held out:
never used by the fit, only reported; rows marked ``held out (check)`` are
further published volumes on the same network (Kazakh transit, Zabaikalsk,
all China-Europe trains, Samur) that check its structure.

Every fact is measured the way its source defines it and in the period it
describes (:mod:`sim.routing.periods`): the mean over the period's quarters
(dated capacities and the corridors' published delivery times of that year in
force, :func:`baseline_phase`) on that year's trade matrix, annualised where the
fact is annual; on the goods, pairs and segments the source counts (each
fact's ``definition``). Containers are counted at K8's 57,600 US$ per TEU
(UTLC ERA 2020: US$31.5bn in 547,000 TEU) on manufactures, the group whose
value per tonne is derived from it.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from sim.routing.config import FITTED_FILE, CorridorsConfig, fitted_parameters
from sim.routing.dated import delivery_day_changes
from sim.routing.periods import TRADE_BASIS, flows_in, quarters_of
from sim.routing.phase import CorridorPhase

OUT = Path(__file__).resolve().parents[1] / "data" / "corridors" / "calibration.csv"
#: Start quarter of the phase the facts are measured with (its baseline is not used).
START = "2023Q1"
#: K8: UTLC ERA 2020, US$31.5bn in 547,000 TEU -> US$ of goods per TEU (containers).
USD_PER_TEU = 31.5e9 / 547_000
#: Goods counted as containers (the group whose US$/t is derived from K8; assumed).
CONTAINER_GROUPS = ("manufactures",)
#: Cited band of freight and fees as a share of trade value (trade-weighted).
COST_SHARE_BAND = (0.04, 0.08)
COST_SHARE_SOURCE = (
    "Hummels (2007, JEP 21(3)): trade-weighted US import transport costs fell from 6 % to 4 %;"
    " Pomfret & Sourdin (2008): about 5 % of Australian import value; upper end 8 % assumed"
    " for the landlocked CIS"
)

Measure = Callable[[CorridorPhase, object, np.ndarray], float]


@dataclass(frozen=True)
class Fact:
    """One published figure and how the model measures it.

    Attributes:
        name: Short label.
        year: Period the figure describes, as published.
        period: Quarters it is measured in: ``YYYY`` (mean of the four) or ``YYYYQn``.
        observed: Published value (in ``unit``).
        unit: Unit of ``observed`` and of the model value.
        status: ``fitted``, ``held out`` or ``held out (check)``.
        source: corridor_facts.csv source key or URL.
        definition: What the source counts and so what the model sums.
        measure: Model value from (phase, that quarter's result, that year's flows).
    """

    name: str
    year: str
    period: str
    observed: float
    unit: str
    status: str
    source: str
    definition: str
    measure: Measure


# -- rows of the latest assignment (one per class and candidate path) -------------


def _rows_on(phase: CorridorPhase, *segments: str) -> np.ndarray:
    """Rows whose path uses any of ``segments``."""
    ids = list(phase.net.segment_ids)
    cols = [ids.index(s) for s in segments]
    return np.asarray(phase._incidence[:, cols].sum(axis=1)).ravel() > 0


def _rows_in(phase: CorridorPhase, corridor: str) -> np.ndarray:
    """Rows whose path uses a segment of ``corridor``."""
    return phase._uses[:, phase._corridors.index(corridor)] > 0


def _rows_through(phase: CorridorPhase, *territory: str) -> np.ndarray:
    """Rows whose path touches a hub in ``territory`` (ISO3)."""
    return (phase._incidence @ phase.net.in_territory(list(territory))) > 0


def _rows_of(phase: CorridorPhase, select: Callable[[str, str, str], bool]) -> np.ndarray:
    """Rows of the classes ``select(exporter, importer, group)`` picks."""
    econ, groups = phase.economies, phase.net.commodities.groups
    pick = np.array(
        [
            select(econ[i], econ[j], groups[g])
            for i, j, g in zip(phase._class_i, phase._class_j, phase.classes.group, strict=True)
        ]
    )
    return np.repeat(pick, np.diff(phase.classes.ptr))


def _freight(phase: CorridorPhase) -> np.ndarray:
    """Rows on non-pipeline paths."""
    return ~phase.paths.pipeline[phase.classes.path]


def _tonnes(phase: CorridorPhase, rows: np.ndarray) -> float:
    """Tonnes per quarter on ``rows``."""
    return float(phase.last_assignment.path_tonnes[rows].sum())


def _value(phase: CorridorPhase, rows: np.ndarray) -> float:
    """US$ per quarter of the goods on ``rows`` (tonnes x the group's US$/t)."""
    value = np.repeat(phase._class_value, np.diff(phase.classes.ptr))
    return float((phase.last_assignment.path_tonnes * value)[rows].sum())


def _mt_per_year(rows: Callable[[CorridorPhase], np.ndarray]) -> Measure:
    return lambda phase, result, flows: _tonnes(phase, rows(phase)) * 4 / 1e6


def _t_per_quarter(rows: Callable[[CorridorPhase], np.ndarray]) -> Measure:
    return lambda phase, result, flows: _tonnes(phase, rows(phase))


def _kteu_per_year(rows: Callable[[CorridorPhase], np.ndarray]) -> Measure:
    """Thousand TEU per year of the container goods on ``rows`` (K8's US$ per TEU)."""

    def measure(phase: CorridorPhase, result, flows) -> float:
        boxes = rows(phase) & _rows_of(phase, lambda a, b, g: g in CONTAINER_GROUPS)
        return _value(phase, boxes) * 4 / USD_PER_TEU / 1e3

    return measure


def _transit(*country: str) -> Callable[[str, str, str], bool]:
    """Classes with neither end in ``country`` (transit through it)."""
    return lambda a, b, g: a not in country and b not in country


def _between(side_a: set[str], side_b: set[str]) -> Callable[[str, str, str], bool]:
    return lambda a, b, g: (a in side_a and b in side_b) or (a in side_b and b in side_a)


def titr_rows(phase: CorridorPhase) -> np.ndarray:
    """TITR (K6): the Aktau/Kuryk-Baku/Alat crossing on routes that do not enter Russia.

    The TITR volume (KTZ, the TITR association) counts cargo on the route
    China/Central Asia-Kazakhstan-Caspian-Azerbaijan-Georgia-Turkiye/EU; a path
    that reaches Baku from Russia (INSTC western) and crosses to Aktau is not on it.
    """
    return _rows_on(phase, "aktau-baku") & ~_rows_through(phase, "RUS")


def rzd_rows(phase: CorridorPhase, *segments: str) -> np.ndarray:
    """Russian Railways' shipments on an INSTC branch (K3): paths on Russian territory."""
    return _rows_on(phase, *segments) & _rows_through(phase, "RUS")


def rail_value_share_chn_eu(phase: CorridorPhase, result, flows) -> float:
    """Share (%) of CHN↔EUU trade value on UTLC ERA's route (K8): rail via KAZ-RUS-BLR.

    UTLC ERA carries 1,520 mm transit through Kazakhstan, Russia and Belarus, so a
    path counts if it crosses a CHN-KAZ gateway and Brest-Malaszewicze. The share is
    of value (tonnes x US$/t of each group), as K8 states it (US$31.5bn = 5.5 %).
    """
    pair = _rows_of(phase, _between({"CHN"}, {"EUU"}))
    era = pair & _rows_in(phase, "CHN-KAZ gateways") & _rows_on(phase, "brest-malaszewicze")
    return 100 * _value(phase, era) / _value(phase, pair)


def transport_cost_share(phase: CorridorPhase, result, flows) -> float:
    """Freight and fees as % of the value of international trade (trade-weighted).

    The money part of the paths' cost, so it includes the capacity prices paid on
    full segments (a slot premium is paid like a fee; 0.07 pp of 6.2 % on the 2023
    network) as well as the corridor frictions.
    """
    out = phase.last_assignment
    money = out.path_cost - phase._path_time_value * out.path_days
    spent = float((money * out.path_tonnes).sum()) * 4  # US$ per year
    routed = phase._routed(np.asarray(flows, dtype=float))
    return 100 * spent / (float((routed * ~np.eye(len(routed), dtype=bool)).sum()) * 1e9)


def _overland(phase: CorridorPhase) -> np.ndarray:
    """Rows whose path has no deep-sea leg (rail, road, ferries)."""
    return (phase._incidence @ (phase.net.mode == "sea").astype(float)) == 0


def _china_europe_via_kaz(phase: CorridorPhase) -> np.ndarray:
    return _rows_of(phase, _between({"CHN"}, {"EUU"})) & _rows_through(phase, "KAZ")


def _kaz_transit(phase: CorridorPhase) -> np.ndarray:
    return _rows_of(phase, _transit("KAZ")) & _rows_through(phase, "KAZ") & _freight(phase)


FACTS: tuple[Fact, ...] = (
    Fact(
        "Middle Corridor (TITR, Aktau-Baku)",
        "2023",
        "2023",
        2.75,
        "Mt/yr",
        "fitted",
        "K6",
        "Aktau-Baku tonnage on routes not entering Russia (titr_rows)",
        _mt_per_year(titr_rows),
    ),
    Fact(
        "INSTC eastern via Bolashak",
        "2024",
        "2024",
        1.6,
        "Mt/yr",
        "fitted",
        "K4",
        "all cargo via Bolashak station (KTZ): Beyneu-Bolashak tonnage",
        _mt_per_year(lambda ph: _rows_on(ph, "beyneu-bolashak")),
    ),
    Fact(
        "China-EU trade value on UTLC ERA rail (KAZ-RUS-BLR)",
        "2020",
        "2020",
        5.5,
        "% of value",
        "fitted",
        "K8",
        "CHN<->EUU value via a CHN-KAZ gateway and Brest-Malaszewicze / all CHN<->EUU value",
        rail_value_share_chn_eu,
    ),
    Fact(
        "INSTC eastern (rail), Russian Railways, one quarter",
        "2023-Q1",
        "2023Q1",
        234800,
        "t/quarter",
        "held out",
        "K3 (tass.com/economy/1613107); RZD's own shipments: tass.com/economy/1613095",
        "Russian Railways' shipments: Beyneu-Bolashak tonnage on paths on Russian territory",
        _t_per_quarter(lambda ph: rzd_rows(ph, "beyneu-bolashak")),
    ),
    Fact(
        "INSTC Trans-Caspian, Russian Railways, one quarter",
        "2023-Q1",
        "2023Q1",
        74700,
        "t/quarter",
        "fitted",
        "K3",
        "Russian Railways' shipments: Astrakhan/Makhachkala-Anzali ferries, paths on Russian"
        " territory",
        _t_per_quarter(
            lambda ph: rzd_rows(ph, "astrakhan-bandar_anzali", "makhachkala-bandar_anzali")
        ),
    ),
    Fact(
        "INSTC western via Samur/Yalama, Russian Railways, one quarter",
        "2023-Q1",
        "2023Q1",
        2.2e6,
        "t/quarter",
        "fitted",
        "K3",
        "Russian Railways' shipments: Makhachkala-Baku (Samur) tonnage on Russian territory",
        _t_per_quarter(lambda ph: rzd_rows(ph, "makhachkala-baku")),
    ),
    Fact(
        "INSTC western, Azerbaijani transit via Astara (Jan-Jul x 12/7)",
        "2024",
        "2024",
        434651 * 12 / 7 / 1e6,
        "Mt/yr",
        "fitted",
        "K5",
        "transit (neither end AZE) on the Astara crossing",
        _mt_per_year(
            lambda ph: _rows_on(ph, "astara_aze-astara_irn") & _rows_of(ph, _transit("AZE"))
        ),
    ),
    Fact(
        "INSTC, all branches, one quarter (more than)",
        "2023-Q1",
        "2023Q1",
        2.3e6,
        "t/quarter",
        "held out (check)",
        "NOTES.md: portnews-type report (RZD telegram), no URL; tellerreport 31 May 2023",
        "Russian shipments on any of the three branches (the K3 segments, a path once)",
        _t_per_quarter(
            lambda ph: rzd_rows(
                ph,
                "beyneu-bolashak",
                "astrakhan-bandar_anzali",
                "makhachkala-bandar_anzali",
                "makhachkala-baku",
            )
        ),
    ),
    Fact(
        "China/Asia-Europe container transit via Kazakhstan (Jan-Apr x 3)",
        "2023",
        "2023",
        301.6 * 3,
        "kTEU/yr",
        "held out",
        "NOTES.md: inform.kz 27 May 2024",
        "CHN<->EUU containers (manufactures at K8's US$/TEU) on paths through KAZ",
        _kteu_per_year(_china_europe_via_kaz),
    ),
    Fact(
        "China-Europe-China container transit via Kazakhstan",
        "2021",
        "2021",
        660.0,
        "kTEU/yr",
        "held out (check)",
        "K9 (KTZ via lok-report): more than 660,000 TEU",
        "as the 2023 row, on 2021 trade",
        _kteu_per_year(_china_europe_via_kaz),
    ),
    Fact(
        "All container transit via Kazakhstan",
        "2021",
        "2021",
        1066.0,
        "kTEU/yr",
        "held out (check)",
        "K9 (KTZ via lok-report)",
        "containers (manufactures, K8's US$/TEU) of pairs with neither end KAZ, through KAZ",
        _kteu_per_year(lambda ph: _rows_of(ph, _transit("KAZ")) & _rows_through(ph, "KAZ")),
    ),
    Fact(
        "All transit cargo via Kazakhstan (rail)",
        "2022",
        "2022",
        26.8,
        "Mt/yr",
        "held out (check)",
        "NOTES.md: portnews 19 Jan 2023; Astana Times 14 Apr 2023",
        "non-pipeline tonnes of pairs with neither end KAZ, on paths through KAZ",
        _mt_per_year(_kaz_transit),
    ),
    Fact(
        "China-Kazakhstan rail crossings (Dostyk, Altynkol), Jan-Jul x 12/7",
        "2023",
        "2023",
        16.2 * 12 / 7,
        "Mt/yr",
        "held out (check)",
        "KTZ press service (railways.kz/en/news/volume-traffic-through-altynkol-khorgos-border"
        "-increase/): 16.2 Mt at both junctions in Jan-Jul 2023; not in corridor_facts.csv",
        "tonnage on the CHN-KAZ gateway segments (all pairs, both directions)",
        _mt_per_year(lambda ph: _rows_in(ph, "CHN-KAZ gateways")),
    ),
    Fact(
        "China's transit via Kazakhstan (rail)",
        "2023",
        "2023",
        6.2,
        "Mt/yr",
        "held out (check)",
        "Transport Minister Karabayev, Nov 2023, via Astana Times 22 Jan 2024 (China 27 % of"
        " Kazakhstan's transit, 6.2 Mt; period not stated, taken as 2023); not in"
        " corridor_facts.csv",
        "non-pipeline tonnes of pairs with CHN at one end and neither end KAZ, through KAZ",
        _mt_per_year(lambda ph: _kaz_transit(ph) & _rows_of(ph, lambda a, b, g: "CHN" in (a, b))),
    ),
    Fact(
        "China-Europe Railway Express, all routes (Jan-Nov x 12/11)",
        "2024",
        "2024",
        1749 * 12 / 11,
        "kTEU/yr",
        "held out (check)",
        "NOTES.md: world-today-news, no URL",
        "CHN<->EUU containers (manufactures, K8's US$/TEU) on paths without a deep-sea leg",
        _kteu_per_year(lambda ph: _rows_of(ph, _between({"CHN"}, {"EUU"})) & _overland(ph)),
    ),
    Fact(
        "Samur/Yalama crossing, road and rail, all cargo",
        "2022",
        "2022",
        7.0,
        "Mt/yr",
        "held out (check)",
        "NOTES.md: tellerreport 31 May 2023, no URL",
        "Makhachkala-Baku tonnage, all pairs (the network has one link for road and rail)",
        _mt_per_year(lambda ph: _rows_on(ph, "makhachkala-baku")),
    ),
    Fact(
        "Zabaikalsk-Manzhouli rail crossing, both directions",
        "2023",
        "2023",
        22.0,
        "Mt/yr",
        "held out (check)",
        "Russian Railways via TASS 30 Jan 2024 (tass.com/economy/1739339); not in"
        " corridor_facts.csv",
        "Novosibirsk-Manzhouli tonnage",
        _mt_per_year(lambda ph: _rows_on(ph, "novosibirsk-manzhouli")),
    ),
    Fact(
        "Russia's Far Eastern rail crossings with China and Mongolia, both directions",
        "2023",
        "2023",
        43.9,
        "Mt/yr",
        "held out (check)",
        "Russian Railways via TASS 30 Jan 2024 (tass.com/economy/1739339, the same report);"
        " not in corridor_facts.csv",
        "Novosibirsk-Manzhouli and Nakhodka-Suifenhe tonnage (the network's Russia-China"
        " rail crossings; the crossings to Mongolia and the Amur bridges are not modelled, so"
        " the model should be below)",
        _mt_per_year(lambda ph: _rows_on(ph, "novosibirsk-manzhouli", "nakhodka-suifenhe")),
    ),
    Fact(
        "Kazakhstan-China rail freight (bilateral)",
        "2022",
        "2022",
        23.0,
        "Mt/yr",
        "held out",
        "NOTES.md: Astana Times",
        "KAZ<->CHN tonnes on non-pipeline paths",
        _mt_per_year(lambda ph: _rows_of(ph, _between({"KAZ"}, {"CHN"})) & _freight(ph)),
    ),
    Fact(
        "CPC pipeline throughput (expected)",
        "2023",
        "2023",
        61.0,
        "Mt/yr",
        "held out",
        "Trend 15 Jun 2023 (en.trend.az/casia/kazakhstan/3762125.html); not in corridor_facts.csv",
        "pipe:cpc tonnage",
        _mt_per_year(lambda ph: _rows_on(ph, "pipe:cpc")),
    ),
    Fact(
        "Transport cost (freight + fees) / trade value",
        "2000s",
        "2023",
        6.0,
        "% of value",
        "held out (band 4-8)",
        COST_SHARE_SOURCE,
        "money cost x tonnes / trade value, on 2023 trade (the band has no year)",
        transport_cost_share,
    ),
)


def baseline_phase(cfg: CorridorsConfig | None = None) -> CorridorPhase:
    """The routing phase the facts are measured with (start :data:`START`, 2023 trade).

    The corridors' published delivery times of each year are in force
    (:func:`sim.routing.dated.delivery_day_changes`, the earliest back-dated):
    the shipped network is the 2024 corridor, so a 2023 fact sees 2023's extra
    days on the Caspian crossing and a 2020 one 2021's. The fitted parameters
    are those of the shipped network (no extra days from 2024 on).
    """
    from sim.data.loader import load_world

    world = load_world()
    cfg = cfg or CorridorsConfig()
    dated = [*cfg.border_time_changes, *delivery_day_changes(backdate=True)]
    cfg = replace(cfg, border_time_changes=dated)
    return CorridorPhase(world.economies, cfg, world.flows, START)


def evaluate(cfg: CorridorsConfig | None = None, facts: tuple[Fact, ...] = FACTS) -> list[float]:
    """Model value of each fact: the mean over its period's quarters, each on its year's trade."""
    phase = baseline_phase(cfg)
    wanted: dict[str, list[int]] = {}
    for k, f in enumerate(facts):
        for q in quarters_of(f.period):
            wanted.setdefault(q, []).append(k)
    values: list[list[float]] = [[] for _ in facts]
    for q in sorted(wanted):
        flows = flows_in(int(q[:4]))
        result = phase.step(q, flows)
        for k in wanted[q]:
            values[k].append(facts[k].measure(phase, result, flows))
    return [float(np.mean(v)) for v in values]


def table(cfg: CorridorsConfig | None = None) -> list[dict[str, object]]:
    """One row per fact: fact, year, observed, model, unit, miss %, status, trade, source."""
    rows = []
    for f, model in zip(FACTS, evaluate(cfg), strict=True):
        rows.append(
            {
                "fact": f.name,
                "year": f.year,
                "observed": f.observed,
                "model": model,
                "unit": f.unit,
                "miss_pct": 100 * (model / f.observed - 1),
                "status": f.status,
                "trade": TRADE_BASIS[int(f.period[:4])],
                "definition": f.definition,
                "source": f.source,
            }
        )
    return rows


#: Fitted parameter -> the fitted fact it is solved for (by name prefix), and
#: whether the model value rises with the parameter.
PARAMETERS = (
    ("value_of_time_per_day", "China-EU trade value on UTLC ERA", True),
    ("Middle Corridor", "Middle Corridor", False),
    ("INSTC eastern", "INSTC eastern via Bolashak", False),
    ("INSTC western", "INSTC western via Samur", False),
    ("INSTC Trans-Caspian", "INSTC Trans-Caspian", False),
    ("astara_aze-astara_irn", "INSTC western, Azerbaijani transit", False),
)
BOUNDS = {"value_of_time_per_day": (1e-5, 0.021)}
FRICTION_BOUNDS = (0.0, 1000.0)


def _with(cfg: CorridorsConfig, name: str, value: float) -> CorridorsConfig:
    if name == "value_of_time_per_day":
        return replace(cfg, value_of_time_per_day=float(value))
    return replace(cfg, corridor_frictions={**cfg.corridor_frictions, name: float(value)})


def _fact(prefix: str) -> Fact:
    return next(f for f in FACTS if f.name.startswith(prefix))


def fit(base: CorridorsConfig | None = None, sweeps: int = 3, steps: int = 10) -> CorridorsConfig:
    """Solve each parameter for its fact by bisection, sweeping over them (Gauss-Seidel).

    θ is bisected in logs (its direction found from the two ends); frictions
    (US$/t) linearly in [0, 1000], where the volume falls as the friction
    rises. Only the facts marked ``fitted`` are used.
    """
    cfg = base or CorridorsConfig()
    for _ in range(sweeps):
        for name, prefix, rising in PARAMETERS:
            fact = _fact(prefix)
            low, high = BOUNDS.get(name, FRICTION_BOUNDS)
            log = name in BOUNDS
            a, b = (np.log(low), np.log(high)) if log else (low, high)
            if rising is None:
                ends = [evaluate(_with(cfg, name, v), (fact,))[0] for v in (low, high)]
                rising = ends[1] > ends[0]
            for _ in range(steps):
                mid = (a + b) / 2
                trial = _with(cfg, name, np.exp(mid) if log else mid)
                above = evaluate(trial, (fact,))[0] > fact.observed
                if above == rising:
                    b = mid
                else:
                    a = mid
            best = (a + b) / 2
            cfg = _with(cfg, name, np.exp(best) if log else best)
    return cfg


#: δ (share of value per day) and East-West friction (US$/t) grid of
#: :func:`identification`: the fitted δ, and Hummels & Schaur's (2013) 0.6-2.1 %/day.
IDENTIFICATION_DELTAS = (fitted_parameters()["value_of_time_per_day"], 1e-3, 3e-3, 6e-3, 2.1e-2)
IDENTIFICATION_FRICTIONS = (0.0, 300.0, 1000.0)


def identification(cfg: CorridorsConfig | None = None) -> list[dict[str, float]]:
    """The China-EU rail value share over a grid of δ and an East-West friction.

    Shows what the one fact that pins δ (5.5 % of China-EU trade value on
    East-West rail, K8) can identify: δ and an East-West alternative-specific
    constant act on the same share, so only one of them is fitted, and at δ
    in Hummels & Schaur's range no friction up to the bound (1,000 US$/t)
    brings the share down to 5.5 %.
    """
    base = cfg or CorridorsConfig()
    rows = []
    for delta in IDENTIFICATION_DELTAS:
        for friction in IDENTIFICATION_FRICTIONS:
            trial = replace(
                base,
                value_of_time_per_day=delta,
                corridor_frictions={**base.corridor_frictions, "East-West": friction},
            )
            share, cost = evaluate(trial, (_fact("China-EU trade value"), _fact("Transport cost")))
            rows.append(
                {
                    "value_of_time_pct_per_day": 100 * delta,
                    "east_west_friction_usd_per_t": friction,
                    "rail_value_share_pct": share,
                    "transport_cost_share_pct": cost,
                }
            )
    return rows


def _print(rows: list[dict[str, object]]) -> None:
    print(
        f"{'fact':66s} {'year':8s} {'observed':>10s} {'model':>10s} {'unit':10s} "
        f"{'miss':>7s}  {'status':18s} trade"
    )
    for r in rows:
        print(
            f"{r['fact']:66s} {r['year']:8s} {r['observed']:10.4g} {r['model']:10.4g} "
            f"{r['unit']:10s} {r['miss_pct']:+6.0f}%  {r['status']:18s} {r['trade']}"
        )


def main(argv: list[str] | None = None) -> None:
    """Print (and optionally fit and write) the calibration table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="re-fit θ and rates first")
    parser.add_argument("--write", action="store_true", help=f"write {OUT.name}")
    parser.add_argument(
        "--identification",
        action="store_true",
        help="print the China-EU rail share over a grid of value of time and East-West friction",
    )
    args = parser.parse_args(argv)
    if args.identification:
        print("value of time %/day  East-West friction US$/t  rail share % of value  cost share %")
        for r in identification():
            print(
                f"{r['value_of_time_pct_per_day']:19.4f}  {r['east_west_friction_usd_per_t']:24.0f}"
                f"  {r['rail_value_share_pct']:21.2f}  {r['transport_cost_share_pct']:12.2f}"
            )
        return
    cfg = CorridorsConfig()
    if args.fit:
        cfg = fit(cfg)
        frictions = {k: round(v, 2) for k, v in cfg.corridor_frictions.items()}
        print(f"fitted value_of_time_per_day: {cfg.value_of_time_per_day:.5g}")
        print(f"fitted corridor_frictions (US$/t): {frictions}")
    rows = table(cfg)
    _print(rows)
    if args.write:
        with open(OUT, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            for r in rows:
                writer.writerow(
                    {k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()}
                )
        print(f"wrote {OUT}")
        if args.fit:  # the one place the fitted numbers live (read by CorridorsConfig)
            record = json.loads(FITTED_FILE.read_text(encoding="utf-8"))
            record["parameters"] = {
                "value_of_time_per_day": float(f"{cfg.value_of_time_per_day:.6g}"),
                "corridor_frictions": {k: round(v, 1) for k, v in cfg.corridor_frictions.items()},
            }
            FITTED_FILE.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
            print(f"wrote {FITTED_FILE}")


if __name__ == "__main__":
    main()
