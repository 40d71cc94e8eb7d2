"""The scenario library and the config-group options: composition, runs and economics.

Every scenario in ``scenarios/`` and every option of the config groups composes;
every scenario runs two quarters. ``cis_fta_deepening`` is compared
with ``baseline`` (same seed, 12 quarters) from the output tables, and the tariff
phase-in paths are checked quarter by quarter in the pairs table.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf

from sim.compose import CONF_DIR, compose_and_validate, register_configs, scenario_files
from sim.config import to_typed
from sim.data.loader import load_world
from sim.policy.tariffs import phase_fraction
from sim.quarters import quarter_range
from sim.runner import simulate

SCENARIOS = sorted(scenario_files())
GROUP_OPTIONS = sorted(
    (path.parent.name, path.stem)
    for path in CONF_DIR.glob("*/*.yaml")
    if path.parent.name != "hydra"
)
FEW = "settlement.traders.n_traders=2000"  # tariff and corridor tests: a small trader population
CIS = ("ARM", "AZE", "BLR", "KAZ", "KGZ", "MDA", "RUS", "TJK", "TKM", "UZB")
OUTSIDERS = ("AZE", "TKM", "CHN", "EUU", "IRN", "IND", "TUR")


def compose_only(*overrides: str):
    """Compose with Hydra and check against the schema, without the range validation."""
    register_configs()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
            return to_typed(compose(config_name="config", overrides=list(overrides)))
    finally:
        GlobalHydra.instance().clear()


def test_library_holds_the_issue_scenarios():
    expected = {
        "baseline",
        "cis_fta_deepening",
        "national_currency_push",
        "coercive_measures_shock",
        "instc_buildout",
        "east_west_disruption",
        "siberia_south",
        "greater_eurasian_partnership",
        "eaeu_iran_fta",
        "hindcast_2022",
    }
    assert expected <= set(SCENARIOS)


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_file_is_a_documented_global_override(name):
    path = scenario_files()[name]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# @package _global_"
    header = [line for line in lines[1:] if line.startswith("#")]
    assert len(header) >= 3, "header must say what the scenario represents"
    meta = OmegaConf.load(path).scenario
    assert meta.name == name
    assert meta.description and "\n" not in meta.description
    if name != "baseline":
        assert any("Policy passage" in line for line in header), "cite the policy passage"


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_composes_and_runs(name):
    typed = compose_only(f"scenario={name}")
    assert typed.scenario.name == name
    cfg = compose_and_validate([f"scenario={name}", "debug=fast"])  # two quarters, few traders
    _, tables = simulate(cfg)
    assert tables["world"].quarter.tolist() == quarter_range(cfg.sim.start, 2)
    assert np.isfinite(tables["economies"].real_income).all()


@pytest.mark.parametrize(("group", "option"), GROUP_OPTIONS)
def test_every_group_option_composes_and_runs(group, option):
    fast = [] if group == "debug" else ["debug=fast"]  # two quarters, few traders
    cfg = compose_and_validate([f"{group}={option}", *fast])
    model, tables = simulate(cfg)
    assert len(tables["world"]) == 2
    assert ("pairs" in tables) == cfg.output.pairs
    if cfg.world.economies:
        assert list(model.world.economies) == [*cfg.world.economies, "ROW"]


def test_scenarios_layer_on_a_world_subset():
    cfg = compose_and_validate(["world=cis10", "scenario=cis_fta_deepening", "sim.quarters=5", FEW])
    _, tables = simulate(cfg)
    pairs = tables["pairs"].set_index(["quarter", "exporter", "importer"])
    assert (
        pairs.loc[("2025Q1", "RUS", "UZB"), "tariff"]
        < pairs.loc[("2024Q4", "RUS", "UZB"), "tariff"]
    )


def test_caravan_scenarios_lists_every_scenario_with_its_description():
    code = "from sim.cli import list_scenarios; list_scenarios()"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    lines = proc.stdout.splitlines()
    assert len(lines) == len(SCENARIOS)
    for name, line in zip(SCENARIOS, lines, strict=True):
        description = OmegaConf.load(scenario_files()[name]).scenario.description
        assert line.split()[0] == name and line.endswith(description)


# cis_fta_deepening against baseline ------------------------------------------------------
@pytest.fixture(scope="module")
def fta_vs_baseline():
    base = simulate(compose_and_validate(["scenario=baseline", "sim.quarters=12", "seed=42"]))[1]
    deep = simulate(
        compose_and_validate(["scenario=cis_fta_deepening", "sim.quarters=12", "seed=42"])
    )[1]
    return base, deep


def test_deepening_raises_intra_cis_share_and_members_income(fta_vs_baseline):
    base, deep = fta_vs_baseline
    world = base["world"].merge(deep["world"], on="quarter", suffixes=("_b", "_s"))
    before = world.quarter < "2025Q1"
    after = ~before
    # identical until the policy starts, higher from its first quarter on
    np.testing.assert_allclose(
        world.loc[before, "intra_cis_trade_share_s"], world.loc[before, "intra_cis_trade_share_b"]
    )
    assert (
        world.loc[after, "intra_cis_trade_share_s"] > world.loc[after, "intra_cis_trade_share_b"]
    ).all()
    assert (world.loc[after, "cis_real_income_s"] > world.loc[after, "cis_real_income_b"]).all()
    last = world.iloc[-1]
    assert last.intra_cis_trade_share_s - last.intra_cis_trade_share_b > 0.01  # > 1 pp
    change = _last_quarter_changes(base, deep)
    for member in load_world().bloc_members("CIS_FTA"):
        assert change.loc[member, "real_income"] > 0, member
        assert change.loc[member, "exports"] > 0, member


def test_deepening_diverts_trade_from_outsiders_slightly(fta_vs_baseline):
    change = _last_quarter_changes(*fta_vs_baseline)
    for outsider in OUTSIDERS:
        assert -0.001 < change.loc[outsider, "real_income"] < 0, outsider  # small loss, < 0.1 %
        assert -0.01 < change.loc[outsider, "exports"] < 0, outsider  # exports fall < 1 %
    smallest_member_gain = change.loc[
        list(load_world().bloc_members("CIS_FTA")), "real_income"
    ].min()
    largest_outsider_loss = -change.loc[list(OUTSIDERS), "real_income"].min()
    assert largest_outsider_loss < smallest_member_gain


def _last_quarter_changes(base: pd.DataFrame, deep: pd.DataFrame) -> pd.DataFrame:
    """Relative change (scenario / baseline − 1) per economy in the last quarter."""
    columns = ["real_income", "exports", "imports"]
    b, s = (t["economies"] for t in (base, deep))
    last = b.quarter.max()
    b = b[b.quarter == last].set_index("economy")[columns]
    s = s[s.quarter == last].set_index("economy")[columns]
    return s / b - 1.0


def test_tariff_phase_in_is_visible_quarter_by_quarter(fta_vs_baseline):
    base, deep = fta_vs_baseline
    quarters = quarter_range("2024Q1", 12)

    def path(table, exporter, importer, column="tariff"):
        pairs = table["pairs"]
        rows = pairs[(pairs.exporter == exporter) & (pairs.importer == importer)]
        return rows.set_index("quarter").loc[quarters, column].to_numpy()

    # CIS FTA pair outside the customs union: exemption-share tariff phased out linearly
    start = path(base, "RUS", "UZB")[0]
    assert start > 0
    fractions = np.array([phase_fraction(q, "2025Q1", "2026Q4", "linear") for q in quarters])
    np.testing.assert_allclose(path(deep, "RUS", "UZB"), start * (1 - fractions), atol=1e-15)
    assert fractions.tolist()[3:6] == [0.0, 0.125, 0.25] and fractions[-1] == 1.0
    np.testing.assert_allclose(path(base, "RUS", "UZB"), start)  # baseline stays put
    # EAEU pair: tariff 0 throughout; the NTB cut shows in trade_cost in two steps
    # (relative to baseline, since trade_cost also carries the routing layer's small τ changes)
    assert np.all(path(deep, "RUS", "KAZ") == 0)
    ntb = np.array([1.0] * 4 + [1.175 / 1.2] * 4 + [1.15 / 1.2] * 4)

    def relative_cost(exporter, importer):
        return path(deep, exporter, importer, "trade_cost") / path(
            base, exporter, importer, "trade_cost"
        )

    # rtol 1e-3: trade_cost also carries the settlement cost, which moves by a few 1e-4 as
    # traders respond to the shifted trade; the NTB steps (2.1 %, 4.2 %) are 20-40x larger
    np.testing.assert_allclose(relative_cost("RUS", "KAZ"), ntb, rtol=1e-3)
    tariff_factor = (1 + path(deep, "RUS", "UZB")) / (1 + start)
    np.testing.assert_allclose(relative_cost("RUS", "UZB"), ntb * tariff_factor, rtol=1e-3)
    # outsiders' tariffs and costs do not move
    np.testing.assert_array_equal(path(deep, "CHN", "RUS"), path(base, "CHN", "RUS"))
    np.testing.assert_allclose(relative_cost("CHN", "RUS"), 1.0, rtol=1e-4)
    np.testing.assert_array_equal(path(deep, "RUS", "AZE"), path(base, "RUS", "AZE"))


def test_eaeu_iran_fta_is_a_step_in_2025q2(config_for):
    _, tables = simulate(config_for("scenario=eaeu_iran_fta", "sim.quarters=8", FEW))
    pairs = tables["pairs"].set_index(["exporter", "importer", "quarter"]).tariff
    for member in load_world().bloc_members("EAEU"):
        for exporter, importer in ((member, "IRN"), ("IRN", member)):
            before = pairs.loc[(exporter, importer, "2025Q1")]
            assert pairs.loc[(exporter, importer, "2024Q1")] == before
            for quarter in ("2025Q2", "2025Q3", "2025Q4"):
                assert pairs.loc[(exporter, importer, quarter)] == pytest.approx(0.1 * before)
    assert pairs.loc[("AZE", "IRN", "2025Q2")] == pairs.loc[("AZE", "IRN", "2025Q1")]
    assert pairs.loc[("RUS", "IRN", "2025Q1")] == pytest.approx(0.1522 - 0.07)  # interim rate


def test_greater_eurasian_partnership_end_state(config_for):
    cfg = config_for("scenario=greater_eurasian_partnership", FEW)
    assert cfg.sim.quarters == 24
    model, tables = simulate(config_for("scenario=greater_eurasian_partnership", FEW))
    pairs = tables["pairs"]
    last = pairs[pairs.quarter == "2029Q4"]
    inside = last[last.exporter.isin(CIS) & last.importer.isin(CIS)]
    assert (inside.tariff == 0).all()
    first = pairs[pairs.quarter == "2024Q1"].set_index(["exporter", "importer"]).tariff
    last = last.set_index(["exporter", "importer"]).tariff
    assert last[("RUS", "IND")] == pytest.approx(0.1 * first[("RUS", "IND")])
    assert last[("IRN", "KAZ")] == pytest.approx(0.1 * first[("IRN", "KAZ")])
    assert last[("CHN", "IND")] == first[("CHN", "IND")]
    assert model.quarters[-1] == "2029Q4"


def test_east_west_disruption_raises_china_eu_costs_only_while_closed(config_for):
    runs = [
        simulate(config_for(f"scenario={name}", "sim.quarters=9", FEW))[1]["pairs"]
        for name in ("baseline", "east_west_disruption")
    ]
    base, shock = (p.set_index(["exporter", "importer", "quarter"]).trade_cost for p in runs)
    ratio = shock / base
    # 1e-5, not 0: the shock's candidate set adds the closure's diversions (paths.py item 4),
    # which carry a share of order 1e-6 before the closure too (1.4e-6 at stop 24)
    assert ratio.loc[("CHN", "EUU", "2024Q4")] == pytest.approx(1.0, abs=1e-5)
    assert (
        ratio.loc[("CHN", "EUU", "2025Q1")] > 1.0
    )  # the land bridge is cut (calibrated: rail ~5.5 % of value)
    assert ratio.loc[("CHN", "EUU", "2026Q1")] == pytest.approx(1.0, abs=1e-3)  # reopened


def test_coercive_measures_shock_raises_vehicle_risk_cost_in_2025(config_for):
    base, shock = (
        simulate(config_for(f"scenario={name}", "sim.quarters=5"))[1]["world"].set_index("quarter")
        for name in ("baseline", "coercive_measures_shock")
    )
    columns = ["settlement_cost_cis", "rus_exports_usd_eur"]
    pd.testing.assert_frame_equal(base.loc[:"2024Q4", columns], shock.loc[:"2024Q4", columns])
    assert shock.loc["2025Q1", "settlement_cost_cis"] > base.loc["2025Q1", "settlement_cost_cis"]
    assert shock.loc["2025Q1", "rus_exports_usd_eur"] < base.loc["2025Q1", "rus_exports_usd_eur"]


def test_scenario_headers_cite_files_that_exist_in_the_repository():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for path in sorted((root / "scenarios").glob("*.yaml")):
        for cited in re.findall(r"[\w./-]+\.(?:md|csv)\b", path.read_text(encoding="utf-8")):
            candidates = [root / cited, *root.glob(f"sim/data/**/{Path(cited).name}")]
            assert any(c.exists() for c in candidates), f"{path.name} cites {cited}"
