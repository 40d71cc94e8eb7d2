"""Command-line entry points: ``caravan`` (a Hydra app) and ``caravan-scenarios``.

``caravan`` composes ``conf/`` plus the chosen scenario (:mod:`sim.compose`),
validates every key, range and cross-field rule, checks the files it will read
and the directory it will write, all *before* Hydra creates a run directory,
and then hands over to Hydra. A user's mistake is one line on stderr
(``error: <key>: <what is allowed>``) and exit code 2, with no traceback and
nothing written. A run that fails once started (a full disk, a solver that
gives up) is one line and exit code 1; its ``metadata.json`` records the
failure and no table is left beside it.

Options of its own: ``--scenario-dir DIR`` adds a user's folder of scenario
files (``DIR/NAME.yaml``, chosen with ``scenario=NAME``).
"""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sim.compose import (  # re-exported: the dashboard and the sweep import them from here
    CONF_DIR,
    SCENARIO_DIR,
    check_inputs,
    check_output,
    check_sweep_inputs,
    compose,
    compose_and_validate,
    describe_composition_error,
    normalise_overrides,
    register_configs,
    scenario_files,
)
from sim.errors import CaravanError, ConfigError, ModelError

__all__ = [
    "CONF_DIR",
    "EXIT_FAILED",
    "EXIT_USAGE",
    "SCENARIO_DIR",
    "check_inputs",
    "compose_and_validate",
    "list_scenarios",
    "main",
    "register_configs",
    "scenario_files",
]

EXIT_USAGE = 2
EXIT_FAILED = 1

INFO_FLAGS = {"-h", "--help", "--hydra-help", "--version", "-i", "--info", "-sc"}
INFO_FLAGS |= {"--shell-completion"}
VALUE_FLAGS = {"-c", "--cfg", "-p", "--package"}
PLAIN_FLAGS = {"-m", "--multirun", "--resolve", "-r", "--run"}
REFUSED_FLAGS = {"-cp", "--config-path", "-cn", "--config-name", "-cd", "--config-dir"}
REFUSED_FLAGS |= {"--experimental-rerun"}
INFO_CHOICES = ("all", "config", "defaults", "defaults-tree", "plugins", "searchpath")
CFG_CHOICES = ("job", "hydra", "all")


@dataclass
class CommandLine:
    """``caravan``'s arguments, sorted.

    Attributes:
        flags: Hydra's own flags, passed through (with their values).
        overrides: ``key=value`` overrides, normalised (:func:`normalise_overrides`).
        scenario_dir: A user's scenario folder (``--scenario-dir``), or None.
        multirun: ``-m``/``--multirun`` given.
        info: An informational flag (``--help``, ``--info``...): nothing runs.
    """

    flags: list[str] = field(default_factory=list)
    overrides: list[str] = field(default_factory=list)
    scenario_dir: str | None = None
    multirun: bool = False
    info: bool = False


def parse_command_line(argv: Sequence[str]) -> CommandLine:
    """Sort ``argv`` into flags and overrides.

    Raises:
        ConfigError: an unknown or unsupported flag, or a flag missing its value.
    """
    line = CommandLine()
    raw: list[str] = []
    items = list(argv)
    i = 0
    while i < len(items):
        arg = items[i]
        i += 1
        name = arg.split("=", 1)[0]
        if not arg.startswith("-") or arg == "-":
            raw.append(arg)
        elif name == "--scenario-dir":
            if "=" in arg:
                line.scenario_dir = arg.split("=", 1)[1]
            elif i < len(items):
                line.scenario_dir, i = items[i], i + 1
            if not line.scenario_dir:
                raise ConfigError("--scenario-dir", "needs a directory")
        elif name in REFUSED_FLAGS:
            raise ConfigError(
                name,
                "is not supported: caravan composes its own conf/; "
                "use --scenario-dir DIR for scenarios of your own",
            )
        elif name in VALUE_FLAGS:
            if "=" in arg:
                line.flags.append(arg)
                value = arg.split("=", 1)[1]
            elif i < len(items):
                line.flags += [arg, items[i]]
                value, i = items[i], i + 1
            else:
                raise ConfigError(name, "needs a value")
            if name in ("-c", "--cfg") and value not in CFG_CHOICES:
                raise ConfigError(name, f"must be one of {', '.join(CFG_CHOICES)}, got {value!r}")
        elif name in INFO_FLAGS:
            line.info = True
            line.flags.append(arg)
            if name in ("-i", "--info") and i < len(items) and items[i] in INFO_CHOICES:
                line.flags.append(items[i])
                i += 1
        elif name in PLAIN_FLAGS:
            line.multirun |= name in ("-m", "--multirun")
            line.flags.append(arg)
        else:
            raise ConfigError(arg, "unknown command-line option; see caravan --help")
    shown = {f.split("=", 1)[0] for f in line.flags}
    if shown & {"--resolve"} and not shown & {"-c", "--cfg", "-h", "--help"}:
        raise ConfigError("--resolve", "works only with --cfg (or --help)")
    line.overrides = normalise_overrides(raw)
    return line


def is_single_run(line: CommandLine) -> bool:
    """True for a plain run (no sweep, no informational or config-printing flag)."""
    return not (line.multirun or line.info) and all(f in ("-r", "--run") for f in line.flags)


def preflight(line: CommandLine) -> None:
    """Everything checked before Hydra starts: config, input files, output directory.

    Raises:
        CaravanError: the first problem, as one line.
    """
    from sim.config import to_typed, validate

    register_configs(line.scenario_dir)
    if line.info:
        return
    if line.multirun:
        from sim.sweep.validate import validate_multirun

        base = validate_multirun(line.overrides, CONF_DIR)
        check_sweep_inputs(line.overrides)
        check_output(base, multirun=True)
        return
    from omegaconf import OmegaConf

    full = compose(line.overrides, with_hydra=True)
    plain = OmegaConf.masked_copy(full, [key for key in full if key != "hydra"])
    check_inputs(validate(to_typed(plain)))
    check_output(full, multirun=False)


def describe_failure(error: BaseException) -> str:
    """One line for a run that failed after it started (no traceback)."""
    from sim.io.files import describe_os_error

    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{describe_os_error(error)}"
    if isinstance(error, MemoryError):
        return "out of memory (try fewer quarters, economies or traders)"
    if isinstance(error, CaravanError | ModelError):
        return " ".join(str(error).split())
    return f"{type(error).__name__}: {' '.join(str(error).split())}"


def _print_summary(run_dir: Path, meta: dict) -> None:
    import pandas as pd

    world = pd.read_parquet(run_dir / "world.parquet")
    first, last = world.iloc[0], world.iloc[-1]
    print(f"Caravan run {meta['status']}: {run_dir}")
    print(
        f"  scenario {meta['scenario']}, seed {meta['seed']}, {len(meta['quarters'])} quarters "
        f"{meta['quarters'][0]}–{meta['quarters'][-1]}, {len(meta['economies'])} economies, "
        f"{meta['wall_time_s']:.2f} s"
    )
    print(
        f"  world trade (US$ bn/yr): {first.world_trade:,.0f} → {last.world_trade:,.0f}; "
        f"intra-CIS trade share: {first.intra_cis_trade_share:.1%} → "
        f"{last.intra_cis_trade_share:.1%}; CIS real income index: "
        f"{first.cis_real_income:.4f} → {last.cis_real_income:.4f}"
    )
    print(
        f"  tables: {', '.join(meta['tables'])}; share of trade among the modelled economies "
        f"imputed: {meta['share_of_modelled_trade_imputed']:.2%}"
    )
    over = meta.get("segments_over_capacity") or {}
    if over:
        top = ", ".join(
            f"{name} {v['peak_utilization']:.2f}× ({v['quarters_over']} q)"
            for name, v in list(over.items())[:3]
        )
        print(
            f"  above capacity (with capacity prices: beyond corridors.msa_tol; with "
            f"corridors.capacity_price_step 0 congestion alone does not cap them): {len(over)} "
            f"segments, peak volume/capacity {top}; all in metadata.json"
        )


def _task(cfg) -> dict | None:
    """The Hydra task: validate, run, write, summarise."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    from sim.config import to_typed, validate

    if HydraConfig.get().mode == RunMode.MULTIRUN:  # sweeps: record failures, never raise
        from sim.sweep.job import run_sweep_job

        logging.getLogger("MESA").setLevel(logging.WARNING)
        return run_sweep_job(cfg)
    return _run(validate(to_typed(cfg)))


def _run(typed) -> None:
    """Run a validated config into Hydra's run directory; a failure is one line, exit 1."""
    from hydra.core.hydra_config import HydraConfig

    from sim.runner import run_to_directory

    logging.getLogger("MESA").setLevel(logging.WARNING)
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        meta = run_to_directory(typed, run_dir)
    except (OSError, MemoryError, CaravanError, ModelError) as error:
        where = run_dir / "metadata.json"
        note = f" (recorded in {where})" if where.exists() else ""
        print(f"error: run failed: {describe_failure(error)}{note}", file=sys.stderr)
        sys.exit(EXIT_FAILED)
    if typed.output.summary:
        _print_summary(run_dir, meta)


def run_single(line: CommandLine) -> None:
    """A single run, composed once: Hydra's loader, the checks, then Hydra's ``run_job``.

    What ``hydra.main`` does for a run (the same composition, run directory,
    ``.hydra/`` files, logging and callbacks), without composing twice more
    (once to read ``hydra.mode``, once to run) and without converting the
    config twice.

    Raises:
        CaravanError: a bad config, input file or output directory (nothing written).
    """
    from hydra.core.global_hydra import GlobalHydra

    from sim.compose import chosen_scenarios, main_hydra

    register_configs(line.scenario_dir, only=chosen_scenarios(line.overrides))
    hydra_app = main_hydra()
    try:
        _run_composed(line, hydra_app)
    finally:
        GlobalHydra.instance().clear()  # as hydra.main leaves it


def _run_composed(line: CommandLine, hydra_app) -> None:
    """Compose once, check, run (see :func:`run_single`)."""
    from hydra._internal.callbacks import Callbacks
    from hydra._internal.utils import run_and_report
    from hydra.core.utils import configure_log, run_job
    from hydra.types import HydraContext
    from omegaconf import OmegaConf

    from sim.compose import compose_run
    from sim.config import to_typed, validate

    try:
        cfg = compose_run(hydra_app, line.overrides)
    except ConfigError as error:
        if error.key != "scenario":
            raise
        # an unknown scenario: compose again with every option known, for the message
        register_configs(line.scenario_dir)
        cfg = compose_run(hydra_app, line.overrides)
    plain = OmegaConf.masked_copy(cfg, [key for key in cfg if key != "hydra"])
    typed = validate(to_typed(plain))
    check_inputs(typed)
    check_output(cfg, multirun=False)

    def task(_cfg) -> None:
        _run(typed)

    def launch() -> None:
        configure_log(cfg.hydra.hydra_logging, cfg.hydra.verbose)
        callbacks = Callbacks(cfg)
        callbacks.on_run_start(config=cfg, config_name="config")
        context = HydraContext(config_loader=hydra_app.config_loader, callbacks=callbacks)
        ret = run_job(
            hydra_context=context,
            task_function=task,
            config=cfg,
            job_dir_key="hydra.run.dir",
            job_subdir_key=None,
        )
        callbacks.on_run_end(config=cfg, config_name="config", job_return=ret)
        _ = ret.return_value  # re-raises an error of the task, reported as Hydra reports it

    run_and_report(launch)


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM as an exception, so temporary files are removed on the way out."""
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``caravan``."""
    # Mesa finds its module loggers' names with inspect.stack() at import, which reads the
    # source of every frame on the stack and scans sys.modules: imported here, near the
    # bottom of the stack and before the rest, that costs about 0.1 s less than from deep
    # inside the model's imports. Every path below imports it anyway.
    import mesa  # noqa: F401

    argv = list(sys.argv[1:] if argv is None else argv)
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    previous = {}
    try:
        try:
            line = parse_command_line(argv)
            single = is_single_run(line)
            if not single:
                preflight(line)
        except (HydraException, OmegaConfBaseException) as error:  # a form not caught above
            raise ConfigError("overrides", describe_composition_error(error)) from None
        if hasattr(signal, "SIGXFSZ"):  # over the file-size limit: an OSError, not a kill
            previous[signal.SIGXFSZ] = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        if not line.multirun:  # a sweep's launcher manages its own workers' signals
            previous[signal.SIGTERM] = signal.signal(signal.SIGTERM, _terminate)
        try:
            if single:
                try:
                    run_single(line)
                except (HydraException, OmegaConfBaseException) as error:
                    raise ConfigError("overrides", describe_composition_error(error)) from None
            else:
                _hydra_main(line)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
    except CaravanError as error:
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _hydra_main(line: CommandLine) -> None:
    """Sweeps and Hydra's informational flags: through ``hydra.main``."""
    import hydra

    app = hydra.main(config_path=str(CONF_DIR), config_name="config", version_base="1.3")(_task)
    # flags last: an optional flag value (``--info [all|config|...]``) never takes an override
    sys.argv = [sys.argv[0], *line.overrides, *line.flags]
    app()  # a sweep with failed or missing runs exits 1 from its end-of-sweep callback


def list_scenarios(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``caravan-scenarios``: each scenario with its one-line description."""
    from omegaconf import OmegaConf

    files = scenario_files()
    width = max(len(name) for name in files)
    for name, path in files.items():
        description = OmegaConf.load(path).get("scenario", {}).get("description", "")
        print(f"{name:<{width}}  {description}")
