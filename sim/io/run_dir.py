"""Write a run directory: Parquet tables atomically, then ``metadata.json`` last.

Each file is written to a temporary name in the same directory and moved
into place with :func:`os.replace`, so a reader never sees half a file and a
crash leaves no partial table under the final name. The tables of a run are
written all or none (:func:`write_tables`), and a new run first removes the
previous run's ``metadata.json`` and tables (:func:`prepare_run_dir`).
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from collections.abc import Callable
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from sim.io.files import atomic_write, atomic_write_all, atomic_write_bytes

KEY_PACKAGES = ("mesa", "hydra-core", "numpy", "scipy", "pandas", "pyarrow", "networkx")


METADATA = "metadata.json"


SCHEMAS_KEPT = 64
"""Arrow schemas kept by :func:`parquet_table` (one per table layout; a run writes five)."""

_SCHEMAS: dict[tuple[Any, ...], Any] = {}


def parquet_table(frame: pd.DataFrame):
    """``frame`` as the Arrow table ``frame.to_parquet(index=False)`` writes, built faster.

    The same table and metadata as pandas' pyarrow writer, with the frame's
    ``attrs`` (the column descriptions) in the ``pandas`` metadata and in
    ``PANDAS_ATTRS``, so the file's bytes are the same. The difference is
    speed: pandas copies ``attrs`` deeply on every column access the
    conversion makes, and pyarrow converts the columns on a thread pool; here
    the columns are read from a view without ``attrs``, in one thread (a sweep
    worker has one core), and ``attrs`` are added once.

    The schema with its metadata depends only on the frame's layout (column
    names, dtypes and ``attrs``), and pyarrow's per-column work to derive it
    costs more than the conversion of the values (about 0.1 ms a column), so
    it is kept per layout (:func:`_layout`, at most :data:`SCHEMAS_KEPT`): a
    frame whose layout was seen before has each column converted with that
    schema's type, as pyarrow's pandas conversion does (``from_pandas``: NaN
    becomes null). Frames with other dtypes (object, categorical, dates) take
    pyarrow's own path every time.
    """
    import pyarrow as pa

    plain = pd.DataFrame(frame, copy=False)
    plain.attrs = {}
    columns = [column for _, column in plain.items()]
    layout = _layout(frame, [column.dtype for column in columns])
    schema = _SCHEMAS.get(layout) if layout is not None else None
    if schema is not None:
        arrays = [_arrow_column(c, field.type) for c, field in zip(columns, schema, strict=True)]
        return pa.Table.from_arrays(arrays, schema=schema)
    table = _with_attrs(pa.Table.from_pandas(plain, preserve_index=False, nthreads=1), frame.attrs)
    if layout is not None:
        if len(_SCHEMAS) >= SCHEMAS_KEPT:
            _SCHEMAS.pop(next(iter(_SCHEMAS)))
        _SCHEMAS[layout] = table.schema
    return table


def _layout(frame: pd.DataFrame, dtypes: list[Any]) -> tuple[Any, ...] | None:
    """What the Arrow schema of ``frame`` depends on, or None if not only plain dtypes.

    Plain: numeric and boolean numpy dtypes, and pandas' Arrow-backed ``str``,
    under unique string column names in a plain, unnamed column index.

    Args:
        frame: The table.
        dtypes: Its columns' dtypes, in order.
    """
    names = frame.columns
    if type(names) is not pd.Index or names.name is not None or not names.is_unique:
        return None
    for name, dtype in zip(names, dtypes, strict=True):
        plain_numpy = isinstance(dtype, np.dtype) and dtype.kind in "biuf"
        arrow_str = isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"
        if not isinstance(name, str) or not (plain_numpy or arrow_str):
            return None
    attrs = json.dumps(frame.attrs) if frame.attrs else ""
    return (tuple(names), names.dtype, tuple(dtypes), attrs)


def _arrow_column(column: pd.Series, arrow_type: Any) -> Any:
    """One column of a plain layout (:func:`_layout`) as pyarrow's pandas conversion gives it.

    NaN in a float column becomes null (``from_pandas``); a column without NaN
    skips that scan's cost. An Arrow-backed string column is its own Arrow data.
    """
    import pyarrow as pa

    if not isinstance(column.dtype, np.dtype):
        return pa.array(column.array, type=arrow_type, from_pandas=True)
    values = column.to_numpy()
    from_pandas = values.dtype.kind == "f" and bool(np.isnan(values).any())
    return pa.array(values, type=arrow_type, from_pandas=from_pandas)


def _with_attrs(table: Any, attrs: dict[str, Any]) -> Any:
    """``table`` with ``attrs`` in its ``pandas`` metadata and in ``PANDAS_ATTRS`` (as pandas)."""
    if not attrs:
        return table
    metadata = dict(table.schema.metadata)
    described = json.loads(metadata[b"pandas"])
    described["attributes"] = attrs
    metadata[b"pandas"] = json.dumps(described).encode()
    metadata[b"PANDAS_ATTRS"] = json.dumps(attrs).encode()
    return table.replace_schema_metadata(metadata)


def _parquet(frame: pd.DataFrame) -> Callable[[BinaryIO], None]:
    import pyarrow.parquet as pq

    table = parquet_table(frame)
    return lambda file: pq.write_table(table, file, compression="zstd")


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write one Parquet table atomically (deterministic bytes for equal frames)."""
    atomic_write(path, _parquet(frame))


def prepare_run_dir(run_dir: Path) -> None:
    """Make ``run_dir`` ready for a new run: no earlier run may show through.

    The old ``metadata.json`` goes first (so the directory never looks
    complete while mixing two runs), then the tables it listed and any
    temporary file a killed writer left.
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    old = run_dir / METADATA
    try:
        listed = json.loads(old.read_text()).get("tables", [])
    except (OSError, ValueError, AttributeError):
        listed = []
    old.unlink(missing_ok=True)
    for name in listed:
        if isinstance(name, str) and Path(name).name == name:
            (run_dir / name).unlink(missing_ok=True)
    for stale in run_dir.glob(".*.tmp"):
        stale.unlink(missing_ok=True)


def write_tables(run_dir: Path, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Write every table as ``<name>.parquet``, all or none; return the file names.

    Each table is written atomically, all synced together
    (:func:`~sim.io.files.atomic_write_all`); if any of them fails (full disk, a
    file-size limit, an interrupt) none is left, so a failed run leaves no tables.
    """
    paths = {name: run_dir / f"{name}.parquet" for name in tables}
    atomic_write_all([(paths[name], _parquet(frame)) for name, frame in tables.items()])
    return sorted(path.name for path in paths.values())


def discard(paths: list[Path]) -> None:
    """Remove files, ignoring those already gone."""
    for path in paths:
        path.unlink(missing_ok=True)


def write_metadata(run_dir: Path, content: dict[str, Any]) -> None:
    """Write ``metadata.json`` atomically (call it after every table)."""
    payload = json.dumps(content, indent=2, sort_keys=True, default=str).encode() + b"\n"
    atomic_write_bytes(run_dir / METADATA, payload)


def config_hash(resolved: dict[str, Any]) -> str:
    """sha256 of the resolved config, canonical JSON (first 16 hex digits)."""
    canonical = json.dumps(resolved, sort_keys=True, default=str).encode()
    return hashlib.sha256(canonical).hexdigest()[:16]


def git_revision() -> str | None:
    """The git revision of the source tree, if it is a git checkout."""
    root = Path(__file__).resolve().parents[2]
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def environment() -> dict[str, Any]:
    """Python and key package versions."""
    packages = {}
    for name in ("caravan", *KEY_PACKAGES):
        try:
            packages[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            packages[name] = None
    return {"python": platform.python_version(), "packages": packages}
