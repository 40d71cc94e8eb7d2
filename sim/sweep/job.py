"""One job of a multirun: its seed, skip-if-complete, and failures recorded, not raised.

``sim.cli``'s Hydra task hands multirun jobs to :func:`run_sweep_job`. Unlike
a single run, a job never raises: a config or model error is written to the
run's ``metadata.json`` (``status: failed`` and the error) and returned, so
the sweep goes on whatever the launcher (joblib, Ray, submitit, basic).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf

from sim.errors import CaravanError
from sim.sweep.rundirs import JOB_FILE, METADATA_FILE, is_complete
from sim.sweep.schema import derive_seed, validate_sweep

log = logging.getLogger(__name__)

SKIPPED_KEYS = ("seed",)
"""Override keys not reported as parameters (the table has ``base_seed`` and ``seed``)."""


def _plain(value: Any) -> Any:
    if isinstance(value, DictConfig | ListConfig):
        return json.dumps(OmegaConf.to_container(value, resolve=True), sort_keys=True)
    return value


def job_params(cfg: DictConfig, overrides: list[str]) -> dict[str, Any]:
    """Dotted key → typed value of each override of a job (``hydra.*`` and ``sweep.*`` left out).

    Values are read back from the composed config, so they carry the schema's
    type (``trade.sigma=3`` gives the float 3.0). A config-group override
    (``scenario=tariff_cut``) keeps the chosen option's name.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser

    params: dict[str, Any] = {}
    for override in OverridesParser.create().parse_overrides(overrides):
        key = override.key_or_group
        if key.startswith(("hydra.", "hydra/", "sweep.")) or key in SKIPPED_KEYS:
            continue
        value = OmegaConf.select(cfg, key, default=None)
        if isinstance(value, DictConfig) and override.get_value_element_as_str():
            value = override.get_value_element_as_str()  # a config group: its option name
        params[key] = _plain(value)
    return params


def _write_json(path: Path, content: dict[str, Any]) -> None:
    from sim.io.run_dir import _atomic_write_bytes

    payload = json.dumps(content, indent=2, default=str).encode() + b"\n"
    _atomic_write_bytes(path, payload)


def _failed(run_dir: Path, run: int, error: BaseException, seed: int | None) -> dict[str, Any]:
    """Record a failure that happened before the model ran (e.g. an invalid sampled value)."""
    from sim.io.run_dir import write_metadata

    message = f"{type(error).__name__}: {error}"
    write_metadata(run_dir, {"status": "failed", "error": message, "seed": seed, "run": run})
    return {"run": run, "status": "failed", "error": message}


def run_sweep_job(cfg: DictConfig) -> dict[str, Any]:
    """Run one multirun job into its run directory; never raises for a failed run.

    Returns:
        ``{"run": job_num, "status": completed|failed|skipped, "error": ...}``;
        ``skipped`` means the run directory already holds a completed run of the
        same config (a resumed sweep).
    """
    from hydra.core.hydra_config import HydraConfig

    from sim.config import to_typed, validate
    from sim.io.run_dir import config_hash
    from sim.runner import run_to_directory

    hydra_cfg = HydraConfig.get()
    run = int(hydra_cfg.job.num)
    run_dir = Path(hydra_cfg.runtime.output_dir)
    overrides = list(hydra_cfg.overrides.task)
    try:
        typed = validate(to_typed(cfg))
        validate_sweep(typed.sweep)
    except CaravanError as error:
        return _failed(run_dir, run, error, None)
    seed = derive_seed(typed.seed, run, typed.sweep)
    run_cfg = replace(typed, seed=seed)
    digest = config_hash(asdict(run_cfg))
    if is_complete(run_dir, digest):
        return {"run": run, "status": "skipped", "error": None}
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
            "overrides": overrides,
            "params": job_params(cfg, overrides),
        },
    )
    try:
        run_to_directory(run_cfg, run_dir)
    except Exception as error:  # recorded in metadata.json by run_to_directory
        log.debug("run %d failed: %s", run, error)
        return {"run": run, "status": "failed", "error": f"{type(error).__name__}: {error}"}
    return {"run": run, "status": "completed", "error": None}
