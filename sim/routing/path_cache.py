"""Candidate path sets cached on disk, keyed by a hash of everything they depend on.

Enumerating paths (Yen's k-shortest paths in networkx) costs most of a model's
construction; the result depends only on the network tables, the corridor
config's path-relevant fields, the economies, the start quarter and the values
of time. :func:`cache_key` hashes exactly those (file bytes, a canonical JSON of
the config, the arrays' bytes and this package's path code), so a new process,
a sweep worker or a Ray worker reuses a path set any earlier process built.

Where: ``$CARAVAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/caravan``, else
``~/.cache/caravan`` (sub-folder ``paths/``). A folder that cannot be created
or written is skipped silently (the paths are then built in every process);
a file that cannot be read is rebuilt. Files are ``.npz`` arrays (no pickle),
written atomically.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from sim.routing.config import LEVER_FIELDS
from sim.routing.network import DATA_DIR, Network
from sim.routing.paths import PathSet, path_set

#: Config fields that change the candidate set (the rest only change the assignment).
PATH_FIELDS = (
    "k_paths",
    "path_relevance",
    "group_value_overrides",
    "economy_hubs",
    "announced_openings",
    *LEVER_FIELDS,
)
_CODE = ("paths.py", "path_cache.py", "levers.py", "network.py")
_MEMORY: dict[str, PathSet] = {}
_MEMORY_SIZE = 8


def cache_dir() -> Path:
    """The folder path sets are cached in (not created here)."""
    if os.environ.get("CARAVAN_CACHE_DIR"):
        return Path(os.environ["CARAVAN_CACHE_DIR"]) / "paths"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "caravan" / "paths"


def _plain(cfg: object) -> dict:
    if dataclasses.is_dataclass(cfg):
        data = dataclasses.asdict(cfg)  # type: ignore[arg-type]
    else:  # an OmegaConf object
        from omegaconf import OmegaConf

        data = OmegaConf.to_container(cfg, resolve=True)  # type: ignore[assignment]
    return {k: data[k] for k in PATH_FIELDS}


def cache_key(
    cfg: object,
    economies: Sequence[str],
    start_quarter: str,
    arrays: Sequence[np.ndarray],
    data_dir: Path = DATA_DIR,
) -> str:
    """SHA-256 of the network files, the path-relevant config, economies, quarter, arrays."""
    digest = hashlib.sha256()
    for name in sorted(p.name for p in data_dir.glob("*.csv")):
        digest.update(name.encode() + b"\0" + (data_dir / name).read_bytes())
    here = Path(__file__).resolve().parent
    for name in _CODE:
        digest.update((here / name).read_bytes())
    config = {"cfg": _plain(cfg), "economies": list(economies), "start": start_quarter}
    digest.update(json.dumps(config, sort_keys=True, default=str).encode())
    for a in arrays:
        a = np.ascontiguousarray(a, dtype=float)
        digest.update(str(a.shape).encode() + a.tobytes())
    return digest.hexdigest()


def _save(path: Path, paths: PathSet) -> None:
    lengths = np.array([len(p) for p in paths.segments], dtype=np.int64)
    flat = np.fromiter((s for p in paths.segments for s in p), np.int64, int(lengths.sum()))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".paths.", suffix=".npz")
    try:
        with os.fdopen(handle, "wb") as fh:
            np.savez(fh, pairs=paths.pairs, ptr=paths.ptr, flat=flat, lengths=lengths)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load(path: Path, net: Network) -> PathSet:
    with np.load(path, allow_pickle=False) as z:
        bounds = np.concatenate([[0], np.cumsum(z["lengths"])])
        flat = z["flat"]
        segments = [tuple(flat[a:b].tolist()) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        pairs = [tuple(p) for p in z["pairs"].tolist()]
        return path_set(net, pairs, z["ptr"].tolist(), segments)


def cached_paths(key: str, net: Network, build: Callable[[], PathSet]) -> tuple[PathSet, str]:
    """The path set of ``key``: from memory, else from disk, else ``build()`` (then stored).

    Returns:
        The path set and where it came from: ``"memory"``, ``"disk"`` or ``"built"``.
    """
    if key in _MEMORY:
        return _MEMORY[key], "memory"
    file = cache_dir() / f"{key}.npz"
    source = "disk"
    try:
        paths = _load(file, net)
    except (OSError, ValueError, KeyError):
        paths, source = build(), "built"
        try:
            _save(file, paths)
        except OSError:
            pass  # unwritable cache folder: build in every process
    if len(_MEMORY) >= _MEMORY_SIZE:
        _MEMORY.pop(next(iter(_MEMORY)))
    _MEMORY[key] = paths
    return paths, source
