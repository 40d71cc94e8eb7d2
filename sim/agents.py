"""The `Economy` agent: a view onto one row of the model's economy arrays.

The model computes each quarter's state for all economies at once with the
vectorized core in :mod:`sim.economics` and keeps it as arrays
(``model.economy_state``, one entry per series, indexed like the world's
economies). An agent holds only its index: every attribute reads the model's
arrays or the world registry, so nothing is copied and nothing can drift.
Students and the dashboard can still address an economy by agent.
"""

from __future__ import annotations

import mesa

STATE = ("output", "price", "real_income", "expenditure", "exports", "imports", "tariff_revenue")
"""Series each economy has per quarter (declared with units in :mod:`sim.reporters`)."""


class Economy(mesa.Agent):
    """A member-state (or partner, or rest-of-world) economy.

    Attributes:
        index: Its position in the model's arrays.
        iso3: ISO3 code (``EUU`` = EU27, ``ROW`` = rest of world), from the world.
        name: Display name, from the world.
        currency: ISO 4217 code of its currency, from the world.
        blocs: Blocs it belongs to (e.g. ``("CIS", "EAEU")``), from the world.
        output, price, real_income, expenditure, exports, imports, tariff_revenue:
            This quarter's values from ``model.economy_state`` (units in
            :mod:`sim.reporters`).
    """

    def __init__(self, model: mesa.Model, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def iso3(self) -> str:
        """ISO3 code."""
        return self.model.world.economies[self.index]

    @property
    def name(self) -> str:
        """Display name."""
        return self.model.world.names[self.index]

    @property
    def currency(self) -> str:
        """ISO 4217 currency code."""
        return self.model.world.currencies[self.index]

    @property
    def blocs(self) -> tuple[str, ...]:
        """Blocs the economy belongs to."""
        code = self.iso3
        return tuple(b for b, members in self.model.world.blocs.items() if code in members)

    output = property(lambda self: self._series("output"))
    price = property(lambda self: self._series("price"))
    real_income = property(lambda self: self._series("real_income"))
    expenditure = property(lambda self: self._series("expenditure"))
    exports = property(lambda self: self._series("exports"))
    imports = property(lambda self: self._series("imports"))
    tariff_revenue = property(lambda self: self._series("tariff_revenue"))

    def _series(self, name: str) -> float:
        return float(self.model.economy_state[name][self.index])
