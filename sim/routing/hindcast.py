"""Corridor hindcast 2021-2024: the 2022 changes to EU routes through Russia and Belarus.

Run: ``uv run python -m sim.routing.hindcast`` (prints the hindcast table and a
sensitivity to the one assumed lever size).

Set-up (the routing layer alone; the full-model twin is
``scenarios/hindcast_corridors_2022.yaml``). Each year is routed on that year's
trade (:func:`sim.routing.periods.flows_in`: cis2021 for 2021, the mean of
cis2021 and cis2023 for 2022 and cis2023 for 2023-24, both assumed;
``--trade fixed`` holds the 2021 matrix throughout, the set-up before stop 22).
The Middle Corridor volume is measured as the calibration measures TITR
(:func:`sim.routing.calibrate.titr_rows`: the Aktau-Baku crossing on routes that
do not enter Russia).

- In sample, 2021: the Middle Corridor friction is re-fitted so TITR carries
  the 2021 level, 0.6 Mt: 2022's 1.5 Mt was "2.5 times" 2021 (Kazakh Vice
  Minister Balykbayev, Astana Times 23 May 2023,
  astanatimes.com/2023/05/cargo-transportation-along-middle-corridor-increases-to-1-5-million-tons-in-2022/).
  Cross-checks, not fitted (:data:`MC_2021_CHECKS`): Jan-Jul 2021 311,000 t
  (KTZ Express, Astana Times 8 Sep 2022), about 0.53 Mt a year; the TITR
  association's 2022 plan of 3.2 Mt was "six times" 2021 (middlecorridor.com,
  news 166), about 0.53 Mt; 25,200 TEU in 2021 (same). Composition: in Jan-Jul
  2022 transit was 171,000 t, "+7 %", so about 160,000 t of Jan-Jul 2021's
  311,000 t, about half, was transit (neither end in KAZ); the hindcast prints
  the model's 2021 transit share and TEU beside them. (The World Bank's 2021
  "Caspian flows", about 11 / 3 = 3.7 Mt, Interfax 24 Jan 2024, count all
  trans-Caspian cargo: another definition, not used.) Nothing else is fitted.
- The dated changes are data, one row each with basis and source, in
  ``sim/data/corridors/corridor_changes.csv`` (:mod:`sim.routing.dated`, :func:`levers`);
  none is fitted:

  - the Middle Corridor's own improvement, its published delivery time China -
    Black Sea by year: 58-60 days in 2021 (K6, Karabaev, Trend 23 Dec 2024,
    "before"; the year assumed), 38-53 in 2022 and 19-23 in early 2023
    (newscentralasia.net 4 Mar 2023), 13-15 in 2024 (K6). The shipped network
    is the 2024 corridor (its times match KTZ's published ones), so each year
    carries (its midpoint - 14) more days on the Caspian crossing: 45, 31.5, 7
    and 0 (the place is assumed, the days are published);
  - from 2022, a risk premium on EU trade routed through Russia and Belarus
    (war-risk insurance, compliance and payment risk, the road-haulier ban of
    Council Regulation (EU) 2022/576 of 8 Apr 2022; size ASSUMED,
    :func:`east_west_premium`, no published figure): a
    :class:`~sim.routing.config.RoutePremium` on every path of a pair with the
    EU (EUU) as exporter or importer that uses a segment with a hub in RUS or
    BLR, once per path (``--scope segments`` puts it on the named East-West
    segments for every pair, the set-up before stop 22);
  - slower Brest-Malaszewicze transshipment from 2022 (queues after the road
    ban; factor ASSUMED). The road ban itself has no link to act on: the
    network has no RUS/BLR-EU road segment. No dated Middle Corridor capacity
    before the 6 Mt/yr of 2024 was found; 2021-23 volumes are below it.
- Out of sample: Middle Corridor 2022 (about 1.5 Mt, 2.5x 2021) and 2023
  (2.75 Mt, K6); 2024 Jan-Nov 4.1 Mt (K6) is held out too. None is used above.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np

from sim.errors import DataError
from sim.routing.config import BorderTimeChange, CorridorsConfig, FeeChange, RoutePremium
from sim.routing.dated import CHANGES_FILE, changes, delivery_day_changes

START, QUARTERS = "2021Q1", 16
WORLD = "cis2021"  # the 2021 trade matrix (sim/data/cis2021): the start, and --trade fixed
#: 2021 TITR volume, Mt: 1.5 Mt (2022) / 2.5 (Astana Times 23 May 2023, Balykbayev).
MC_2021_MT = 1.5 / 2.5
#: Published 2021 figures printed beside the model's (not fitted): name, value, unit, source.
MC_2021_CHECKS = (
    ("volume, Jan-Jul x 12/7", 0.311 * 12 / 7, "Mt", "KTZ Express, Astana Times 8 Sep 2022"),
    ("volume, 2022 plan 3.2 Mt / 6", 3.2 / 6, "Mt", "TITR association, middlecorridor.com"),
    ("containers", 25.2, "kTEU", "TITR association, middlecorridor.com (news 166)"),
    ("transit share, Jan-Jul", 100 * 0.171 / 1.07 / 0.311, "%", "Astana Times 8 Sep 2022"),
)
TRADES = ("observed", "fixed")
#: Where the 2022 premium applies: ``pairs`` (EU pairs' routes through RUS/BLR),
#: ``segments`` (the named East-West segments, all pairs; the pre-stop-22 set-up) or
#: ``transit`` (every pair with neither end in RUS/BLR: EU pairs and third countries'
#: trade through Russian ports and rail alike; the carriers' withdrawal row of
#: corridor_changes.csv; a sensitivity, not the default).
SCOPES = ("pairs", "segments", "transit")
#: The sanctioning side and the territory of the 2022 premium.
SANCTIONING, TERRITORY = ["EUU"], ["RUS", "BLR"]
OUT_OF_SAMPLE = (("2022", 1.5, "1.5 Mt, Astana Times 23 May 2023; K6"),
                 ("2023", 2.75, "K6"),
                 ("2024", 4.1 * 12 / 11, "K6: 4.1 Mt Jan-Nov, x 12/11"))  # fmt: skip


def _only_row(kind: str) -> dict[str, str]:
    """The one row of a lever kind that has a single row (the route premium).

    Raises:
        DataError: if ``corridor_changes.csv`` has no such row or more than one.
    """
    rows = [r for r in changes() if r["lever"] == kind]
    if len(rows) != 1:
        raise DataError(
            str(CHANGES_FILE), f"column 'lever': exactly one {kind!r} row needed, found {len(rows)}"
        )
    return rows[0]


def east_west_premium() -> float:
    """Assumed size of the 2022 East-West risk premium (US$/t; ``corridor_changes.csv``).

    Read when used, not at import, so a bad table is a one-line error of the run.
    """
    return float(_only_row("route_premium")["value"])


#: The premium sensitivity of :func:`main`: these multiples of :func:`east_west_premium`.
PREMIUM_MULTIPLES = (0.5, 1.0, 2.0)


def levers(premium: float | None = None, scope: str = "pairs") -> dict[str, list]:
    """The dated 2021-24 levers of the hindcast, from ``corridor_changes.csv``.

    ``delivery_days`` rows give a target's published delivery time by year
    (:func:`sim.routing.dated.delivery_day_changes` turns them into dated added
    days), ``border_factor`` rows multiply its delay, the ``route_premium`` row
    is the premium on EU pairs' routes through RUS/BLR (``premium`` overrides
    its size, for the sensitivity); ``none`` rows are documented changes with no link to act on.
    ``scope="transit"`` puts the same premium on the routes through RUS/BLR of every
    pair with neither end there (the economies of the hindcast world, :data:`WORLD`):
    the EU pairs' routes as under ``pairs`` (an EU-RUS/BLR pair has no route around,
    so its premium moves no route), and third countries' too, e.g. Kazakh cargo to
    Turkey through Novorossiysk, after the container lines stopped taking bookings to
    and from Russian ports (``carrier_withdrawal`` row; size assumed equal to the EU
    row's).
    """
    premium = east_west_premium() if premium is None else premium
    year = int(_only_row("route_premium")["year"])
    if scope == "pairs":
        route = {"route_premiums": [RoutePremium(SANCTIONING, [], True, TERRITORY, year, premium)]}
    elif scope == "transit":
        from sim.data.loader import load_world

        others = [e for e in load_world(WORLD).economies if e not in TERRITORY]
        route = {"route_premiums": [RoutePremium(others, others, True, TERRITORY, year, premium)]}
    else:
        route = {"fee_changes": [FeeChange("East-West", year, premium)]}
    border = delivery_day_changes()
    for r in changes():
        if r["lever"] == "border_factor":
            border.append(BorderTimeChange(r["target"], int(r["year"]), float(r["value"])))
    return {**route, "border_time_changes": border}


def _phase(cfg: CorridorsConfig):
    from sim.data.loader import load_world
    from sim.routing.phase import CorridorPhase

    world = load_world(WORLD)
    return CorridorPhase(world.economies, cfg, world.flows, START, world.blocs), world.flows


def _mc_mt(phase) -> float:
    """TITR Mt/yr of the phase's latest assignment (calibrate's definition)."""
    from sim.routing.calibrate import titr_rows

    return float(phase.last_assignment.path_tonnes[titr_rows(phase)].sum()) * 4 / 1e6


def composition_2021(cfg2021: CorridorsConfig, scope: str = "pairs") -> dict[str, float]:
    """The model's 2021 TITR load: Mt/yr, transit share (%), containers (kTEU), top pairs."""
    from sim.quarters import quarter_range
    from sim.routing import calibrate as cal

    phase, flows = _phase(replace(cfg2021, **levers(scope=scope)))
    total = transit = value = 0.0
    for q in quarter_range(START, 4):  # 2021, with 2021's changes in force
        phase.step(q, flows)
        rows = cal.titr_rows(phase)
        total += cal._tonnes(phase, rows)
        transit += cal._tonnes(phase, rows & cal._rows_of(phase, cal._transit("KAZ")))
        boxes = rows & cal._rows_of(phase, lambda a, b, g: g in cal.CONTAINER_GROUPS)
        value += cal._value(phase, boxes)
    return {
        "Mt": total / 1e6,
        "transit_pct": 100 * transit / total,
        "kTEU": value / cal.USD_PER_TEU / 1e3,
    }


def fit_2021(
    base: CorridorsConfig | None = None, steps: int = 14, scope: str = "pairs"
) -> CorridorsConfig:
    """Bisect the Middle Corridor friction so 2021 carries 0.6 Mt, with 2021's changes in force.

    2021 is measured as :func:`run` measures it (the mean of its four quarters,
    on 2021 trade, with the levers in force in 2021: the corridor's 2021
    delivery days from ``corridor_changes.csv``; the 2022 levers are not yet in
    force).
    """
    base = base or CorridorsConfig()
    low, high = 0.0, 1000.0
    for _ in range(steps):
        mid = (low + high) / 2
        frictions = {**base.corridor_frictions, "Middle Corridor": mid}
        mt = run(replace(base, corridor_frictions=frictions), scope=scope, quarters=4)["2021"]
        if mt > MC_2021_MT:
            low = mid
        else:
            high = mid
    frictions = {**base.corridor_frictions, "Middle Corridor": (low + high) / 2}
    return replace(base, corridor_frictions=frictions)


def run(
    cfg2021: CorridorsConfig,
    premium: float | None = None,
    scope: str = "pairs",
    trade: str = "observed",
    quarters: int = QUARTERS,
) -> dict[str, float]:
    """Annual TITR Mt (mean of the quarters x 4) for 2021-2024 (the first ``quarters``).

    ``trade``: ``observed`` routes each year's trade (:func:`sim.routing.periods.flows_in`),
    ``fixed`` the 2021 matrix throughout.
    """
    from sim.quarters import quarter_range
    from sim.routing.periods import flows_in

    cfg = replace(cfg2021, **levers(premium, scope))
    phase, flows = _phase(cfg)
    by_year: dict[str, list[float]] = {}
    for q in quarter_range(START, quarters):
        year_flows = flows_in(int(q[:4])) if trade == "observed" else flows
        phase.step(q, year_flows)
        by_year.setdefault(q[:4], []).append(_mc_mt(phase))
    return {y: float(np.mean(v)) for y, v in by_year.items()}


def main(argv: list[str] | None = None) -> None:
    """Print the hindcast table and the sensitivity to the assumed premium."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scope", choices=SCOPES, default="pairs", help="premium scope")
    parser.add_argument("--trade", choices=TRADES, default="observed", help="trade by year")
    args = parser.parse_args(argv)
    scope, trade = args.scope, args.trade
    cfg = fit_2021(scope=scope)
    friction = cfg.corridor_frictions["Middle Corridor"]
    print(f"2021 in-sample fit: Middle Corridor friction {friction:.1f} US$/t")
    print(f"2022 premium scope: {scope}; trade: {trade}")
    comp = composition_2021(cfg, scope)
    model_2021 = {"Mt": comp["Mt"], "%": comp["transit_pct"], "kTEU": comp["kTEU"]}
    print("2021 checks (not fitted): published vs model")
    for name, value, unit, source in MC_2021_CHECKS:
        print(f"  {name:30s} {value:8.2f} {unit:5s} model {model_2021[unit]:8.2f}  ({source})")
    years = run(cfg, scope=scope, trade=trade)
    base = years["2021"]
    print(f"{'year':6s} {'observed Mt':>12s} {'model Mt':>9s} {'model/2021':>10s}  status")
    print(
        f"{'2021':6s} {MC_2021_MT:12.2f} {base:9.2f} {1.0:10.2f}  in sample (fitted; Astana Times)"
    )
    for year, observed, source in OUT_OF_SAMPLE:
        print(
            f"{year:6s} {observed:12.2f} {years[year]:9.2f} {years[year] / base:10.2f}"
            f"  out of sample ({source}); miss {100 * (years[year] / observed - 1):+.0f}%"
        )
    print("sensitivity to the assumed 2022 premium (Middle Corridor Mt, 2022 / 2023):")
    for premium in (m * east_west_premium() for m in PREMIUM_MULTIPLES):
        y = run(cfg, premium, scope, trade)
        print(f"  {premium:5.0f} US$/t: {y['2022']:.2f} / {y['2023']:.2f}")


if __name__ == "__main__":
    try:
        main()
    except DataError as err:
        raise SystemExit(f"error: {err}") from None
