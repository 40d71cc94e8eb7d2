"""Collect a sweep's run directories into one tidy table per kind, streaming.

``<sweep_dir>/sweep/`` receives:

- ``runs.parquet`` — one row per run: ``run``, ``replicate``, ``sample``,
  ``base_seed``, ``seed``, ``status``, ``error``, ``scenario``,
  ``wall_time_s`` and the swept parameters;
- ``economies.parquet`` — one row per completed run × quarter × economy;
- ``world.parquet`` — one row per completed run × quarter;
- ``pairs.parquet`` — optionally, one row per run × quarter × pair.

Every table leads with ``run`` (the integer job number), ``replicate``,
``seed``, ``status`` and ``scenario``, then one column per swept parameter
named by its dotted key (``trade.sigma``), then the run's own columns. Each
run's table is read, tagged and appended to a :class:`pyarrow.parquet.ParquetWriter`
in row groups of bounded size, so memory stays flat in the number of runs.
Files are written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sim.sweep.rundirs import COLLECT_DIR, RunRecord, read_run, run_dirs

TABLES = ("economies", "world")
ROW_GROUP_ROWS = 65_536
MAX_PIECES = 512
"""Per-run tables buffered before a row group is written, whatever their rows (small tables
carry fixed overhead each, so buffering thousands would grow memory with the runs)."""
ID_COLUMNS = ("run", "replicate", "seed", "status", "scenario")


@dataclass
class CollectResult:
    """What :func:`collect` wrote.

    Attributes:
        sweep_dir: The sweep directory.
        runs: One record per run directory, by job number.
        tables: Table name → (path, rows written).
    """

    sweep_dir: Path
    runs: list[RunRecord]
    tables: dict[str, tuple[Path, int]] = field(default_factory=dict)

    def count(self, status: str) -> int:
        """Number of runs with ``status``."""
        return sum(record.status == status for record in self.runs)


def _param_type(values: Iterable[Any]) -> pa.DataType:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pa.bool_()
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pa.int64()
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pa.float64()
    return pa.string()


def _coerce(value: Any, kind: pa.DataType) -> Any:
    if value is None:
        return None
    if kind == pa.string():
        return value if isinstance(value, str) else json.dumps(value)
    if kind == pa.float64():
        return float(value)
    return value


def param_columns(runs: list[RunRecord]) -> dict[str, pa.DataType]:
    """Swept parameter → Arrow type, in first-seen order over the runs."""
    names: dict[str, None] = {}
    for record in runs:
        # A swept `scenario=` is already the `scenario` id column; never write it twice.
        names.update(dict.fromkeys(k for k in record.params if k not in ID_COLUMNS))
    return {name: _param_type(r.params.get(name) for r in runs) for name in names}


def _run_values(record: RunRecord, params: dict[str, pa.DataType]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "run": record.run,
        "replicate": record.replicate,
        "seed": record.seed,
        "status": record.status,
        "scenario": record.scenario,
    }
    for name, kind in params.items():
        values[name] = _coerce(record.params.get(name), kind)
    return values


def _id_schema(params: dict[str, pa.DataType]) -> list[pa.Field]:
    fields = [
        pa.field("run", pa.int64()),
        pa.field("replicate", pa.int64()),
        pa.field("seed", pa.int64()),
        pa.field("status", pa.string()),
        pa.field("scenario", pa.string()),
    ]
    return fields + [pa.field(name, kind) for name, kind in params.items()]


class _StreamWriter:
    """Append tagged per-run tables to one Parquet file in bounded row groups."""

    def __init__(self, path: Path, id_fields: list[pa.Field], row_group_rows: int) -> None:
        self.path = path
        self.tmp = path.with_name(f".{path.name}.tmp")
        self.id_fields = id_fields
        self.row_group_rows = row_group_rows
        self.schema: pa.Schema | None = None
        self.writer: pq.ParquetWriter | None = None
        self.buffer: list[pa.Table] = []
        self.buffered = 0
        self.rows = 0

    def add(self, table: pa.Table, values: dict[str, Any]) -> None:
        own = [name for name in table.column_names if name not in values]
        if self.schema is None:
            own_fields = [table.schema.field(name) for name in own]
            self.schema = pa.schema(self.id_fields + own_fields)
        columns = []
        for schema_field in self.schema:
            if schema_field.name in values:
                scalar = pa.scalar(values[schema_field.name], type=schema_field.type)
                columns.append(pa.array([scalar.as_py()] * table.num_rows, schema_field.type))
            else:
                columns.append(table.column(schema_field.name).cast(schema_field.type))
        self.buffer.append(pa.Table.from_arrays(columns, schema=self.schema))
        self.buffered += table.num_rows
        if self.buffered >= self.row_group_rows or len(self.buffer) >= MAX_PIECES:
            self._flush()

    def _flush(self) -> None:
        if not self.buffer:
            return
        assert self.schema is not None
        if self.writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(self.tmp, self.schema, compression="zstd")
        block = pa.concat_tables(self.buffer)
        self.writer.write_table(block, row_group_size=max(block.num_rows, 1))
        self.rows += block.num_rows
        self.buffer, self.buffered = [], 0

    def close(self) -> int:
        """Finish the file and move it into place; return the rows written."""
        self._flush()
        if self.writer is not None:
            self.writer.close()
            os.replace(self.tmp, self.path)
        else:
            self.path.unlink(missing_ok=True)  # no completed run has this table
        return self.rows


def _write_runs(path: Path, runs: list[RunRecord], params: dict[str, pa.DataType]) -> None:
    fields = _id_schema(params)
    extra = [
        pa.field("sample", pa.int64()),
        pa.field("base_seed", pa.int64()),
        pa.field("error", pa.string()),
        pa.field("wall_time_s", pa.float64()),
    ]
    schema = pa.schema(fields[:5] + extra + fields[5:])
    rows = []
    for record in runs:
        row = _run_values(record, params)
        row.update(
            sample=record.sample,
            base_seed=record.base_seed,
            error=record.error,
            wall_time_s=record.wall_time_s,
        )
        rows.append(row)
    tmp = path.with_name(f".{path.name}.tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), tmp, compression="zstd")
    os.replace(tmp, path)


def collect(
    sweep_dir: Path,
    *,
    pairs: bool = False,
    row_group_rows: int = ROW_GROUP_ROWS,
) -> CollectResult:
    """Collect every run directory of ``sweep_dir`` into ``<sweep_dir>/sweep/``.

    Args:
        sweep_dir: The sweep directory (``hydra.sweep.dir``).
        pairs: Also collect ``pairs.parquet`` (the largest table).
        row_group_rows: Rows buffered before a row group is written.

    Returns:
        The runs found and the tables written.
    """
    sweep_dir = Path(sweep_dir)
    out = sweep_dir / COLLECT_DIR
    runs = [read_run(run, path) for run, path in run_dirs(sweep_dir)]
    params = param_columns(runs)
    result = CollectResult(sweep_dir=sweep_dir, runs=runs)
    _write_runs(out / "runs.parquet", runs, params)
    result.tables["runs"] = (out / "runs.parquet", len(runs))
    names = (*TABLES, "pairs") if pairs else TABLES
    id_fields = _id_schema(params)
    writers = {
        name: _StreamWriter(out / f"{name}.parquet", id_fields, row_group_rows) for name in names
    }
    for record in runs:
        if record.status != "completed":
            continue
        values = _run_values(record, params)
        for name, writer in writers.items():
            source = record.path / f"{name}.parquet"
            if source.is_file():
                writer.add(pq.read_table(source), values)
    for name, writer in writers.items():
        rows = writer.close()
        if writer.path.exists():
            result.tables[name] = (writer.path, rows)
    return result
