"""Check a whole sweep before anything runs: every swept value, the design's bounds.

Hydra composes each job only when it starts, and ``+key`` bypasses the
schema, so a bad value deep in a sweep would otherwise surface as a failed
job. :func:`validate_multirun` composes the sweep once (constant overrides
plus the first value of each swept key) and then checks every other swept
value against the schema and ranges, each distinct value. A config-group sweep
(``scenario=a,b``) is composed once per option. A SALib design is checked
through its bounds (see :mod:`sim.sweep.design`).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from sim.errors import ConfigError
from sim.fields import Spec, check_value
from sim.sweep.schema import validate_sweep


def _check(cfg: DictConfig | dict) -> None:
    from sim.config import to_typed, validate

    validate_sweep(validate(to_typed(cfg)).sweep)


def _with_value(base: DictConfig, key: str, value: Any) -> dict:
    """A plain copy of ``base`` with ``key`` set to ``value``.

    The copy is plain (dicts and lists), so a swept list of lever entries
    (``corridors.closures=[{…}],[{…}]``) is merged onto the schema by
    :func:`sim.config.to_typed` like any composed value; an unknown key or a
    wrong type is refused there, naming the key.
    """
    plain = OmegaConf.to_container(base, resolve=True)
    *parents, leaf = key.split(".")
    node = plain
    for part in parents:
        child = node.setdefault(part, {}) if isinstance(node, dict) else None
        if not isinstance(child, dict):
            raise ConfigError(key, "unknown key (not in the config schema)")
        node = child
    node[leaf] = value
    return plain


def _representatives(values: list[Any]) -> list[Any]:
    """Each distinct value (not only min and max: NaN, a float for an int, cross-field rules)."""
    unique: list[Any] = []
    for value in values:
        if value not in unique:
            unique.append(value)
    return unique


def _is_group(key: str, conf_dir: Path) -> bool:
    return "." not in key and (key == "scenario" or (conf_dir / key).is_dir())


def validate_multirun(overrides: Sequence[str], conf_dir: Path) -> DictConfig:
    """Check every job a multirun will launch; return the base config (with ``hydra``).

    Args:
        overrides: The command line's overrides (sweeps included).
        conf_dir: The primary config directory (``conf/``).

    Raises:
        ConfigError: the first bad value, naming its key.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    from sim.compose import compose

    def compose_plain(items: list[str]) -> tuple[DictConfig, DictConfig]:
        full = compose(items, with_hydra=True)
        plain = copy.deepcopy(full)
        with _open(plain):
            plain.pop("hydra")
        _check(plain)
        return full, plain

    try:
        parsed = OverridesParser.create().parse_overrides(list(overrides))
    except HydraException as error:
        raise ConfigError("overrides", " ".join(str(error).split())) from None
    from sim.config import check_bool_overrides

    _check_size(parsed)
    constants: list[str] = []
    sweeps: list[tuple[str, str, list[Any], list[str]]] = []
    for override in parsed:
        if not override.is_sweep_override():
            constants.append(override.input_line)
        elif override.is_discrete_sweep():
            key = override.get_key_element()
            strings = list(override.sweep_string_iterator())
            check_bool_overrides([f"{override.key_or_group}={text}" for text in strings])
            sweeps.append((key, override.key_or_group, list(override.sweep_iterator()), strings))
    firsts = [f"{key}={strings[0]}" for key, _, _, strings in sweeps]
    base, plain = compose_plain([*constants, *firsts])
    for index, (key, dotted, values, strings) in enumerate(sweeps):
        others = [*constants, *firsts[:index], *firsts[index + 1 :]]
        if _is_group(dotted, conf_dir) or key.startswith(("+", "~")):
            for text in dict.fromkeys(strings[1:]):
                compose_plain([*others, f"{key}={text}"])
            continue
        if dotted.startswith(("hydra.", "hydra/")):
            continue
        for value in _representatives(values[1:] + values[:1]):
            _check(_with_value(plain, dotted, value))
    check_launcher(base.hydra.launcher)
    sweeper = base.hydra.sweeper
    if str(sweeper.get("_target_", "")).endswith("SALibSweeper"):
        from sim.sweep.design import check_design

        for key, value in check_design(OmegaConf.to_container(sweeper, resolve=False)):
            _check(_with_value(plain, key, value))
    return base


START_METHODS = ("forkserver", "spawn", "fork")
"""The ``multiprocessing`` start methods the local launcher accepts."""
WORKERS_PER_CPU = 4
"""Most local worker processes per CPU (more only add memory: each holds a model)."""


def check_launcher(launcher: DictConfig) -> None:
    """Refuse launcher settings the launcher would fail on (or misread) after the sweep starts.

    ``n_jobs`` is −1 (one per CPU) or 1 to :data:`WORKERS_PER_CPU` per CPU;
    ``progress`` and ``resume`` are true or false; ``start_method`` is one of
    :data:`START_METHODS`; the Ray launcher's ``ray.remote.num_cpus`` is a positive
    number and ``ray.init.num_cpus`` null or a positive integer.

    Raises:
        ConfigError: naming the ``hydra.launcher`` key and what is allowed.
    """
    import os

    plain = OmegaConf.to_container(launcher, resolve=True)
    assert isinstance(plain, dict)

    def key(name: str) -> str:
        return f"hydra.launcher.{name}"

    if "n_jobs" in plain:
        most = WORKERS_PER_CPU * (os.cpu_count() or 1)
        n_jobs = plain["n_jobs"]
        if (
            isinstance(n_jobs, bool)
            or not isinstance(n_jobs, int)
            or not (n_jobs == -1 or 1 <= n_jobs <= most)
        ):
            allowed = f"-1 (one per CPU) or an integer in [1, {most}] ({WORKERS_PER_CPU} per CPU)"
            raise ConfigError(key("n_jobs"), f"must be {allowed}, got {n_jobs!r}")
    for flag in ("progress", "resume"):
        if flag in plain and not isinstance(plain[flag], bool):
            raise ConfigError(key(flag), f"must be true or false, got {plain[flag]!r}")
    if "start_method" in plain:
        check_value(key("start_method"), plain["start_method"], Spec(choices=START_METHODS))
    ray = plain.get("ray") or {}
    remote = (ray.get("remote") or {}).get("num_cpus", 1)
    if isinstance(remote, bool) or not isinstance(remote, int | float) or not remote > 0:
        raise ConfigError(key("ray.remote.num_cpus"), f"must be a number > 0, got {remote!r}")
    local = (ray.get("init") or {}).get("num_cpus")
    if local is not None and (isinstance(local, bool) or not isinstance(local, int) or local < 1):
        raise ConfigError(
            key("ray.init.num_cpus"), f"must be null or an integer ≥ 1, got {local!r}"
        )


MAX_JOBS = 100_000
"""Most jobs one sweep may launch (its values are checked, and listed, before any runs)."""


def _check_size(parsed: list) -> None:
    """Refuse an empty or zero-step range, and a sweep of more than :data:`MAX_JOBS` jobs.

    Range lengths are computed, not listed, so ``range(0, 10**9)`` is refused at once.
    """
    import math

    from hydra.core.override_parser.types import RangeSweep

    jobs = 1
    for override in parsed:
        if not override.is_sweep_override() or not override.is_discrete_sweep():
            continue
        sweep = override.value()
        key = override.key_or_group
        if isinstance(sweep, RangeSweep):
            start, stop, step = sweep.start, sweep.stop, sweep.step
            bounds = (start, stop, step)
            if not all(isinstance(v, int | float) and math.isfinite(v) for v in bounds):
                raise ConfigError(key, f"range() needs finite numbers, got {override.input_line!r}")
            if step == 0:
                raise ConfigError(key, "range() step must not be 0")
            size = max(0, math.ceil((stop - start) / step))
        else:
            size = len(list(override.sweep_string_iterator()))
        if size == 0:
            raise ConfigError(key, f"the sweep {override.input_line!r} has no values")
        jobs *= size
        if jobs > MAX_JOBS:
            raise ConfigError(
                key, f"the sweep would launch more than {MAX_JOBS:,} jobs; sweep fewer values"
            )


class _open:
    """Context manager lifting struct mode (``omegaconf.open_dict`` without the import)."""

    def __init__(self, cfg: DictConfig) -> None:
        self.cfg = cfg

    def __enter__(self) -> None:
        OmegaConf.set_struct(self.cfg, False)

    def __exit__(self, *args: object) -> None:
        OmegaConf.set_struct(self.cfg, True)
