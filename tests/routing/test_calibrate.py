"""What the China-EU rail share can identify (sim/routing/calibrate.py)."""

from sim.routing import calibrate
from sim.routing.config import CorridorsConfig


def test_rail_share_cannot_be_met_at_the_published_value_of_time(monkeypatch):
    """At Hummels & Schaur's low end (0.6 %/day) no East-West friction up to the bound
    brings the China-EU rail share to the 5.5 % it is fitted to; at the fitted δ it is met."""
    fitted = CorridorsConfig().value_of_time_per_day
    monkeypatch.setattr(calibrate, "IDENTIFICATION_DELTAS", (fitted, 6e-3))
    monkeypatch.setattr(calibrate, "IDENTIFICATION_FRICTIONS", (0.0, 1000.0))
    rows = {
        (round(r["value_of_time_pct_per_day"], 4), r["east_west_friction_usd_per_t"]): r
        for r in calibrate.identification()
    }
    # above the 5.5 % by more than the fit tolerance below (9.4 % at stop 24; 11+ before
    # paths that leave a territory and come back were dropped: sim/routing/paths.py)
    assert rows[(0.6, 1000.0)]["rail_value_share_pct"] > 5.5 + 0.5
    at_fit = rows[
        (round(100 * fitted, 4), CorridorsConfig().corridor_frictions.get("East-West", 0.0))
    ]
    assert abs(at_fit["rail_value_share_pct"] - 5.5) < 0.5
    assert rows[(0.6, 1000.0)]["rail_value_share_pct"] < rows[(0.6, 0.0)]["rail_value_share_pct"]
