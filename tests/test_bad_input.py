"""Bad-input catalog: every user mistake is one line naming the key, a non-zero exit, no tables.

Each case runs ``caravan``'s entry point in-process (``sim.cli.main``: the same
pre-run validation a user gets, ending in ``SystemExit(2)`` before Hydra creates
a run directory) and through :func:`~sim.cli.compose_and_validate` plus
:func:`~sim.cli.check_inputs`; a representative subset also runs the CLI as a
subprocess with ``hydra.run.dir=<tmp>``.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from sim.cli import EXIT_USAGE, check_inputs, compose_and_validate, main
from sim.errors import CaravanError

# (case id, overrides, text the one-line message must contain: the key or the file)
CATALOG: list[tuple[str, list[str], str]] = [
    ("negative_tariff_scale", ["tariff.changes=[{scale:-0.5}]"], "tariff.changes[0].scale"),
    ("tariff_scale_above_10", ["tariff.changes=[{scale:11}]"], "tariff.changes[0].scale"),
    ("ntb_rate_above_1000pct", ["tariff.ntb_base=10.5"], "tariff.ntb_base"),
    ("negative_ntb_rate", ["tariff.ntb_base=-0.1"], "tariff.ntb_base"),
    ("infinite_ntb_rate", ["tariff.ntb_base=inf"], "tariff.ntb_base"),
    (
        "phase_in_ends_before_start",
        ["tariff.changes=[{start:2026Q1,end:2025Q1}]"],
        "tariff.changes[0].end",
    ),
    ("bad_quarter_label", ["tariff.changes=[{start:2025Q5}]"], "tariff.changes[0].start"),
    ("unknown_path", ["tariff.changes=[{path:exponential}]"], "tariff.changes[0].path"),
    ("unknown_economy", ["tariff.changes=[{exporters:[XYZ]}]"], "tariff.changes[0].exporters"),
    ("unknown_bloc", ["tariff.changes=[{importers:[NATO]}]"], "tariff.changes[0].importers"),
    (
        "economy_not_modelled",
        ["world=cis10", "scenario=eaeu_iran_fta"],
        "tariff.changes[0].importers",
    ),
    (
        "change_with_no_international_pair",
        ["tariff.changes=[{exporters:[RUS],importers:[RUS]}]"],
        "tariff.changes[0].importers",
    ),
    ("ntb_change_on_zero_base", ["tariff.ntb_changes=[{scale:0.5}]"], "tariff.ntb_base"),
    ("exemption_share_above_1", ["tariff.cis_fta_exemption_share=1.5"], "exemption_share"),
    ("unknown_tariff_regime", ["tariff.regime=mfn2030"], "tariff.regime"),
    ("wrong_type_scale", ["tariff.changes=[{scale:abc}]"], "scale"),
    ("wrong_type_bool", ["tariff.eaeu_iran_interim=maybe"], "tariff.eaeu_iran_interim"),
    ("scalar_for_list", ["tariff.changes=[{exporters:RUS}]"], "exporters"),
    ("unknown_key_in_change", ["tariff.changes=[{foo:1}]"], "foo"),
    ("unknown_scenario", ["scenario=no_such_scenario"], "scenario"),
    ("unknown_group_option", ["tariff=no_such_option"], "tariff: unknown option"),
    ("capability_not_built", ["scenario.requires=[teleport]"], "scenario.requires"),
    ("sigma_equal_1", ["trade.sigma=1"], "trade.sigma"),
    ("sigma_below_1", ["trade.sigma=0.9"], "trade.sigma"),
    ("sigma_nan", ["trade.sigma=nan"], "trade.sigma"),
    ("adjustment_zero", ["trade.adjustment=0"], "trade.adjustment"),
    ("quarters_zero", ["sim.quarters=0"], "sim.quarters"),
    ("quarters_negative", ["sim.quarters=-4"], "sim.quarters"),
    ("quarters_not_int", ["sim.quarters=abc"], "sim.quarters"),
    ("quarters_float", ["sim.quarters=2.5"], "sim.quarters"),
    ("start_out_of_range", ["sim.start=1989Q4"], "sim.start"),
    ("unknown_growth", ["sim.growth=exponential"], "sim.growth"),
    ("negative_seed", ["seed=-3"], "seed"),
    ("plus_unknown_key", ["+unknown=1"], "unknown"),
    ("unknown_world", ["world.name=mars"], "world.name"),
    ("single_economy_world", ["world.economies=[RUS]"], "world.economies"),
    ("duplicate_economy", ["world.economies=[RUS,RUS]"], "world.economies"),
    ("missing_data_file", ["world.trade_matrix=/nonexistent.csv"], "/nonexistent.csv"),
]
SUBPROCESS_SUBSET = {
    "negative_tariff_scale",
    "unknown_scenario",
    "capability_not_built",
}


def test_catalog_is_large_enough():
    assert len(CATALOG) >= 20
    assert len({case for case, _, _ in CATALOG}) == len(CATALOG)
    assert SUBPROCESS_SUBSET <= {case for case, _, _ in CATALOG}


@pytest.mark.parametrize(
    ("overrides", "names"), [c[1:] for c in CATALOG], ids=[c[0] for c in CATALOG]
)
def test_cli_exits_nonzero_with_one_line_and_no_run_dir(tmp_path, capsys, overrides, names):
    # main() validates via check_inputs(compose_and_validate(...)) before Hydra starts
    run_dir = tmp_path / "run"
    with pytest.raises(SystemExit) as caught:
        main([*overrides, f"hydra.run.dir={run_dir}"])
    assert caught.value.code == EXIT_USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and names in err[0], err
    assert not run_dir.exists()


@pytest.mark.parametrize(
    ("overrides", "names"),
    [c[1:] for c in CATALOG if c[0] in SUBPROCESS_SUBSET],
    ids=[c[0] for c in CATALOG if c[0] in SUBPROCESS_SUBSET],
)
def test_cli_subprocess_end_to_end(tmp_path, overrides, names):
    run_dir = tmp_path / "run"
    code = "import sys; from sim.cli import main; main(sys.argv[1:])"
    proc = subprocess.run(
        [sys.executable, "-c", code, *overrides, f"hydra.run.dir={run_dir}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == EXIT_USAGE
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and names in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert not run_dir.exists()
    assert not list(tmp_path.rglob("*.parquet"))


def test_compose_and_validate_raises_the_same_one_line_error():
    for _, overrides, names in CATALOG[:3] + CATALOG[-3:]:
        with pytest.raises(CaravanError) as caught:
            check_inputs(compose_and_validate(overrides))
        assert "\n" not in str(caught.value) and names in str(caught.value)
