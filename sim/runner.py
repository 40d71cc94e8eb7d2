"""Run one configured simulation into a run directory.

Validation happens before this is called; here the model runs, its records
become tables, and the tables are written atomically with ``metadata.json``
last. If the model or a write fails, no table is left and ``metadata.json``
records ``status: failed`` with the error.
"""

from __future__ import annotations

import functools
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim import __version__
from sim.io import run_dir as run_files
from sim.io.run_dir import config_hash, discard, prepare_run_dir, write_metadata, write_tables

if TYPE_CHECKING:
    import pandas as pd

    from sim.config import CaravanConfig
    from sim.model import CaravanModel


@functools.cache
def _provenance() -> dict[str, Any]:
    """Git revision and package versions, looked up once per process.

    A sweep worker runs many jobs; ``git rev-parse`` and the package metadata
    look-ups cost about 10 ms each.
    """
    return {"git_revision": run_files.git_revision(), **run_files.environment()}


BOOKKEEPING = ("sweep",)
"""Config nodes left out of ``config_hash``: how a run took part in a sweep (its replicate
index, design row, seed mode) is not what it computes; its seed is hashed."""


def run_config_hash(cfg: CaravanConfig) -> str:
    """``config_hash`` of the resolved config without sweep bookkeeping.

    A sweep job and ``caravan seed=<its recorded seed>`` with the same other
    values give the same hash: they are recognisably the same run.
    """
    resolved = asdict(cfg)
    for key in BOOKKEEPING:
        resolved.pop(key, None)
    return config_hash(resolved)


def simulate(cfg: CaravanConfig) -> tuple[CaravanModel, dict[str, pd.DataFrame]]:
    """Run the model for ``cfg.sim.quarters`` and return it with its output tables."""
    from sim.model import CaravanModel
    from sim.tables import economies_table, pairs_table, world_table

    model = CaravanModel(cfg)
    model.run()
    records = model.records
    tables = {
        "economies": economies_table(model.world, records.quarters, records.economies),
        "world": world_table(records.quarters, records.world),
    }
    if cfg.output.pairs:
        tables["pairs"] = pairs_table(model.world, records.quarters, records.pairs)
    tables.update(model.extra_tables())
    return model, tables


def run_to_directory(
    cfg: CaravanConfig, run_dir: Path, digest: str | None = None
) -> dict[str, Any]:
    """Simulate and write the run directory; return the metadata written.

    Args:
        cfg: The validated config.
        run_dir: Where the tables and ``metadata.json`` go.
        digest: ``run_config_hash(cfg)`` if the caller has it already (a sweep job).

    Raises:
        Exception: whatever the model raised, after ``metadata.json`` records it.
    """
    prepare_run_dir(run_dir)  # an earlier run's metadata.json and tables go first
    started = datetime.now(UTC)
    clock = time.perf_counter()
    meta: dict[str, Any] = {
        "status": "running",
        "error": None,
        "seed": cfg.seed,
        "scenario": cfg.scenario.name,
        "scenario_description": cfg.scenario.description,
        "config_hash": digest or run_config_hash(cfg),
        "package_version": __version__,
        "started": started.isoformat(),
        **_provenance(),
    }
    try:
        model, tables = simulate(cfg)
        names = write_tables(run_dir, tables)  # all or none
    except Exception as error:
        meta.update(
            status="failed",
            error=f"{type(error).__name__}: {error}",
            finished=datetime.now(UTC).isoformat(),
            wall_time_s=round(time.perf_counter() - clock, 4),
        )
        write_metadata(run_dir, meta)
        raise
    world = model.world
    meta.update(
        status="completed",
        data_version=world.data_version,
        world=world.name,
        economies=list(world.economies),
        quarters=model.quarters,
        tables=names,
        share_of_modelled_trade_imputed=model.imputed_share(),
        segments_over_capacity=model.over_capacity(),
        finished=datetime.now(UTC).isoformat(),
        wall_time_s=round(time.perf_counter() - clock, 4),
    )
    try:
        write_metadata(run_dir, meta)
    except BaseException:  # no tables without the metadata that vouches for them
        discard([run_dir / name for name in names])
        raise
    return meta
