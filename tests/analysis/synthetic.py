"""Synthetic run and sweep directories that follow the run-directory contract.

For tests and demonstrations of the figures and the report before (or without)
real model output. The numbers are made up; only their shapes and columns follow
the README's contract. Replications of different scenarios with the same seed
share their random shocks (common random numbers), as real sweeps do.

Run ``python -m tests.analysis.synthetic OUT_DIR`` to write a two-scenario, ten-seed
sweep with a sensitivity table and a small corridor network.
"""

from __future__ import annotations

import argparse
import json
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sim.data.loader import load_world

_WORLD = load_world()
CIS = _WORLD.blocs["CIS"]
EAEU = _WORLD.blocs["EAEU"]
ECONOMIES = _WORLD.economies
CURRENCY = dict(zip(_WORLD.economies, _WORLD.currencies, strict=True))
GDP = dict(
    zip(
        ECONOMIES,
        (24, 73, 72, 262, 14, 17, 2021, 12, 60, 90, 17795, 18349, 404, 3550, 1108, 60000),
        strict=True,
    )
)

HUBS = pd.DataFrame(
    [
        ("St Petersburg", 30.31, 59.94),
        ("Moscow", 37.62, 55.75),
        ("Minsk", 27.57, 53.90),
        ("Astrakhan", 48.04, 46.35),
        ("Makhachkala", 47.50, 42.98),
        ("Baku", 49.89, 40.38),
        ("Bandar Anzali", 49.46, 37.47),
        ("Bandar Abbas", 56.28, 27.19),
        ("Mumbai", 72.88, 19.07),
        ("Aktau", 51.20, 43.65),
        ("Tbilisi", 44.83, 41.69),
        ("Poti", 41.67, 42.15),
        ("Almaty", 76.95, 43.24),
        ("Khorgos", 80.42, 44.21),
        ("Tashkent", 69.24, 41.31),
        ("Serakhs", 61.21, 36.52),
    ],
    columns=["hub", "lon", "lat"],
)

SEGMENTS = pd.DataFrame(
    [
        ("spb-msk", "St Petersburg", "Moscow", "INSTC"),
        ("msk-ast", "Moscow", "Astrakhan", "INSTC"),
        ("ast-anz", "Astrakhan", "Bandar Anzali", "INSTC"),
        ("ast-mkh", "Astrakhan", "Makhachkala", "INSTC"),
        ("mkh-bak", "Makhachkala", "Baku", "INSTC"),
        ("bak-anz", "Baku", "Bandar Anzali", "INSTC"),
        ("anz-bnd", "Bandar Anzali", "Bandar Abbas", "INSTC"),
        ("bnd-mum", "Bandar Abbas", "Mumbai", "INSTC"),
        ("tas-ser", "Tashkent", "Serakhs", "INSTC"),
        ("ser-bnd", "Serakhs", "Bandar Abbas", "INSTC"),
        ("kho-alm", "Khorgos", "Almaty", "Middle Corridor"),
        ("alm-akt", "Almaty", "Aktau", "Middle Corridor"),
        ("akt-bak", "Aktau", "Baku", "Middle Corridor"),
        ("bak-tbs", "Baku", "Tbilisi", "Middle Corridor"),
        ("tbs-pot", "Tbilisi", "Poti", "Middle Corridor"),
        ("alm-tas", "Almaty", "Tashkent", "Middle Corridor"),
        ("alm-msk", "Almaty", "Moscow", "Northern"),
        ("msk-min", "Moscow", "Minsk", "Northern"),
    ],
    columns=["segment", "from_hub", "to_hub", "corridor"],
)

SCENARIO_EFFECT = {"baseline": 0.0, "cis_fta_deepening": 0.15}
SENSITIVITY_PARAMETERS = (
    "trade.sigma",
    "trade.adjustment",
    "settlement.inertia",
    "corridors.capacity",
)


def _quarters(n: int, start_year: int = 2024) -> list[str]:
    return [f"{start_year + i // 4}Q{i % 4 + 1}" for i in range(n)]


def _effect(scenario: str) -> float:
    if scenario in SCENARIO_EFFECT:
        return SCENARIO_EFFECT[scenario]
    return 0.05 + (zlib.crc32(scenario.encode()) % 100) / 1000


def _base_flows() -> tuple[np.ndarray, np.ndarray]:
    """Calibration flows (US$ bn) and their provenance, the same for every run."""
    rng = np.random.default_rng(20231231)
    gdp = np.array([GDP[e] for e in ECONOMIES], float)
    flows = 2e-4 * np.outer(gdp, gdp) ** 0.8 * rng.lognormal(0, 0.6, (len(gdp), len(gdp)))
    cis = np.isin(ECONOMIES, CIS)
    flows[np.ix_(cis, cis)] *= 8.0
    prov = rng.choice(
        ["reported", "mirror", "derived", "imputed"], flows.shape, p=[0.45, 0.15, 0.1, 0.3]
    )
    np.fill_diagonal(flows, 0.0)
    return flows, prov


def _tables(scenario: str, seed: int, quarters: int, sigma: float) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)  # shared across scenarios: common random numbers
    own = np.random.default_rng([seed, zlib.crc32(scenario.encode())])  # scenario's own noise
    eff = _effect(scenario)
    flows0, prov = _base_flows()
    n = len(ECONOMIES)
    labels = _quarters(quarters)
    ramp = np.minimum(np.arange(quarters) / max(quarters - 1, 1) * 1.5, 1.0)
    cis = np.isin(ECONOMIES, CIS)
    eaeu = np.isin(ECONOMIES, EAEU)
    cis_pair = np.outer(cis, cis)
    shocks = np.cumsum(rng.normal(0, 0.012 * 5.0 / sigma, (quarters, n, n)), axis=0)
    shocks += np.cumsum(own.normal(0, 0.003, (quarters, 1, 1)), axis=0)
    nat_noise = np.cumsum(own.normal(0, 0.004, quarters))
    growth = 1.006 ** np.arange(quarters)
    pairs, econ, world, settle = [], [], [], []
    ex, im = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    off = ex != im
    for t, q in enumerate(labels):
        f = flows0 * growth[t] * np.exp(shocks[t]) * (1 + eff * ramp[t] * cis_pair)
        tariff = np.where(cis_pair, 0.02 * (1 - ramp[t] * (eff > 0)), 0.06)
        pairs.append(
            pd.DataFrame(
                {
                    "quarter": q,
                    "quarter_index": t,
                    "exporter": np.array(ECONOMIES)[ex[off]],
                    "importer": np.array(ECONOMIES)[im[off]],
                    "flow": f[off],
                    "trade_cost": (1 - 0.3 * eff * ramp[t] * cis_pair)[off],
                    "tariff": tariff[off],
                    "provenance": prov[off],
                }
            )
        )
        out = np.array([GDP[e] for e in ECONOMIES]) * growth[t] * (1 + rng.normal(0, 0.003, n))
        inc = 1 + 0.02 * eff * ramp[t] * cis + rng.normal(0, 0.001, n)
        econ.append(
            pd.DataFrame(
                {
                    "quarter": q,
                    "quarter_index": t,
                    "economy": ECONOMIES,
                    "output": out,
                    "price": 1 + rng.normal(0, 0.002, n),
                    "real_income": inc,
                    "expenditure": out * 1.01,
                    "exports": f.sum(axis=1),
                    "imports": f.sum(axis=0),
                    "tariff_revenue": (f * tariff).sum(axis=0),
                }
            )
        )
        nat = 0.55 + 0.35 * (1 - np.exp(-(t + 1) * (0.15 + eff))) + rng.normal(0, 0.01)
        nat += nat_noise[t]
        world.append(
            {
                "quarter": q,
                "quarter_index": t,
                "world_trade": f.sum(),
                "intra_cis_trade_share": f[np.ix_(cis, cis)].sum() / f[cis].sum(),
                "intra_eaeu_trade_share": f[np.ix_(eaeu, eaeu)].sum() / f[eaeu].sum(),
                "cis_real_income": float(np.mean(inc[cis])),
                "national_currency_share_cis": min(nat, 0.99) - 0.05,
                "national_currency_share_eaeu": min(nat, 0.99),
                "vehicle_currency_share": 1 - min(nat, 0.99) + 0.02,
            }
        )
        settle.append(_settlement(q, t, nat, rng))
    segs = _segments(labels, eff, ramp, rng)
    return {
        "pairs": pd.concat(pairs, ignore_index=True),
        "economies": pd.concat(econ, ignore_index=True),
        "world": pd.DataFrame(world),
        "segments": segs,
        "settlement": pd.concat(settle, ignore_index=True),
    }


def _settlement(q: str, t: int, nat: float, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    members = [e for e in ECONOMIES if e != "ROW"]
    for a in members:
        for b in members:
            if a == b:
                continue
            national = nat if (a in CIS and b in CIS) else nat * 0.7
            opts = {"USD": 0.7 * (1 - national), "EUR": 0.3 * (1 - national)}
            opts[CURRENCY[a]] = opts.get(CURRENCY[a], 0) + national * 0.7
            opts[CURRENCY[b]] = opts.get(CURRENCY[b], 0) + national * 0.2
            opts["CNY"] = opts.get("CNY", 0) + national * 0.1
            w = np.array(list(opts.values())) * rng.uniform(0.9, 1.1, len(opts))
            w /= w.sum()
            for (cur, _), share in zip(opts.items(), w, strict=True):
                rows.append((q, a, b, cur, share, share, 0.01 + 0.02 * (cur in ("USD", "EUR"))))
    return pd.DataFrame(
        rows,
        columns=[
            "quarter",
            "exporter",
            "importer",
            "currency",
            "share_by_value",
            "share_by_count",
            "mean_cost",
        ],
    )


def _segments(
    labels: list[str], eff: float, ramp: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    base = np.random.default_rng(7).uniform(0.5, 6.0, len(SEGMENTS))  # Mt per quarter
    capacity = base * np.random.default_rng(8).uniform(1.1, 2.0, len(SEGMENTS))
    rows = []
    for t, q in enumerate(labels):
        boost = 1 + 2.5 * eff * ramp[t] * (SEGMENTS["corridor"] != "Northern").to_numpy()
        vol = base * boost * 1.006**t * rng.lognormal(0, 0.03, len(SEGMENTS))
        util = vol / capacity
        rows.append(
            pd.DataFrame(
                {
                    "quarter": q,
                    "segment": SEGMENTS["segment"],
                    "corridor": SEGMENTS["corridor"],
                    "volume_t": vol * 1e6,
                    "capacity": capacity * 1e6,
                    "utilization": util,
                    "transit_days": 2 + 3 * util**4,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _config_yaml(scenario: str, seed: int, sigma: float) -> str:
    return (
        f"seed: {seed}\nscenario: {scenario}\nsim:\n  quarters: 12\n  start: 2024Q1\n"
        f"trade:\n  sigma: {sigma}\n  adjustment: 1.0\nworld:\n  name: cis2023\n"
    )


def write_run(
    run_dir: Path,
    scenario: str = "baseline",
    seed: int = 0,
    quarters: int = 12,
    sigma: float = 5.0,
    status: str = "completed",
) -> dict[str, pd.DataFrame]:
    """Write one synthetic run directory and return its tables.

    Args:
        run_dir: Directory to create.
        scenario: Scenario name (``baseline`` has no policy effect).
        seed: Seed of the run's random shocks.
        quarters: Quarters simulated.
        sigma: The ``trade.sigma`` value (scales the noise).
        status: ``"completed"``, or ``"failed"`` to write metadata only.
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    hydra = run_dir / ".hydra"
    hydra.mkdir(exist_ok=True)
    (hydra / "config.yaml").write_text(_config_yaml(scenario, seed, sigma))
    (hydra / "overrides.yaml").write_text(
        f"- scenario={scenario}\n- seed={seed}\n- trade.sigma={sigma}\n"
    )
    tables = {} if status != "completed" else _tables(scenario, seed, quarters, sigma)
    for name, df in tables.items():
        df.to_parquet(run_dir / f"{name}.parquet", index=False)
    meta = {
        "status": status,
        "error": None if status == "completed" else "ModelError: GE solver did not converge",
        "seed": seed,
        "config_hash": f"{zlib.crc32(f'{scenario}{seed}{sigma}'.encode()):08x}",
        "scenario": scenario,
        "package_version": "0.1.0",
        "git_revision": "synthetic",
        "data_version": "synthetic",
        "python": "3.12",
        "packages": {"mesa": "3.5.1", "hydra-core": "1.3.2"},
        "started": "2026-11-28T00:00:00",
        "finished": "2026-11-28T00:00:01",
        "wall_time_s": 1.0,
    }
    (run_dir / "metadata.json").write_text(json.dumps(meta, indent=1))
    return tables


def write_sweep(
    sweep_dir: Path,
    scenarios: Sequence[str] = ("baseline", "cis_fta_deepening"),
    seeds: Sequence[int] = range(10),
    quarters: int = 12,
    failed: Sequence[int] = (),
    sensitivity: bool = False,
    collect: bool = True,
) -> Path:
    """Write a synthetic sweep: one job directory per (scenario, seed), collected tables.

    Args:
        sweep_dir: Directory to create.
        scenarios: Scenarios swept.
        seeds: Seeds swept (each scenario runs every seed).
        quarters: Quarters per run.
        failed: Job numbers to mark as failed (metadata only, no tables).
        sensitivity: Also write ``sensitivity/indices.parquet``.
        collect: Write the collected ``sweep/`` tables.

    Returns:
        ``sweep_dir``.
    """
    collected: dict[str, list[pd.DataFrame]] = {"economies": [], "world": [], "pairs": []}
    job = 0
    for scenario in scenarios:
        for seed in seeds:
            sigma = 4.0 if seed % 2 else 6.0
            status = "failed" if job in failed else "completed"
            tables = write_run(sweep_dir / str(job), scenario, seed, quarters, sigma, status)
            tag = {"run": job, "seed": seed, "status": status, "scenario": scenario}
            tag["trade.sigma"] = sigma
            if status != "completed":
                collected["world"].append(pd.DataFrame([tag]))
            for name in collected:
                if name in tables:
                    collected[name].append(tables[name].assign(**tag))
            job += 1
    if collect:
        (sweep_dir / "sweep").mkdir(parents=True, exist_ok=True)
        for name, frames in collected.items():
            pd.concat(frames, ignore_index=True).to_parquet(sweep_dir / "sweep" / f"{name}.parquet")
    if sensitivity:
        write_indices(sweep_dir / "sensitivity" / "indices.parquet")
    return sweep_dir


def write_indices(path: Path) -> pd.DataFrame:
    """Write a synthetic sensitivity-index table (Sobol and Morris) to ``path``."""
    rng = np.random.default_rng(3)
    rows = []
    for output in ("world_trade", "intra_cis_trade_share", "cis_real_income"):
        for p in SENSITIVITY_PARAMETERS:
            s1 = rng.uniform(0.0, 0.4)
            rows.append((output, p, "sobol", "S1", s1, 0.05))
            rows.append((output, p, "sobol", "ST", s1 + rng.uniform(0, 0.2), 0.06))
            mu = rng.uniform(0, 2)
            rows.append((output, p, "morris", "mu_star", mu, 0.2 * mu))
            rows.append((output, p, "morris", "sigma", mu * rng.uniform(0.2, 1), np.nan))
    df = pd.DataFrame(rows, columns=["output", "parameter", "method", "index", "value", "conf"])
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_parquet(path, index=False)
    return df


def write_network(directory: Path) -> Path:
    """Write the synthetic corridor network as ``hubs.csv`` and ``segments.csv``."""
    directory.mkdir(parents=True, exist_ok=True)
    HUBS.to_csv(directory / "hubs.csv", index=False)
    SEGMENTS.to_csv(directory / "segments.csv", index=False)
    return directory


def main(argv: Sequence[str] | None = None) -> int:
    """Write a demonstration sweep (two scenarios × ten seeds) and network."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="directory to create")
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args(argv)
    write_sweep(args.out / "sweep_dir", seeds=range(args.seeds), sensitivity=True)
    write_network(args.out / "network")
    print(f"sweep: {args.out / 'sweep_dir'}\nnetwork: {args.out / 'network'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
