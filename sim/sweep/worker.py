"""A sweep worker's job runner: the base config composed once, each job's overrides applied.

Composing a job's config from scratch with Hydra costs about 0.2 s and turning
it into the typed config another 0.07 s, several times the model's own 50 ms.
A :class:`JobRunner` lives in one worker process for many jobs and keeps, as
its own state (never a module global):

- one composed config per distinct set of *structural* overrides (config
  groups such as ``scenario=...``, ``+``/``~``/``++`` keys, ``hydra.*``),
  composed by Hydra's own config loader exactly as Hydra would;
- its typed :class:`~sim.config.CaravanConfig`.

A job's *value* overrides (``trade.sigma=3``) are then applied in place to the
composed config with Hydra's own call (``OmegaConf.update(..., merge=True)``,
so the schema converts and checks them as in Hydra), read back, set on a copy
of the typed config, and undone. The job then runs through
:func:`sim.sweep.job.run_job` into ``<sweep_dir>/<job_num>/`` with the
``.hydra/`` files Hydra writes (``config.yaml``, ``overrides.yaml``).

Anything this fast path cannot reproduce exactly — a custom
``hydra.sweep.subdir``, ``hydra.job.env_set``, ``hydra.job.chdir``, Hydra job
callbacks, interpolations in the task config — makes the runner fall back to
Hydra's own per-job path (``run_job`` with a fresh composition). Either way a
job never raises: every error becomes that job's failed result.
"""

from __future__ import annotations

import copy
import dataclasses
import gc
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import Container, DictConfig, OmegaConf

log = logging.getLogger(__name__)

DEFAULT_SUBDIR = "${hydra.job.num}"
PARSED_KEPT = 4096
"""Override lines whose parse (and kind) a :class:`JobRunner` keeps (then it starts afresh)."""


@dataclass
class LaunchSpec:
    """What every worker of one launch needs (sent once to each worker).

    Attributes:
        config: The multirun's composed config, ``hydra`` node included.
        hydra_context: Hydra's config loader and callbacks.
        task_function: The Hydra task (used by the fallback path only).
        singleton_state: Hydra's singletons (the config store with the scenarios).
        sweep_dir: The sweep directory, resolved.
    """

    config: DictConfig
    hydra_context: Any
    task_function: Any
    singleton_state: dict[Any, Any]
    sweep_dir: str


@dataclass(frozen=True)
class JobSpec:
    """One job of a launch: its position in the batch, its number and overrides."""

    index: int
    num: int
    overrides: tuple[str, ...]


@dataclass
class _Base:
    """One composed config (no ``hydra`` node) and its typed form."""

    cfg: DictConfig
    typed: Any
    plain_paths: bool = True
    sections: dict[str, str] = dataclasses.field(default_factory=dict)
    """Top-level key → its ``config.yaml`` text (see :func:`_config_yaml`)."""


def _has_interpolation(cfg: DictConfig) -> bool:
    return "${" in OmegaConf.to_yaml(cfg)


class JobRunner:
    """Run many jobs of one sweep in this process, composing once per distinct structure.

    Args:
        spec: The launch (see :class:`LaunchSpec`).
    """

    def __init__(self, spec: LaunchSpec) -> None:
        from hydra.core.override_parser.overrides_parser import OverridesParser
        from hydra.core.singleton import Singleton
        from hydra.core.utils import setup_globals

        setup_globals()
        Singleton.set_state(spec.singleton_state)
        logging.getLogger("MESA").setLevel(logging.WARNING)
        self.spec = spec
        self.sweep_dir = Path(spec.sweep_dir)
        self.parser = OverridesParser.create()
        self._parsed: dict[str, Any] = {}
        self._value_kind: dict[str, bool] = {}
        self._bases: dict[tuple[str, ...], _Base] = {}
        self._frozen = False
        hydra = spec.config.hydra
        raw = OmegaConf.to_container(hydra.sweep, resolve=False)
        assert isinstance(raw, dict)
        callbacks = getattr(spec.hydra_context.callbacks, "callbacks", [])
        self.classic = (
            raw.get("subdir") != DEFAULT_SUBDIR
            or bool(hydra.job.get("env_set"))
            or bool(hydra.job.get("chdir"))
            or any(_has_job_hooks(c) for c in callbacks)
        )
        self.output_subdir = hydra.output_subdir

    # -- composition -----------------------------------------------------------------
    def _parse(self, overrides: list[str]) -> list[Any]:
        """Hydra's parsed overrides, each line parsed once per runner.

        Most lines repeat from job to job (``sim.quarters=12``, a grid's values)
        and Hydra's grammar costs about 0.3 ms a line. Only lines with a scalar
        value are kept (a dict or list value is a fresh object per job), at most
        :data:`PARSED_KEPT`.
        """
        parsed = []
        for line in overrides:
            override = self._parsed.get(line)
            if override is None:
                override = self.parser.parse_overrides([line])[0]
                if isinstance(override.value(), str | int | float | bool | None):
                    if len(self._parsed) >= PARSED_KEPT:
                        self._parsed.clear()
                    self._parsed[line] = override
            parsed.append(override)
        return parsed

    def _is_value(self, override: Any) -> bool:
        """True for a value override (``trade.sigma=3``), False for a structural one.

        Remembered per override line (the config repository does not change
        during a launch; asking it whether a key is a config group costs ~0.3 ms).
        """
        known = self._value_kind.get(override.input_line)
        if known is None:
            known = self._value_kind[override.input_line] = self._classify(override)
            if len(self._value_kind) > PARSED_KEPT:
                self._value_kind.clear()
        return known

    def _classify(self, override: Any) -> bool:
        key = override.key_or_group
        return not (
            override.is_add()
            or override.is_delete()
            or override.is_force_add()
            or key.startswith(("hydra.", "hydra/"))
            or "/" in key
            or override.is_sweep_override()
            or self.spec.hydra_context.config_loader.repository.group_exists(key)
        )

    def _base(self, structural: tuple[str, ...]) -> _Base:
        base = self._bases.get(structural)
        if base is None:
            from sim.config import to_typed

            composed = self.spec.hydra_context.config_loader.load_sweep_config(
                self.spec.config, list(structural)
            )
            cfg = copy.deepcopy(composed)
            OmegaConf.set_struct(cfg, False)
            cfg.pop("hydra")
            OmegaConf.set_struct(cfg, True)
            base = _Base(cfg=cfg, typed=None, plain_paths=not _has_interpolation(cfg))
            if base.plain_paths:
                base.typed = to_typed(cfg)
            self._bases[structural] = base
        return base

    def job_config(self, overrides: list[str]) -> tuple[Any, dict[str, Any], str]:
        """The typed config, swept parameters and ``config.yaml`` text of one job.

        Raises:
            ConfigError: a value the schema refuses (naming the key).
        """
        from sim.config import to_typed
        from sim.errors import ConfigError
        from sim.sweep.job import job_params

        parsed = self._parse(list(overrides))
        structural = tuple(o.input_line for o in parsed if not self._is_value(o))
        values = [o for o in parsed if self._is_value(o)]
        base = self._base(structural)
        cfg = base.cfg
        undo: list[tuple[str, Any]] = []
        try:
            for override in values:
                key = override.key_or_group
                old = OmegaConf.select(cfg, key, throw_on_missing=False)
                plain = OmegaConf.to_container(old) if isinstance(old, Container) else old
                undo.append((key, plain))
                try:
                    OmegaConf.update(cfg, key, override.value(), merge=True)
                except Exception as error:
                    message = str(getattr(error, "msg", error)).splitlines()[0]
                    if "not in struct" in message or "Key '" in message:
                        message = "unknown key (not in the config schema)"
                    raise ConfigError(key, message) from None
            typed = self._typed(base, values) if base.plain_paths else to_typed(cfg)
            params = job_params(cfg, parsed)
            text = ""
            if self.output_subdir is not None:
                touched = {o.key_or_group.split(".")[0] for o in values}
                text = _config_yaml(cfg, base.sections if base.plain_paths else {}, touched)
        finally:
            for key, old in reversed(undo):
                OmegaConf.update(cfg, key, old, merge=False)
        return typed, params, text

    @staticmethod
    def _typed(base: _Base, values: list[Any]) -> Any:
        """A copy of the base's typed config with each override's converted value set."""
        from sim.config import to_typed

        typed = copy.deepcopy(base.typed)
        for override in values:
            path = override.key_or_group.split(".")
            target = typed
            for name in path[:-1]:
                target = getattr(target, name, None)
            if not (
                dataclasses.is_dataclass(target)
                and path[-1] in {f.name for f in dataclasses.fields(target)}
            ):
                return to_typed(base.cfg)  # an index or a dict key: convert the whole config
            node = OmegaConf.select(base.cfg, override.key_or_group)
            value = OmegaConf.to_object(node) if isinstance(node, Container) else node
            setattr(target, path[-1], value)
        return typed

    # -- running ---------------------------------------------------------------------
    def run(self, job: JobSpec) -> dict[str, Any]:
        """Run one job; never raises (every error is the job's failed result)."""
        from sim.sweep.job import failed

        run_dir = self.sweep_dir / str(job.num)
        try:
            if self.classic:
                return self._run_classic(job)
            return self._run_fast(job, run_dir)
        except Exception as error:  # outside the model: composition, directories, files
            log.debug("run %d failed outside the model: %s", job.num, error)
            return failed(run_dir, job.num, f"{type(error).__name__}: {error}")
        finally:
            self._collect()

    def _collect(self) -> None:
        """Free the finished job's model now, so memory stays flat over many jobs.

        The model and its agents refer to each other, so only the cyclic garbage
        collector frees them, and its automatic full collections are rare (they
        count objects, not bytes): a worker's memory grew by about 7 MB a job, to
        755 MB at 200 jobs. A full collection costs about 0.12 s in a process
        that holds the imported libraries, so after the first job everything
        alive (modules, caches) is moved out of the collector's sight
        (``gc.freeze``); each later collection then scans only what the job
        left, well under a millisecond.
        """
        gc.collect()
        if not self._frozen:
            gc.freeze()
            self._frozen = True

    def _run_fast(self, job: JobSpec, run_dir: Path) -> dict[str, Any]:
        from sim.errors import CaravanError
        from sim.sweep.job import Job, failed, run_job

        overrides = list(job.overrides)
        try:
            typed, params, text = self.job_config(overrides)
        except CaravanError as error:
            return failed(run_dir, job.num, f"{type(error).__name__}: {error}")
        if self.output_subdir is not None:
            _write_hydra_files(run_dir / str(self.output_subdir), text, overrides)
        return run_job(typed, Job(job.num, run_dir, overrides), params)

    def _run_classic(self, job: JobSpec) -> dict[str, Any]:
        """Hydra's own per-job path (``execute_job`` of its joblib launcher)."""
        from hydra.core.hydra_config import HydraConfig
        from hydra.core.utils import JobStatus, run_job
        from omegaconf import open_dict

        spec = self.spec
        job_config = spec.hydra_context.config_loader.load_sweep_config(
            spec.config, list(job.overrides)
        )
        with open_dict(job_config):
            job_config.hydra.job.id = f"{job_config.hydra.job.name}_{job.num}"
            job_config.hydra.job.num = job.num
        HydraConfig.instance().set_config(job_config)
        ret = run_job(
            hydra_context=spec.hydra_context,
            config=job_config,
            task_function=spec.task_function,
            job_dir_key="hydra.sweep.dir",
            job_subdir_key="hydra.sweep.subdir",
        )
        if ret.status == JobStatus.COMPLETED and isinstance(ret.return_value, dict):
            return dict(ret.return_value)
        error = ret._return_value
        from sim.sweep.job import failed

        run_dir = Path(str(job_config.hydra.runtime.output_dir))
        return failed(run_dir, job.num, f"{type(error).__name__}: {error}")


def _has_job_hooks(callback: Any) -> bool:
    """True if a Hydra callback implements per-job hooks (only Hydra's own path calls them)."""
    from hydra.experimental.callback import Callback

    return any(
        getattr(type(callback), name, None) is not getattr(Callback, name)
        for name in ("on_job_start", "on_job_end")
    )


def _config_yaml(cfg: DictConfig, sections: dict[str, str], touched: set[str]) -> str:
    """``OmegaConf.to_yaml(cfg)`` (Hydra's ``config.yaml``), one top-level section at a time.

    A block mapping's YAML is its top-level entries' YAML one after another,
    so each section untouched by the job's overrides is taken from
    ``sections`` (filled on first use) and only the touched ones are dumped,
    with libyaml's emitter where present. Without interpolations the resolved
    container is the config itself, and the safe dumper quotes the same
    strings OmegaConf's does (those that would read back as numbers, booleans
    or null).
    """
    import yaml

    if not getattr(yaml, "__with_libyaml__", False):
        return OmegaConf.to_yaml(cfg)
    parts = []
    for key in cfg:
        text = sections.get(str(key)) if key not in touched else None
        if text is None:
            node = cfg[key]
            value = (
                OmegaConf.to_container(node, resolve=True, enum_to_str=True)
                if isinstance(node, Container)
                else node
            )
            text = yaml.dump(
                {key: value},
                Dumper=yaml.CSafeDumper,
                sort_keys=False,
                allow_unicode=True,
                default_flow_style=False,
            )
            if key not in touched:
                sections[str(key)] = text
        parts.append(text)
    return "".join(parts)


def _write_hydra_files(directory: Path, config_yaml: str, overrides: list[str]) -> None:
    """``.hydra/config.yaml`` and ``.hydra/overrides.yaml``, as Hydra writes them (plainly)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.yaml").write_text(config_yaml)
    (directory / "overrides.yaml").write_text(_overrides_yaml(overrides))


def _overrides_yaml(overrides: list[str]) -> str:
    """``OmegaConf.to_yaml(overrides)``, as Hydra writes ``overrides.yaml``, without a ListConfig.

    ``to_yaml`` dumps the plain container of a list of strings with
    OmegaConf's dumper; building the ListConfig first costs about 1 ms a job.
    A line OmegaConf could read as an interpolation, an escape or a missing
    value (a dollar sign, a backslash, ``???``) takes OmegaConf's own path.
    """
    import yaml
    from omegaconf._utils import get_omega_conf_dumper

    if any("$" in line or "\\" in line or "???" in line for line in overrides):
        return OmegaConf.to_yaml(list(overrides))
    return yaml.dump(
        list(overrides),
        default_flow_style=False,
        allow_unicode=True,
        sort_keys=False,
        Dumper=get_omega_conf_dumper(),
    )
