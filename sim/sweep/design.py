"""Sampled designs beyond grids: Latin hypercube, Sobol (Saltelli) and Morris, via SALib.

The SALib sweeper (``hydra/sweeper=salib``) turns a design into one job per
row; the design (method, bounds, sample matrix) is saved to
``<sweep_dir>/sweep/design.json`` so that ``caravan-sensitivity`` can match
outputs to rows (``sweep.sample``) and compute indices.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import CaravanError, ConfigError

METHODS = ("latin", "sobol", "morris")
DESIGN_SEEDS = "per_replicate"
"""Seed mode of design rows unless ``sweep.seeds`` is given: common random numbers, so the
rows of one replicate share a seed and the indices measure the parameters, not model noise."""
DESIGN_FILE = "design.json"


@dataclass
class Design:
    """A sampled design.

    Attributes:
        method: ``latin``, ``sobol`` or ``morris``.
        names: Dotted config keys, one per column of ``samples``.
        bounds: ``[low, high]`` per key.
        n: Base sample size (sobol: N, rows N·(D+2) or N·(2D+2); morris:
            trajectories, rows N·(D+1); latin: rows).
        seed: Sampling seed.
        calc_second_order: Sobol: also sample for second-order indices.
        num_levels: Morris grid levels.
        samples: Row-major sample matrix, one row per design point.
    """

    method: str
    names: list[str]
    bounds: list[list[float]]
    n: int
    seed: int
    calc_second_order: bool
    num_levels: int
    samples: list[list[float]]

    def problem(self) -> dict[str, Any]:
        """The SALib problem dictionary."""
        return {"num_vars": len(self.names), "names": list(self.names), "bounds": self.bounds}


def seed_overrides(arguments: Sequence[str]) -> list[str]:
    """``["sweep.seeds=per_replicate"]`` unless the command line sets ``sweep.seeds`` itself."""
    if any(a.lstrip("+~").startswith("sweep.seeds=") for a in arguments):
        return []
    return [f"sweep.seeds={DESIGN_SEEDS}"]


def flatten_params(params: Mapping[str, Any], prefix: str = "") -> dict[str, list[float]]:
    """``{"trade": {"sigma": [2, 10]}}`` or ``{"trade.sigma": [2, 10]}`` → dotted key → bounds."""
    flat: dict[str, list[float]] = {}
    for key, value in params.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_params(value, f"{dotted}."))
        else:
            flat[dotted] = value
    return flat


def check_design(sweeper: Mapping[str, Any]) -> list[tuple[str, float]]:
    """Check the SALib sweeper's options; return ``(key, bound)`` pairs to range-check.

    Raises:
        ConfigError: naming the ``hydra.sweeper`` key at fault.
    """
    method = sweeper.get("method")
    if method not in METHODS:
        raise ConfigError("hydra.sweeper.method", f"must be one of {', '.join(METHODS)}")
    n = sweeper.get("n")
    if not isinstance(n, int) or isinstance(n, bool) or n < 2:
        raise ConfigError("hydra.sweeper.n", f"must be an integer ≥ 2, got {n!r}")
    if method == "sobol" and n & (n - 1):
        raise ConfigError("hydra.sweeper.n", f"must be a power of 2 for sobol, got {n}")
    levels = sweeper.get("num_levels", 4)
    if not isinstance(levels, int) or levels < 2 or levels % 2:
        raise ConfigError("hydra.sweeper.num_levels", f"must be an even integer ≥ 2, got {levels}")
    params = flatten_params(sweeper.get("params") or {})
    if not params:
        raise ConfigError("hydra.sweeper.params", "give at least one key: [low, high]")
    if method != "latin" and len(params) < 2:
        raise ConfigError("hydra.sweeper.params", f"{method} needs at least two parameters")
    checks: list[tuple[str, float]] = []
    for key, bounds in params.items():
        ok = isinstance(bounds, list | tuple) and len(bounds) == 2
        if ok and all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds):
            low, high = float(bounds[0]), float(bounds[1])
            if low < high:
                checks += [(key, low), (key, high)]
                continue
        raise ConfigError(
            f"hydra.sweeper.params.{key}", f"must be [low, high] with low < high, got {bounds!r}"
        )
    return checks


def make_design(sweeper: Mapping[str, Any]) -> Design:
    """Sample the design the sweeper config describes (checked by :func:`check_design`)."""
    from SALib.sample import latin, morris, sobol

    check_design(sweeper)
    params = flatten_params(sweeper["params"])
    names = list(params)
    bounds = [[float(low), float(high)] for low, high in params.values()]
    method, n, seed = sweeper["method"], int(sweeper["n"]), int(sweeper.get("seed", 0))
    second = bool(sweeper.get("calc_second_order", False))
    levels = int(sweeper.get("num_levels", 4))
    problem = {"num_vars": len(names), "names": names, "bounds": bounds}
    if method == "latin":
        samples = latin.sample(problem, n, seed=seed)
    elif method == "sobol":
        samples = sobol.sample(problem, n, calc_second_order=second, seed=seed)
    else:
        samples = morris.sample(problem, n, num_levels=levels, seed=seed)
    return Design(
        method=method,
        names=names,
        bounds=bounds,
        n=n,
        seed=seed,
        calc_second_order=second,
        num_levels=levels,
        samples=np.asarray(samples, dtype=float).tolist(),
    )


def write_design(design: Design, collect_dir: Path) -> Path:
    """Save the design to ``<collect_dir>/design.json``; return the path."""
    from sim.io.files import atomic_write_bytes

    path = collect_dir / DESIGN_FILE
    atomic_write_bytes(path, json.dumps(asdict(design), indent=1).encode() + b"\n")
    return path


def read_design(collect_dir: Path) -> Design:
    """Load ``<collect_dir>/design.json``.

    Raises:
        CaravanError: if the sweep has no design (it was not a SALib sweep).
    """
    path = collect_dir / DESIGN_FILE
    try:
        return Design(**json.loads(path.read_text()))
    except FileNotFoundError:
        raise CaravanError(
            f"{path}: no design; run the sweep with hydra/sweeper=salib (method sobol or morris)"
        ) from None
    except (ValueError, TypeError) as error:
        raise CaravanError(f"{path}: not a Caravan design file ({error})") from None
