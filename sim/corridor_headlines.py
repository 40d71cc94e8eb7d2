"""Headline effects of the corridor scenarios, each against a no-lever run of the same horizon.

Run: ``uv run python -m sim.corridor_headlines`` (prints one table; takes about a
minute: each scenario is run with and without its corridor levers).

Measures (all from the model's own records, nothing fitted):

- China→EU trade: % change of X_CHN,EUU (US$ at annual rate) in the scenario's
  focus quarters against the no-lever run, mean over those quarters;
- Rasht–Astara: tonnes per year (quarterly volume × 4) on the Astara–Rasht
  rail and road segments in the focus quarters (mean);
- welfare: % change of real income (the model's ``real_income``, an
  equivalent-variation index, base = 1) of the CIS (GDP-weighted), and of the
  economies most exposed to the scenario.
"""

from __future__ import annotations

import dataclasses

import numpy as np

#: scenario -> (focus quarters, economies whose real income is reported)
SCENARIOS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "east_west_disruption": (("2025Q1", "2025Q2", "2025Q3", "2025Q4"), ("KAZ", "BLR", "CHN")),
    "instc_buildout": (("2030Q1", "2030Q2", "2030Q3", "2030Q4"), ("AZE", "IRN", "RUS")),
    "siberia_south": (("2028Q1", "2028Q2", "2028Q3", "2028Q4"), ("UZB", "KAZ", "ROW")),
}
RASHT_ASTARA = ("astara_irn-rasht_rail", "astara_irn-rasht_road")


def _run(cfg):
    from sim.model import CaravanModel

    model = CaravanModel(cfg)
    model.run()
    return model


def headline(name: str) -> dict[str, float]:
    """Run scenario ``name`` and its no-lever twin; return the headline effects."""
    from sim.compose import compose_and_validate
    from sim.routing.phase import without_levers

    focus, exposed = SCENARIOS[name]
    cfg = compose_and_validate([f"scenario={name}"])
    twin = dataclasses.replace(cfg, corridors=without_levers(cfg.corridors))
    shocked, base = _run(cfg), _run(twin)
    w = shocked.world
    rows = [shocked.records.quarters.index(q) for q in focus]
    ce = (w.index("CHN"), w.index("EUU"))
    out: dict[str, float] = {}
    x1 = np.mean([shocked.records.pairs[r]["flow"][ce] for r in rows])
    x0 = np.mean([base.records.pairs[r]["flow"][ce] for r in rows])
    out["CHN->EUU trade, %"] = 100 * (x1 / x0 - 1)
    for label, model in (("scenario", shocked), ("no levers", base)):
        seg = [model.records.segments[r].frame() for r in rows]
        t = np.mean([s.loc[s["segment"].isin(RASHT_ASTARA), "volume_t"].sum() for s in seg])
        out[f"Rasht-Astara Mt/yr ({label})"] = 4 * t / 1e6
    cis = [w.index(c) for c in w.economies if c in w.blocs.get("CIS", ())]
    gdp = w.gdp[cis]
    for label, idx in [("CIS", cis)] + [(c, [w.index(c)]) for c in exposed]:
        r1 = np.mean([shocked.records.economies[r]["real_income"][idx] for r in rows], axis=0)
        r0 = np.mean([base.records.economies[r]["real_income"][idx] for r in rows], axis=0)
        weights = gdp if label == "CIS" else np.ones(1)
        out[f"real income {label}, %"] = float(
            100 * ((np.atleast_1d(r1) / np.atleast_1d(r0) - 1) * weights).sum() / weights.sum()
        )
    return out


def main() -> None:
    """Print the headline table of the three corridor scenarios."""
    for name in SCENARIOS:
        print(f"## {name} (focus {SCENARIOS[name][0][0]}-{SCENARIOS[name][0][-1]})")
        for key, value in headline(name).items():
            print(f"  {key:34s} {value:10.3f}")


if __name__ == "__main__":
    main()
