import csv
import math

import numpy as np
import pytest

from sim.data.corridors import build
from sim.errors import DataError
from sim.routing import network_geometry
from sim.routing.network import DATA_DIR, load_network


def test_segments_csv_is_the_build_output():
    out, _ = build.build()
    with open(DATA_DIR / "segments.csv", newline="", encoding="utf-8") as fh:
        shipped = list(csv.DictReader(fh))
    assert shipped == out


def test_data_report_is_the_build_output():
    _, assumed = build.build()
    shipped = (DATA_DIR / "DATA_REPORT.md").read_text(encoding="utf-8")
    assert shipped == build.report_text(assumed), "run: uv run python -m sim.data.corridors.build"


def test_every_segment_and_hub_has_a_source_and_basis():
    with open(DATA_DIR / "segments.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        for col in ("source", "km_basis", "base_days_basis", "border_basis", "fee_basis",
                    "capacity_basis"):  # fmt: skip
            assert r[col], (r["segment"], col)
    net = load_network()
    assert (net.hubs["coord_basis"] != "").all()


def test_data_report_lists_every_assumed_km_and_delay():
    report = (DATA_DIR / "DATA_REPORT.md").read_text(encoding="utf-8")
    with open(DATA_DIR / "segments.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["km_basis"].startswith(("assumed", "sourced total")):
                assert f"| {r['segment']} | km" in report, r["segment"]
            if float(r["border_days"]) > 0 and r["mode"] != "transfer":
                assert f"| {r['segment']} | border/transshipment days" in report


def test_published_capacities_and_planned_links():
    net = load_network()
    assert net.capacity[net.segment_index("aktau-baku")] == 6e6  # K6
    assert net.capacity[net.segment_index("beyneu-bolashak")] == 10e6  # K4
    rail = net.segment_index("astara_irn-rasht_rail")
    assert net.km[rail] == 160 and not net.is_open[rail] and net.announced_year[rail] == 2028
    afghan = [net.segment_index(s) for s in ("termez-mazar", "mazar-kabul", "kabul-peshawar")]
    assert math.isclose(net.km[afghan].sum(), 760.0, rel_tol=1e-3)  # K10
    assert not net.is_open[afghan[1]] and not net.is_open[afghan[2]]


def test_every_corridor_of_the_issue_exists():
    names = set(load_network().corridors)
    wanted = {"East-West", "Middle Corridor", "INSTC western", "INSTC Trans-Caspian"}
    wanted |= {"INSTC eastern", "INSTC sea", "Siberia-South", "Suez", "Cape", "deep sea"}
    assert wanted <= names


def test_geometry_for_maps():
    hubs, segs = network_geometry()
    located = hubs[hubs["kind"] != "generic"]
    assert located["lat"].between(-90, 90).all() and located["lon"].between(-180, 180).all()
    drawn = segs[segs["drawable"]]
    assert np.isfinite(drawn[["lon0", "lat0", "lon1", "lat1"]].to_numpy()).all()
    assert (segs.loc[segs["mode"] == "transfer", "drawable"] == False).all()  # noqa: E712
    assert len(drawn) > 80


def test_builder_imports_nothing_from_sim_but_its_errors():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(build))
    imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    # sim.errors (exception classes only, imports nothing) for one-line data errors
    assert not [m for m in imported if m and m.startswith("sim") and m != "sim.errors"], imported


def test_pipelines_have_sourced_capacities_and_only_oil_and_gas_may_use_them():
    net = load_network()
    pipes = np.flatnonzero(net.is_pipeline)
    names = {net.segment_ids[s] for s in pipes}
    for line in (
        "druzhba", "cpc", "espo", "power_of_siberia", "cac_", "turkstream", "btc",
        "blue_stream", "ukraine_transit", "nord_stream", "yamal_europe", "tanap", "tap",
    ):  # fmt: skip
        assert any(line in n for n in names), line
    assert np.isfinite(net.capacity[pipes]).all()
    with open(DATA_DIR / "segments.csv", newline="", encoding="utf-8") as fh:
        basis = {r["segment"]: r["capacity_basis"] for r in csv.DictReader(fh)}
    assert all(basis[n].startswith("sourced") for n in names)
    com = net.commodities
    assert list(com.groups[i] for i in np.flatnonzero(com.pipeline)) == ["oil_gas"]


def test_export_mix_covers_every_economy_with_a_source_column():
    net = load_network()
    with open(DATA_DIR / "export_mix.csv", newline="", encoding="utf-8") as fh:
        rows = {r["exporter"]: r for r in csv.DictReader(fh)}
    from tests.routing.fixtures import ECONOMIES

    assert set(ECONOMIES) <= set(rows)
    for code in ECONOMIES:
        assert np.isclose(net.commodities.mix[code].sum(), 1.0)
        assert rows[code]["basis"] in ("assumed", "partly sourced", "sourced")
        assert rows[code]["source"]
    with open(DATA_DIR / "commodity_groups.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            assert r["basis"] in ("assumed", "derived", "sourced") and r["source"], r["group"]


def test_capacity_schedule_is_dated_cited_and_closes_segments_before_their_first_year():
    net = load_network()
    pos = net.segment_index("pipe:power_of_siberia")
    ramp = [net.capacity_in(y)[pos] / 0.73e6 for y in range(2020, 2026)]
    assert ramp == pytest.approx([4.1, 10.4, 15.5, 22.7, 30.0, 38.0])
    assert not net.in_operation(2019)[pos] and net.in_operation(2020)[pos]
    espo = net.segment_index("pipe:espo_china")
    assert net.capacity_in(2017)[espo] == 15e6 and net.capacity_in(2018)[espo] == 30e6
    unscheduled = net.segment_index("pipe:cpc")
    assert net.capacity_in(2021)[unscheduled] == net.capacity[unscheduled]
    with open(DATA_DIR / "capacity_schedule.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(r["capacity_basis"].startswith(("sourced", "assumed")) for r in rows)
    assert all(len(r["capacity_basis"]) > 40 for r in rows)  # names its source


def test_a_dated_capacity_of_zero_closes_a_pipeline_from_its_year():
    """Yamal-Europe closes in 2022, Nord Stream 1 in 2023, the Ukraine transit on 1 Jan 2025."""
    net = load_network()
    for seg, last_year in (
        ("pipe:yamal_europe", 2021),
        ("pipe:nord_stream", 2022),
        ("pipe:ukraine_transit", 2024),
    ):
        pos = net.segment_index(seg)
        assert net.in_operation(last_year)[pos] and not net.in_operation(last_year + 1)[pos]
        assert not net.in_operation(2031)[pos]
        assert net.capacity_in(last_year + 1)[pos] == net.capacity_in(last_year)[pos] > 0
    pos = net.segment_index("pipe:ukraine_transit")
    assert net.capacity_in(2024)[pos] == pytest.approx(15 * 0.73e6)


def test_a_first_dated_capacity_of_zero_is_refused(tmp_path):
    for f in DATA_DIR.glob("*.csv"):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    with open(tmp_path / "capacity_schedule.csv", "a", encoding="utf-8") as fh:
        fh.write("pipe:cpc,2030,0,sourced: closed\n")
    with pytest.raises(DataError, match="'pipe:cpc': the first row \\(2030\\) has capacity 0"):
        load_network(tmp_path)


def test_druzhba_through_belarus_carries_the_whole_line():
    """Reuters (2007): over 2 mb/d in all, 1.4-1.6 mb/d of it to the EU: > 99 Mt/yr."""
    net = load_network()
    rus_blr = net.capacity[net.segment_index("pipe:druzhba_rus-blr")]
    blr_eu = net.capacity[net.segment_index("pipe:druzhba_blr-eu")]
    assert rus_blr >= 99e6 and blr_eu < rus_blr


def test_every_gauge_change_pays_the_cited_transshipment_charge():
    charges = {c["kind"]: c for c in build._read("transshipment_charges.csv")}
    assert all(c["source"] and c["basis"] for c in charges.values())
    spec = {s["segment"]: s for s in build._read("segments_spec.csv")}
    out, assumed = build.build()
    by_id = {r["segment"]: r for r in out}
    gauge = [s for s, row in spec.items() if row["transshipment"] == "gauge_change"]
    # derived with an assumption (20 t per shipment; Dostyk's figure at every crossing)
    assert charges["gauge_change"]["basis"] == "derived"
    flagged = {a["segment"] for a in assumed if a["figure"] == "gauge_change charge US$/t"}
    assert flagged == set(gauge)
    assert {"novosibirsk-manzhouli", "alashankou-dostyk", "brest-malaszewicze"} <= set(gauge)
    for seg in gauge:
        own = float(spec[seg]["fee_usd_per_t"] or 0)
        charge = float(charges["gauge_change"]["usd_per_t"])
        assert float(by_id[seg]["fee_usd_per_t"]) == pytest.approx(own + charge)
        assert "Corridor Performance Measurement" in by_id[seg]["fee_basis"]
        assert f"assumed (derived): gauge_change {charge:g} US$/t" in by_id[seg]["fee_basis"]
    with pytest.raises(DataError, match="segments_spec.csv: segment 'x'.*unknown kind 'ferry'"):
        build.add_transshipment(0.0, "none", {"segment": "x", "transshipment": "ferry"}, charges)


def test_khorgos_capacity_is_dostyks_scaled_by_the_train_counts():
    """Khorgos-Altynkol = Dostyk's capacity x its trains / Dostyk's (a hand-written 11.43)."""
    import re

    spec = {s["segment"]: s for s in build._read("segments_spec.csv")}
    khorgos, dostyk = spec["khorgos-altynkol"], spec["alashankou-dostyk"]
    found = re.match(
        r"derived: ([\d.]+) Mt/yr x (\d+) / (\d+) trains a day", khorgos["capacity_source"]
    )
    assert found, khorgos["capacity_source"]
    base, trains, dostyk_trains = float(found[1]), int(found[2]), int(found[3])
    assert khorgos["capacity_unit"] == dostyk["capacity_unit"] == "Mt/yr"
    assert base == float(dostyk["capacity"])  # the Dostyk row's figure, not a copy of an old one
    assert f"no more than {trains} trains" in khorgos["capacity_source"]
    assert f"{dostyk_trains} a day at Dostyk" in khorgos["capacity_source"]
    assert float(khorgos["capacity"]) == round(base * trains / dostyk_trains, 2)
