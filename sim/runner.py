"""Run one configured simulation into a run directory.

Validation happens before this is called; here the model runs, its records
become tables, and the tables are written atomically with ``metadata.json``
last. If the model or a write fails, no table is left and ``metadata.json``
records ``status: failed`` with the error.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim import __version__
from sim.config import CaravanConfig
from sim.io.run_dir import (
    config_hash,
    discard,
    environment,
    git_revision,
    prepare_run_dir,
    write_metadata,
    write_tables,
)
from sim.io.tables import economies_table, pairs_table, world_table
from sim.model import CaravanModel


def simulate(cfg: CaravanConfig) -> tuple[CaravanModel, dict[str, pd.DataFrame]]:
    """Run the model for ``cfg.sim.quarters`` and return it with its output tables."""
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


def run_to_directory(cfg: CaravanConfig, run_dir: Path) -> dict[str, Any]:
    """Simulate and write the run directory; return the metadata written.

    Raises:
        Exception: whatever the model raised, after ``metadata.json`` records it.
    """
    prepare_run_dir(run_dir)  # an earlier run's metadata.json and tables go first
    resolved = asdict(cfg)
    started = datetime.now(UTC)
    clock = time.perf_counter()
    meta: dict[str, Any] = {
        "status": "running",
        "error": None,
        "seed": cfg.seed,
        "scenario": cfg.scenario.name,
        "scenario_description": cfg.scenario.description,
        "config_hash": config_hash(resolved),
        "package_version": __version__,
        "git_revision": git_revision(),
        "started": started.isoformat(),
        **environment(),
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
        share_of_world_trade_imputed=model.imputed_share(),
        finished=datetime.now(UTC).isoformat(),
        wall_time_s=round(time.perf_counter() - clock, 4),
    )
    try:
        write_metadata(run_dir, meta)
    except BaseException:  # no tables without the metadata that vouches for them
        discard([run_dir / name for name in names])
        raise
    return meta
