"""One job of a multirun: its seed, skip-if-complete, and failures recorded, not raised.

A job never raises: a config or model error, and any error around the model
(a run directory that cannot be created, a table that cannot be written), is
written to the run's ``metadata.json`` when possible (``status: failed`` and
the error) and returned, so the sweep goes on whatever the launcher.

- :func:`run_job` is the core, given a typed config: Caravan's own launcher
  (:mod:`sim.sweep.worker`) calls it for every job of a worker;
- :func:`run_sweep_job` is the Hydra task of a multirun job under any other
  launcher (basic, Ray, submitit), given Hydra's composed config.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omegaconf import DictConfig, ListConfig, OmegaConf

from sim.errors import CaravanError
from sim.sweep.rundirs import JOB_FILE, METADATA_FILE, is_complete
from sim.sweep.schema import derive_seed, validate_sweep

if TYPE_CHECKING:
    from sim.config import CaravanConfig

log = logging.getLogger(__name__)

SKIPPED_KEYS = ("seed",)
"""Override keys not reported as parameters (the table has ``base_seed`` and ``seed``)."""


@dataclass(frozen=True)
class Job:
    """Where and how one multirun job runs.

    Attributes:
        run: The integer job number (``hydra.job.num``).
        run_dir: The job's run directory.
        overrides: The job's override strings (``hydra.overrides.task``).
    """

    run: int
    run_dir: Path
    overrides: list[str]


def _plain(value: Any) -> Any:
    if isinstance(value, DictConfig | ListConfig):
        return json.dumps(OmegaConf.to_container(value, resolve=True), sort_keys=True)
    return value


def job_params(cfg: DictConfig, overrides: list[str] | list[Any]) -> dict[str, Any]:
    """Dotted key → typed value of each override of a job (``hydra.*`` and ``sweep.*`` left out).

    Values are read back from the composed config, so they carry the schema's
    type (``trade.sigma=3`` gives the float 3.0). A config-group override
    (``scenario=tariff_cut``) keeps the chosen option's name.

    Args:
        cfg: The job's composed config.
        overrides: Its override strings, or Hydra's parsed overrides of them.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser

    if all(isinstance(o, str) for o in overrides):
        overrides = OverridesParser.create().parse_overrides(list(overrides))
    params: dict[str, Any] = {}
    for override in overrides:
        key = override.key_or_group
        if key.startswith(("hydra.", "hydra/", "sweep.")) or key in SKIPPED_KEYS:
            continue
        value = OmegaConf.select(cfg, key, default=None)
        if isinstance(value, DictConfig) and override.get_value_element_as_str():
            value = override.get_value_element_as_str()  # a config group: its option name
        params[key] = _plain(value)
    return params


def _write_json(path: Path, content: dict[str, Any]) -> None:
    from sim.io.files import atomic_write_bytes

    payload = json.dumps(content, indent=2, default=str).encode() + b"\n"
    atomic_write_bytes(path, payload)


def failed(run_dir: Path, run: int, message: str, **extra: Any) -> dict[str, Any]:
    """Record a failed job in its ``metadata.json`` if the directory allows; return its result.

    Used for failures outside the model: an invalid sampled value, a run
    directory that cannot be created, a worker killed by a signal. The
    returned result carries ``recorded: False`` when nothing could be written
    (the launcher then keeps the error in the sweep's own record).
    """
    from sim.io.run_dir import write_metadata

    content = {"status": "failed", "error": message, "seed": None, "run": run, **extra}
    result = {"run": run, "status": "failed", "error": message, "recorded": True}
    try:
        write_metadata(run_dir, content)
    except OSError as error:
        log.debug("run %d: cannot record its failure in %s: %s", run, run_dir, error)
        result["recorded"] = False
    return result


def run_job(cfg: CaravanConfig, job: Job, params: dict[str, Any]) -> dict[str, Any]:
    """Run one job into its run directory; never raises for a failed run.

    Args:
        cfg: The job's typed config (validated here).
        job: Its number, run directory and overrides.
        params: Swept parameter → typed value (see :func:`job_params`).

    Returns:
        ``{"run": job_num, "status": completed|failed|skipped, "error": ...}``;
        ``skipped`` means the run directory already holds a completed run of the
        same config (a resumed sweep).
    """
    from sim.config import validate
    from sim.runner import run_config_hash, run_to_directory

    run, run_dir = job.run, job.run_dir
    try:
        typed = validate(cfg)
        validate_sweep(typed.sweep)
    except CaravanError as error:
        return failed(run_dir, run, f"{type(error).__name__}: {error}")
    seed = derive_seed(typed.seed, run, typed.sweep)
    run_cfg = replace(typed, seed=seed)
    digest = run_config_hash(run_cfg)
    try:
        if is_complete(run_dir, digest):
            return {"run": run, "status": "skipped", "error": None}
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / METADATA_FILE).unlink(missing_ok=True)  # a rerun is "missing" until it ends
        _write_json(
            run_dir / JOB_FILE,
            {
                "run": run,
                "replicate": typed.sweep.replicate,
                "sample": typed.sweep.sample,
                "base_seed": typed.seed,
                "seed": seed,
                "seeds": typed.sweep.seeds,
                "scenario": typed.scenario.name,
                "config_hash": digest,
                "overrides": list(job.overrides),
                "params": params,
            },
        )
    except Exception as error:  # outside the model: e.g. the directory is blocked by a file
        return failed(run_dir, run, f"{type(error).__name__}: {error}", seed=seed)
    try:
        run_to_directory(run_cfg, run_dir, digest)
    except Exception as error:  # recorded in metadata.json by run_to_directory when possible
        log.debug("run %d failed: %s", run, error)
        message = f"{type(error).__name__}: {error}"
        if not is_failed_here(run_dir):
            return failed(run_dir, run, message, seed=seed, config_hash=digest)
        return {"run": run, "status": "failed", "error": message, "recorded": True}
    return {"run": run, "status": "completed", "error": None}


def is_failed_here(run_dir: Path) -> bool:
    """True if the run directory's ``metadata.json`` records a failure."""
    from sim.sweep.rundirs import read_status

    meta = read_status(run_dir)
    return bool(meta) and meta.get("status") == "failed"


def run_sweep_job(cfg: DictConfig) -> dict[str, Any]:
    """The Hydra task of one multirun job (launchers other than Caravan's own).

    Returns:
        As :func:`run_job`.
    """
    from hydra.core.hydra_config import HydraConfig

    from sim.config import to_typed

    hydra_cfg = HydraConfig.get()
    overrides = list(hydra_cfg.overrides.task)
    job = Job(int(hydra_cfg.job.num), Path(hydra_cfg.runtime.output_dir), overrides)
    try:
        typed = to_typed(cfg)
    except CaravanError as error:
        return failed(job.run_dir, job.run, f"{type(error).__name__}: {error}")
    return run_job(typed, job, job_params(cfg, overrides))
