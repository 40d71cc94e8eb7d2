from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analysis.network import read_network
from analysis.report import build_report, main

SECTIONS = ('id="scenario"', 'id="key-numbers"', 'id="figures"', 'id="provenance"', 'id="config"')
PUBLISHED = (
    "series,quarter,value,use\n"
    "national_currency_share_eaeu,2024Q2,0.80,calibration\n"
    "national_currency_share_eaeu,2024Q4,0.85,validation\n"
)


@pytest.fixture(scope="module")
def published_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("pub") / "shares.csv"
    p.write_text(PUBLISHED)
    return p


@pytest.mark.slow  # several seconds on 2 cores: in .ci/run's -m slow
def test_sweep_report_has_every_section_and_figure(
    sweep_dir: Path, network_dir: Path, published_csv: Path, tmp_path: Path
) -> None:
    from analysis.published import read_targets

    res = build_report(
        sweep_dir,
        out=tmp_path / "rep",
        network=read_network(network_dir),
        targets=read_targets(published_csv),
        formats=("png",),
    )
    assert res.figures == [
        "fan",
        "difference",
        "corridor_map",
        "corridor_difference",
        "flow_heatmap",
        "settlement_0",
        "settlement_1",
        "sensitivity_sobol",
        "sensitivity_morris",
        "hindcast",
    ]
    assert res.omitted == {}
    text = res.html.read_text()
    for s in SECTIONS:
        assert s in text
    assert text.count("data:image/png;base64,") == len(res.figures)
    assert "% of pairs" in text and "imputed" in text
    assert "1 run(s) failed" in text
    # 2 scenarios × 3 seeds with one run failed: counted per scenario, not as distinct seeds
    assert "2 scenario(s) × runs 3/2" in text
    assert (
        "hindcast_errors.csv" not in text and (tmp_path / "rep" / "hindcast_errors.csv").is_file()
    )
    assert "not shipped yet" not in text
    assert (tmp_path / "rep" / "figures" / "fan.png").stat().st_size > 10_000
    assert (tmp_path / "rep" / "key_numbers.csv").is_file()


def test_hindcast_left_out_when_runs_do_not_overlap_published_points(sweep_dir: Path) -> None:
    from analysis.figures import NotApplicable
    from analysis.figures.hindcast import report_specs
    from analysis.loading import load_results
    from analysis.published import shipped_targets
    from analysis.reportdata import combine

    d = combine(load_results(sweep_dir), None)
    targets = shipped_targets()
    d.targets = targets[targets["quarter"] < "2024Q1"]  # the synthetic runs start in 2024Q1
    with pytest.raises(NotApplicable, match="overlap no published"):
        report_specs(d)[0].draw()


def test_map_quarters_option(sweep_dir: Path, network_dir: Path) -> None:
    from analysis.figures.corridor_map import report_specs
    from analysis.loading import load_results
    from analysis.reportdata import combine

    d = combine(load_results(sweep_dir), None)
    d.network = read_network(network_dir)
    d.map_quarters = ("2024Q3",)
    specs = {s.key: s for s in report_specs(d)}
    assert "baseline, 2024Q3; cis_fta_deepening, 2024Q3" in specs["corridor_map"].caption
    specs["corridor_difference"].draw()  # draws without raising
    d.map_quarters = ("2031Q1",)
    with pytest.raises(Exception, match="2031Q1 not in the runs"):
        report_specs(d)[0].draw()
    assert main([str(sweep_dir), "--map-quarters", "soon"]) == 2


def test_single_run_report_says_why_figures_are_left_out(run_dir: Path, tmp_path: Path) -> None:
    res = build_report(run_dir, out=tmp_path / "rep", formats=("png",))
    assert "fan" in res.omitted and "difference" in res.omitted
    assert "single replication" in res.omitted["fan"]
    assert "single scenario" in res.omitted["difference"]
    assert "sensitivity" in res.omitted
    assert "flow_heatmap" in res.figures  # last vs first quarter within the run
    text = res.html.read_text()
    for s in SECTIONS:
        assert s in text
    assert text.count("Not shown:") == len(res.omitted)


@pytest.mark.slow  # two full runs and a report: ~6 s
def test_baseline_option_compares_two_runs(
    run_dir: Path, baseline_run_dir: Path, tmp_path: Path
) -> None:
    res = build_report(run_dir, baseline=baseline_run_dir, out=tmp_path / "rep", formats=("png",))
    assert "difference" in res.figures
    assert "fan" in res.omitted  # one run each: no spread
    assert "cis_fta_deepening − baseline" in res.html.read_text()


@pytest.mark.slow  # several seconds on 2 cores: in .ci/run's -m slow
def test_cli_end_to_end_writes_all_formats(
    run_dir: Path,
    baseline_run_dir: Path,
    network_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "cli"
    code = main(
        [
            str(run_dir),
            "--baseline",
            str(baseline_run_dir),
            "--out",
            str(out),
            "--network",
            str(network_dir),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert f"report: {out / 'report.html'}" in printed and "built in" in printed
    for fmt in ("png", "svg", "pdf"):
        assert (out / "figures" / f"corridor_map.{fmt}").stat().st_size > 1000


def test_cli_bad_path_is_one_line_exit_2(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "analysis.report", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"error: {tmp_path / 'nowhere'}: no such directory"
    assert "Traceback" not in proc.stderr


def test_cli_not_a_result_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "not a run or sweep directory" in err
    assert err.count("\n") == 1


def test_cli_bad_formats(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(run_dir), "--formats", "gif"]) == 2
    assert "--formats" in capsys.readouterr().err
