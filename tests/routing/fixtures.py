"""A small, self-contained trade matrix for routing tests (a gravity fixture, not data).

GDP (US$ bn, 2023, rounded) from the shared countries_2023.csv (World Bank WDI);
IRN from the same file; ROW = world GDP (~105,000) minus the 15. Flows are a
plain gravity X_ij = 0.02 · Y_i · Y_j / Y_world · (1000 km / d_ij), with d_ij the
great-circle distance between the economies' hubs (ROW: 8,000 km), and the
diagonal set to 60 % of output. Only the routing layer's behaviour is tested
with it; the model's calibration matrix comes from sim.data.
"""

from __future__ import annotations

import numpy as np

from sim.routing.network import load_network

ECONOMIES = (
    "ARM", "AZE", "BLR", "KAZ", "KGZ", "MDA", "RUS", "TJK", "TKM", "UZB",
    "CHN", "EUU", "IRN", "IND", "TUR", "ROW",
)  # fmt: skip
GDP_BN = {
    "ARM": 24.2, "AZE": 72.4, "BLR": 71.9, "KAZ": 261.4, "KGZ": 14.0, "MDA": 16.5,
    "RUS": 2021.4, "TJK": 12.1, "TKM": 59.9, "UZB": 90.9, "CHN": 17794.8,
    "EUU": 18349.4, "IRN": 401.5, "IND": 3549.9, "TUR": 1108.0, "ROW": 60000.0,
}  # fmt: skip
HUB = {
    "ARM": "yerevan", "AZE": "baku", "BLR": "minsk", "KAZ": "astana", "KGZ": "bishkek",
    "MDA": "chisinau", "RUS": "moscow", "TJK": "dushanbe", "TKM": "ashgabat",
    "UZB": "tashkent", "CHN": "xian", "EUU": "duisburg", "IRN": "tehran",
    "IND": "nhava_sheva", "TUR": "istanbul", "ROW": "row",
}  # fmt: skip


def gravity_flows(economies: tuple[str, ...] = ECONOMIES) -> np.ndarray:
    """n×n US$ bn/yr gravity fixture (all entries > 0)."""
    hubs = load_network().hubs
    lat = np.radians([hubs.loc[HUB[e], "lat"] if e != "ROW" else 0.0 for e in economies])
    lon = np.radians([hubs.loc[HUB[e], "lon"] if e != "ROW" else 0.0 for e in economies])
    h = (
        np.sin((lat[:, None] - lat[None, :]) / 2) ** 2
        + np.cos(lat[:, None])
        * np.cos(lat[None, :])
        * np.sin((lon[:, None] - lon[None, :]) / 2) ** 2
    )
    dist = 2 * 6371.0 * np.arcsin(np.sqrt(h))
    is_row = np.array([e == "ROW" for e in economies])
    dist[is_row, :] = 8000.0
    dist[:, is_row] = 8000.0
    y = np.array([GDP_BN[e] for e in economies])
    with np.errstate(divide="ignore"):
        flows = 0.02 * np.outer(y, y) / 105000.0 * (1000.0 / dist)
    np.fill_diagonal(flows, 0.6 * y)
    return flows
