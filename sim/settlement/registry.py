"""The economy codes and currencies the settlement layer may name, read from the World.

The World is the one registry of codes and currencies (``World.economies``,
``World.currency_of``, ``World.currency_set``). A run's own world comes first;
the shipped world (:func:`sim.data.loader.load_world`) completes it with the
economies a run leaves out, so that a scope or a third currency may name an
issuer outside the run's world (``"CHN"`` when only CNY is offered).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from sim.data.loader import load_world


@dataclass(frozen=True)
class Registry:
    """Economy codes and their currencies, the run's world first.

    Attributes:
        economies: Economy codes (ROW included where a world has it).
        currencies: ISO 4217 currency of each economy, same order.
    """

    economies: tuple[str, ...]
    currencies: tuple[str, ...]

    @property
    def currency_set(self) -> frozenset[str]:
        """Every currency some economy of the registry uses."""
        return frozenset(self.currencies)

    def currency_of(self, code: str) -> str:
        """Currency of an economy (KeyError if unknown)."""
        for e, c in zip(self.economies, self.currencies, strict=True):
            if e == code:
                return c
        raise KeyError(code)

    def issuer(self, currency: str) -> str | None:
        """The first economy other than ROW that uses ``currency`` (ROW for USD), or None."""
        users = [e for e, c in zip(self.economies, self.currencies, strict=True) if c == currency]
        named = [e for e in users if e != "ROW"]
        return named[0] if named else (users[0] if users else None)


@cache
def _shipped() -> Registry:
    w = load_world()
    return Registry(tuple(w.economies), tuple(w.currency_of(e) for e in w.economies))


def registry(economies: Sequence[str] = (), currencies: Sequence[str] = ()) -> Registry:
    """The run's economies and currencies, then those of the shipped world not among them.

    Args:
        economies: The run's economy codes (from its World).
        currencies: Their currencies (``World.currency_of``), same order; may be
            empty when only codes are known (the shipped world's currencies apply).
    """
    base = _shipped()
    if not currencies:
        currencies = [base.currency_of(e) for e in economies if e in base.economies]
        economies = [e for e in economies if e in base.economies]
    extra = [(e, c) for e, c in zip(base.economies, base.currencies, strict=True)]
    extra = [(e, c) for e, c in extra if e not in economies]
    return Registry((*economies, *(e for e, _ in extra)), (*currencies, *(c for _, c in extra)))
