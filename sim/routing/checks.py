"""Free-flow transit times of the routes whose times are published (checks, not inputs).

Run: ``uv run python -m sim.routing.checks``.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import numpy as np

from sim.routing.network import Network, load_network

_PORTS = ("port",)
#: (route, from hub, to hub, corridors allowed, open planned segments too, published, low, high)
PUBLISHED_TIMES: tuple[tuple[str, str, str, tuple[str, ...], bool, str, float, float], ...] = (
    (
        "China-EU rail, Xi'an-Duisburg via KAZ-RUS-BLR",
        "xian",
        "duisburg",
        ("domestic", "CHN-KAZ gateways", "East-West"),
        False,
        "10-15 (K13)",
        10,
        15,
    ),
    (
        "China-EU sea, Xi'an-Duisburg via Suez",
        "xian",
        "duisburg",
        ("domestic", "deep sea", "Suez", *_PORTS),
        False,
        "45-60 (K13)",
        45,
        60,
    ),
    (
        "Middle Corridor, Altynkol-Baku",
        "altynkol",
        "baku",
        ("domestic", "Middle Corridor", *_PORTS),
        False,
        "9 (KTZ 2023 via turkic.world; FIGURES.md [K6, K12])",
        8,
        10,
    ),
    (
        "Middle Corridor, Altynkol-Poti",
        "altynkol",
        "poti",
        ("domestic", "Middle Corridor", *_PORTS),
        False,
        "12 (KTZ 2023)",
        10,
        13,
    ),
    (
        "Middle Corridor, Altynkol-Constanta",
        "altynkol",
        "constanta",
        ("domestic", "Middle Corridor", *_PORTS),
        False,
        "20-22 (KTZ 2023)",
        18,
        23,
    ),
    (
        "Middle Corridor, Xi'an-Mersin",
        "xian",
        "mersin",
        ("domestic", "CHN-KAZ gateways", "Middle Corridor", *_PORTS),
        False,
        "17 (K12)",
        15,
        20,
    ),
    (
        "St Petersburg-Nhava Sheva, INSTC Trans-Caspian",
        "st_petersburg",
        "nhava_sheva",
        ("domestic", "INSTC Trans-Caspian", "INSTC sea", *_PORTS),
        False,
        "25 (K2, Jun 2022 test run)",
        20,
        30,
    ),
    (
        "St Petersburg-Nhava Sheva, INSTC western",
        "st_petersburg",
        "nhava_sheva",
        ("domestic", "INSTC western", "INSTC sea", *_PORTS),
        False,
        "none for this branch; K2 test run (Trans-Caspian) 25; K1: ~20 days faster than Suez",
        15,
        30,
    ),
    (
        "St Petersburg-Nhava Sheva, INSTC eastern",
        "st_petersburg",
        "nhava_sheva",
        ("domestic", "regional", "INSTC eastern", "INSTC sea", *_PORTS),
        False,
        "none for this branch; K2 test run (Trans-Caspian) 25; K1: ~20 days faster than Suez",
        15,
        30,
    ),
    (
        "St Petersburg-Nhava Sheva via Suez",
        "st_petersburg",
        "nhava_sheva",
        ("deep sea", "Suez", *_PORTS),
        False,
        "~40 (K2)",
        34,
        46,
    ),
    (
        "Tashkent-Peshawar, Trans-Afghan railway (planned, opened)",
        "tashkent",
        "peshawar",
        ("Siberia-South",),
        True,
        "3-5 (K10, Uzbekistan-Pakistan, planned)",
        3,
        5,
    ),
)


#: Countries a route's fastest path may not cross: the sea route is not the land
#: bridge over Russia's domestic rail (Shanghai-Nakhodka by sea, Trans-Siberian, Baltic).
AVOID = {"China-EU sea, Xi'an-Duisburg via Suez": ("RUS",)}


def fastest_days(
    from_hub: str,
    to_hub: str,
    corridors: Iterable[str],
    include_planned: bool = False,
    net: Network | None = None,
    avoid: Iterable[str] = (),
) -> float:
    """Free-flow days (running + border delay) of the fastest path using only ``corridors``.

    ``avoid``: ISO3 codes whose hubs the path may not touch.
    """
    net = net or load_network()
    generic = list(net.hubs.index[net.hubs["kind"] == "generic"])
    allowed = np.isin(net.corridor, list(corridors))
    if avoid:
        allowed &= ~net.in_territory(list(avoid))
    allowed &= ~np.isin(net.from_hub, generic) & ~np.isin(net.to_hub, generic)
    if not include_planned:
        allowed &= net.is_open
    graph = nx.Graph()
    days = net.base_days + net.border_days
    for s in np.flatnonzero(allowed):
        u, v = net.from_node[s], net.to_node[s]
        if not graph.has_edge(u, v) or graph[u][v]["d"] > days[s]:
            graph.add_edge(u, v, d=float(days[s]))
    return float(nx.shortest_path_length(graph, from_hub, to_hub, weight="d"))


def published_time_checks() -> list[dict[str, object]]:
    """Model free-flow days against each published transit time.

    Returns:
        One dict per route: route, published, low, high, model_days.
    """
    net = load_network()
    return [
        {
            "route": route,
            "published": published,
            "low": low,
            "high": high,
            "model_days": fastest_days(a, b, corridors, planned, net, AVOID.get(route, ())),
        }
        for route, a, b, corridors, planned, published, low, high in PUBLISHED_TIMES
    ]


def main() -> None:
    """Print model free-flow days against each published transit time."""
    print(f"{'route':62s} {'published':>40s} {'model days':>10s}")
    for c in published_time_checks():
        print(f"{c['route']:62s} {c['published']:>40s} {c['model_days']:10.1f}")


if __name__ == "__main__":
    main()
