"""What distinguishes one built world from another: its year and the year's sources."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WorldSpec:
    """Build parameters of one world.

    Attributes:
        name: World identifier (the package folder).
        year: Calibration year.
        eur_usd: USD per EUR, annual average of the ECB's daily reference rates.
        eur_source: Source key of that rate (see :data:`SOURCES`).
        published_cells: Whether the published 2023 bilateral figures of
            ``cis/`` apply (they are 2023 figures; the 2021 world has none).
        base_year: DOTS year of the base pattern.
    """

    name: str
    year: int
    eur_usd: float
    eur_source: str
    published_cells: bool
    base_year: int = 2020


SPECS: dict[str, WorldSpec] = {
    "cis2023": WorldSpec("cis2023", 2023, 1.0813, "ECB-2023", published_cells=True),
    "cis2021": WorldSpec("cis2021", 2021, 1.1827, "ECB-2021", published_cells=False),
}

#: Source keys this build adds to those of FIGURES.md §Sources.
SOURCES: dict[str, str] = {
    "DOTS": "IMF, Direction of Trade Statistics (DOTS), goods exports f.o.b. (TXG_FOB_USD), "
    "2019-2020, exporter-reported or IMF-estimated; raw file imf_dots/dots_exports_2019_2020.csv "
    "(pulled from the IMF API Feb 2022, redistributed in uchicago-CAPP30122-win-2022/"
    "proj-cappmait); EU27 = sum of the 27 members, intra-EU trade excluded",
    "EUROSTAT": "Eurostat, Comext DS-045409 (EU trade since 1988 by partner), EU27 exports, "
    "product TOTAL, Jan.-Dec., euro; raw files eurostat_eu27_exports/ (redistributed in "
    "mary-lev/eu-export-sanctions); extra-EU = sum over partners that are not EU members",
    "ECB-2023": "ECB euro foreign exchange reference rate, US dollar, annual average of daily "
    "rates 2023 = 1.0813 USD per EUR (ECB Data Portal series EXR.A.USD.EUR.SP00.A); taken "
    "as published in that series, not re-downloaded by this build (no network)",
    "ECB-2021": "ECB euro foreign exchange reference rate, US dollar, annual average of daily "
    "rates 2021 = 1.1827 USD per EUR (ECB Data Portal series EXR.A.USD.EUR.SP00.A); taken "
    "as published in that series, not re-downloaded by this build (no network)",
    "COCO": "country_converter 1.3.2 (PyPI; Stadler 2017, JOSS 2(16) 332) country table: "
    "ISO2 -> ISO3 for the IMF codes, regexes for Eurostat's partner names",
    "IMF-WEO": "IMF World Economic Outlook, as cached in PyPI atlas-common-data 1.1.1 "
    "(imf_data.parquet); raw file macro_2019_2024.csv",
    "WDI": "World Bank WDI, as cached in PyPI atlas-common-data 1.1.1 (wdi_data.parquet); "
    "raw file macro_2019_2024.csv",
    "CEPII": "CEPII GeoDist (Mayer & Zignago 2011): distw, contig, comlang_off; raw file "
    "gravity_vars.csv (EU27 = population-weighted member averages; EU dummies = member "
    "population shares)",
    "DESTA": "DESTA (Dür, Baccini & Elsig 2014): rta_2021; raw file gravity_vars.csv",
    "AGR": "raw file trade_agreements.csv (CIS FTA 1994 and 2011 party rows, EAEU row)",
    "E2": "European Commission, Employment and Social Developments in Europe 2024, ch. 1.2 "
    "https://op.europa.eu/webpub/empl/esde-2024/chapters/chapter-1-2.html (EU real GDP "
    "growth 2021 6.1 %, 2022 3.4 %, 2023 0.4 %)",
    "E3": "Eurostat preliminary flash estimate Q4 2024 (EU GDP 2024 +1.0 %), as republished "
    "at https://cliqindia.org/gdp-up-by-0-2-and-employment-up-by-0-1-in-the-euro-area-"
    "euro-indicators/229631/ (secondary; weak)",
    "N-EUCHN": "NOTES.md: Eurostat news 4 Mar 2024 https://ec.europa.eu/eurostat/web/"
    "products-eurostat-news/w/ddn-20240304-2 (CHN = 20.5 % of extra-EU imports, 2023)",
    "N-MDA": "NOTES.md: Agenzia Nova (no URL), Moldova's Jan-Jul 2023 export shares",
    "N-IRN": "NOTES.md: Iran News Daily Aug 2023 (no URL), Iran FY1402 first 4 months "
    "non-oil trade by partner",
    "N-UZBKAZ": "NOTES.md: Uzstat via Trend (no URL), UZB-KAZ Jan-Aug 2023",
    "PPML": "FE-PPML gravity fit of this build: exporter and importer fixed effects, ln distw, "
    "contig, comlang_off, rta, on the non-imputed off-diagonal cells among the modelled "
    "economies",
    "RAS": "biproportional scaling (RAS) of this build: DOTS base cells scaled by an exporter "
    "and an importer factor so that rows and columns meet the published totals",
    "EU-SANCTIONS": "Council Regulation (EU) No 833/2014 concerning restrictive measures in view "
    "of Russia's actions destabilising the situation in Ukraine, as amended from Feb 2022 "
    "(EUR-Lex CELEX 32014R0833); Council Regulation (EC) No 765/2006 on Belarus, as amended "
    "from 2022 (EUR-Lex CELEX 32006R0765)",
    "A": "assumed parameter of this build (see 'Assumed parameters')",
}
