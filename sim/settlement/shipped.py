"""Reading the shipped tables of ``sim/data/settlement`` (a leaf: no settlement imports)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any, TextIO

import pandas as pd

from sim.errors import DataError


def _read[T](name: str, parse: Callable[[TextIO], T]) -> T:
    """Parse the shipped file ``name`` of ``sim/data/settlement``; DataError if it is missing."""
    path = resources.files("sim").joinpath("data", "settlement", name)
    try:
        with path.open("r", encoding="utf-8") as fh:
            return parse(fh)
    except FileNotFoundError as err:
        raise DataError(str(path), "shipped settlement file is missing") from err


@cache
def read_table(name: str) -> pd.DataFrame:
    """Read a shipped CSV of ``sim/data/settlement`` (cached; do not mutate)."""
    return _read(name, pd.read_csv)


@cache
def read_json(name: str) -> dict[str, Any]:
    """Read a shipped JSON file of ``sim/data/settlement`` (cached; do not mutate)."""
    return _read(name, json.load)
