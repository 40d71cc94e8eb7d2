"""Blocs and the display order of economies, read from the World (the one registry)."""

from __future__ import annotations

from functools import lru_cache

from sim.data.loader import load_world

#: Blocs drawn as panels of their own (intra-bloc trade), in this order.
SHOWN_BLOCS: tuple[str, ...] = ("CIS", "EAEU")


@lru_cache(maxsize=4)
def _world(name: str):  # noqa: ANN202 - sim.data.world.World
    return load_world(name)


def blocs(world: str = "cis2023") -> dict[str, tuple[str, ...]]:
    """Bloc name → members of a shipped world (the run's ``world.name``), for the panels."""
    registry = _world(world).blocs
    return {b: tuple(registry[b]) for b in SHOWN_BLOCS if b in registry}


def economy_order(economies: list[str] | set[str], world: str = "cis2023") -> list[str]:
    """Economies in the World's order (CIS, partners, ``ROW`` last); unknown codes sorted after."""
    known = [e for e in _world(world).economies if e in economies and e != "ROW"]
    rest = sorted(set(economies) - set(known) - {"ROW"})
    return known + rest + (["ROW"] if "ROW" in economies else [])
