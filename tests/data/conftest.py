"""Shared fixtures for the data-layer tests."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest

from sim.data import build


def _shipped_rows(table: str) -> list[dict[str, str]]:
    data = resources.files("sim.data").joinpath("cis2023", table).read_bytes()
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


@pytest.fixture(scope="session")
def shipped_rows() -> Callable[[str], list[dict[str, str]]]:
    """Reader of a shipped cis2023 table's rows, from the installed package."""
    return _shipped_rows


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    """The raw research figures; tests that need them skip when they are absent."""
    d = build.default_raw_dir()
    if not (d / "trade_flows_2023_reported.csv").is_file():
        pytest.skip(f"raw data not available at {d}")
    return d
