"""Reading the shipped tables of ``sim/data/settlement`` (a leaf: no settlement imports)."""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

from sim.errors import DataError


@cache
def read_table(name: str) -> pd.DataFrame:
    """Read a shipped CSV of ``sim/data/settlement`` (cached; do not mutate)."""
    path = resources.files("sim").joinpath("data", "settlement", name)
    try:
        with path.open("r", encoding="utf-8") as fh:
            return pd.read_csv(fh)
    except FileNotFoundError as err:
        raise DataError(str(path), "shipped settlement table is missing") from err
