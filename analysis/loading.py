"""Read a run or a sweep directory into tidy tables (output tables only).

Both kinds come back as one :class:`Results` whose tables all carry ``run``,
``seed`` and ``scenario`` columns, so every figure treats a single run as a
sweep of one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from sim.errors import DataError

META_COLUMNS = ("run", "seed", "status", "scenario")
OPTIONAL_TABLES = ("pairs", "segments", "settlement")
NOT_A_RESULT = "not a run or sweep directory (no metadata.json or sweep/ tables)"


@dataclass
class Results:
    """The output tables of one run or one sweep, completed runs only.

    Attributes:
        path: The run or sweep directory.
        kind: ``"run"`` or ``"sweep"``.
        economies: ``economies.parquet`` plus ``run``, ``seed``, ``scenario``.
        world: ``world.parquet`` plus the same.
        pairs: ``pairs.parquet`` or None when absent.
        segments: ``segments.parquet`` or None when the routing layer was off.
        settlement: ``settlement.parquet`` or None when the settlement layer was off.
        indices: ``sensitivity/indices.parquet`` of a sensitivity sweep, or None.
        metadata: ``metadata.json`` of each run read, keyed by run number.
        config_yaml: The resolved config (``.hydra/config.yaml``) of the first run.
        overrides: Hydra overrides of the first run (``.hydra/overrides.yaml``).
        swept: Swept parameters other than the seed (dotted keys).
        n_failed: Runs whose status is not ``completed`` (left out of the tables).
    """

    path: Path
    kind: Literal["run", "sweep"]
    economies: pd.DataFrame
    world: pd.DataFrame
    pairs: pd.DataFrame | None = None
    segments: pd.DataFrame | None = None
    settlement: pd.DataFrame | None = None
    indices: pd.DataFrame | None = None
    metadata: dict[int, dict] = field(default_factory=dict)
    config_yaml: str = ""
    overrides: list[str] = field(default_factory=list)
    swept: list[str] = field(default_factory=list)
    n_failed: int = 0

    @property
    def scenarios(self) -> list[str]:
        """Scenario names, ``baseline`` first if present, the rest sorted."""
        names = sorted(self.world["scenario"].astype(str).unique())
        return sorted(names, key=lambda s: (s != "baseline", s))

    @property
    def n_runs(self) -> int:
        """Completed runs in the tables."""
        return int(self.world["run"].nunique())

    def replications(self, scenario: str) -> int:
        """Completed runs of ``scenario``."""
        w = self.world
        return int(w.loc[w["scenario"] == scenario, "run"].nunique())

    def table(self, name: str, scenario: str | None = None) -> pd.DataFrame | None:
        """Table ``name``, restricted to ``scenario`` when given."""
        df = getattr(self, name)
        if df is None or scenario is None:
            return df
        return df[df["scenario"] == scenario]


def load_results(path: str | Path) -> Results:
    """Load a run directory or a sweep directory.

    Args:
        path: A run directory (holds ``metadata.json``) or a sweep directory
            (holds ``sweep/`` tables, or job directories ``0/``, ``1/``, …).

    Returns:
        The completed runs' tables.

    Raises:
        DataError: If ``path`` is neither, or a required table is missing or unreadable.
    """
    path = Path(path)
    if not path.is_dir():
        raise DataError(str(path), "no such directory")
    if (path / "metadata.json").is_file():
        return _load_run(path)
    if (path / "sweep" / "world.parquet").is_file() or _job_dirs(path):
        return _load_sweep(path)
    raise DataError(str(path), NOT_A_RESULT)


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(str(path), f"unreadable metadata ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise DataError(str(path), "metadata is not a JSON object")
    return data


def _read_parquet(path: Path, required: bool) -> pd.DataFrame | None:
    if not path.is_file():
        if required:
            raise DataError(str(path), "missing table")
        return None
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a bad file
        raise DataError(str(path), f"unreadable Parquet table ({exc.__class__.__name__})") from None


def _read_overrides(run_dir: Path) -> list[str]:
    path = run_dir / ".hydra" / "overrides.yaml"
    if not path.is_file():
        return []
    lines = [ln.strip() for ln in path.read_text().splitlines()]
    return [ln[2:].strip() for ln in lines if ln.startswith("- ")]


def _read_config(run_dir: Path) -> str:
    path = run_dir / ".hydra" / "config.yaml"
    return path.read_text() if path.is_file() else ""


def _job_dirs(path: Path) -> list[Path]:
    jobs = [p for p in path.iterdir() if p.is_dir() and p.name.isdigit()]
    jobs = [p for p in jobs if (p / "metadata.json").is_file()]
    return sorted(jobs, key=lambda p: int(p.name))


def _tag(df: pd.DataFrame, run: int, seed: object, scenario: str, status: str) -> pd.DataFrame:
    out = df.copy()
    out["run"] = run
    out["seed"] = seed
    out["scenario"] = scenario
    out["status"] = status
    return out


def _scenario_of(meta: dict) -> str:
    return str(meta.get("scenario") or "baseline")


def _load_run(path: Path) -> Results:
    meta = _read_json(path / "metadata.json")
    status = str(meta.get("status", "completed"))
    if status != "completed":
        error = meta.get("error") or "no error recorded"
        raise DataError(str(path), f"run did not complete (status {status!r}: {error})")
    run = int(path.name) if path.name.isdigit() else 0
    scenario, seed = _scenario_of(meta), meta.get("seed")
    tables = {}
    for name in ("economies", "world", *OPTIONAL_TABLES):
        df = _read_parquet(path / f"{name}.parquet", required=name in ("economies", "world"))
        tables[name] = None if df is None else _tag(df, run, seed, scenario, status)
    return Results(
        path=path,
        kind="run",
        metadata={run: meta},
        config_yaml=_read_config(path),
        overrides=_read_overrides(path),
        **tables,
    )


def _keep(df: pd.DataFrame, runs: pd.Series) -> pd.DataFrame:
    """Rows of ``df`` that belong to the given (completed) runs."""
    return df[df["run"].isin(set(runs))].reset_index(drop=True)


def _gather(jobs: list[Path], name: str, runs: pd.DataFrame) -> pd.DataFrame | None:
    """Concatenate table ``name`` from the job directories of completed runs."""
    frames = []
    info = runs.set_index("run")
    for job in jobs:
        run = int(job.name)
        if run not in info.index:
            continue
        df = _read_parquet(job / f"{name}.parquet", required=False)
        if df is None:
            continue
        row = info.loc[run]
        tagged = _tag(df, run, row["seed"], str(row["scenario"]), "completed")
        for col in info.columns.difference(["seed", "scenario", "status"]):
            tagged[col] = row[col]
        frames.append(tagged)
    return pd.concat(frames, ignore_index=True) if frames else None


def _runs_from_jobs(jobs: list[Path], metadata: dict[int, dict]) -> pd.DataFrame:
    rows = [
        {
            "run": int(j.name),
            "seed": metadata[int(j.name)].get("seed"),
            "scenario": _scenario_of(metadata[int(j.name)]),
            "status": str(metadata[int(j.name)].get("status", "completed")),
        }
        for j in jobs
    ]
    return pd.DataFrame(rows, columns=["run", "seed", "scenario", "status"])


def _load_sweep(path: Path) -> Results:
    jobs = _job_dirs(path)
    metadata = {int(j.name): _read_json(j / "metadata.json") for j in jobs}
    collected = path / "sweep"
    if (collected / "world.parquet").is_file():
        world_all = _read_parquet(collected / "world.parquet", required=True)
        missing = [c for c in ("run", "scenario") if c not in world_all]
        if missing:
            raise DataError(str(collected / "world.parquet"), f"missing columns {missing}")
        if "seed" not in world_all:
            world_all["seed"] = world_all["run"]
        economies = _read_parquet(collected / "economies.parquet", required=True)
        pairs = _read_parquet(collected / "pairs.parquet", required=False)
        pairs_from_jobs = pairs is None  # the collector skips pairs by default
        overrides = [c for c in world_all.columns if "." in c]
        # an override column is a swept parameter only if it takes more than one value
        swept = [c for c in overrides if world_all[c].nunique(dropna=False) > 1]
        status_col = ["status"] if "status" in world_all else []
        runs = world_all[["run", "seed", "scenario", *status_col, *overrides]].drop_duplicates(
            "run"
        )
        if "status" not in runs:
            runs = runs.assign(status="completed")
    else:
        runs = _runs_from_jobs(jobs, metadata)
        frames = {}
        for name in ("economies", "world", "pairs"):
            frames[name] = _gather(jobs, name, runs[runs["status"] == "completed"])
        if frames["world"] is None or frames["economies"] is None:
            raise DataError(str(path), NOT_A_RESULT)
        world_all, economies, pairs = frames["world"], frames["economies"], frames["pairs"]
        swept = []
        pairs_from_jobs = False
    failed = set(runs.loc[runs["status"].astype(str) != "completed", "run"])
    failed |= {r for r, m in metadata.items() if str(m.get("status", "completed")) != "completed"}
    n_failed = len(failed)
    done = runs[~runs["run"].isin(failed)]
    if done.empty:
        raise DataError(str(path), f"no completed runs ({n_failed} failed)")
    first = jobs[0] if jobs else None
    for j in jobs:
        if int(j.name) in set(done["run"]):
            first = j
            break
    return Results(
        path=path,
        kind="sweep",
        economies=_keep(economies, done["run"]),
        world=_keep(world_all, done["run"]),
        pairs=(
            _gather(jobs, "pairs", done)
            if pairs_from_jobs
            else (None if pairs is None else _keep(pairs, done["run"]))
        ),
        segments=_gather(jobs, "segments", done),
        settlement=_gather(jobs, "settlement", done),
        indices=_read_parquet(path / "sensitivity" / "indices.parquet", required=False),
        metadata=metadata,
        config_yaml=_read_config(first) if first else "",
        overrides=_read_overrides(first) if first else [],
        swept=swept,
        n_failed=n_failed,
    )
