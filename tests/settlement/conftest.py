"""Small worlds for the settlement tests."""

from __future__ import annotations

import numpy as np
import pytest

from sim.settlement.config import SettlementConfig
from sim.settlement.registry import registry

CIS = ("ARM", "AZE", "BLR", "KAZ", "KGZ", "MDA", "RUS", "TJK", "TKM", "UZB")
EAEU = ("ARM", "BLR", "KAZ", "KGZ", "RUS")
BLOCS = {"CIS": CIS, "EAEU": EAEU}


def world(codes: tuple[str, ...], seed: int = 0, row_flow: float = 1.0, currencies: tuple = ()):
    """Economies (+ROW), currencies and a positive random flow matrix.

    Currencies default to the shipped world's (``World.currency_of``); an economy
    outside it needs its currency given in ``currencies`` (one per code).
    """
    eco = tuple(codes) + ("ROW",)
    cur = tuple(currencies) + ("USD",) if currencies else tuple(map(registry().currency_of, eco))
    rng = np.random.default_rng(seed)
    f = rng.uniform(1.0, 10.0, (len(eco), len(eco)))
    f[-1, :] = f[:, -1] = row_flow
    np.fill_diagonal(f, 100.0)
    return eco, cur, f


@pytest.fixture
def small_world():
    return world(("KAZ", "KGZ", "RUS", "CHN"))


@pytest.fixture
def cfg() -> SettlementConfig:
    c = SettlementConfig()
    c.traders.n_traders = 4000
    return c
