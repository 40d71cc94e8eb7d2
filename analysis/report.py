"""The one-command report: ``caravan-report PATH [--baseline PATH] [--out DIR]``.

Builds a self-contained HTML report (figures embedded as base64 PNG) from a run
or a sweep directory, and writes every figure as PNG, SVG and PDF next to it.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import import_module
from importlib import metadata as importlib_metadata
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from analysis import html as h
from analysis.figures import NotApplicable
from analysis.loading import load_results
from analysis.network import Network, read_network, shipped_network
from analysis.published import read_targets, shipped_targets
from analysis.reportdata import FigureSpec, ReportData, combine
from analysis.style import FORMATS, save_figure
from analysis.summary import final_differences, imputed_share, key_numbers, provenance_summary
from sim.errors import CaravanError


@dataclass
class ReportResult:
    """What :func:`build_report` wrote.

    Attributes:
        html: The report file.
        figures: Keys of the figures drawn, in report order.
        omitted: Figure key → the sentence saying why it is not shown.
        files: Every figure file written (PNG/SVG/PDF).
        warnings: What the figures warn about (e.g. unresolved sensitivity indices).
        seconds: Wall time of the build.
    """

    html: Path
    figures: list[str] = field(default_factory=list)
    omitted: dict[str, str] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


# --------------------------------------------------------------------------- figures

#: Figure modules in report order; each has ``report_specs(data) -> list[FigureSpec]``.
FIGURE_MODULES = tuple(
    import_module(f"analysis.figures.{name}")
    for name in (
        "fan",
        "difference",
        "corridor_map",
        "flow_heatmap",
        "settlement",
        "sensitivity",
        "hindcast",
    )
)


def figure_specs(d: ReportData) -> list[FigureSpec]:
    """Every figure of the report, in order."""
    return [spec for module in FIGURE_MODULES for spec in module.report_specs(d)]


# --------------------------------------------------------------------------- sections


def _scenario_header(name: str) -> str | None:
    """The leading comment block of the shipped scenario file ``name``, if there is one."""
    from sim.compose import scenario_files

    path = scenario_files().get(name)
    if path is None:
        return None
    lines = []
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            if lines:
                break
            continue
        lines.append(line.lstrip("#").strip())
    text = " ".join(ln for ln in lines if ln and not ln.startswith("@package"))
    return text or None


def _scenario_section(d: ReportData) -> str:
    r = d.results
    parts = []
    if r.kind == "run":
        meta = next(iter(r.metadata.values()))
        parts.append(
            h.para(
                f"A single run of scenario {d.results.scenarios[0]!s} (seed {meta.get('seed')})."
            )
        )
    else:
        reps = [r.replications(sc) for sc in r.scenarios]
        each = (
            f"{reps[0]} run(s) each" if len(set(reps)) == 1 else "runs " + "/".join(map(str, reps))
        )
        text = (
            f"A sweep of {r.n_runs} completed runs ({r.n_failed} failed, left out): "
            f"{len(r.scenarios)} scenario(s) × {each}"
        )
        if r.swept:
            text += "; other swept parameters: " + ", ".join(r.swept)
        parts.append(h.para(text + "."))
    if d.base is not None:
        parts.append(
            h.para(
                f"Compared with the baseline at {d.base.path} "
                f"({d.base.n_runs} run(s) of {d.baseline})."
            )
        )
    elif d.baseline is not None:
        parts.append(h.para(f"Scenarios are compared with {d.baseline} from the same sweep."))
    rows = []
    for sc in d.order:
        name = sc.removesuffix(" (--baseline)")
        desc = _scenario_header(name) or "No description found (no scenarios/" + name + ".yaml)."
        reps = int(d.tables["world"].loc[d.tables["world"]["scenario"] == sc, "run"].nunique())
        rows.append({"scenario": sc, "runs": reps, "description": desc})
    parts.append(h.table(pd.DataFrame(rows), left=("scenario", "description")))
    if r.overrides:
        parts.append(h.para("Overrides of the first run: " + " ".join(r.overrides)))
    return h.section("scenario", "Scenario", parts)


def _fmt(v: float) -> str:
    if pd.isna(v):
        return "–"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"


def _key_numbers_section(d: ReportData, out: Path) -> str:
    k = key_numbers(d.tables["world"], d.order)
    parts = []
    if k.empty:
        parts.append(h.para("The world table holds none of the headline indicators."))
    else:
        k.to_csv(out / "key_numbers.csv", index=False)
        shown = pd.DataFrame(
            {
                "scenario": k["scenario"],
                "indicator": k["indicator"],
                "unit": k["unit"],
                "runs": k["runs"],
                "first quarter (median)": k["first"].map(_fmt),
                "last quarter (median)": k["last"].map(_fmt),
                "last quarter, 5–95 % of runs": [
                    f"{_fmt(a)} – {_fmt(b)}"
                    for a, b in zip(k["last_p05"], k["last_p95"], strict=True)
                ],
            }
        )
        parts.append(h.table(shown, left=("scenario", "indicator", "unit")))
    if d.baseline is not None:
        w = d.tables["world"]
        diff = final_differences(w[w["scenario"].isin(d.others)], w[w["scenario"] == d.baseline])
        if not diff.empty:
            diff.to_csv(out / "differences.csv", index=False)
            shown = pd.DataFrame(
                {
                    "scenario": diff["scenario"] + " − " + d.baseline,
                    "indicator": diff["indicator"],
                    "unit": diff["unit"],
                    "last quarter, mean": diff["mean"].map(_fmt),
                    "95 % CI": [
                        f"{_fmt(a)} – {_fmt(b)}"
                        for a, b in zip(diff["lo"], diff["hi"], strict=True)
                    ],
                    "runs": diff["n"],
                    "paired by seed": diff["paired"].map({True: "yes", False: "no"}),
                }
            )
            parts.append(h.para("Difference from the baseline at the last quarter:"))
            parts.append(h.table(shown, left=("scenario", "indicator", "unit", "paired by seed")))
    prov = provenance_summary(d.table("pairs", d.baseline or d.order[0]))
    share = imputed_share(prov)
    if share is not None:
        parts.append(
            h.para(
                f"Imputed baseline trade cells: {share[0]:.1f} % of pairs, "
                f"{share[1]:.1f} % of trade value."
            )
        )
    return h.section("key-numbers", "Key numbers", parts)


def _provenance_section(d: ReportData, omitted: dict[str, str]) -> str:
    parts = []
    pairs = d.table("pairs", d.baseline or d.order[0])
    prov = provenance_summary(pairs)
    if prov is None:
        parts.append(
            h.para(
                "The pairs table is absent or carries no provenance column, so the "
                "share of imputed baseline cells is unknown."
            )
        )
    else:
        share = imputed_share(prov)
        parts.append(
            h.para(
                f"The baseline trade matrix: {share[0]:.1f} % of bilateral cells "
                f"({share[1]:.1f} % of trade value) are imputed by a gravity estimate; "
                "the rest are reported, mirror or derived figures (see the shipped data's sources)."
            )
        )
        show = prov.assign(
            share_cells=prov["share_cells"].round(1), share_value=prov["share_value"].round(1)
        )
        show.columns = ["provenance", "cells", "% of cells", "% of trade value"]
        parts.append(h.table(show, left=("provenance",), floatfmt="{:.1f}"))
    r = d.results
    if r.swept:
        spread = (
            "Bands and confidence intervals pool runs across the swept parameters "
            + ", ".join(r.swept)
            + ", so they reflect those parameters as well as the model's random draws; "
            "not uncertainty in the data."
        )
    else:
        spread = (
            "Bands and confidence intervals reflect the model's random draws (seeds) only, not "
            "uncertainty in parameters or data."
        )
    caveats = [spread, *d.notes]
    if r.n_failed:
        caveats.append(f"{r.n_failed} run(s) failed and are left out of every figure and table.")
    for name in ("segments", "settlement"):
        if d.tables[name] is None:
            caveats.append(f"No {name} table: that model layer was off.")
    versions = {str(m.get("data_version")) for m in r.metadata.values() if m.get("data_version")}
    if versions:
        caveats.append("Data version(s): " + ", ".join(sorted(versions)) + ".")
    for key, reason in omitted.items():
        caveats.append(f"Figure {key} not shown: {reason}")
    parts.append(h.bullets(caveats))
    return h.section("provenance", "Data provenance and caveats", parts)


def _versions_section(d: ReportData, started: float) -> str:
    r = d.results
    meta = next(iter(r.metadata.values()), {})
    fields = [
        "package_version",
        "git_revision",
        "data_version",
        "config_hash",
        "python",
        "started",
        "finished",
        "wall_time_s",
    ]
    rows = [{"field": f, "value": str(meta.get(f, "–"))} for f in fields]
    for key in ("package_version", "git_revision", "data_version"):
        values = {str(m.get(key)) for m in r.metadata.values()}
        if len(values) > 1:
            rows.append(
                {"field": f"{key} (differs across runs)", "value": ", ".join(sorted(values))}
            )
    packages = meta.get("packages") or {}
    if isinstance(packages, dict):
        rows += [{"field": f"package {k}", "value": str(v)} for k, v in sorted(packages.items())]
    for pkg in ("matplotlib", "pandas", "numpy", "pyarrow"):
        try:
            rows.append({"field": f"report: {pkg}", "value": importlib_metadata.version(pkg)})
        except importlib_metadata.PackageNotFoundError:
            pass
    parts = [
        h.table(pd.DataFrame(rows), left=("field", "value")),
        h.para("Resolved configuration (.hydra/config.yaml of the first run):"),
        h.pre(r.config_yaml or "(not found)"),
    ]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts.append(
        f'<p class="meta">Report built {stamp} from {h.esc(r.path)} in '
        f"{time.perf_counter() - started:.1f} s.</p>"
    )
    return h.section("config", "Configuration and versions", parts)


# --------------------------------------------------------------------------- build


def build_report(
    path: str | Path,
    baseline: str | Path | None = None,
    out: str | Path | None = None,
    network: Network | None = None,
    targets: pd.DataFrame | None = None,
    formats: Sequence[str] = FORMATS,
    map_quarters: Sequence[str] = (),
) -> ReportResult:
    """Build the HTML report of a run or sweep, with its figure files.

    Args:
        path: Run or sweep directory.
        baseline: Run or sweep directory of the baseline to compare with; default:
            compare within ``path`` when it holds several scenarios.
        out: Output directory; default ``<path>/report``.
        network: Corridor network geometry; default: the one shipped in ``sim/data/corridors/``.
        targets: Published settlement figures (see :func:`analysis.published.read_targets`);
            default: ``sim/data/settlement/targets.csv``.
        formats: Figure file formats written next to the report.
        map_quarters: Quarters the corridor maps show (default: chosen from the data).

    Returns:
        What was written.

    Raises:
        CaravanError: If a path is not a run or sweep directory or a table is unreadable.
    """
    started = time.perf_counter()
    results = load_results(path)
    base = load_results(baseline) if baseline is not None else None
    out = Path(out) if out is not None else Path(path) / "report"
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CaravanError(f"{out}: cannot create output directory ({exc.strerror})") from None
    d = combine(results, base)
    d.network = network if network is not None else shipped_network()
    d.targets = targets if targets is not None else shipped_targets()
    d.map_quarters = tuple(map_quarters)
    result = ReportResult(html=out / "report.html")
    blocks = []
    for spec in figure_specs(d):
        try:
            fig = spec.draw()
        except NotApplicable as why:
            result.omitted[spec.key] = str(why)
            blocks.append(h.omitted(spec.key, spec.title, str(why)))
            continue
        files = save_figure(fig, out / "figures" / spec.key, formats)
        result.files += files
        result.figures.append(spec.key)
        png = next((f for f in files if f.suffix == ".png"), None)
        data = png.read_bytes() if png else _png(fig)
        links = [(f.suffix[1:], f.relative_to(out).as_posix()) for f in files]
        blocks.append(h.figure(spec.key, spec.title, data, spec.caption, links))
        if spec.key == "hindcast":
            blocks.append(_hindcast_table(d, out))
    title = f"Caravan report: {', '.join(d.order)}"
    body = [
        f"<h1>{h.esc(title)}</h1>",
        f'<p class="meta">{h.esc(results.kind)} {h.esc(results.path)}</p>',
        _scenario_section(d),
        _key_numbers_section(d, out),
        h.section("figures", "Figures", blocks),
        _provenance_section(d, result.omitted),
        _versions_section(d, started),
    ]
    result.html.write_text(h.page(title, body), encoding="utf-8")
    result.warnings = list(d.notes)
    result.seconds = time.perf_counter() - started
    return result


def _hindcast_table(d: ReportData, out: Path) -> str:
    """Every published figure the runs overlap, with the simulated value and the error."""
    e = import_module("analysis.figures.hindcast").error_table(d)
    if e.empty:
        return ""
    e.to_csv(out / "hindcast_errors.csv", index=False)
    shown = e.assign(
        published_pct=e["published_pct"].round(1), simulated_pct=e["simulated_pct"].round(1)
    ).rename(
        columns={
            "published_pct": "published (%)",
            "simulated_pct": "simulated median (%)",
            "error_pp": "error (pp)",
            "use": "use (calibration = fitted, validation = held out)",
        }
    )
    return h.table(
        shown,
        left=(
            "series",
            "quarter",
            "use (calibration = fitted, validation = held out)",
            "who_said",
            "source",
        ),
        floatfmt="{:.1f}",
    )


def _png(fig: Figure) -> bytes:
    from analysis.style import png_bytes

    return png_bytes(fig)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="caravan-report",
        description="Build a self-contained HTML report (with PNG/SVG/PDF figures) from a "
        "Caravan run or sweep directory.",
    )
    p.add_argument("path", type=Path, help="run directory or sweep directory")
    p.add_argument("--baseline", type=Path, help="run or sweep directory of the baseline")
    p.add_argument("--out", type=Path, help="output directory (default: PATH/report)")
    p.add_argument(
        "--network",
        type=Path,
        help="directory with hubs.csv and segments.csv for the corridor map "
        "(default: the network shipped in sim/data/corridors/)",
    )
    p.add_argument(
        "--published",
        type=Path,
        help="CSV of published settlement figures in the format of "
        "sim/data/settlement/targets.csv (series, quarter, value; the default file)",
    )
    p.add_argument(
        "--map-quarters",
        default="",
        help="quarters the corridor maps show, comma-separated, e.g. 2025Q2 (one scenario: up "
        "to three panels; a comparison: the first is used); default: chosen from the data",
    )
    p.add_argument(
        "--formats",
        default=",".join(FORMATS),
        help="figure file formats, comma-separated (default: png,svg,pdf)",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``caravan-report``; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        formats = [f.strip().lower() for f in args.formats.split(",") if f.strip()]
        bad = [f for f in formats if f not in FORMATS]
        if bad or not formats:
            raise CaravanError(f"--formats: must be among {','.join(FORMATS)}, got {args.formats}")
        quarters = [q.strip() for q in args.map_quarters.split(",") if q.strip()]
        bad_q = [q for q in quarters if not re.fullmatch(r"\d{4}Q[1-4]", q)]
        if bad_q:
            raise CaravanError(f"--map-quarters: must be quarters like 2025Q2, got {bad_q[0]!r}")
        network = read_network(args.network) if args.network else None
        targets = read_targets(args.published) if args.published else None
        res = build_report(args.path, args.baseline, args.out, network, targets, formats, quarters)
    except CaravanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"report: {res.html}")
    print(f"figures ({len(res.figures)}): {', '.join(res.figures) or 'none'}")
    for key, reason in res.omitted.items():
        print(f"not shown: {key}: {reason}")
    for warning in res.warnings:
        print(f"warning: {warning}")
    print(f"built in {res.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
