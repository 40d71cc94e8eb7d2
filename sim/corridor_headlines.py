"""Headline effects of the corridor scenarios, each against a no-lever run of the same horizon.

Run: ``uv run python -m sim.corridor_headlines`` (prints each scenario's headlines and
their comparison with published studies; about 15 s: each scenario is run with and
without its corridor levers).

The twin is routed over the same candidate paths; the paths a lever adds are used only
from its date (:func:`sim.routing.paths.with_lever_paths`), so the two runs agree until
the first lever.

Measures (all from the model's own records, nothing fitted):

- China→EU trade: % change of X_CHN,EUU (US$ at annual rate) in the scenario's
  focus quarters against the no-lever run, mean over those quarters;
- Rasht–Astara: tonnes per year (quarterly volume × 4) on the Astara–Rasht
  rail and road segments in the focus quarters (mean);
- welfare: % change of real income (the model's ``real_income``, an
  equivalent-variation index, base = 1) of the CIS (GDP-weighted), and of the
  economies most exposed to the scenario;
- tonnages that published studies quote (each Mt/yr, mean of the focus
  quarters, with and without the levers): the Middle Corridor as the
  calibration measures TITR (the Aktau-Baku crossing on routes not entering
  Russia, :func:`sim.routing.calibrate.titr_rows`), the Rasht-Astara rail link
  alone, the INSTC at its three branch gates (Samur, Bolashak, the Caspian
  ferries to Anzali; a path crosses one of them) and the Trans-Afghan line
  (Kabul-Peshawar); and the share (%) of China-EU trade value on the rail land
  bridge via Kazakhstan, Russia and Belarus
  (:func:`sim.routing.calibrate.rail_value_share_chn_eu`);
- the run's value of a day in transit for manufactures (δ × their time factor,
  % of the goods' value per day), the parameter published per-day time costs
  compare with.

:func:`comparison` sets these beside the published figures of
``sim/data/corridors/published_studies.csv`` (one row per figure, each with its
source and a judgement of how far it is comparable).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from sim.data.commodities import read_csv
from sim.errors import DataError

#: Published figures to set beside the headlines, one row each (their sources inside).
PUBLISHED = Path(__file__).resolve().parent / "data" / "corridors" / "published_studies.csv"
PUBLISHED_COLUMNS = (
    "id",
    "study",
    "year",
    "figure",
    "value",
    "value_high",
    "unit",
    "horizon",
    "scenario",
    "comparable_output",
    "expect",
    "comparable",
    "why",
    "source",
    "url",
)
#: how the model's number should sit against a published figure [value, value_high]:
#: within the range, at most its top, at least its bottom, within a factor 2 of its
#: midpoint, or no test (a target or a figure shown only for scale)
EXPECT = ("within", "at_most", "at_least", "same_order", "none")
COMPARABLE = ("yes", "partly", "no")
CHANGE = ", % change"  # suffix of the derived "scenario against no levers" outputs

#: scenario -> (focus quarters, economies whose real income is reported)
SCENARIOS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "east_west_disruption": (("2025Q1", "2025Q2", "2025Q3", "2025Q4"), ("KAZ", "BLR", "CHN")),
    "instc_buildout": (("2030Q1", "2030Q2", "2030Q3", "2030Q4"), ("AZE", "IRN", "RUS")),
    "siberia_south": (("2028Q1", "2028Q2", "2028Q3", "2028Q4"), ("UZB", "KAZ", "ROW")),
}
RASHT_ASTARA = ("astara_irn-rasht_rail", "astara_irn-rasht_road")
#: segment groups whose tonnage (Mt/yr, summed over the group) is reported
TONNAGES: dict[str, tuple[str, ...]] = {
    "Rasht-Astara": RASHT_ASTARA,
    "Rasht-Astara rail": ("astara_irn-rasht_rail",),
    "INSTC (three branch gates)": (
        "makhachkala-baku",
        "beyneu-bolashak",
        "astrakhan-bandar_anzali",
        "makhachkala-bandar_anzali",
    ),
    "INSTC eastern (Bolashak)": ("beyneu-bolashak",),
    "Trans-Afghan (Kabul-Peshawar)": ("kabul-peshawar",),
}


def _run(cfg, focus: tuple[str, ...]):
    """Run ``cfg``; return the model and its routing measures, mean over ``focus``.

    The routing measures read the quarter's own assignment, so they are taken
    right after each focus quarter is stepped.
    """
    from sim.model import CaravanModel
    from sim.routing.calibrate import rail_value_share_chn_eu, titr_rows

    model = CaravanModel(cfg)
    titr, rail_share = [], []
    for quarter in model.quarters:
        model.step()
        if quarter in focus:
            phase = model.routing
            titr.append(float(phase.last_assignment.path_tonnes[titr_rows(phase)].sum()))
            rail_share.append(rail_value_share_chn_eu(phase, None, None))
    measures = {
        "Middle Corridor (TITR) Mt/yr": 4 * float(np.mean(titr)) / 1e6,
        "CHN-EUU value on KAZ-RUS-BLR rail, %": float(np.mean(rail_share)),
    }
    return model, measures


def headline(name: str) -> dict[str, float]:
    """Run scenario ``name`` and its no-lever twin; return the headline effects."""
    from sim.compose import compose_and_validate
    from sim.routing.phase import without_levers

    focus, exposed = SCENARIOS[name]
    cfg = compose_and_validate([f"scenario={name}"])
    twin = dataclasses.replace(cfg, corridors=without_levers(cfg.corridors))
    (shocked, measured), (base, measured_base) = _run(cfg, focus), _run(twin, focus)
    w = shocked.world
    rows = [shocked.records.quarters.index(q) for q in focus]
    ce = (w.index("CHN"), w.index("EUU"))
    out: dict[str, float] = {}
    x1 = np.mean([shocked.records.pairs[r]["flow"][ce] for r in rows])
    x0 = np.mean([base.records.pairs[r]["flow"][ce] for r in rows])
    out["CHN->EUU trade, %"] = 100 * (x1 / x0 - 1)
    for label, model, measures in (
        ("scenario", shocked, measured),
        ("no levers", base, measured_base),
    ):
        seg = [model.records.segments[r].frame() for r in rows]
        for name, segments in TONNAGES.items():
            t = np.mean([s.loc[s["segment"].isin(segments), "volume_t"].sum() for s in seg])
            out[f"{name} Mt/yr ({label})"] = 4 * t / 1e6
        for name, value in measures.items():
            out[f"{name} ({label})"] = value
    cis = [w.index(c) for c in w.economies if c in w.blocs.get("CIS", ())]
    gdp = w.gdp[cis]
    for label, idx in [("CIS", cis)] + [(c, [w.index(c)]) for c in exposed]:
        r1 = np.mean([shocked.records.economies[r]["real_income"][idx] for r in rows], axis=0)
        r0 = np.mean([base.records.economies[r]["real_income"][idx] for r in rows], axis=0)
        weights = gdp if label == "CIS" else np.ones(1)
        out[f"real income {label}, %"] = float(
            100 * ((np.atleast_1d(r1) / np.atleast_1d(r0) - 1) * weights).sum() / weights.sum()
        )
    com = shocked.routing.net.commodities
    factor = dict(zip(com.groups, com.time_factor, strict=True))["manufactures"]
    out["value of time, manufactures, %/day"] = 100 * cfg.corridors.value_of_time_per_day * factor
    return out


def published_studies(path: Path = PUBLISHED) -> pd.DataFrame:
    """The published figures of ``path``, checked: one row per figure, each with a source.

    Args:
        path: A table with :data:`PUBLISHED_COLUMNS` (default: the shipped one).

    Returns:
        The table, ``value`` and ``value_high`` as floats (``value_high`` NaN for a
        single figure), the other columns as strings ("" where empty).

    Raises:
        DataError: The file or a column is missing, an id repeats, a row has no source or url, a
            value is not a number, ``expect``/``comparable``/``scenario`` is not one
            of the known ones, or a row that claims a comparable output names none
            (or the reverse).
    """
    table = read_csv(path, PUBLISHED_COLUMNS)
    if table["id"].duplicated().any():
        repeated = sorted(set(table["id"][table["id"].duplicated()]))
        raise DataError(str(path), f"repeated ids {repeated}")
    for number in ("value", "value_high"):
        parsed = pd.to_numeric(table[number].replace("", np.nan), errors="coerce")
        bad = parsed.isna() & (table[number] != "")
        if number == "value":
            bad |= table[number] == ""
        if bad.any():
            raise DataError(str(path), f"rows {list(table['id'][bad])}: {number} is not a number")
        table[number] = parsed.astype(float)
    allowed = {"expect": EXPECT, "comparable": COMPARABLE, "scenario": ("", *SCENARIOS)}
    for column, known in allowed.items():
        bad = ~table[column].isin(known)
        if bad.any():
            raise DataError(
                str(path), f"rows {list(table['id'][bad])}: {column} is not one of {known}"
            )
    for column in ("source", "url", "figure", "unit"):
        bad = table[column].str.strip() == ""
        if bad.any():
            raise DataError(str(path), f"rows {list(table['id'][bad])}: no {column}")
    claims = table["comparable"] != "no"
    named = (table["comparable_output"] != "") & (table["scenario"] != "")
    bad = claims != named
    if bad.any():
        raise DataError(
            str(path),
            f"rows {list(table['id'][bad])}: a comparable row names a scenario and an "
            "output, a row marked 'no' names neither",
        )
    return table


def _with_changes(effects: dict[str, float]) -> dict[str, float]:
    """``effects`` plus ``"<name>, % change"``: scenario against no levers, for each pair."""
    out = dict(effects)
    for key, value in effects.items():
        if key.endswith(" (scenario)"):
            stem = key.removesuffix(" (scenario)")
            base = effects.get(f"{stem} (no levers)")
            if base:
                out[stem + CHANGE] = 100 * (value / base - 1)
    return out


def _consistent(expect: str, model: float, low: float, high: float) -> str:
    """``yes``/``no`` by the row's ``expect`` rule (``n/a`` for ``none``)."""
    if expect == "none" or np.isnan(model):
        return "n/a"
    mid = (low + high) / 2
    ok = {
        "within": low <= model <= high,
        "at_most": model <= high,
        "at_least": model >= low,
        "same_order": mid != 0 and 0.5 <= model / mid <= 2,
    }[expect]
    return "yes" if ok else "no"


def comparison(name: str, effects: dict[str, float] | None = None) -> pd.DataFrame:
    """The model's numbers beside the published figures for scenario ``name``.

    Args:
        name: A scenario of :data:`SCENARIOS`.
        effects: Its :func:`headline` (run here if not given).

    Returns:
        One row per published figure whose ``scenario`` is ``name``: ``id``,
        ``figure``, ``published`` (the figure, "low-high" for a range), ``unit``,
        ``model`` (the headline named by ``comparable_output``; NaN for a row not
        comparable), ``ratio`` (model / published midpoint), ``expect``,
        ``consistent`` (``yes``/``no`` by ``expect``, ``n/a`` without a test),
        ``comparable`` and ``why``.

    Raises:
        KeyError: A row names an output the headlines do not have.
    """
    effects = _with_changes(headline(name) if effects is None else effects)
    rows = published_studies()
    rows = rows[rows["scenario"] == name]
    unknown = sorted(set(rows["comparable_output"]) - set(effects) - {""})
    if unknown:
        raise KeyError(f"{PUBLISHED.name} names outputs {name}'s headlines lack: {unknown}")
    low = rows["value"]
    high = rows["value_high"].fillna(rows["value"])
    model = rows["comparable_output"].map(lambda key: effects.get(key, np.nan)).astype(float)
    published = [f"{a:g}" if a == b else f"{a:g} to {b:g}" for a, b in zip(low, high, strict=True)]
    return pd.DataFrame(
        {
            "id": rows["id"],
            "figure": rows["figure"],
            "published": published,
            "unit": rows["unit"],
            "model": model,
            "ratio": model / ((low + high) / 2),
            "expect": rows["expect"],
            "consistent": [
                _consistent(e, m, a, b)
                for e, m, a, b in zip(rows["expect"], model, low, high, strict=True)
            ],
            "comparable": rows["comparable"],
            "why": rows["why"],
        }
    ).reset_index(drop=True)


def markdown(table: pd.DataFrame) -> str:
    """``table`` as a GitHub Markdown table (numbers to 3 significant figures)."""

    def cell(value: object) -> str:
        if isinstance(value, float):
            return "" if np.isnan(value) else f"{value:.3g}"
        return str(value).replace("|", "/")

    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(False)]
    return "\n".join(lines)


def main() -> None:
    """Print the headlines of the three corridor scenarios and their published comparison."""
    for name in SCENARIOS:
        effects = headline(name)
        print(f"## {name} (focus {SCENARIOS[name][0][0]}-{SCENARIOS[name][0][-1]})")
        for key, value in effects.items():
            print(f"  {key:50s} {value:10.3f}")
        table = comparison(name, effects)
        print()
        print(markdown(table.drop(columns=["figure", "why"])))
        print()


if __name__ == "__main__":
    main()
