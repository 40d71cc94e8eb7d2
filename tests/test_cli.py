"""`caravan` end to end, as a user runs it: one subprocess smoke run, the rest in-process."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest


def caravan(*args: str) -> subprocess.CompletedProcess:
    code = "import sys; from sim.cli import main; main(sys.argv[1:])"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """The same run twice: once as a subprocess (the smoke test), once through main()."""
    from sim.cli import main

    base = tmp_path_factory.mktemp("runs")
    proc = caravan("sim.quarters=3", "seed=11", f"hydra.run.dir={base / 'a'}")
    assert proc.returncode == 0, proc.stderr
    main(["sim.quarters=3", "seed=11", "output.summary=false", f"hydra.run.dir={base / 'b'}"])
    return [(base / "a", proc), (base / "b", None)]


def test_run_writes_contract_and_summary(two_runs):
    run_dir, proc = two_runs[0]
    assert "Caravan run completed" in proc.stdout and str(run_dir) in proc.stdout
    meta = json.loads((run_dir / "metadata.json").read_text())
    assert meta["status"] == "completed" and meta["seed"] == 11
    for key in ("config_hash", "package_version", "data_version", "python", "packages"):
        assert meta[key], key
    assert (run_dir / ".hydra" / "config.yaml").exists()
    economies = pd.read_parquet(run_dir / "economies.parquet")
    assert list(economies.quarter.unique()) == ["2024Q1", "2024Q2", "2024Q3"]
    expected = {"output", "price", "real_income", "exports", "imports", "tariff_revenue"}
    assert expected <= set(economies.columns)
    pairs = pd.read_parquet(run_dir / "pairs.parquet")
    assert {"exporter", "importer", "flow", "trade_cost", "tariff", "provenance"} <= set(pairs)
    world = pd.read_parquet(run_dir / "world.parquet")
    assert {"world_trade", "intra_cis_trade_share"} <= set(world.columns)
    assert not economies.isna().any().any()
    segments = pd.read_parquet(run_dir / "segments.parquet")
    peak = segments.groupby("segment")["utilization"].max()
    over = meta["segments_over_capacity"]
    tolerance = 0.03  # corridors.msa_tol: with capacity prices, over means beyond it
    assert set(over) == set(peak.index[peak > 1 + tolerance])
    for name, seen in over.items():
        assert seen["peak_utilization"] == pytest.approx(peak[name], abs=5e-4), name
    assert ("above capacity" in proc.stdout) == bool(over)


def test_same_config_and_seed_give_identical_files(two_runs):
    (first, _), (second, _) = two_runs
    for table in ("economies.parquet", "pairs.parquet", "world.parquet"):
        assert (first / table).read_bytes() == (second / table).read_bytes(), table


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("sim.quarters=-1", "sim.quarters"),
        ("trade.sigma=0.5", "trade.sigma"),
        ("seed=abc", "seed"),
        ("+nonsense_key=1", "nonsense_key"),
        ("world.economies=[RUS,XYZ]", "world.economies"),
        ("world.trade_matrix=/nonexistent/matrix.csv", "matrix.csv"),
    ],
)
def test_bad_input_is_one_line_nonzero_and_writes_nothing(tmp_path, capsys, override, key):
    from sim.cli import main

    run_dir = tmp_path / "run"
    with pytest.raises(SystemExit) as caught:
        main([override, f"hydra.run.dir={run_dir}"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and key in lines[0], err
    assert "Traceback" not in err
    assert not run_dir.exists()


def test_model_failure_once_started_is_one_line_exit_1(tmp_path, capsys, monkeypatch):
    from sim import runner
    from sim.cli import main
    from sim.errors import ModelError

    def explode(cfg):
        raise ModelError("the GE did not converge")

    monkeypatch.setattr(runner, "simulate", explode)
    with pytest.raises(SystemExit) as caught:
        main(["debug=fast", f"hydra.run.dir={tmp_path}"])
    assert caught.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"error: run failed: the GE did not converge (recorded in {tmp_path}/metadata.json)"
    ]
    assert not list(tmp_path.glob("*.parquet"))


def test_readme_example_error_is_the_real_message(capsys):
    """The README's example command and its error line, run as written."""
    import re
    import shlex
    from pathlib import Path

    from sim.cli import main

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r"\$ uv run caravan (.+)\n(error: .+)\n", readme)
    assert len(examples) >= 2
    for command, expected in examples:
        with pytest.raises(SystemExit):
            main(shlex.split(command))
        assert capsys.readouterr().err.strip() == expected


def test_a_single_run_composes_once(tmp_path, monkeypatch):
    """The default scenario is found among the scenarios registered for the run (no retry)."""
    from sim import compose
    from sim.cli import main

    assert compose.chosen_scenarios([]) == {"baseline"}
    assert compose.chosen_scenarios(["scenario=instc_buildout"]) == {"baseline", "instc_buildout"}
    calls = []
    real = compose.compose_run
    monkeypatch.setattr(compose, "compose_run", lambda *a: calls.append(a) or real(*a))
    main(["debug=fast", f"hydra.run.dir={tmp_path / 'run'}"])
    assert len(calls) == 1
    assert (tmp_path / "run" / "metadata.json").exists()
