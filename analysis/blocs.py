"""Bloc memberships used to aggregate output tables (ISO3 codes as in the model)."""

from __future__ import annotations

#: The ten CIS economies of the default world.
CIS: tuple[str, ...] = ("ARM", "AZE", "BLR", "KAZ", "KGZ", "MDA", "RUS", "TJK", "TKM", "UZB")

#: Eurasian Economic Union members.
EAEU: tuple[str, ...] = ("ARM", "BLR", "KAZ", "KGZ", "RUS")

BLOCS: dict[str, tuple[str, ...]] = {"CIS": CIS, "EAEU": EAEU}

#: Display order of economies: CIS first, then partners, rest of world last.
PARTNERS: tuple[str, ...] = ("CHN", "EUU", "IRN", "IND", "TUR")


def economy_order(economies: list[str] | set[str]) -> list[str]:
    """Economies in display order: CIS, partners, others alphabetically, ``ROW`` last."""
    known = [e for e in (*CIS, *PARTNERS) if e in economies]
    rest = sorted(set(economies) - set(known) - {"ROW"})
    return known + rest + (["ROW"] if "ROW" in economies else [])
