"""Command-line entry points: ``caravan`` (a Hydra app) and ``caravan-scenarios``.

``caravan`` composes ``conf/`` plus the chosen scenario, validates every key
and range *before* Hydra creates a run directory, and then hands over to
Hydra. A user's mistake is one line on stderr (``error: <key>: <what is
allowed>``) and exit code 2, with no traceback and no tables written.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from sim.errors import CaravanError, ConfigError

EXIT_USAGE = 2
EXIT_FAILED = 1


def _resource_dir(name: str) -> Path:
    """``conf/`` or ``scenarios/``: from the source tree, else bundled in the wheel."""
    package = Path(__file__).resolve().parent
    for candidate in (package.parent / name, package / "_bundled" / name):
        if candidate.is_dir():
            return candidate
    raise CaravanError(f"cannot find the {name}/ directory next to the sim package")


CONF_DIR = _resource_dir("conf")
SCENARIO_DIR = _resource_dir("scenarios")


def scenario_files() -> dict[str, Path]:
    """Scenario name → YAML file, sorted by name."""
    return {path.stem: path for path in sorted(SCENARIO_DIR.glob("*.yaml"))}


def register_configs() -> None:
    """Register the schema and the scenarios (as group ``scenario``, package ``_global_``)."""
    from hydra.core.config_store import ConfigStore
    from omegaconf import OmegaConf

    from sim.config import CaravanConfig

    store = ConfigStore.instance()
    store.store(name="caravan_schema", node=CaravanConfig)
    for name, path in scenario_files().items():
        store.store(group="scenario", name=name, node=OmegaConf.load(path), package="_global_")


def _user_overrides(argv: Sequence[str]) -> list[str]:
    return [arg for arg in argv if not arg.startswith("-") and "=" in arg]


def _is_multirun(argv: Sequence[str]) -> bool:
    return any(arg in ("-m", "--multirun") for arg in argv)


def _describe_composition_error(error: BaseException) -> str:
    """One line from a Hydra/OmegaConf composition error, naming the key."""
    from omegaconf.errors import OmegaConfBaseException

    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    override = next(
        (
            str(i).split("Error merging override ", 1)[1]
            for i in chain
            if "Error merging override" in str(i)
        ),
        None,
    )
    for item in chain:
        if isinstance(item, OmegaConfBaseException) and getattr(item, "full_key", None):
            message = str(getattr(item, "msg", item)).splitlines()[0]
            if any(t in message for t in ("not in struct", "Could not append", "not in 'Caravan")):
                message = "unknown key (not in the config schema)"
            key = item.full_key
            if override and "=" in override:  # a leaf inside a list: name the override's key
                outer = override.split("=", 1)[0].lstrip("+~")
                if not outer.endswith(key):
                    key = f"{outer}[].{key}"
            return f"{key}: {message}"
    for item in chain:
        text = str(item)
        if "Could not find '" in text and "Available options in '" in text:
            missing = text.split("Could not find '")[1].split("'")[0]
            group, _, option = missing.rpartition("/")
            options = [
                line.strip() for line in text.split("Available options in")[1].splitlines()[1:]
            ]
            if "Config search path:" in options:
                options = options[: options.index("Config search path:")]
            options = [o for o in options if o]
            return f"{group}: unknown option {option!r}; allowed: {', '.join(options)}"
    text = " ".join(str(error).split())
    return text.split(" Available options")[0]


def compose_and_validate(overrides: Sequence[str]):
    """Compose ``conf/`` with ``overrides`` and validate it.

    Returns:
        The typed, validated :class:`~sim.config.CaravanConfig`.

    Raises:
        ConfigError: with a one-line message naming the key.
    """
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from sim.config import to_typed, validate

    register_configs()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
            cfg = compose(config_name="config", overrides=list(overrides))
    except Exception as error:  # Hydra raises several types for bad overrides
        message = _describe_composition_error(error)
        key, _, rest = message.partition(": ")
        raise ConfigError(key, rest) if rest else ConfigError("overrides", message) from None
    finally:
        GlobalHydra.instance().clear()
    return validate(to_typed(cfg))


def check_inputs(cfg) -> None:
    """Load the data a config points at, so a missing or malformed file fails up front.

    Raises:
        DataError: naming the file, row and column.
        ConfigError: for an unknown economy.
    """
    from sim.data.loader import load_world

    load_world(cfg.world.name, cfg.world.economies or None, cfg.world.trade_matrix)


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
        f"intra-CIS export share: {first.intra_cis_trade_share:.1%} → "
        f"{last.intra_cis_trade_share:.1%}; CIS real income index: "
        f"{first.cis_real_income:.4f} → {last.cis_real_income:.4f}"
    )
    print(
        f"  tables: {', '.join(meta['tables'])}; share of world trade imputed: "
        f"{meta['share_of_world_trade_imputed']:.1%}"
    )


def _task(cfg) -> dict | None:
    """The Hydra task: validate, run, write, summarise."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    from sim.config import to_typed, validate
    from sim.runner import run_to_directory

    logging.getLogger("MESA").setLevel(logging.WARNING)
    if HydraConfig.get().mode == RunMode.MULTIRUN:  # sweeps: record failures, never raise
        from sim.sweep.job import run_sweep_job

        return run_sweep_job(cfg)
    typed = validate(to_typed(cfg))
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    meta = run_to_directory(typed, run_dir)
    if typed.output.summary:
        _print_summary(run_dir, meta)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``caravan``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        register_configs()
        if not _is_multirun(argv) and not any(a.startswith("--") for a in argv):
            check_inputs(compose_and_validate(_user_overrides(argv)))
        flags = {a for a in argv if a.startswith("-")} - {"-m", "--multirun"}
        if _is_multirun(argv) and not flags:
            from sim.sweep.validate import validate_multirun

            validate_multirun(_user_overrides(argv), CONF_DIR, _describe_composition_error)
    except CaravanError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(EXIT_USAGE)

    import hydra

    app = hydra.main(config_path=str(CONF_DIR), config_name="config", version_base="1.3")(_task)
    sys.argv = [sys.argv[0], *argv]
    app()  # a sweep with failed or missing runs exits 1 from its end-of-sweep callback


def list_scenarios(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``caravan-scenarios``: each scenario with its one-line description."""
    from omegaconf import OmegaConf

    files = scenario_files()
    width = max(len(name) for name in files)
    for name, path in files.items():
        description = OmegaConf.load(path).get("scenario", {}).get("description", "")
        print(f"{name:<{width}}  {description}")
