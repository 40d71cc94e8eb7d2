"""Bad-input catalog: every user mistake is one line naming the key, a non-zero exit, no tables.

Each case runs ``caravan``'s entry point in-process (``sim.cli.main``: the same
pre-run validation a user gets, ending in ``SystemExit(2)`` before Hydra creates
a run directory). The file-system cases (issue 17 §2) build their hostile file
or directory in ``tmp_path``; sweeps (``-m``) are checked value by value. One
case runs the CLI as a subprocess, to show the in-process result is the user's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import EXIT_USAGE, main
from sim.compose import check_inputs, compose_and_validate
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
    ("removed_single_value_option", ["tariff.regime=mfn2030"], "tariff.regime"),
    ("wrong_type_scale", ["tariff.changes=[{scale:abc}]"], "scale"),
    ("wrong_type_bool", ["tariff.eaeu_iran_interim=maybe"], "tariff.eaeu_iran_interim"),
    ("scalar_for_list", ["tariff.changes=[{exporters:RUS}]"], "exporters"),
    ("unknown_key_in_change", ["tariff.changes=[{foo:1}]"], "foo"),
    ("unknown_scenario", ["scenario=no_such_scenario"], "scenario"),
    ("unknown_group_option", ["tariff=no_such_option"], "tariff: unknown option"),
    ("removed_capability_key", ["scenario.requires=[teleport]"], "scenario.requires"),
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
    # issue 17 §1: forms of the command line that bypassed the pre-check
    ("bare_key_without_value", ["trade.sigma"], "trade.sigma: has no value"),
    ("delete_key", ["~trade.sigma"], "trade.sigma: cannot be deleted"),
    ("delete_key_with_value", ["~trade.sigma=5"], "trade.sigma: cannot be deleted"),
    ("delete_group", ["~shock"], "shock: cannot be deleted"),
    ("empty_key", ["=5"], "has no key"),
    ("append_existing_key", ["+trade.sigma=3"], "trade.sigma"),
    ("force_add_nan", ["++trade.sigma=nan"], "trade.sigma"),
    ("unparsable_override", ["trade.sigma=[1,"], "trade.sigma: cannot be parsed"),
    ("unknown_flag", ["--frobnicate"], "--frobnicate: unknown command-line option"),
    ("foreign_config_dir", ["--config-dir=/tmp"], "--config-dir: is not supported"),
    ("typo_key_suggests", ["trade.sigm=3"], "did you mean 'trade.sigma'"),
    ("typo_plus_key_suggests", ["+sim.quarter=3"], "did you mean 'sim.quarters'"),
    ("typo_group_option_suggests", ["tariff=appled2023"], "did you mean 'applied2023'"),
    ("typo_economy_suggests", ["world.economies=[RUS,KAX]"], "did you mean 'KAZ'"),
    ("dict_lever_out_of_range", ["corridors.freight_rate_overrides.rail=-1"], "rail"),
    ("dict_lever_unknown_mode", ["corridors.freight_rate_overrides.zeppelin=1"], "zeppelin"),
    ("dict_lever_nan", ["settlement.costs.exogenous_liquidity.CNY=nan"], "exogenous_liquidity"),
    ("nan_in_tariff_list", ["tariff.changes=[{scale:0.5},{scale:nan}]"], "changes[1].scale"),
    ("inf_sigma", ["trade.sigma=inf"], "trade.sigma"),
    ("huge_seed", ["seed=9223372036854775808"], "seed"),
    ("memory_beyond_machine", ["settlement.traders.n_traders=100000000000"], "n_traders"),
    ("empty_trade_matrix_path", ["world.trade_matrix=''"], "world.trade_matrix: is empty"),
    ("float_for_int_seed", ["seed=1e30"], "seed"),
    ("non_ascii_key", ["trade.σ=3"], "trade.σ: cannot be parsed"),
    ("flag_missing_value", ["-c"], "-c: needs a value"),
    ("print_config_still_validates", ["--cfg", "job", "trade.sigma=0"], "trade.sigma"),
    ("quarters_above_400", ["sim.quarters=401"], "sim.quarters: must be an integer in [1, 400]"),
    ("lowercase_quarter", ["sim.start=2024q1"], "sim.start: must be a quarter label"),
    ("scalar_for_economy_list", ["world.economies=RUS"], "world.economies"),
    ("dict_for_change_list", ["tariff.changes={scale:1}"], "tariff.changes"),
    ("ints_for_change_list", ["tariff.changes=[1,2]"], "tariff.changes[0]"),
    ("unknown_trade_option", ["trade=nonexistent"], "trade: unknown option 'nonexistent'"),
    ("settlement_nan", ["settlement.revision_rate=nan"], "settlement.revision_rate"),
    ("recursive_interpolation", ["sim.quarters=${sim.quarters}"], "sim.quarters"),
    ("missing_environment_variable", ["seed=${oc.env:CARAVAN_NOPE}"], "seed"),
    ("list_without_multirun", ["trade.sigma=3,5"], "trade.sigma=3,5"),
    ("range_without_multirun", ["trade.sigma=range(3,5)"], "requires --multirun"),
    ("empty_run_dir", ["hydra.run.dir="], "hydra.run.dir: is empty"),
    ("run_dir_name_too_long", ["hydra.run.dir=/tmp/" + "a" * 300], "file name too long"),
    ("run_dir_bad_interpolation", ["hydra.run.dir=${oops}"], "hydra.run.dir"),
    # issue 17 §4: scenario and group options are names, never paths
    ("empty_scenario", ["scenario="], "scenario: '' is not an option name"),
    ("hydra_group_path", ["hydra/launcher=../x"], "hydra/launcher: '../x' is not an option name"),
    ("shock_path", ["shock=../none"], "shock: '../none' is not an option name"),
    ("scenario_parent_path", ["scenario=../../x"], "scenario: '../../x' is not an option name"),
    ("scenario_absolute_path", ["scenario=/etc/passwd"], "is not an option name"),
    ("scenario_nested_path", ["scenario=baseline/../../x"], "is not an option name"),
    ("scenario_plus_path", ["+scenario=../x"], "is not an option name"),
    ("scenario_with_package", ["scenario@foo=../x"], "is not an option name"),
    ("group_option_path", ["tariff=../../conf/x"], "tariff: '../../conf/x' is not an option name"),
    ("scenario_dir_missing", ["--scenario-dir", "/nonexistent/dir"], "--scenario-dir"),
    # found by the variant sweep of issue 17 (each group as a class)
    ("resolve_without_cfg", ["--resolve"], "--resolve: works only with --cfg"),
    ("cfg_flag_bad_choice", ["-c", "nope"], "-c: must be one of job, hydra, all"),
    ("output_subdir_leaves_run_dir", ["hydra.output_subdir=../.."], "hydra.output_subdir: must be"),
    ("job_name_is_a_path", ["hydra.job.name=../x"], "hydra.job.name: must be a plain name"),
    (
        "unknown_hazard_level",
        ["settlement.hazard_levels.hazard_1999=0"],
        "hazard_levels.hazard_1999",
    ),
    ("bool_from_an_integer", ["output.pairs=-1"], "output.pairs: must be true or false, got '-1'"),
    ("closure_of_unknown_corridor", ["corridors.closures=[{target:abc}]"], "closures[0].target"),
    ("opening_unknown_segment", ["corridors.openings=[{segment:x}]"], "openings[0].segment"),
    ("economy_at_unknown_hub", ["corridors.economy_hubs.KAZ=[nowhere]"], "unknown hub 'nowhere'"),
    ("bool_from_a_huge_integer", ["settlement.enabled=99999999999999999999"], "settlement.enabled"),
    (
        "bool_inside_a_list_lever",
        ["tariff.changes=[{importers:[RUS],exporters:[KAZ],both_directions:5}]"],
        "tariff.changes[0].both_directions: must be true or false, got '5'",
    ),
    (
        "bool_inside_a_ban",
        ["tariff.bans=[{exporters:[RUS],importers:[EUU],share:0.1,both_directions:-1}]"],
        "tariff.bans[0].both_directions: must be true or false",
    ),
    ("bool_from_a_float", ["output.pairs=1e20"], "output.pairs: must be true or false"),
]


def test_catalog_is_large_enough():
    assert len(CATALOG) >= 60
    assert len({case for case, _, _ in CATALOG}) == len(CATALOG)


def refused(capsys, args: list[str]) -> str:
    """Run ``caravan args`` in-process; assert exit 2 and one ``error:`` line; return it."""
    with pytest.raises(SystemExit) as caught:
        main(args)
    assert caught.value.code == EXIT_USAGE
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), captured.err
    assert "Traceback" not in captured.err + captured.out
    return err[0]


@pytest.mark.parametrize(
    ("overrides", "names"), [c[1:] for c in CATALOG], ids=[c[0] for c in CATALOG]
)
def test_cli_exits_nonzero_with_one_line_and_no_run_dir(tmp_path, capsys, overrides, names):
    run_dir = tmp_path / "run"
    line = refused(capsys, [f"hydra.run.dir={run_dir}", *overrides])
    assert names in line, line
    assert not run_dir.exists()


def test_cli_subprocess_end_to_end(tmp_path):
    run_dir = tmp_path / "run"
    code = "import sys; from sim.cli import main; main(sys.argv[1:])"
    proc = subprocess.run(
        [sys.executable, "-c", code, "tariff.changes=[{scale:-0.5}]", f"hydra.run.dir={run_dir}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == EXIT_USAGE
    lines = proc.stderr.strip().splitlines()
    assert lines == ["error: tariff.changes[0].scale: must be in [0.0, 10.0], got -0.5"], (
        proc.stderr
    )
    assert not run_dir.exists() and not list(tmp_path.rglob("*.parquet"))


def test_compose_and_validate_raises_the_same_one_line_error():
    for _, overrides, names in CATALOG[:3] + CATALOG[35:38]:
        with pytest.raises(CaravanError) as caught:
            check_inputs(compose_and_validate(overrides))
        assert "\n" not in str(caught.value) and names in str(caught.value)


# --- issue 17 §1: every swept value, and the files every job reads -------------------------
SWEEPS: list[tuple[str, list[str], str]] = [
    ("nan_inside_a_list", ["trade.sigma=3,nan,5"], "trade.sigma: must be in (1.0, 20.0], got nan"),
    ("float_among_ints", ["sim.quarters=1,2.5,3"], "sim.quarters"),
    ("out_of_range_in_the_middle", ["trade.adjustment=0.5,0,1"], "trade.adjustment"),
    ("bad_choice_last", ["sim.growth=weo,flat,boom"], "sim.growth"),
    ("missing_matrix_in_one_job", ["world.trade_matrix=null,/nonexistent.csv"], "/nonexistent"),
    ("path_as_scenario_in_sweep", ["scenario=baseline,../../x"], "is not an option name"),
    ("dict_lever_swept_bad", ["corridors.freight_rate_overrides.rail=0.05,-1"], "rail"),
    ("bare_key_in_sweep", ["trade.sigma=3,5", "sim.quarters"], "sim.quarters: has no value"),
    ("sweep_dir_is_a_file", ["trade.sigma=3,5", "hydra.sweep.dir=FILE"], "hydra.sweep.dir"),
    ("sweep_dir_in_proc", ["trade.sigma=3,5", "hydra.sweep.dir=/proc/x"], "virtual file system"),
    ("interval_without_sampler", ["trade.sigma=interval(3,5)"], "interval() needs a sampling"),
    ("glob_of_scenarios_checked", ["scenario=glob(*)", "trade.sigma=0"], "trade.sigma"),
    ("glob_matching_nothing", ["scenario=glob(zz*)"], "scenario: glob(zz*) matches no option"),
    ("glob_on_a_value", ["trade.sigma=glob(*)"], "glob() selects config-group options only"),
    ("nan_in_range_of_other_key", ["sweep.replicate=range(3)", "trade.adjustment=1,nan"], "nan"),
    ("sweep_subdir_leaves_sweep", ["trade.sigma=3,5", "hydra.sweep.subdir=../x"], "sweep.subdir"),
    ("bool_swept_as_integer", ["output.pairs=true,2"], "output.pairs: must be true or false"),
    ("range_too_many_jobs", ["sweep.replicate=range(0,100000000)"], "more than 100,000 jobs"),
    ("ranges_multiply_past_the_cap", ["sweep.replicate=range(400)", "seed=range(400)"], "100,000"),
    ("range_step_zero", ["trade.sigma=range(2,5,0)"], "trade.sigma: range() step must not be 0"),
    ("range_with_no_values", ["trade.sigma=range(5,2)"], "has no values"),
    ("range_nan_step", ["trade.sigma=range(2,5,nan)"], "range() needs finite numbers"),
    (
        "swept_closure_of_unknown_corridor",
        ["corridors.closures=[{target:middle_corridor}],[{target:abc}]"],
        "closures[0].target",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "names"), [c[1:] for c in SWEEPS], ids=[c[0] for c in SWEEPS]
)
def test_sweep_refuses_every_bad_value_before_any_job(tmp_path, capsys, overrides, names):
    blocker = tmp_path / "file"
    blocker.write_text("")
    overrides = [o.replace("FILE", str(blocker)) for o in overrides]
    own_dir = any("sweep.dir" in o for o in overrides)
    args = ["-m", *([] if own_dir else [f"hydra.sweep.dir={tmp_path / 'sweep'}"]), *overrides]
    line = refused(capsys, args)
    assert names in line, line
    assert not (tmp_path / "sweep").exists()


# --- issue 17 §1: dictionary levers work as documented, without a ``+`` ----------------------
@pytest.mark.parametrize(
    ("override", "path", "value"),
    [
        (
            "corridors.freight_rate_overrides.rail=0.05",
            ("corridors", "freight_rate_overrides"),
            {"rail": 0.05},
        ),
        (
            "corridors.group_value_overrides.manufactures=900",
            ("corridors", "group_value_overrides"),
            {"manufactures": 900.0},
        ),
        (
            "settlement.costs.exogenous_liquidity.CNY=0.2",
            ("settlement", "costs", "exogenous_liquidity"),
            {"CNY": 0.2},
        ),
    ],
)
def test_dict_levers_take_a_key_without_plus(override, path, value):
    cfg = compose_and_validate([override])
    node = cfg
    for part in path:
        node = getattr(node, part)
    assert node == value


# --- issue 17 §2: the file system is hostile ---------------------------------------------------
def _matrix_cases(tmp_path: Path) -> dict[str, tuple[str, str]]:
    directory = tmp_path / "a_dir"
    directory.mkdir()
    fifo = tmp_path / "a_fifo"
    os.mkfifo(fifo)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b"\x00\xff\x10 not a csv \x00")
    link = tmp_path / "dangling.csv"
    link.symlink_to(tmp_path / "gone.csv")
    return {
        "missing": (str(tmp_path / "none.csv"), "no such file or directory"),
        "directory": (str(directory), "is a directory"),
        "fifo": (str(fifo), "is a FIFO"),
        "device": ("/dev/zero", "is a device"),
        "empty_file": (str(empty), "is empty"),
        "garbage": (str(garbage), str(garbage)),
        "dangling_symlink": (str(link), "no such file or directory"),
        "under_a_file": (str(empty / "x.csv"), "not a directory"),
    }


MATRIX_CASES = [
    "missing",
    "directory",
    "fifo",
    "device",
    "empty_file",
    "garbage",
    "dangling_symlink",
    "under_a_file",
]


@pytest.mark.parametrize("case", MATRIX_CASES)
def test_hostile_trade_matrix_is_one_line_naming_the_path(tmp_path, capsys, case):
    path, cause = _matrix_cases(tmp_path)[case]
    run_dir = tmp_path / "run"
    line = refused(capsys, [f"world.trade_matrix={path}", f"hydra.run.dir={run_dir}"])
    assert path in line and cause in line, line
    assert not run_dir.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_trade_matrix(tmp_path, capsys):
    path = tmp_path / "secret.csv"
    path.write_text("exporter,importer,value_usd_bn\n")
    path.chmod(0)
    line = refused(capsys, [f"world.trade_matrix={path}", f"hydra.run.dir={tmp_path / 'run'}"])
    assert str(path) in line and "permission denied" in line


def _output_cases(tmp_path: Path) -> dict[str, tuple[str, str]]:
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    hydra_file = tmp_path / "hydra_file"
    hydra_file.mkdir()
    (hydra_file / ".hydra").write_text("")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    table_dir = tmp_path / "table_dir"
    (table_dir / "economies.parquet").mkdir(parents=True)
    return {
        "table_name_is_a_directory": (str(table_dir), "holds 'a directory economies.parquet'"),
        "symlink_loop": (str(loop / "run"), "symbolic link to nowhere"),
        "hydra_subdir_is_a_file": (str(hydra_file), ".hydra exists and is not a directory"),
        "foreign_files": (
            str(foreign),
            "already holds 'notes.txt', which is not part of a Caravan",
        ),
        "system_dir": ("/etc", "which is not part of a Caravan run"),
        "existing_file": (str(a_file), "exists and is not a directory"),
        "under_a_file": (str(a_file / "run"), "is a file, not a directory"),
        "proc": ("/proc/self/caravan_run", "virtual file system (/proc)"),
        "sys": ("/sys/caravan_run", "virtual file system (/sys)"),
        "dev_null": ("/dev/null", "virtual file system (/dev)"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "existing_file",
        "under_a_file",
        "proc",
        "sys",
        "dev_null",
        "symlink_loop",
        "table_name_is_a_directory",
        "hydra_subdir_is_a_file",
        "foreign_files",
        "system_dir",
    ],
)
def test_hostile_output_dir_is_refused_up_front(tmp_path, capsys, case):
    path, cause = _output_cases(tmp_path)[case]
    line = refused(capsys, ["sim.quarters=1", f"hydra.run.dir={path}"])
    assert line.startswith("error: hydra.run.dir: ") and cause in line, line


def test_info_flag_leaves_the_overrides_alone(tmp_path, capsys):
    # ``--info`` takes an optional choice: an override after it is not taken for one
    main(["--info", f"hydra.run.dir={tmp_path / 'run'}"])
    captured = capsys.readouterr()
    assert not [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert "invalid choice" not in captured.err
    assert not (tmp_path / "run").exists()


def test_rerun_into_an_earlier_run_directory_is_allowed(tmp_path):
    # the guard against foreign files lets a directory holding a Caravan run be reused
    import json

    run = tmp_path / "run"
    args = ["sim.quarters=1", "settlement.enabled=false", "output.summary=false"]
    for _ in range(2):
        main([*args, f"hydra.run.dir={run}"])
    assert json.loads((run / "metadata.json").read_text())["status"] == "completed"


def test_read_only_output_dir_is_refused(tmp_path, capsys, monkeypatch):
    import errno
    import tempfile

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)  # root ignores chmod; EROFS does not
    line = refused(capsys, ["sim.quarters=1", f"hydra.run.dir={tmp_path / 'run'}"])
    assert "cannot be written: read-only file system" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a 0555 directory")
def test_permission_denied_output_dir_is_refused(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    line = refused(capsys, ["sim.quarters=1", f"hydra.run.dir={locked / 'run'}"])
    assert "permission denied" in line


def test_full_disk_is_refused_up_front(tmp_path, capsys, monkeypatch):
    real = os.statvfs

    class Full:
        def __init__(self, path):
            self.f_bavail, self.f_frsize = 0, real(path).f_frsize

    monkeypatch.setattr(os, "statvfs", Full)
    line = refused(capsys, ["sim.quarters=1", f"hydra.run.dir={tmp_path / 'run'}"])
    assert "the disk is full" in line and not (tmp_path / "run").exists()


def test_tiny_file_size_limit_is_refused_up_front(tmp_path, capsys):
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, hard))
    try:
        line = refused(capsys, ["sim.quarters=1", f"hydra.run.dir={tmp_path / 'run'}"])
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert "file-size limit (ulimit -f) is 4096 bytes" in line


# --- issue 17 §4: a user's own scenario folder is explicit ------------------------------------
def test_user_scenario_folder_is_an_explicit_option(tmp_path, capsys):
    own = tmp_path / "mine"
    own.mkdir()
    (own / "my_cut.yaml").write_text(
        "# @package _global_\nscenario:\n  name: my_cut\n  description: mine\n"
        "trade:\n  sigma: 6.0\n"
    )
    line = refused(capsys, ["scenario=my_cut", f"hydra.run.dir={tmp_path / 'r'}"])
    assert "unknown option 'my_cut'" in line  # not found without the option
    cfg = compose_and_validate(["scenario=my_cut"], scenario_dir=own)
    assert cfg.scenario.name == "my_cut" and cfg.trade.sigma == 6.0
    (own / "baseline.yaml").write_text("# @package _global_\n")
    line = refused(capsys, ["--scenario-dir", str(own), "scenario=my_cut"])
    assert line.startswith("error: --scenario-dir: ") and "shipped scenario" in line


def test_a_broken_scenario_file_is_refused_only_when_chosen(tmp_path, capsys):
    own = tmp_path / "mine"
    own.mkdir()
    (own / "broken.yaml").write_text("corridors: {closures: [{target: x\n")
    (own / "typo.yaml").write_text("nonsense_key: 1\n")
    (own / "fine.yaml").write_text("# @package _global_\ntrade:\n  sigma: 6.0\n")
    assert compose_and_validate(["scenario=fine"], scenario_dir=own).trade.sigma == 6.0
    line = refused(capsys, ["--scenario-dir", str(own), "scenario=broken"])
    assert line.startswith(f"error: {own / 'broken.yaml'}: while parsing a flow mapping")
    # the chosen file's own error, not the broken neighbour's
    line = refused(capsys, ["--scenario-dir", str(own), "scenario=typo"])
    assert line == "error: nonsense_key: unknown key (not in the config schema)"
    line = refused(capsys, ["--scenario-dir", str(own), "scenario=fin"])
    assert line.startswith("error: scenario: unknown option 'fin' (did you mean 'fine'?)")
    assert "broken" not in line


def test_scenario_file_with_an_integer_for_a_flag_is_refused(tmp_path, capsys):
    own = tmp_path / "mine"
    own.mkdir()
    (own / "my_flags.yaml").write_text(
        "# @package _global_\ntariff:\n  changes:\n"
        "    - {exporters: [KAZ], importers: [RUS], both_directions: 5}\n"
    )
    line = refused(capsys, ["--scenario-dir", str(own), "scenario=my_flags"])
    assert line == (
        "error: scenario=my_flags: tariff.changes[0].both_directions: "
        "must be true or false, got '5'"
    )
    (own / "my_flags.yaml").write_text(
        "# @package _global_\ntariff:\n  changes:\n"
        "    - {exporters: [KAZ], importers: [RUS], both_directions: false}\n"
    )
    cfg = compose_and_validate(["scenario=my_flags"], scenario_dir=own)
    assert cfg.tariff.changes[0].both_directions is False


def test_a_valid_sweep_of_list_levers_passes_the_pre_check():
    from sim.compose import CONF_DIR, check_sweep_inputs
    from sim.sweep.validate import validate_multirun

    overrides = [
        "corridors.closures=[{target:aktau-baku}],[{target:aktau-baku,from_quarter:2025Q2}]",
        "sim.quarters=1",
    ]
    validate_multirun(overrides, CONF_DIR)  # raised "dict is not a subclass of Closure" before
    check_sweep_inputs(overrides)
