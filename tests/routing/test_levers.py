"""Corridor lever dates on the one Schedule type (sim/routing/levers.py)."""

from sim.policy.schedule import Schedule
from sim.quarters import quarter_ordinal
from sim.routing import CorridorsConfig
from sim.routing.config import BorderTimeChange, Closure, Opening
from sim.routing.levers import from_year, in_force, segment_state
from sim.routing.network import load_network


def test_closure_window_is_inclusive_and_opening_starts_in_q1():
    window = Schedule.window("2025Q1", "2025Q4")
    quarters = ("2024Q4", "2025Q1", "2025Q4", "2026Q1")
    assert [in_force(window, quarter_ordinal(q)) for q in quarters] == [False, True, True, False]
    assert window.cells is None and window.path == "step"
    opening = from_year(2027)
    assert not in_force(opening, quarter_ordinal("2026Q4"))
    assert in_force(opening, quarter_ordinal("2027Q1")) and in_force(opening, 4 * 10**6)


def test_segment_state_follows_the_windows():
    net = load_network()
    cfg = CorridorsConfig(
        closures=[Closure("aktau-baku", "2025Q2", "2025Q3")],
        openings=[Opening("astara_irn-rasht_rail", 2027)],
    )
    ferry, rail = net.segment_index("aktau-baku"), net.segment_index("astara_irn-rasht_rail")
    open_in = {q: segment_state(net, cfg, q).is_open for q in ("2025Q1", "2025Q2", "2025Q4")}
    assert [open_in[q][ferry] for q in ("2025Q1", "2025Q2", "2025Q4")] == [True, False, True]
    assert not segment_state(net, cfg, "2026Q4").is_open[rail]
    assert segment_state(net, cfg, "2027Q1").is_open[rail]


def test_border_days_multiply_then_add_and_a_corridor_spreads_them_by_km():
    net = load_network()
    ferry = net.segment_index("aktau-baku")
    mc = net.targets("Middle Corridor")
    cfg = CorridorsConfig(
        border_time_changes=[
            BorderTimeChange("aktau-baku", 2021, factor=2.0, days=45.0),
            BorderTimeChange("aktau-baku", 2023, days=-45.0),
            BorderTimeChange("Middle Corridor", 2030, days=10.0),
            BorderTimeChange("aktau-baku", 2040, days=-365.0),
        ]
    )
    shipped = net.border_days[ferry]
    assert segment_state(net, cfg, "2020Q4").border_days[ferry] == shipped
    assert segment_state(net, cfg, "2021Q1").border_days[ferry] == 2 * shipped + 45
    assert segment_state(net, cfg, "2023Q1").border_days[ferry] == 2 * shipped
    added = (
        segment_state(net, cfg, "2030Q1").border_days[mc]
        - 2 * net.border_days[mc] * (mc == ferry)
        - net.border_days[mc] * (mc != ferry)
    )
    assert abs(added.sum() - 10.0) < 1e-9  # the whole corridor waits the 10 days once
    assert segment_state(net, cfg, "2040Q1").border_days[ferry] == 0.0  # floored


def test_lever_sets_list_each_set_in_force_once_in_order_of_first_use():
    from sim.quarters import quarter_range
    from sim.routing.config import CapacityChange
    from sim.routing.levers import lever_sets, levers_in_force, with_levers

    cfg = CorridorsConfig(
        closures=[Closure("East-West", "2025Q1", "2025Q4"), Closure("Suez", "2026Q1", "2026Q2")],
        openings=[Opening("astara_irn-rasht_rail", 2027)],
        capacity_changes=[CapacityChange("INSTC eastern", 2027, 15.0)],
        border_time_changes=[BorderTimeChange("aktau-baku", 2025, factor=0.5)],
    )
    # fields in LEVER_FIELDS order: capacity, openings, border, fees, premiums, closures
    assert lever_sets(cfg) == [
        ((), (), (0,), (), (), (0,)),  # 2025Q1: border change, East-West shut
        ((), (), (0,), (), (), (1,)),  # 2026Q1: East-West open again, Suez shut
        ((), (), (0,), (), (), ()),  # 2026Q3: Suez open again
        ((0,), (0,), (0,), (), (), ()),  # 2027Q1: the opening and the capacity change
    ]
    seen = []
    net = load_network()
    for quarter in quarter_range("2024Q1", 16):
        chosen = levers_in_force(cfg, quarter_ordinal(quarter))
        if chosen not in seen:
            seen.append(chosen)
        # the levers in force alone give the quarter's network
        alone = segment_state(net, with_levers(cfg, chosen), quarter)
        assert alone.key() == segment_state(net, cfg, quarter).key(), quarter
    assert [s for s in seen if any(s)] == lever_sets(cfg)
    assert lever_sets(CorridorsConfig()) == []
