"""The `Economy` agent: one per economy, holding its state and the policy it applies."""

from __future__ import annotations

import mesa


class Economy(mesa.Agent):
    """A member-state (or partner, or rest-of-world) economy.

    The agent is a thin shell: the model computes the quarter's equilibrium
    with the vectorized core in :mod:`sim.economics` and assigns the results
    here through :meth:`record`.

    Attributes:
        iso3: ISO3 code (``EUU`` = EU27, ``ROW`` = rest of world).
        name: Display name.
        currency: ISO 4217 code of its currency.
        blocs: Blocs it belongs to (e.g. ``("CIS", "EAEU")``).
        index: Its position in the model's arrays.
        output: Gross output, US$ bn at annual rate.
        price: Factory-gate price relative to the calibration (1 = unchanged).
        real_income: Real expenditure relative to the calibration.
        expenditure: Expenditure, US$ bn at annual rate (tariff revenue included).
        exports: Exports (international sales at importer prices), US$ bn.
        imports: Imports at importer prices, US$ bn.
        tariff_revenue: Tariff revenue collected, US$ bn, rebated to its expenditure.
    """

    def __init__(
        self,
        model: mesa.Model,
        iso3: str,
        name: str,
        currency: str,
        blocs: tuple[str, ...],
        index: int,
    ) -> None:
        super().__init__(model)
        self.iso3 = iso3
        self.name = name
        self.currency = currency
        self.blocs = blocs
        self.index = index
        self.output = 0.0
        self.price = 1.0
        self.real_income = 1.0
        self.expenditure = 0.0
        self.exports = 0.0
        self.imports = 0.0
        self.tariff_revenue = 0.0

    def record(
        self,
        *,
        output: float,
        price: float,
        real_income: float,
        expenditure: float,
        exports: float,
        imports: float,
        tariff_revenue: float,
    ) -> None:
        """Assign this quarter's results computed by the model."""
        self.output = output
        self.price = price
        self.real_income = real_income
        self.expenditure = expenditure
        self.exports = exports
        self.imports = imports
        self.tariff_revenue = tariff_revenue
