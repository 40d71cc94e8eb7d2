"""Composition: the config directory, the scenario files, and compose-then-validate.

Used by the ``caravan`` command (:mod:`sim.cli`), the dashboard and the tests,
so that every entry point composes and refuses a config the same way:

- :data:`CONF_DIR`, :data:`SCENARIO_DIR`, :func:`scenario_files`,
  :func:`register_configs`: where configs and scenarios come from. A scenario
  is a *name* (letters, digits, ``_`` and ``-``) resolved inside
  ``scenarios/`` or inside a user's own folder given explicitly
  (``caravan --scenario-dir DIR`` or ``scenario_dir=`` here), never a path.
- :func:`normalise_overrides`: every command-line override in the one form the
  pre-check and Hydra both see. ``key`` without ``=`` and ``~key`` are refused
  with one line; a config-group option must be a name; a key inside a
  dictionary lever (``corridors.freight_rate_overrides.rail=0.05``) is added
  with ``++`` so it works without a ``+``.
- :func:`compose`, :func:`compose_and_validate`: Hydra composition, then the
  schema and every range (:func:`sim.config.validate`), errors as one line.
- :func:`check_inputs`, :func:`check_output`: the files a run reads and the
  directory it writes, checked before anything runs.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
import typing
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path

from omegaconf import DictConfig

from sim.errors import CaravanError, ConfigError, DataError

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
"""A scenario or config-group option name: no dots, slashes or spaces."""


def _resource_dir(name: str) -> Path:
    """``conf/`` or ``scenarios/``: from the source tree, else bundled in the wheel."""
    package = Path(__file__).resolve().parent
    for candidate in (package.parent / name, package / "_bundled" / name):
        if candidate.is_dir():
            return candidate
    raise CaravanError(f"cannot find the {name}/ directory next to the sim package")


CONF_DIR = _resource_dir("conf")
SCENARIO_DIR = _resource_dir("scenarios")


def _yaml_names(folder: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted(folder.glob("*.yaml")) if NAME.match(p.stem) and p.is_file()}


def scenario_files(scenario_dir: str | Path | None = None) -> dict[str, Path]:
    """Scenario name → YAML file: the shipped ones, plus a user's folder if given.

    Args:
        scenario_dir: A user's own folder of scenario files (``NAME.yaml``);
            its names must not repeat a shipped scenario's.

    Raises:
        ConfigError: the folder is not a directory or repeats a shipped name.
    """
    files = _yaml_names(SCENARIO_DIR)
    if scenario_dir is None:
        return files
    folder = Path(scenario_dir).expanduser()
    if not folder.is_dir():
        raise ConfigError("--scenario-dir", f"{folder} is not a directory")
    own = _yaml_names(folder)
    if clash := sorted(set(own) & set(files)):
        raise ConfigError(
            "--scenario-dir", f"{own[clash[0]]} has the name of a shipped scenario; rename it"
        )
    return {**files, **own}


_UNREADABLE: dict[str, DataError] = {}
"""Scenario files of the folder registered last that are not YAML, by name: a run that
chooses one is refused with its error; a run of another scenario is not affected."""


def register_configs(
    scenario_dir: str | Path | None = None, only: Collection[str] | None = None
) -> None:
    """Register the schema and the scenarios (group ``scenario``, package ``_global_``).

    The shipped scenarios are registered once per process; a user's folder is
    registered on each call, and scenarios of a folder given earlier are
    withdrawn, so only the folder named now is visible.

    Args:
        scenario_dir: A user's own folder of scenario files.
        only: Register just these scenario names, where they exist (a single run
            reads one scenario; loading the others costs about 5 ms each). None:
            all of them. Names registered earlier stay registered.
    """
    from hydra.core.config_store import ConfigStore

    _register_schema()
    repo = ConfigStore.instance().repo.setdefault("scenario", {})
    shipped_files = _yaml_names(SCENARIO_DIR)
    shipped = {f"{name}.yaml" for name in shipped_files}
    for entry in [e for e in repo if e not in shipped]:
        del repo[entry]
    _UNREADABLE.clear()
    files = scenario_files(scenario_dir) if scenario_dir is not None else shipped_files
    for name, path in files.items():
        if (only is None or name in only) and f"{name}.yaml" not in repo:
            try:
                _store_scenario(name, path)
            except DataError as error:  # refused when chosen (check_before_composing)
                _UNREADABLE[name] = error


@functools.cache
def _register_schema() -> None:
    from hydra.core.config_store import ConfigStore

    from sim.config import CaravanConfig

    ConfigStore.instance().store(name="caravan_schema", node=CaravanConfig)


def chosen_scenarios(overrides: Sequence[str]) -> set[str]:
    """The scenario names a single run's overrides select, with ``conf/``'s default."""
    from omegaconf import OmegaConf

    names = set()
    defaults = OmegaConf.to_container(OmegaConf.load(CONF_DIR / "config.yaml")).get("defaults", [])
    for item in defaults:  # plain dicts (a loaded list holds DictConfigs, not dicts)
        if isinstance(item, dict) and "scenario" in item:
            names.add(str(item["scenario"]))
    for override in overrides:
        key, _, value = override.partition("=")
        if key.lstrip("+") == "scenario":
            names.add(value)
    return names


def _store_scenario(name: str, path: Path) -> None:
    from hydra.core.config_store import ConfigStore
    from omegaconf import OmegaConf

    try:
        node = OmegaConf.load(path)
    except Exception as error:  # a user's scenario file that is not YAML
        raise DataError(str(path), " ".join(str(error).split())) from None
    ConfigStore.instance().store(group="scenario", name=name, node=node, package="_global_")


def groups() -> set[str]:
    """The config groups: each folder of ``conf/`` plus ``scenario``."""
    return {p.name for p in CONF_DIR.iterdir() if p.is_dir()} | {"scenario"}


def group_options(group: str) -> set[str]:
    """The option names of a config group (``scenario``, or a folder of ``conf/``)."""
    if group == "scenario":
        from hydra.core.config_store import ConfigStore

        repo = ConfigStore.instance().repo.get("scenario", {})
        return set(_yaml_names(SCENARIO_DIR)) | {name.removesuffix(".yaml") for name in repo}
    folder = CONF_DIR / group
    return set(_yaml_names(folder)) if folder.is_dir() else set()


def _dict_fields(cls: type, prefix: str = "") -> Iterator[str]:
    """Dotted keys of every dictionary-typed field under the schema ``cls``."""
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        key = f"{prefix}{f.name}"
        hint = hints[f.name]
        if typing.get_origin(hint) is dict:
            yield key
        elif isinstance(hint, type) and dataclasses.is_dataclass(hint):
            yield from _dict_fields(hint, f"{key}.")


def dict_levers() -> tuple[str, ...]:
    """Dotted keys of the schema's dictionary levers (their entries take ``++``)."""
    from sim.config import CaravanConfig

    return tuple(_dict_fields(CaravanConfig))


def normalise_overrides(args: Sequence[str]) -> list[str]:
    """Check the shape of each override and return them as Hydra should see them.

    Raises:
        ConfigError: a form the pre-check cannot validate (``key``, ``~key``,
            ``=value``), or a config-group option that is not a plain name.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.override_parser.types import Glob
    from hydra.errors import HydraException

    levers = dict_levers()
    known_groups = groups()
    parser = OverridesParser.create()
    out: list[str] = []
    for arg in args:
        key, eq, _ = arg.partition("=")
        bare = key.lstrip("+~").split("@")[0]
        if not bare.strip():
            raise ConfigError("overrides", f"{arg!r} has no key; write key=value")
        if key.startswith("~"):
            raise ConfigError(bare, "cannot be deleted (~key); set a value with key=value")
        if not eq:
            raise ConfigError(bare, "has no value; write key=value (e.g. trade.sigma=5)")
        try:
            (parsed,) = parser.parse_overrides([arg])
        except HydraException as error:
            message = " ".join(str(error).split()).split(" See https://")[0]
            raise ConfigError(bare, f"cannot be parsed: {message}") from None
        is_group = bare in known_groups or bare.split("/")[0] in known_groups
        if parsed.is_sweep_override() and isinstance(parsed.value(), Glob):
            if not is_group:
                raise ConfigError(bare, "glob() selects config-group options only")
            chosen = parsed.value().filter(sorted(group_options(bare)))
            if not chosen:
                raise ConfigError(bare, f"{arg.partition('=')[2]} matches no option")
            arg = f"{key}={','.join(chosen)}"
            (parsed,) = parser.parse_overrides([arg])
        if parsed.is_interval_sweep() and not any(a.startswith("hydra/sweeper=") for a in args):
            raise ConfigError(
                bare, "interval() needs a sampling sweeper; list values (a,b,c) or use range()"
            )
        if is_group:
            options = (
                list(parsed.sweep_string_iterator())
                if parsed.is_sweep_override()
                else [parsed.get_value_element_as_str()]
            )
            for option in options:
                if not NAME.match(str(option)):
                    raise ConfigError(
                        bare, f"{option!r} is not an option name (names only, never paths)"
                    )
        if not key.startswith("+") and any(bare.startswith(f"{lever}.") for lever in levers):
            arg = f"++{arg}"
        out.append(arg)
    return out


def _chain(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def describe_composition_error(error: BaseException) -> str:
    """One line from a Hydra/OmegaConf composition error, naming the key."""
    from omegaconf.errors import OmegaConfBaseException

    from sim.config import CaravanConfig, unknown_key_message
    from sim.fields import conversion_message

    chain = _chain(error)
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
            key = item.full_key
            if override and "=" in override:  # a leaf inside a list: name the override's key
                outer = override.split("=", 1)[0].lstrip("+~")
                if not outer.endswith(key) and not key.startswith(outer):
                    key = f"{outer}[].{key}"
            if any(t in message for t in ("not in struct", "Could not append", "not in '")):
                message = unknown_key_message(key)
            return f"{key}: {conversion_message(CaravanConfig, key, message)}"
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
            near = difflib.get_close_matches(option, options, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            return f"{group}: unknown option {option!r}{hint}; allowed: {', '.join(options)}"
    text = " ".join(str(error).split())
    return text.split(" Available options")[0].split(" See https://")[0]


def composition_error(error: Exception) -> ConfigError:
    """Hydra's composition error as a one-line :class:`ConfigError` naming the key."""
    message = describe_composition_error(error)
    key, _, rest = message.partition(": ")
    return ConfigError(key, rest) if rest else ConfigError("overrides", message)


def check_before_composing(overrides: Sequence[str]) -> None:
    """What Hydra's merge onto the schema would let through: integers for true/false keys.

    Used by :func:`compose` and :func:`compose_run` alike.

    Raises:
        ConfigError: naming the override (or the scenario) and the key.
    """
    from sim.config import check_bool_overrides

    check_bool_overrides(overrides)
    _check_scenario_bools(overrides)


def _check_scenario_bools(overrides: Sequence[str]) -> None:
    """Refuse a chosen scenario file that is not YAML or gives a true/false key a non-bool.

    The file's own values are read from the config store before Hydra merges them
    onto the schema (which would read any integer as true).

    Raises:
        ConfigError: naming the scenario and the key.
    """
    from hydra.core.config_store import ConfigStore
    from omegaconf import OmegaConf

    from sim.config import check_bools

    repo = ConfigStore.instance().repo.get("scenario", {})
    for override in overrides:
        key, sep, name = override.lstrip("+").partition("=")
        if sep and key == "scenario" and name.strip() in _UNREADABLE:
            raise _UNREADABLE[name.strip()]
        entry = repo.get(f"{name.strip()}.yaml") if sep and key == "scenario" else None
        if entry is not None:
            try:
                check_bools(OmegaConf.to_container(entry.node, resolve=False))
            except ConfigError as error:
                raise ConfigError(f"scenario={name.strip()}", str(error)) from None


def compose(overrides: Sequence[str], *, with_hydra: bool = False) -> DictConfig:
    """Compose ``conf/`` with (normalised) ``overrides``; errors become one line.

    Raises:
        ConfigError: naming the key.
    """
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    check_before_composing(overrides)
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
            return hydra_compose(
                config_name="config", overrides=list(overrides), return_hydra_config=with_hydra
            )
    except Exception as error:  # Hydra raises several types for bad overrides
        raise composition_error(error) from None
    finally:
        GlobalHydra.instance().clear()


def main_hydra(task_name: str = "cli"):
    """Hydra set up as ``hydra.main`` sets it up for ``caravan`` (``conf/`` the primary config).

    The same search path and job name as the decorator builds for
    :func:`sim.cli.main`'s task, so a run composed here writes the same
    ``.hydra/hydra.yaml``. Replaces any Hydra set up before.
    """
    from hydra import version
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import create_automatic_config_search_path
    from hydra.core.global_hydra import GlobalHydra

    version.setbase("1.3")
    GlobalHydra.instance().clear()
    search_path = create_automatic_config_search_path(None, "sim.cli", str(CONF_DIR))
    return Hydra.create_main_hydra2(task_name=task_name, config_search_path=search_path)


def compose_run(hydra_app, overrides: Sequence[str]) -> DictConfig:
    """Compose a single run's config, ``hydra`` node included, exactly as ``hydra.main`` does.

    ``hydra.mode=RUN`` is added to the overrides as Hydra adds it for a run.

    Raises:
        ConfigError: naming the key.
    """
    from hydra.types import RunMode

    check_before_composing(overrides)
    try:
        return hydra_app.compose_config(
            config_name="config",
            overrides=[*overrides, "hydra.mode=RUN"],
            run_mode=RunMode.RUN,
            from_shell=True,
        )
    except Exception as error:  # Hydra raises several types for bad overrides
        raise composition_error(error) from None


def compose_and_validate(overrides: Sequence[str], scenario_dir: str | Path | None = None):
    """Compose ``conf/`` with ``overrides`` and validate it.

    Returns:
        The typed, validated :class:`~sim.config.CaravanConfig`.

    Raises:
        ConfigError: with a one-line message naming the key.
    """
    from sim.config import to_typed, validate

    register_configs(scenario_dir)
    return validate(to_typed(compose(normalise_overrides(overrides))))


def check_inputs(cfg) -> None:
    """Check the files a config reads, then load them, so a bad file fails up front.

    Raises:
        DataError: naming the file and the cause (row and column where they apply).
        ConfigError: for an unknown world or economy, or an empty path.
    """
    from sim.config import model_economies
    from sim.data.loader import load_world
    from sim.io.files import check_readable_file
    from sim.routing.network import load_network
    from sim.routing.validation import check_against_network

    matrix = cfg.world.trade_matrix
    if matrix is not None:
        matrix = str(check_readable_file("world.trade_matrix", matrix))
    load_world(cfg.world.name, cfg.world.economies or None, matrix)
    # corridor levers name segments, corridors and hubs of the network: checked before the run
    check_against_network(load_network(), cfg.corridors, model_economies(cfg))


def check_output(full: DictConfig, multirun: bool) -> Path:
    """Check the run (or sweep) directory Hydra will create; return it.

    Raises:
        ConfigError: naming ``hydra.run.dir`` (or ``hydra.sweep.dir``) and the cause.
    """
    from omegaconf import OmegaConf

    from sim.io.files import check_output_dir

    key = "hydra.sweep.dir" if multirun else "hydra.run.dir"
    names = ["hydra.output_subdir", "hydra.job.name", *(["hydra.sweep.subdir"] if multirun else [])]
    values = {}
    for name in [key, *names]:
        parent, leaf = name.rsplit(".", 1)
        if name != key and OmegaConf.is_interpolation(OmegaConf.select(full, parent), leaf):
            values[name] = None  # resolved by Hydra per job (e.g. ${hydra.job.num})
            continue
        try:
            values[name] = OmegaConf.select(full, name, throw_on_missing=True)
        except Exception as error:  # an interpolation that cannot resolve
            raise ConfigError(name, " ".join(str(error).split()).split(" full_key")[0]) from None
    for name in names:  # written inside the run directory: a name, never a path out of it
        part = values[name]
        if part is not None and (not str(part).strip() or Path(str(part)).name != str(part)):
            raise ConfigError(name, f"must be a plain name inside the run directory, got {part!r}")
    path = check_output_dir(key, str(values[key]))
    sub = values["hydra.output_subdir"]
    if not multirun and sub is not None and (path / str(sub)).exists():
        if not (path / str(sub)).is_dir():
            raise ConfigError(key, f"{path / str(sub)} exists and is not a directory")
    return path


def check_sweep_inputs(overrides: Sequence[str]) -> None:
    """Check the data every distinct job of a sweep will read or name, before the launch.

    The keys that choose what a job reads are ``world*`` and ``scenario``; the
    ``corridors.*`` levers name segments, corridors and hubs of the network.
    Each combination of their swept values is composed once and checked by
    :func:`check_inputs`.

    Raises:
        CaravanError: for the first job's world whose files are bad.
    """
    import itertools

    from hydra.core.override_parser.overrides_parser import OverridesParser

    from sim.config import to_typed

    parsed = OverridesParser.create().parse_overrides(list(overrides))
    constants, choices = [], []
    for override in parsed:
        key = override.get_key_element()
        reads = override.key_or_group.startswith(("world", "scenario", "corridors"))
        if override.is_sweep_override() and reads and override.is_discrete_sweep():
            choices.append([f"{key}={text}" for text in override.sweep_string_iterator()])
        elif not override.is_sweep_override():  # other swept keys do not change the data
            constants.append(override.input_line)
    seen: set[tuple] = set()
    for combo in itertools.product(*choices):
        typed = to_typed(compose([*constants, *combo]))
        world = typed.world
        fingerprint = (
            world.name,
            tuple(world.economies),
            world.trade_matrix,
            repr(typed.corridors),
        )
        if fingerprint not in seen:
            seen.add(fingerprint)
            check_inputs(typed)
