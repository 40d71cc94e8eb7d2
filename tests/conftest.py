"""Shared fixtures: validated configs and finished runs of the default world."""

from __future__ import annotations

import pytest

from sim.compose import compose_and_validate


@pytest.fixture(scope="session")
def config_for():
    """Compose and validate a config from Hydra overrides (cached per override tuple)."""
    cache = {}

    def build(*overrides: str):
        if overrides not in cache:
            cache[overrides] = compose_and_validate(list(overrides))
        return cache[overrides]

    return build
