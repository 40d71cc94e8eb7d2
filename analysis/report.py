"""The one-command report: ``caravan-report PATH [--baseline PATH] [--out DIR]``.

Builds a self-contained HTML report (figures embedded as base64 PNG) from a run
or a sweep directory, and writes every figure as PNG, SVG and PDF next to it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

import sim
from analysis import html as h
from analysis.figures import (
    NotApplicable,
    corridor_map,
    difference_chart,
    fan_chart,
    flow_change_heatmap,
    hindcast_chart,
    sensitivity_bars,
    settlement_areas,
)
from analysis.loading import Results, load_results
from analysis.network import Network, read_network, shipped_network
from analysis.published import read_published, shipped_published, simulated_series
from analysis.quarters import with_quarter_index
from analysis.style import FORMATS, save_figure
from analysis.summary import final_differences, imputed_share, key_numbers, provenance_summary
from sim.errors import CaravanError

TABLES = ("world", "economies", "pairs", "segments", "settlement")
MAX_SETTLEMENT_FIGURES = 3


@dataclass
class ReportResult:
    """What :func:`build_report` wrote.

    Attributes:
        html: The report file.
        figures: Keys of the figures drawn, in report order.
        omitted: Figure key → the sentence saying why it is not shown.
        files: Every figure file written (PNG/SVG/PDF).
        seconds: Wall time of the build.
    """

    html: Path
    figures: list[str] = field(default_factory=list)
    omitted: dict[str, str] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class _Data:
    """Everything the report draws from: all runs, with the baseline named."""

    results: Results
    base: Results | None
    tables: dict[str, pd.DataFrame | None]
    order: list[str]
    baseline: str | None  # scenario the others are compared with, None if no comparison

    def table(self, name: str, scenario: str | None = None) -> pd.DataFrame | None:
        df = self.tables[name]
        if df is None or scenario is None:
            return df
        sub = df[df["scenario"] == scenario]
        return None if sub.empty else sub

    @property
    def others(self) -> list[str]:
        return [s for s in self.order if s != self.baseline]


def _combine(results: Results, base: Results | None) -> _Data:
    if base is None:
        tables = {name: getattr(results, name) for name in TABLES}
        order = results.scenarios
        baseline = order[0] if len(order) >= 2 else None
        return _Data(results, None, tables, order, baseline)
    bname = base.scenarios[0]
    label = f"{bname} (--baseline)" if bname in results.scenarios else bname
    tables = {}
    for name in TABLES:
        b, r = base.table(name, bname), getattr(results, name)
        if b is not None:
            b = b.assign(scenario=label)
        frames = [f for f in (b, r) if f is not None]
        tables[name] = pd.concat(frames, ignore_index=True) if frames else None
    return _Data(results, base, tables, [label, *results.scenarios], label)


# --------------------------------------------------------------------------- figures


@dataclass
class _Plan:
    key: str
    title: str
    caption: str
    build: Callable[[], Figure]


def _last_quarter(df: pd.DataFrame) -> pd.DataFrame:
    df = with_quarter_index(df)
    return df[df["quarter_index"] == df["quarter_index"].max()]


def _first_quarter(df: pd.DataFrame) -> pd.DataFrame:
    df = with_quarter_index(df)
    return df[df["quarter_index"] == df["quarter_index"].min()]


def _quarter_of(df: pd.DataFrame) -> str:
    return str(df["quarter"].iloc[0]) if "quarter" in df and len(df) else "?"


def _before_after(d: _Data, name: str) -> tuple[pd.DataFrame, pd.DataFrame, str, str]:
    """The two states compared by the map and the heatmap, with their labels."""
    what = {"segments": "segment table (routing layer off?)", "pairs": "pairs table"}[name]
    if d.baseline is not None:
        sc = d.others[0]
        b, s = d.table(name, d.baseline), d.table(name, sc)
        if b is None or s is None:
            raise NotApplicable(f"The {what} is missing for {d.baseline if b is None else sc}.")
        b, s = _last_quarter(b), _last_quarter(s)
        return b, s, f"{d.baseline}, {_quarter_of(b)}", f"{sc}, {_quarter_of(s)}"
    sc = d.order[0]
    t = d.table(name, sc)
    if t is None:
        raise NotApplicable(f"The run has no {what}.")
    b, s = _first_quarter(t), _last_quarter(t)
    return b, s, f"{sc}, {_quarter_of(b)}", f"{sc}, {_quarter_of(s)}"


def _median_state(df: pd.DataFrame) -> pd.DataFrame:
    return df.groupby("segment")[["volume_t", "utilization"]].median().reset_index()


def _plans(d: _Data, network: Network | None, published: pd.DataFrame | None) -> list[_Plan]:
    world = d.tables["world"]
    plans = [
        _Plan(
            "fan",
            "Headline indicators over time",
            "Median across replications (line), with the bands holding the middle 50 % and "
            "90 % of runs; the spread reflects the model's random draws (seeds) only.",
            lambda: fan_chart(world, scenarios=d.order),
        )
    ]

    def diff() -> Figure:
        if d.baseline is None:
            raise NotApplicable(
                "There is a single scenario, so there is no difference from a baseline "
                "(pass --baseline PATH, or sweep over scenarios)."
            )
        return difference_chart(
            world[world["scenario"].isin(d.others)], world[world["scenario"] == d.baseline]
        )

    plans.append(
        _Plan(
            "difference",
            "Scenario minus baseline",
            "Mean difference from the baseline across replications, with its 95 % confidence "
            "interval; levels as percent change, shares in percentage points.",
            diff,
        )
    )

    def cmap() -> Figure:
        net = network or shipped_network()
        if net is None:
            raise NotApplicable(
                "No corridor network geometry is available: sim/data/corridors/ is not "
                "shipped yet and no --network directory was given."
            )
        before, after, t0, t1 = _before_after(d, "segments")
        return corridor_map(
            net.hubs, net.segments, _median_state(before), _median_state(after), titles=(t0, t1)
        )

    plans.append(
        _Plan(
            "corridor_map",
            "Corridor map, before and after",
            "Hubs at their longitude/latitude; line width = volume carried, colour = "
            "utilization (volume / capacity); medians across replications.",
            cmap,
        )
    )

    def heat() -> Figure:
        before, after, t0, t1 = _before_after(d, "pairs")
        return flow_change_heatmap(
            after,
            before,
            title=f"Bilateral flow change\n{t1} vs {t0}",
            change_label="change in mean flow (%)",
        )

    plans.append(
        _Plan(
            "flow_heatmap",
            "Bilateral flow changes",
            "Percent change of the mean bilateral flow (rows exporters, columns importers); "
            "hatched cells have an imputed baseline value (gravity estimate, not reported).",
            heat,
        )
    )
    plans += _settlement_plans(d)
    plans += _sensitivity_plans(d.results)

    def hind() -> Figure:
        pub = published if published is not None else shipped_published()
        if pub is None:
            raise NotApplicable(
                "The published settlement shares are not shipped yet (sim/data/settlement/) "
                "and no --published file was given."
            )
        sc = d.baseline or d.order[0]
        sim_series = simulated_series(world[world["scenario"] == sc])
        if sim_series.empty:
            raise NotApplicable("The world table has no national-currency settlement shares.")
        return hindcast_chart(sim_series, pub)

    plans.append(
        _Plan(
            "hindcast",
            "Hindcast against published settlement shares",
            f"Simulated national-currency share of settlements ({d.baseline or d.order[0]}; "
            "median and 90 % of runs) against the figures published by officials; marker shape "
            "tells how the figure was stated.",
            hind,
        )
    )
    return plans


def _settlement_plans(d: _Data) -> list[_Plan]:
    if d.tables["settlement"] is None:
        return [
            _Plan(
                "settlement",
                "Settlement-currency shares",
                "",
                _raise("The runs have no settlement table (settlement layer off)."),
            )
        ]
    plans = []
    for sc in d.order[:MAX_SETTLEMENT_FIGURES]:
        s, p = d.table("settlement", sc), d.table("pairs", sc)
        if s is None:
            continue
        key = f"settlement_{len(plans)}"
        plans.append(
            _Plan(
                key,
                f"Settlement-currency shares: {sc}",
                "Share of trade value settled in each currency, weighted by bilateral flow and "
                "averaged over replications; a bloc covers trade with both ends in it, a pair "
                "both directions.",
                lambda s=s, p=p, sc=sc: settlement_areas(
                    s, p, title=f"Settlement-currency shares (by value): {sc}"
                ),
            )
        )
    return plans


def _sensitivity_plans(results: Results) -> list[_Plan]:
    idx = results.indices
    if idx is None:
        return [
            _Plan(
                "sensitivity",
                "Sensitivity indices",
                "",
                _raise("This is not a sensitivity sweep (no sensitivity/indices.parquet)."),
            )
        ]
    methods = [m for m in ("sobol", "morris") if m in set(idx["method"])]
    if not methods:
        return [
            _Plan(
                "sensitivity",
                "Sensitivity indices",
                "",
                _raise("The sensitivity table holds neither Sobol nor Morris indices."),
            )
        ]
    captions = {
        "sobol": "First-order (S1) and total (ST) Sobol indices: the share of each output's "
        "variance due to a parameter alone and with its interactions; bars are 95 % CIs.",
        "morris": "Morris screening: μ* (mean absolute elementary effect, output units) and σ "
        "(its spread; high σ = non-linear or interacting).",
    }
    return [
        _Plan(
            f"sensitivity_{m}",
            f"Sensitivity: {m.capitalize()}",
            captions[m],
            lambda m=m: sensitivity_bars(idx, m),
        )
        for m in methods
    ]


def _raise(reason: str) -> Callable[[], Figure]:
    def build() -> Figure:
        raise NotApplicable(reason)

    return build


# --------------------------------------------------------------------------- sections


def _scenario_header(name: str) -> str | None:
    """The leading comment block of ``scenarios/<name>.yaml``, if the file is found."""
    roots = [
        Path(sim.__file__).parent.parent / "scenarios",
        Path(sim.__file__).parent / "scenarios",
        Path.cwd() / "scenarios",
    ]
    for root in roots:
        path = root / f"{name}.yaml"
        if path.is_file():
            lines = []
            for line in path.read_text().splitlines():
                if not line.startswith("#"):
                    if lines:
                        break
                    continue
                lines.append(line.lstrip("#").strip())
            text = " ".join(ln for ln in lines if ln and not ln.startswith("@package"))
            return text or None
    return None


def _scenario_section(d: _Data) -> str:
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
        seeds = r.world["seed"].nunique()
        text = (
            f"A sweep of {r.n_runs} completed runs ({r.n_failed} failed, left out): "
            f"{len(r.scenarios)} scenario(s) × {seeds} seed(s)"
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


def _key_numbers_section(d: _Data, out: Path) -> str:
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


def _provenance_section(d: _Data, omitted: dict[str, str]) -> str:
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
    caveats = [
        "Bands and confidence intervals reflect the model's random draws (seeds) only, not "
        "uncertainty in parameters or data.",
    ]
    r = d.results
    if r.n_failed:
        caveats.append(f"{r.n_failed} run(s) failed and are left out of every figure and table.")
    if r.swept:
        caveats.append(
            "Runs are pooled across the swept parameters "
            + ", ".join(r.swept)
            + " within each scenario."
        )
    for name in ("segments", "settlement"):
        if d.tables[name] is None:
            caveats.append(f"No {name} table: that model layer was off or not yet built.")
    versions = {str(m.get("data_version")) for m in r.metadata.values() if m.get("data_version")}
    if versions:
        caveats.append("Data version(s): " + ", ".join(sorted(versions)) + ".")
    for key, reason in omitted.items():
        caveats.append(f"Figure {key} not shown: {reason}")
    parts.append(h.bullets(caveats))
    return h.section("provenance", "Data provenance and caveats", parts)


def _versions_section(d: _Data, started: float) -> str:
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
    published: pd.DataFrame | None = None,
    formats: Sequence[str] = FORMATS,
) -> ReportResult:
    """Build the HTML report of a run or sweep, with its figure files.

    Args:
        path: Run or sweep directory.
        baseline: Run or sweep directory of the baseline to compare with; default:
            compare within ``path`` when it holds several scenarios.
        out: Output directory; default ``<path>/report``.
        network: Corridor network geometry; default: the one shipped in ``sim/data/corridors/``.
        published: Published settlement shares (see :func:`analysis.published.read_published`);
            default: the ones shipped in ``sim/data/settlement/``.
        formats: Figure file formats written next to the report.

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
    d = _combine(results, base)
    result = ReportResult(html=out / "report.html")
    blocks = []
    for plan in _plans(d, network, published):
        try:
            fig = plan.build()
        except NotApplicable as why:
            result.omitted[plan.key] = str(why)
            blocks.append(h.omitted(plan.key, plan.title, str(why)))
            continue
        files = save_figure(fig, out / "figures" / plan.key, formats)
        result.files += files
        result.figures.append(plan.key)
        png = next((f for f in files if f.suffix == ".png"), None)
        data = png.read_bytes() if png else _png(fig)
        links = [(f.suffix[1:], f.relative_to(out).as_posix()) for f in files]
        blocks.append(h.figure(plan.key, plan.title, data, plan.caption, links))
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
    result.seconds = time.perf_counter() - started
    return result


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
        help="CSV of published settlement shares (scope, date, value_pct) for the "
        "hindcast (default: the file shipped in sim/data/settlement/)",
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
        network = read_network(args.network) if args.network else None
        published = read_published(args.published) if args.published else None
        res = build_report(args.path, args.baseline, args.out, network, published, formats)
    except CaravanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"report: {res.html}")
    print(f"figures ({len(res.figures)}): {', '.join(res.figures) or 'none'}")
    for key, reason in res.omitted.items():
        print(f"not shown: {key}: {reason}")
    print(f"built in {res.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
