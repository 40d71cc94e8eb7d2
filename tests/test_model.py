"""CaravanModel: accounting identities every quarter, calibration, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import CaravanModel, random_streams
from sim.runner import simulate


@pytest.fixture(scope="module")
def baseline_run(config_for):
    cfg = config_for("sim.quarters=6")
    model = CaravanModel(cfg)
    snapshots = []
    for _ in model.quarters:
        model.step()
        snapshots.append((model.flows.copy(), model.tariffs.copy(), model.equilibrium))
    return model, snapshots


def test_one_economy_agent_per_economy(baseline_run):
    model, _ = baseline_run
    assert [a.iso3 for a in model.economy_agents] == list(model.world.economies)
    assert model.steps == 6


def test_accounting_identities_every_quarter(baseline_run):
    model, snapshots = baseline_run
    base_output = (model.base_flows / (1 + model.base_tariffs)).sum(axis=1)
    for quarter, (flows, tariffs, eq) in enumerate(snapshots):
        off = ~np.eye(model.world.n, dtype=bool)
        # world exports = world imports
        assert (flows * off).sum(axis=1).sum() == pytest.approx((flows * off).sum(axis=0).sum())
        # expenditure = producer income × common deficit factor + rebated tariff revenue
        producer = (flows / (1 + tariffs)).sum(axis=1)
        revenue = (flows * tariffs / (1 + tariffs)).sum(axis=0)
        assert flows.sum() == pytest.approx(producer.sum() + revenue.sum(), rel=1e-12)
        # GE market clearing: producer sales equal output p̂ Q̂ Y
        expected = eq.price * model.endowment[quarter] * base_output
        np.testing.assert_allclose(producer, expected, rtol=1e-9)
        # expenditure shares sum to one per importer
        np.testing.assert_allclose((flows / flows.sum(axis=0)).sum(axis=0), 1.0, rtol=1e-12)
        assert np.all(flows > 0) and np.all(np.isfinite(flows))


def test_no_policy_change_and_no_growth_reproduces_calibration_exactly(config_for):
    # Settlement off: traders' revisions are themselves a change in trade costs.
    model = CaravanModel(
        config_for("sim.quarters=3", "sim.growth=flat", "settlement.enabled=false")
    )
    model.run()
    np.testing.assert_array_equal(model.flows, model.world.flows)
    assert all(a.real_income == 1.0 and a.price == 1.0 for a in model.economy_agents)


def test_same_seed_same_tables(config_for):
    cfg = config_for("sim.quarters=4")
    _, first = simulate(cfg)
    _, second = simulate(cfg)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name].equals(second[name]), name


def test_streams_are_independent_and_reproducible():
    a, b = random_streams(7), random_streams(7)
    assert a["settlement"].random() == b["settlement"].random()
    c = random_streams(7)
    assert c["settlement"].random() != c["routing"].random()
    assert random_streams(8)["mesa"].random() != random_streams(7)["mesa"].random()


def test_subset_of_economies_folds_the_rest_into_row(config_for):
    model = CaravanModel(config_for("sim.quarters=2", "world.economies=[RUS,KAZ,CHN]"))
    model.run()
    assert set(model.world.economies) == {"RUS", "KAZ", "CHN", "ROW"}
    assert model.world.economies[-1] == "ROW"
    assert 0 < model.records.world[-1]["intra_cis_trade_share"] < 1
    full = CaravanModel(config_for("sim.quarters=2"))
    assert model.world.flows.sum() == pytest.approx(full.world.flows.sum())


def test_tariff_cut_raises_intra_bloc_trade(config_for):
    base = CaravanModel(config_for("sim.quarters=2", "sim.growth=flat"))
    cut = CaravanModel(
        config_for(
            "sim.quarters=2",
            "sim.growth=flat",
            "tariff.changes=[{exporters:[CIS],importers:[CIS],start:'2024Q1',end:'2024Q1',scale:0}]",
        )
    )
    base.run()
    cut.run()
    share = "intra_cis_trade_share"
    assert cut.records.world[-1][share] > base.records.world[-1][share]


def test_settlement_spinup_starts_2024_from_post_2022_state(config_for):
    model = CaravanModel(config_for("sim.quarters=1"))
    model.run()
    headline = model.records.world[0]
    # Published: EAEU mutual settlements 89-90 % national in 2023 (FIGURES.md §3, P2).
    assert 0.80 < headline["national_currency_share_eaeu"] < 0.97
    no_history = CaravanModel(config_for("sim.quarters=1", "settlement.event_hazards=false"))
    no_history.run()
    # Without the 2022 shock the replayed history moves less towards national currencies.
    assert no_history.records.world[0]["rus_exports_usd_eur"] > headline["rus_exports_usd_eur"]


def test_pairs_carry_routing_and_settlement_columns(config_for):
    from sim.runner import simulate

    _, tables = simulate(config_for("sim.quarters=2"))
    assert {"tau", "transit_days", "settlement_cost"} <= set(tables["pairs"].columns)
    assert {"segments", "settlement"} <= set(tables)
    shares = tables["settlement"].groupby(["quarter", "exporter", "importer"]).share_by_value.sum()
    np.testing.assert_allclose(shares.to_numpy(), 1.0, atol=1e-9)


def test_tenfold_barrier_on_china_exports_solves(config_for):
    # Issue 17 §6: a 10-fold rise of a large barrier on China's exports (NTB AVE 0.5 -> 5)
    model = CaravanModel(
        config_for(
            "sim.quarters=1",
            "sim.growth=flat",
            "settlement.enabled=false",
            "tariff.ntb_base=0.5",
            "tariff.ntb_changes=[{exporters:[CHN],importers:[ALL],both_directions:false,"
            "start:'2024Q1',end:'2024Q1',path:step,scale:10}]",
        )
    )
    model.run()
    chn = model.world.economies.index("CHN")
    off = ~np.eye(model.world.n, dtype=bool)
    assert (model.flows[chn] * off[chn]).sum() < 0.2 * (model.world.flows[chn] * off[chn]).sum()
    assert np.all(np.isfinite(model.equilibrium.price)) and model.equilibrium.price[chn] < 1


def test_eu_import_bans_cut_the_banned_flow(config_for):
    cfg = config_for("scenario=eu_russia_import_bans")
    model = CaravanModel(cfg)
    model.run()
    rus, eu = model.world.economies.index("RUS"), model.world.economies.index("EUU")
    banned = model.records.pairs[-1]["banned_share"][rus, eu]
    assert banned == pytest.approx(sum(ban.share[rus] for ban in model.bans))  # all in force
    unbanned = CaravanModel(config_for("scenario=eu_russia_import_bans", "tariff.bans=[]"))
    unbanned.run()
    assert model.flows[rus, eu] < (1 - banned + 0.05) * unbanned.flows[rus, eu]
    # quarter by quarter the share in force follows the published dates
    shares = [p["banned_share"][rus, eu] for p in model.records.pairs]
    assert shares[0] == 0.0 and shares[1] == pytest.approx(0.10 * 0.234)  # 2022Q1, Q2 (steel)
    assert all(b >= a for a, b in zip(shares, shares[1:], strict=False))


def test_partial_adjustment_reports_one_consistent_equilibrium(config_for):
    # trade.adjustment < 1: flows, prices and real incomes are one equilibrium's, at the
    # costs demand has adjusted to; the gap to the full response closes geometrically.
    cut = (
        "tariff.changes=[{exporters:[CIS],importers:[CIS],start:'2024Q1',end:'2024Q1',"
        "path:step,scale:0}]"
    )
    base = ("sim.quarters=6", "sim.growth=flat", "settlement.enabled=false", cut)
    slow = CaravanModel(config_for(*base, "trade.adjustment=0.5"))
    full = CaravanModel(config_for(*base))
    slow.run()
    full.run()
    base_output = (slow.base_flows / (1 + slow.base_tariffs)).sum(axis=1)
    eq = slow.equilibrium
    np.testing.assert_array_equal(slow.flows, eq.flows_new)
    producer = (slow.flows / (1 + slow.tariffs)).sum(axis=1)
    np.testing.assert_allclose(producer, eq.price * base_output, rtol=1e-9)
    np.testing.assert_allclose(slow.records.economies[-1]["real_income"], eq.real_income)
    gaps = [
        abs(s["real_income"] - f["real_income"]).max()
        for s, f in zip(slow.records.economies, full.records.economies, strict=True)
    ]
    assert gaps[0] > 0 and all(b < a for a, b in zip(gaps, gaps[1:], strict=False))
    assert gaps[-1] < 0.1 * gaps[0]


def test_every_collected_column_is_declared_with_unit_and_written_to_parquet(config_for, tmp_path):
    import json

    import pyarrow.parquet as pq

    from sim.io.run_dir import write_table
    from sim.reporters import UNDECLARED

    _, tables = simulate(config_for("sim.quarters=1"))
    for name in ("economies", "pairs", "world"):
        described = tables[name].attrs["columns"]
        assert set(described) == set(tables[name].columns)
        assert not [c for c, d in described.items() if d["description"] == UNDECLARED], name
        write_table(tables[name], tmp_path / f"{name}.parquet")
        meta = pq.read_schema(tmp_path / f"{name}.parquet").metadata
        stored = json.loads(meta[b"PANDAS_ATTRS"])["columns"]
        assert stored["quarter"]["unit"] == "YYYYQn"


REFERENCE_RUNS = {
    "default": (),
    "cis_fta_deepening": ("scenario=cis_fta_deepening",),
    "coercive_measures_shock": ("scenario=coercive_measures_shock",),
}


@pytest.mark.skipif(
    "CARAVAN_REFERENCE_TABLES" not in __import__("os").environ,
    reason="set CARAVAN_REFERENCE_TABLES=DIR (tables saved from another revision) to compare",
)
@pytest.mark.parametrize("name", sorted(REFERENCE_RUNS))
def test_tables_match_a_reference_revision(config_for, name):
    """Refactoring check (issue 18): the same config and seed give the same tables.

    Save a revision's tables with ``CARAVAN_SAVE_TABLES=DIR`` set, check out the other
    revision and run with ``CARAVAN_REFERENCE_TABLES=DIR``. Columns a revision adds on
    purpose are ignored; floats must agree to 1e-12 relative, everything else exactly.
    """
    import os
    from pathlib import Path

    import pandas as pd

    _, tables = simulate(config_for(*REFERENCE_RUNS[name]))
    reference = Path(os.environ["CARAVAN_REFERENCE_TABLES"]) / name
    for table, frame in tables.items():
        saved = pd.read_parquet(reference / f"{table}.parquet")
        assert list(saved.columns) == [c for c in frame.columns if c in saved.columns]
        frame = frame[list(saved.columns)]
        assert frame.shape == saved.shape, table
        for column in saved.columns:
            ours, theirs = frame[column].to_numpy(), saved[column].to_numpy()
            if saved[column].dtype.kind == "f":
                np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-300)
            else:
                assert (ours.astype(str) == theirs.astype(str)).all(), (table, column)


@pytest.mark.skipif(
    "CARAVAN_SAVE_TABLES" not in __import__("os").environ,
    reason="set CARAVAN_SAVE_TABLES=DIR to save this revision's tables for the check above",
)
@pytest.mark.parametrize("name", sorted(REFERENCE_RUNS))
def test_save_reference_tables(config_for, name):
    import os
    from pathlib import Path

    _, tables = simulate(config_for(*REFERENCE_RUNS[name]))
    out = Path(os.environ["CARAVAN_SAVE_TABLES"]) / name
    out.mkdir(parents=True, exist_ok=True)
    for table, frame in tables.items():
        frame.to_parquet(out / f"{table}.parquet")
    assert sorted(p.stem for p in out.glob("*.parquet")) == sorted(tables)


def test_full_embargo_between_the_eu_and_russia_solves_and_makes_both_poorer(config_for):
    # Issue 17 §6: the EU (Russia's largest partner) and Russia ban all trade both ways.
    # Every deficit ratio stays at its baseline, carried by the trade still allowed
    # (sim.economics.gravity.spending_ratios), so Russia's real income can move only through
    # its terms of trade and the κ common to all: it falls, as does the EU's.
    model = CaravanModel(
        config_for(
            "sim.quarters=1",
            "sim.growth=flat",
            "settlement.enabled=false",
            "tariff.bans=[{exporters:[RUS],importers:[EUU],both_directions:true,"
            "start:'2024Q1',share:1.0}]",
        )
    )
    model.run()
    rus, eu = model.world.economies.index("RUS"), model.world.economies.index("EUU")
    assert model.flows[rus, eu] == 0.0 and model.flows[eu, rus] == 0.0
    assert np.all(np.isfinite(model.equilibrium.price))
    assert 0.8 < model.equilibrium.price[rus] < 1.2
    eq = model.equilibrium
    assert eq.real_income[rus] < 0.995 and eq.real_income[eu] < 1.0
    assert eq.price[rus] / eq.inward_resistance[rus] < 1.0  # terms of trade worsen
