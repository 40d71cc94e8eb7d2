"""Write a run directory: Parquet tables atomically, then ``metadata.json`` last.

Each file is written to a temporary name in the same directory and moved
into place with :func:`os.replace`, so a reader never sees half a file and a
crash leaves no partial table under the final name.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import tempfile
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import pandas as pd

KEY_PACKAGES = ("mesa", "hydra-core", "numpy", "scipy", "pandas", "pyarrow", "networkx")


def _atomic_write_bytes(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write one Parquet table atomically (deterministic bytes for equal frames)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        frame.to_parquet(tmp, index=False, engine="pyarrow", compression="zstd")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_metadata(run_dir: Path, content: dict[str, Any]) -> None:
    """Write ``metadata.json`` atomically (call it after every table)."""
    payload = json.dumps(content, indent=2, sort_keys=True, default=str).encode() + b"\n"
    _atomic_write_bytes(run_dir / "metadata.json", payload)


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
