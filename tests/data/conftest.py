"""Shared fixtures for the data-layer tests."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest

from sim.data import build


def _shipped_rows(table: str, world: str = "cis2023") -> list[dict[str, str]]:
    data = resources.files("sim.data").joinpath(world, table).read_bytes()
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


@pytest.fixture(scope="session")
def shipped_rows() -> Callable[[str], list[dict[str, str]]]:
    """Reader of a shipped table's rows (default world cis2023), from the installed package."""
    return _shipped_rows


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    """The shared raw data (../shared/data); tests that need them skip when they are absent."""
    d = build.default_raw_dir()
    if not (d / "cis" / "trade_flows_2023_reported.csv").is_file():
        pytest.skip(f"raw data not available at {d}")
    return d
