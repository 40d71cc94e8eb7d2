"""Hub coordinates and segment end points for corridor maps."""

from __future__ import annotations

import pandas as pd

from sim.routing.network import load_network


def network_geometry() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hubs and segments with real coordinates, for drawing a corridor map.

    Returns:
        ``hubs``: columns hub, name, economy, kind, lon, lat, coord_basis
        (``gazetteer``, ``proxy``, ``assumed``; the generic ROW node has
        NaN coordinates and ``none``).
        ``segments``: columns segment, from_hub, to_hub, mode, corridor, status,
        lon0, lat0, lon1, lat1, drawable (False for port transfers, which have
        no length, and for links to the generic ROW node).
    """
    net = load_network()
    hubs = net.hubs.reset_index()[["hub", "name", "economy", "kind", "lon", "lat", "coord_basis"]]
    pos = net.hubs[["lon", "lat"]]
    seg = pd.DataFrame(
        {
            "segment": net.segment_ids,
            "from_hub": net.from_hub,
            "to_hub": net.to_hub,
            "mode": net.mode,
            "corridor": net.corridor,
            "status": ["open" if o else "planned" for o in net.is_open],
            "lon0": pos.loc[net.from_hub, "lon"].to_numpy(),
            "lat0": pos.loc[net.from_hub, "lat"].to_numpy(),
            "lon1": pos.loc[net.to_hub, "lon"].to_numpy(),
            "lat1": pos.loc[net.to_hub, "lat"].to_numpy(),
        }
    )
    seg["drawable"] = (seg["mode"] != "transfer") & seg[
        ["lon0", "lat0", "lon1", "lat1"]
    ].notna().all(axis=1)
    return hubs, seg
