"""Turn a finished model's records into tidy tables (one row per observation)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.data.world import World
from sim.reporters import column_metadata


def _described(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Attach each column's unit and description (written into the Parquet schema metadata)."""
    frame.attrs["columns"] = column_metadata(table, list(frame.columns))
    return frame


def economies_table(world: World, quarters: list[str], records: list[dict]) -> pd.DataFrame:
    """One row per quarter × economy."""
    n = world.n
    frame = {
        "quarter": np.repeat(quarters, n),
        "quarter_index": np.repeat(np.arange(len(quarters)), n),
        "economy": np.tile(world.economies, len(quarters)),
    }
    for column in records[0]:
        frame[column] = np.concatenate([r[column] for r in records])
    return _described("economies", pd.DataFrame(frame))


def pairs_table(world: World, quarters: list[str], records: list[dict]) -> pd.DataFrame:
    """One row per quarter × exporter × importer, international pairs only."""
    n = world.n
    rows, cols = np.nonzero(~np.eye(n, dtype=bool))
    count = rows.size
    frame = {
        "quarter": np.repeat(quarters, count),
        "quarter_index": np.repeat(np.arange(len(quarters)), count),
        "exporter": np.tile(np.asarray(world.economies)[rows], len(quarters)),
        "importer": np.tile(np.asarray(world.economies)[cols], len(quarters)),
    }
    for column in records[0]:
        frame[column] = np.concatenate([r[column][rows, cols] for r in records])
    frame["provenance"] = np.tile(world.provenance[rows, cols], len(quarters))
    return _described("pairs", pd.DataFrame(frame))


def world_table(quarters: list[str], records: list[dict]) -> pd.DataFrame:
    """One row per quarter."""
    frame = pd.DataFrame(records)
    frame.insert(0, "quarter_index", np.arange(len(quarters)))
    frame.insert(0, "quarter", quarters)
    return _described("world", frame)
