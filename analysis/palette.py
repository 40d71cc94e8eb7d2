"""One fixed colour per name, shared by the report and the dashboard.

A currency, economy, scenario or corridor gets the same colour in every figure,
whatever else the figure shows: the colour comes from the name's place in the
registry it belongs to (the shipped ``World`` for economies and currencies, the
shipped scenario files, the shipped corridor network), never from the order in
which a figure happens to meet the names. A name outside its registry gets a
colour from a stable hash of the name (the same in every process).

The palette is Kelly's (1965) 22 colours of maximum contrast, without white and
black, reordered so that the first entries are the most distinct; scenarios use
Okabe & Ito (2008) with the baseline in black.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import sim

#: Kelly's colours of maximum contrast (white and black left out), most distinct first.
KELLY: tuple[str, ...] = (
    "#0067A5",  # strong blue
    "#F38400",  # vivid orange
    "#BE0032",  # vivid red
    "#008856",  # vivid green
    "#875692",  # strong purple
    "#F3C300",  # vivid yellow
    "#A1CAF1",  # very light blue
    "#882D17",  # strong reddish brown
    "#8DB600",  # vivid yellowish green
    "#E68FAC",  # strong purplish pink
    "#604E97",  # strong violet
    "#C2B280",  # greyish yellow
    "#F99379",  # strong yellowish pink
    "#2B3D26",  # dark olive green
    "#DCD300",  # vivid greenish yellow
    "#B3446C",  # strong purplish red
    "#654522",  # deep yellowish brown
    "#E25822",  # vivid reddish orange
    "#848482",  # medium grey
    "#F6A600",  # vivid orange yellow
)

#: Okabe & Ito (2008) colour-blind-safe palette without black (black is the baseline's).
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
)

BASELINE = "#000000"
OTHER = "#999999"
"""Colour of a remainder ("other", "rest")."""

SEGMENTS_CSV = Path(sim.__file__).parent / "data" / "corridors" / "segments.csv"


def _hashed(name: str, palette: tuple[str, ...]) -> str:
    return palette[zlib.crc32(name.encode()) % len(palette)]


@lru_cache(maxsize=1)
def _world_registry() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(economy codes, currencies) of the shipped default world, in its order."""
    from sim.data.loader import load_world

    world = load_world()
    return tuple(world.economies), tuple(dict.fromkeys(world.currencies))


@lru_cache(maxsize=1)
def _scenario_registry() -> tuple[str, ...]:
    """Shipped scenario names, sorted, baseline left out (it is black)."""
    from sim.compose import scenario_files

    return tuple(name for name in scenario_files() if name != "baseline")


@lru_cache(maxsize=1)
def _corridor_registry() -> tuple[str, ...]:
    """Corridor names of the shipped network, sorted."""
    if not SEGMENTS_CSV.is_file():
        return ()
    import pandas as pd

    return tuple(sorted(pd.read_csv(SEGMENTS_CSV, usecols=["corridor"])["corridor"].unique()))


def _from_registry(name: str, registry: tuple[str, ...], palette: tuple[str, ...]) -> str:
    if name in registry:
        return palette[registry.index(name) % len(palette)]
    return _hashed(name, palette)


def economy_colour(code: str) -> str:
    """Colour of an economy (ISO3 code, e.g. ``"KAZ"``)."""
    return _from_registry(code, _world_registry()[0], KELLY)


#: Currencies that get a fixed colour of their own, whatever the world's order:
#: the vehicle currencies and the rouble, the four a reader compares most.
MAJOR_CURRENCIES: dict[str, str] = {
    "USD": "#0067A5",
    "EUR": "#F3C300",
    "RUB": "#BE0032",
    "CNY": "#F38400",
}


def currency_colour(code: str) -> str:
    """Colour of a currency (ISO 4217 code, e.g. ``"USD"``; ``"other"`` is grey)."""
    if code in MAJOR_CURRENCIES:
        return MAJOR_CURRENCIES[code]
    if code.lower() in ("other", "others"):
        return OTHER
    rest = tuple(c for c in KELLY if c not in MAJOR_CURRENCIES.values())
    registry = tuple(c for c in _world_registry()[1] if c not in MAJOR_CURRENCIES)
    return _from_registry(code, registry, rest)


def scenario_colour(name: str) -> str:
    """Colour of a scenario; ``baseline`` (also ``"… (--baseline)"``) is black."""
    bare = name.removesuffix(" (--baseline)")
    if bare == "baseline" or name.endswith(" (--baseline)"):
        return BASELINE
    return _from_registry(bare, _scenario_registry(), OKABE_ITO + KELLY[6:])


def corridor_colour(name: str) -> str:
    """Colour of a corridor of the shipped network (e.g. ``"Middle Corridor"``)."""
    return _from_registry(name, _corridor_registry(), KELLY)


def colours(kind: str, names: Iterable[str]) -> dict[str, str]:
    """Name → colour for ``kind`` in ``economy``, ``currency``, ``scenario``, ``corridor``."""
    pick = {
        "economy": economy_colour,
        "currency": currency_colour,
        "scenario": scenario_colour,
        "corridor": corridor_colour,
    }[kind]
    return {str(n): pick(str(n)) for n in names}
