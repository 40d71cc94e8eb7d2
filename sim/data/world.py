"""The `World`: everything the model needs to know about the economies at start.

A `World` is an immutable bundle of numpy arrays, indexed by economy in the
order of ``World.economies``. The last economy is always ``"ROW"`` (rest of
world), which closes world totals. It is built by :func:`sim.data.loader.load_world`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class World:
    """Calibration data for one world (e.g. ``cis2023``).

    Attributes:
        name: World identifier, e.g. ``"cis2023"``.
        year: Calibration year of the trade matrix.
        economies: ISO3 codes (``"EUU"`` = EU27, ``"ROW"`` = rest of world, last).
        names: Display names, same order.
        currencies: ISO 4217 currency per economy (``"EUR"`` for EUU, ``"USD"`` for ROW).
        lat: Capital latitude (deg), NaN for ROW.
        lon: Capital longitude (deg), NaN for ROW.
        gdp: GDP, current US$ bn (value added), calibration year.
        population: Population, millions.
        flows: n×n trade matrix, US$ bn per year, row = exporter, column =
            importer; the diagonal holds domestic sales (gross-output proxy
            minus exports). All entries are > 0.
        provenance: n×n str array: ``"reported"``, ``"mirror"``, ``"derived"``
            (published figures), ``"eurostat"`` (the EU row), ``"scaled"`` (IMF DOTS
            base scaled to published totals), ``"imputed"`` (FE-PPML),
            ``"domestic"`` (diagonal), ``"residual"`` (ROW-ROW, and ROW cells of a
            folded world) or ``"user"`` (user-supplied matrix).
        flow_source: n×n str array, the source key(s) of each cell.
        distance: n×n population-weighted distance (km, CEPII ``distw``);
            diagonal = internal distance.
        blocs: Bloc name → member ISO3 codes (e.g. ``"CIS"``, ``"EAEU"``,
            ``"CIS_FTA"``), restricted to economies in this world.
        data_version: Hash of the shipped tables, recorded in run metadata.
    """

    name: str
    year: int
    economies: tuple[str, ...]
    names: tuple[str, ...]
    currencies: tuple[str, ...]
    lat: np.ndarray
    lon: np.ndarray
    gdp: np.ndarray
    population: np.ndarray
    flows: np.ndarray
    provenance: np.ndarray
    flow_source: np.ndarray
    distance: np.ndarray
    blocs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    data_version: str = ""

    @property
    def n(self) -> int:
        """Number of economies, RoW included."""
        return len(self.economies)

    @property
    def output(self) -> np.ndarray:
        """Gross output Y_i = Σ_j X_ij (US$ bn), domestic sales included."""
        return self.flows.sum(axis=1)

    @property
    def expenditure(self) -> np.ndarray:
        """Expenditure E_j = Σ_i X_ij (US$ bn), domestic purchases included."""
        return self.flows.sum(axis=0)

    def index(self, iso3: str) -> int:
        """Position of an economy code in this world's arrays."""
        return self.economies.index(iso3)

    def members(self, bloc: str) -> np.ndarray:
        """Boolean mask over economies for a bloc (all False if the bloc is unknown)."""
        codes = set(self.blocs.get(bloc, ()))
        return np.array([e in codes for e in self.economies])

    @property
    def bloc_names(self) -> tuple[str, ...]:
        """Names of the blocs of this world (from ``blocs.csv``), e.g. ``("CIS", "EAEU", ...)``."""
        return tuple(self.blocs)

    def bloc_members(self, bloc: str) -> tuple[str, ...]:
        """ISO3 codes of a bloc's members present in this world, in world order.

        Raises:
            KeyError: The bloc is not one of :attr:`bloc_names`.
        """
        if bloc not in self.blocs:
            raise KeyError(f"unknown bloc {bloc!r}; allowed: {', '.join(self.blocs)}")
        return self.blocs[bloc]

    def currency_of(self, iso3: str) -> str:
        """ISO 4217 currency of an economy (``"EUR"`` for EUU, ``"USD"`` for ROW)."""
        return self.currencies[self.index(iso3)]

    def name_of(self, iso3: str) -> str:
        """Display name of an economy."""
        return self.names[self.index(iso3)]

    @property
    def currency_set(self) -> tuple[str, ...]:
        """Distinct currencies of this world, in first-appearance order."""
        return tuple(dict.fromkeys(self.currencies))
