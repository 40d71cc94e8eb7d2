"""load_world() on the shipped cis2023 tables."""

from __future__ import annotations

import inspect
import math
import time
from importlib import resources

import numpy as np
import pytest

from sim.data import World, growth_path, load_world
from sim.data import loader as loader_mod
from sim.data.loader import PROVENANCES, TABLES, data_version_of
from sim.errors import ConfigError

ALL = ("ARM", "AZE", "BLR", "KAZ", "KGZ", "MDA", "RUS", "TJK", "TKM", "UZB",
       "CHN", "EUU", "IRN", "IND", "TUR", "ROW")  # fmt: skip


@pytest.fixture(scope="module")
def world() -> World:
    return load_world()


def cell(w: World, o: str, d: str) -> float:
    return float(w.flows[w.index(o), w.index(d)])


def test_shapes_and_order(world: World) -> None:
    assert world.name == "cis2023" and world.year == 2023
    assert world.economies == ALL
    assert world.economies[-1] == "ROW"
    n = world.n
    assert n == 16
    for arr in (world.lat, world.lon, world.gdp, world.population):
        assert arr.shape == (n,)
    for arr in (world.flows, world.provenance, world.flow_source, world.distance):
        assert arr.shape == (n, n)
    assert len(world.names) == len(world.currencies) == n
    assert world.currencies[world.index("EUU")] == "EUR"
    assert world.currencies[-1] == "USD"
    assert math.isnan(world.lat[-1]) and math.isnan(world.lon[-1])
    assert np.isfinite(world.lat[:-1]).all() and np.isfinite(world.gdp).all()


def test_flows_positive_and_finite(world: World) -> None:
    assert np.isfinite(world.flows).all()
    assert (world.flows > 0).all()


def test_provenance_valid_and_sources_present(world: World) -> None:
    assert set(np.unique(world.provenance)) <= PROVENANCES - {"user"}
    assert all(s.strip() for s in world.flow_source.ravel())
    n = world.n
    for i in range(n - 1):
        assert world.provenance[i, i] == "domestic"
        # Trade with ROW: DOTS scaled to published totals (the EU's: Eurostat).
        assert world.provenance[i, n - 1] in {"scaled", "eurostat"}
        assert world.provenance[n - 1, i] == "scaled"
    assert world.provenance[n - 1, n - 1] == "residual"
    inner = world.provenance[: n - 1, : n - 1]
    off = ~np.eye(n - 1, dtype=bool)
    assert set(np.unique(inner[off])) <= {
        "reported", "mirror", "derived", "eurostat", "scaled", "imputed"
    }  # fmt: skip


def test_every_shipped_row_has_a_source(shipped_rows) -> None:
    for table in TABLES:
        rows = shipped_rows(table)
        assert rows, table
        src_cols = [c for c in rows[0] if c.endswith("source")]
        assert src_cols, f"{table} has no source column"
    for r in shipped_rows("trade_matrix.csv"):
        assert r["source"] and r["provenance"] in PROVENANCES
    for r in shipped_rows("economies.csv"):
        assert r["gdp_source"] and r["exports_source"] and r["gross_output_source"]


@pytest.mark.parametrize(
    ("o", "d", "value", "prov"),
    [
        ("ARM", "RUS", 3.540, "reported"),
        ("RUS", "ARM", 4.384, "mirror"),
        ("RUS", "BLR", 22.6, "reported"),
        ("BLR", "RUS", 23.9, "mirror"),
        ("CHN", "KAZ", 24.7, "reported"),
        ("KAZ", "TUR", 4.0, "reported"),
        ("CHN", "RUS", 111.8, "derived"),
        ("UZB", "CHN", 1.6, "mirror"),  # mirror preferred to the services-inclusive 2.5 R*
        ("CHN", "UZB", 12.4, "derived"),  # China's figure preferred to 11.2 M*
        ("KGZ", "RUS", 0.677 * 12 / 11, "reported"),  # Jan-Nov, annualised
        ("IND", "RUS", 3.3 * 12 / 10, "reported"),  # Jan-Oct, annualised
        ("EUU", "RUS", 38.1816655 * 1.0813, "eurostat"),  # Eurostat 2023, EUR bn
        ("TUR", "RUS", 56.5 - 45.6, "derived"),  # turnover minus the other direction
    ],
)
def test_reported_cells_equal_raw_figures(
    world: World, o: str, d: str, value: float, prov: str
) -> None:
    assert cell(world, o, d) == pytest.approx(value, rel=1e-8)
    assert world.provenance[world.index(o), world.index(d)] == prov


def test_both_reporter_and_mirror_are_kept(shipped_rows) -> None:
    rows = {(r["exporter"], r["importer"]): r for r in shipped_rows("trade_matrix.csv")}
    r = rows[("UZB", "CHN")]
    assert float(r["value_reporter"]) == 2.5 and float(r["value_mirror"]) == 1.6
    assert r["flag"] == "M"
    r = rows[("KGZ", "RUS")]
    assert r["value_raw"] == "0.677" and r["flag"] == "P(Jan-Nov)"


def test_plain_reported_cells_equal_their_raw_text(shipped_rows) -> None:
    """Every full-year, unconverted R/M cell carries its published figure unchanged."""
    n = 0
    for r in shipped_rows("trade_matrix.csv"):
        if r["flag"] in ("R", "M") and r["provenance"] in ("reported", "mirror"):
            assert float(r["value_usd_bn"]) == float(r["value_raw"]), r
            n += 1
    assert n >= 40


def test_world_output_closes_on_world_gdp(world: World) -> None:
    # Gross output multiplier 1: world output = IMF world GDP (ROW GDP = WLD - the 15).
    assert world.flows.sum() == pytest.approx(world.gdp.sum(), rel=1e-6)
    out = world.output
    assert (out[:-1] >= world.gdp[:-1] * (1 - 1e-9)).all()
    dom = np.diag(world.flows)
    assert (dom[:-1] >= 0.5 * out[:-1] * (1 - 1e-6)).all()


def test_distance(world: World) -> None:
    d = world.distance
    assert np.isfinite(d[:-1, :-1]).all() and (d[:-1, :-1] > 0).all()
    assert np.isnan(d[-1]).all() and np.isnan(d[:, -1]).all()
    assert d[world.index("ARM"), world.index("AZE")] == pytest.approx(370.3409)


def test_blocs(world: World) -> None:
    assert world.blocs["CIS"] == (
        "ARM",
        "AZE",
        "BLR",
        "KAZ",
        "KGZ",
        "MDA",
        "RUS",
        "TJK",
        "TKM",
        "UZB",
    )
    assert world.blocs["EAEU"] == ("ARM", "BLR", "KAZ", "KGZ", "RUS")
    assert world.blocs["CIS_FTA"] == ("ARM", "BLR", "KAZ", "KGZ", "MDA", "RUS", "TJK", "UZB")
    assert world.members("EAEU").sum() == 5
    assert not world.members("nope").any()


def test_subset_folds_into_row(world: World) -> None:
    sub = load_world(economies=["rus", "KAZ", "BLR", "ROW"])
    assert sub.economies == ("BLR", "KAZ", "RUS", "ROW")
    # World totals are unchanged.
    assert sub.flows.sum() == pytest.approx(world.flows.sum(), rel=1e-12)
    assert sub.gdp.sum() == pytest.approx(world.gdp.sum(), rel=1e-12)
    # Each kept economy keeps its exports, imports and output.
    for e in ("BLR", "KAZ", "RUS"):
        i, j = sub.index(e), world.index(e)
        assert sub.output[i] == pytest.approx(world.output[j], rel=1e-12)
        assert sub.expenditure[i] == pytest.approx(world.expenditure[j], rel=1e-12)
        for f in ("BLR", "KAZ", "RUS"):
            assert sub.flows[i, sub.index(f)] == world.flows[j, world.index(f)]
            assert sub.provenance[i, sub.index(f)] == world.provenance[j, world.index(f)]
    # ROW absorbs the excluded economies.
    excluded = [world.index(e) for e in world.economies if e not in sub.economies[:-1]]
    assert sub.gdp[-1] == pytest.approx(world.gdp[excluded].sum())
    assert sub.flows[-1, -1] == pytest.approx(world.flows[np.ix_(excluded, excluded)].sum())
    # Folded ROW cells aggregate several cells: provenance 'residual'.
    assert set(sub.provenance[-1]) == {"residual"} and set(sub.provenance[:, -1]) == {"residual"}
    assert sub.blocs["EAEU"] == ("BLR", "KAZ", "RUS")
    assert sub.blocs["CIS_FTA"] == ("BLR", "KAZ", "RUS")
    assert (sub.flows > 0).all()
    assert np.isnan(sub.distance[-1]).all()
    assert math.isnan(sub.population[-1])


def test_unknown_economy_message() -> None:
    with pytest.raises(ConfigError) as exc:
        load_world(economies=["RUS", "XYZ"])
    assert exc.value.key == "world.economies"
    assert str(exc.value) == (
        "world.economies: unknown economy 'XYZ'; allowed: ARM, AZE, BLR, KAZ, KGZ, MDA, "
        "RUS, TJK, TKM, UZB, CHN, EUU, IRN, IND, TUR"
    )


@pytest.mark.parametrize(
    ("economies", "fragment"),
    [
        (["RUS"], "at least 2 economies besides ROW"),
        (["RUS", "ROW"], "at least 2 economies besides ROW"),
        ([], "at least 2 economies besides ROW"),
        (["RUS", "KAZ", "RUS"], "listed twice"),
        ("RUS", "must be a list"),
    ],
)
def test_bad_economy_lists(economies: object, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        load_world(economies=economies)  # type: ignore[arg-type]


def test_unknown_world() -> None:
    with pytest.raises(ConfigError, match="unknown world 'mars'"):
        load_world("mars")


def test_data_version_stable_and_is_the_table_hash(world: World) -> None:
    assert load_world().data_version == world.data_version
    assert load_world(economies=["RUS", "KAZ"]).data_version == world.data_version
    folder = resources.files("sim.data").joinpath("cis2023")
    expected = data_version_of({t: folder.joinpath(t).read_bytes() for t in TABLES})
    assert world.data_version == expected
    assert len(expected) == 12 and int(expected, 16) >= 0
    report = folder.joinpath("DATA_REPORT.md").read_text(encoding="utf-8")
    assert f"data_version: `{expected}`" in report


def test_arrays_are_read_only(world: World) -> None:
    with pytest.raises(ValueError):
        world.flows[0, 0] = 1.0
    sub = load_world(economies=["RUS", "KAZ"])
    with pytest.raises(ValueError):
        sub.gdp[0] = 1.0


def test_fast_after_first_call() -> None:
    load_world()
    best = min(_timed(load_world) for _ in range(5))
    assert best < 0.05
    best = min(_timed(lambda: load_world(economies=["RUS", "KAZ", "UZB"])) for _ in range(5))
    assert best < 0.05


def _timed(fn) -> float:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def test_loader_reads_only_package_files() -> None:
    src = inspect.getsource(loader_mod)
    assert "/work/shared" not in src and "shared/data" not in src
    assert "resources.files" in src


def test_growth_path(world: World) -> None:
    g = growth_path(world, [2023, 2024, 2030])
    assert g.shape == (3, world.n)
    rus = world.index("RUS")
    assert g[0, rus] == pytest.approx(0.041)
    assert g[1, rus] == pytest.approx(0.043)
    assert g[2, rus] == pytest.approx(0.043)  # flat after the last observed year
    assert g[0, world.index("EUU")] == pytest.approx(0.004)
    assert np.isfinite(g).all()
    sub = load_world(economies=["RUS", "KAZ"])
    gs = growth_path(sub, [2023])
    assert gs[0, 0] == pytest.approx(0.051) and gs[0, 1] == pytest.approx(0.041)
    others = [world.index(e) for e in world.economies if e not in ("RUS", "KAZ")]
    assert g[0, others].min() <= gs[0, -1] <= g[0, others].max()
    with pytest.raises(ValueError):
        growth_path(world, [2010])


def test_load_growth_table() -> None:
    from sim.data import load_growth

    table = load_growth()
    assert set(table) == set(ALL)
    assert table["RUS"][2023] == pytest.approx(0.041)
    assert table["TJK"][2024] == pytest.approx(0.084)
    assert table["EUU"][2023] == pytest.approx(0.004)
    assert min(table["ARM"]) == 2019 and max(table["ARM"]) == 2024
    table["RUS"][2023] = 9.0  # a copy: the cache is not touched
    assert load_growth()["RUS"][2023] == pytest.approx(0.041)
    with pytest.raises(ConfigError):
        load_growth("mars")


def test_world_registry_accessors(world: World) -> None:
    assert world.bloc_names == ("CIS", "EAEU", "CIS_FTA")
    assert world.bloc_members("EAEU") == ("ARM", "BLR", "KAZ", "KGZ", "RUS")
    assert len(world.bloc_members("CIS")) == 10
    with pytest.raises(KeyError, match="allowed: CIS, EAEU, CIS_FTA"):
        world.bloc_members("ASEAN")
    assert world.currency_of("RUS") == "RUB" and world.currency_of("EUU") == "EUR"
    assert world.currency_of("ROW") == "USD" and world.name_of("KAZ") == "Kazakhstan"
    assert world.currency_set[0] == "AMD" and len(world.currency_set) == len(world.economies)


def test_cis2021_world_loads_with_its_year() -> None:
    w = load_world("cis2021")
    assert w.year == 2021 and w.economies == load_world().economies
    assert (w.flows > 0).all() and w.data_version != load_world().data_version
