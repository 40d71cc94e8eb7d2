"""Readers of the raw reference data (the only code that reads ``../shared/data``).

Three sources, each in its own folder of the shared data directory:

- ``cis/``: the research figures (published 2023 cells, totals, GDP, gravity
  variables, agreements; see its README and FIGURES.md);
- ``imf_dots/``: IMF Direction of Trade Statistics, goods exports f.o.b.,
  2019 and 2020, US$ million, IMF two-letter codes;
- ``eurostat_eu27_exports/``: Eurostat Comext, EU27 exports by partner, euro.

IMF two-letter codes are ISO 3166 alpha-2 codes (plus IMF aggregates, which
have none); they are mapped to ISO3 with the country table of the PyPI package
``country_converter`` (read directly: its ``convert`` breaks under pandas 3).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from sim.data.build.common import read_csv

CIS_FILES = (
    "countries_2023.csv", "macro_2019_2024.csv", "gravity_vars.csv",
    "trade_flows_2023_reported.csv", "trade_turnover_2023.csv",
    "country_trade_totals_2023.csv", "trade_agreements.csv", "NOTES.md", "FIGURES.md",
)  # fmt: skip
DOTS_FILE = Path("imf_dots") / "dots_exports_2019_2020.csv"
EUROSTAT_DIR = Path("eurostat_eu27_exports")


@dataclass
class Raw:
    """All raw inputs of a build.

    Attributes:
        countries: countries_2023.csv rows by ISO3 (its order = the economies).
        macro: macro_2019_2024.csv rows.
        gravity: (o, d) -> distw, contig, comlang_off, rta.
        flows, turnover, totals, agreements: rows of the named CSVs.
        notes_text, figures_text: NOTES.md and FIGURES.md.
        dots: (exporter ISO3, partner ISO3, year) -> US$ bn (members, not EU).
        dots_world: (exporter ISO3, year) -> exports to the world (IMF W00), US$ bn.
        eu_members: ISO3 codes of the EU27 (from Eurostat's reporter label).
        eurostat: year -> partner name -> EUR.
    """

    countries: dict[str, dict[str, str]]
    macro: list[dict[str, str]]
    gravity: dict[tuple[str, str], dict[str, float]]
    flows: list[dict[str, str]]
    turnover: list[dict[str, str]]
    totals: list[dict[str, str]]
    agreements: list[dict[str, str]]
    notes_text: str
    figures_text: str
    dots: dict[tuple[str, str, int], float]
    dots_world: dict[tuple[str, int], float]
    eu_members: tuple[str, ...]
    eurostat: dict[int, dict[str, float]]

    @property
    def economies(self) -> tuple[str, ...]:
        """The data set's economies, in countries_2023.csv order."""
        return tuple(self.countries)

    def macro_value(self, iso3: str, year: int, indicator: str, family: str) -> float | None:
        """A value of macro_2019_2024.csv for one source family ('IMF' or 'WDI')."""
        for r in self.macro:
            if (
                r["iso3"] == iso3
                and r["year"] == str(year)
                and r["indicator"] == indicator
                and r["source"].startswith(family)
            ):
                return float(r["value"])
        return None


def iso2_to_iso3() -> dict[str, str]:
    """ISO 3166 alpha-2 -> alpha-3 from country_converter's country table."""
    import pandas as pd
    from country_converter.country_converter import COUNTRY_DATA_FILE

    table = pd.read_csv(COUNTRY_DATA_FILE, sep="\t", keep_default_na=False, dtype=str)
    out: dict[str, str] = {}
    for iso2, iso3 in zip(table["ISO2"], table["ISO3"], strict=True):
        for code in re.sub(r"[\^$]", "", iso2).split("|"):  # e.g. '^GB$|^UK$'
            out.setdefault(code, iso3)
    return out


def read_dots(path: Path) -> tuple[dict[tuple[str, str, int], float], dict[tuple[str, int], float]]:
    """IMF DOTS exports by ISO3 pair and year (US$ bn), and each exporter's world total.

    Aggregates (codes without an ISO3) are dropped, except ``W00`` (world),
    kept as the exporter's total. Empty cells are absent; zeros are kept.
    """
    m = iso2_to_iso3()
    pairs: dict[tuple[str, str, int], float] = {}
    world: dict[tuple[str, int], float] = {}
    for r in read_csv(path):
        o = m.get(r["from"])
        if o is None:
            continue
        for year in (2019, 2020):
            v = r[str(year)]
            if v == "":
                continue
            if r["to"] == "W00":
                world[(o, year)] = float(v) / 1e3
            elif (d := m.get(r["to"])) is not None:
                pairs[(o, d, year)] = float(v) / 1e3
    return pairs, world


def read_eurostat(folder: Path, years: tuple[int, ...]) -> tuple[dict[int, dict[str, float]], str]:
    """EU27 exports by partner name (EUR) per year, and the reporter label."""
    out: dict[int, dict[str, float]] = {}
    label = ""
    for y in years:
        rows = read_csv(folder / f"eu27_exports_by_partner_{y}.csv")
        out[y] = {r["PARTNER"]: float(r["VALUE_IN_EUR"]) for r in rows}
        label = rows[0]["REPORTER"]
    return out, label


def eu_members_from_label(label: str, iso2: dict[str, str]) -> tuple[str, ...]:
    """ISO3 codes of the members listed in 'European Union - 27 countries (AT, BE, ...)'."""
    inner = label[label.index("(") + 1 : label.rindex(")")]
    codes = [c.strip() for c in inner.split(",")]
    # Eurostat writes Greece as GR (ISO: GR) and no member uses a non-ISO code here.
    members = tuple(iso2[c] for c in codes)
    if len(members) != 27:
        raise ValueError(f"Eurostat reporter label lists {len(members)} members, not 27")
    return members


def load_raw(shared: Path, eurostat_years: tuple[int, ...] = (2021, 2023)) -> Raw:
    """Read every raw file a build uses from the shared data directory.

    Raises:
        FileNotFoundError: A raw file is missing.
    """
    cis = shared / "cis"
    for name in CIS_FILES:
        if not (cis / name).is_file():
            raise FileNotFoundError(f"{cis / name}: raw file missing")
    for p in [shared / DOTS_FILE] + [
        shared / EUROSTAT_DIR / f"eu27_exports_by_partner_{y}.csv" for y in eurostat_years
    ]:
        if not p.is_file():
            raise FileNotFoundError(f"{p}: raw file missing")
    gravity: dict[tuple[str, str], dict[str, float]] = {}
    for r in read_csv(cis / "gravity_vars.csv"):
        o = "EUU" if r["iso_o"] == "EU27" else r["iso_o"]
        d = "EUU" if r["iso_d"] == "EU27" else r["iso_d"]
        eu = "EUU" in (o, d) and o != d
        # For the EU aggregate, contiguity and common language are the population
        # share of EU members with the trait (the '_eu_popshare' columns), not the
        # 'any member' dummy (which would give the EU a common language with India).
        gravity[(o, d)] = {
            "distw": float(r["distw"]),
            "contig": float((r["contig_eu_popshare"] if eu else r["contig"]) or 0),
            "comlang_off": float((r["comlang_off_eu_popshare"] if eu else r["comlang_off"]) or 0),
            "rta": float(r["rta_2021"] or 0) if o != d else 0.0,
        }
    dots, dots_world = read_dots(shared / DOTS_FILE)
    eurostat, label = read_eurostat(shared / EUROSTAT_DIR, eurostat_years)
    raw = Raw(
        countries={r["iso3"]: r for r in read_csv(cis / "countries_2023.csv")},
        macro=read_csv(cis / "macro_2019_2024.csv"),
        gravity=gravity,
        flows=read_csv(cis / "trade_flows_2023_reported.csv"),
        turnover=read_csv(cis / "trade_turnover_2023.csv"),
        totals=read_csv(cis / "country_trade_totals_2023.csv"),
        agreements=read_csv(cis / "trade_agreements.csv"),
        notes_text=(cis / "NOTES.md").read_text(encoding="utf-8"),
        figures_text=(cis / "FIGURES.md").read_text(encoding="utf-8"),
        dots=dots,
        dots_world=dots_world,
        eu_members=eu_members_from_label(label, iso2_to_iso3()),
        eurostat=eurostat,
    )
    if not all(math.isfinite(v) for v in raw.dots.values()):
        raise ValueError(f"{shared / DOTS_FILE}: non-finite value")
    return raw


def names_to_iso3(names: list[str]) -> dict[str, str | None]:
    """Country names (as Eurostat writes them) -> ISO3 by country_converter's regexes.

    Where several regexes match (e.g. 'Sudan (incl. South Sudan ...)'), the one
    matching earliest in the name wins. Names no regex matches map to None.
    """
    import pandas as pd
    from country_converter.country_converter import COUNTRY_DATA_FILE

    table = pd.read_csv(COUNTRY_DATA_FILE, sep="\t", keep_default_na=False, dtype=str)
    rows = zip(table["regex"], table["ISO3"], table["name_short"], strict=True)
    pats = [(re.compile(rx, re.IGNORECASE), iso3, short) for rx, iso3, short in rows]
    out: dict[str, str | None] = {}
    for name in names:
        best: tuple[int, str] | None = None
        for rx, iso3, _ in pats:
            hit = rx.search(name)
            if hit and (best is None or hit.start() < best[0]):
                best = (hit.start(), iso3)
        if best is None:  # e.g. "Belgium (incl. Luxembourg 'LU' -> 1998)": the short name
            best = next(((0, iso3) for _, iso3, short in pats if name.startswith(short)), None)
        out[name] = best[1] if best else None
    return out
