"""Structured configuration (Hydra/OmegaConf dataclasses) and its validation.

Every field carries what it allows (:func:`sim.fields.param`: range, choices,
unit) next to its default, and its meaning in the class docstring. Hydra
checks types and unknown keys against these dataclasses but not ranges, and
``+key=value`` bypasses the schema; :func:`validate` therefore re-checks the
composed config against the schema (:func:`to_typed`, refusing unknown keys)
and walks the tree with the one validator (:func:`sim.fields.check_tree`):
every field's range, then each node's ``check`` hook for cross-field rules
and resource limits. Each raises :class:`sim.errors.ConfigError` naming the
dotted key, before any run starts.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import os
import re
import types
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from omegaconf import DictConfig, ListConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.errors import ConfigError
from sim.fields import Context, check_tree, conversion_message, param
from sim.policy.bans import TradeBan, validate_ban
from sim.quarters import quarter_ordinal
from sim.routing.config import CorridorsConfig
from sim.settlement.config import SettlementConfig

SEED_MODES = ("per_run", "per_replicate", "fixed")
MEMORY_SHARE = 0.8
"""Largest share of the available memory a run's estimated footprint may take."""


def registry(world_name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Economy codes (ROW excluded, in world order) and bloc names of a shipped world.

    The World is the registry (:mod:`sim.data.loader`); nothing here lists codes.

    Raises:
        ConfigError: ``world.name`` is not a shipped world.
    """
    from sim.data.loader import load_world

    world = load_world(world_name)
    return world.economies[:-1], world.bloc_names


def _codes(key: str, codes: Sequence[str], allow_blocs: bool, world_name: str) -> None:
    economies, blocs = registry(world_name)
    allowed = economies + (blocs + ("ALL",) if allow_blocs else ())
    for code in codes:
        if code not in allowed:
            near = difflib.get_close_matches(str(code).upper(), allowed, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            listed = (
                ", ".join(allowed)
                if len(allowed) <= 25
                else f"the {len(economies)} economies of sim/data/{world_name}/economies.csv "
                "(those left out for want of data are listed in its DATA_REPORT.md)"
                + (f" or {', '.join(blocs)}, ALL" if allow_blocs else "")
            )
            raise ConfigError(key, f"unknown economy {code!r}{hint}; allowed: {listed}")


@dataclass
class WorldConfig:
    """Which world and which economies.

    Attributes:
        name: Shipped world (``sim.data.loader.WORLDS``: ``cis2023``, ``cis2021``,
            ``dots2020`` = every IMF DOTS economy with complete data).
        economies: ISO3 codes to model (empty = all of the world's); the others fold
            into ROW.
        trade_matrix: Optional path to a user-supplied complete trade matrix CSV
            (columns exporter, importer, value_usd_bn), replacing the shipped one.
    """

    name: str = "cis2023"
    economies: list[str] = field(default_factory=list)
    trade_matrix: str | None = None

    def check(self, ctx: Context, prefix: str) -> None:
        """Codes known, none twice, at least two; a matrix path that is not empty."""
        _codes(f"{prefix}.economies", self.economies, allow_blocs=False, world_name=self.name)
        if len(set(self.economies)) != len(self.economies):
            raise ConfigError(f"{prefix}.economies", "lists an economy twice")
        if self.economies and len(self.economies) < 2:
            raise ConfigError(
                f"{prefix}.economies", "must list at least 2 economies (or none for all)"
            )
        if self.trade_matrix is not None and not str(self.trade_matrix).strip():
            raise ConfigError(
                f"{prefix}.trade_matrix",
                "is empty; give the path of a CSV file, or null for the shipped matrix",
            )


@dataclass
class TradeConfig:
    """The GE trade core.

    Attributes:
        sigma: Elasticity of substitution σ. Default 5: a trade
            elasticity σ − 1 = 4, as in Simonovska & Waugh (2014, JIE 92(1)).
        adjustment: Trade inertia θ: the trade costs demand responds to move a
            share θ of the log way to the quarter's costs each quarter
            (sim/model.py); 1 = the quarter is the GE counterfactual.
    """

    sigma: float = param(5.0, low=1.0, high=20.0, open_low=True)
    adjustment: float = param(1.0, low=0.0, high=1.0, open_low=True, unit="share per quarter")


@dataclass
class SimConfig:
    """Simulation horizon and baseline growth.

    Attributes:
        quarters: Number of quarters to simulate.
        start: First simulated quarter.
        growth: ``weo`` = real output grows along the IMF WEO path shipped with the
            data (held at the last observed rate afterwards); ``flat`` = no growth.
    """

    quarters: int = param(12, low=1, high=400, integer=True, unit="quarters")
    start: str = param("2024Q1", quarter=True)
    growth: str = param("weo", choices=("weo", "flat"))


@dataclass
class TariffChange:
    """A scheduled change to the tariff (or non-tariff barrier) rate of a set of pairs.

    The rate of each affected pair moves from its baseline τ to τ × ``scale``
    along ``path`` between ``start`` and ``end`` (quarter labels).

    Attributes:
        exporters: ISO3 codes or bloc names (CIS, EAEU, CIS_FTA); empty or ALL = all.
        importers: As ``exporters``.
        both_directions: Also apply with exporters and importers swapped.
        start: First quarter of the phase-in (``YYYYQn``).
        end: Quarter the phase-in completes (≥ start).
        path: ``linear`` or ``step``.
        scale: Final multiple of the baseline rate (0 = abolished).
    """

    exporters: list[str] = field(default_factory=list)
    importers: list[str] = field(default_factory=list)
    both_directions: bool = True
    start: str = param("2025Q1", quarter=True)
    end: str = param("2025Q1", quarter=True)
    path: str = param("linear", choices=("linear", "step"))
    scale: float = param(0.0, low=0.0, high=10.0, unit="× baseline rate")

    def check(self, ctx: Context, prefix: str) -> None:
        """Known codes, modelled economies, an international pair, ``start`` ≤ ``end``."""
        modelled, world_name = ctx.root.world.economies, ctx.root.world.name
        _codes(f"{prefix}.exporters", self.exporters, allow_blocs=True, world_name=world_name)
        _codes(f"{prefix}.importers", self.importers, allow_blocs=True, world_name=world_name)
        codes = registry(world_name)[0]
        for side in ("exporters", "importers"):
            folded = [c for c in getattr(self, side) if c in codes and c not in modelled]
            if modelled and folded:
                raise ConfigError(
                    f"{prefix}.{side}",
                    f"economy {folded[0]!r} is not modelled (world.economies folds it into ROW)",
                )
        single = set(self.exporters) == set(self.importers) and len(set(self.exporters)) == 1
        if single and self.exporters[0] in codes:
            raise ConfigError(
                f"{prefix}.importers",
                f"selects no international pair (exporters and importers are both "
                f"{self.exporters[0]!r}; domestic sales carry no tariff)",
            )
        if quarter_ordinal(self.end) < quarter_ordinal(self.start):
            raise ConfigError(
                f"{prefix}.end", f"must not be before start ({self.start}), got {self.end}"
            )


@dataclass
class TariffConfig:
    """Tariff regime and its scheduled changes.

    The baseline is the applied 2023/24 regime (rules in :mod:`sim.policy.tariffs`).

    Attributes:
        cis_fta_exemption_share: Share of CIS-FTA trade still tariffed at the
            importer's applied rate. Default 0.1 is *assumed* (the
            exemption lists are not quantified in the shipped sources).
        eaeu_iran_interim: Apply the 2019 EAEU–Iran interim cuts.
        changes: Scheduled tariff changes.
        ntb_base: Non-tariff barriers as an ad-valorem equivalent on every
            international pair; 0 = none modelled at baseline. Only
            changes relative to the baseline affect trade.
        ntb_changes: Scheduled changes of the NTB equivalent (``scale`` of ntb_base).
        bans: Import and export bans (:class:`~sim.policy.bans.TradeBan`).
    """

    cis_fta_exemption_share: float = param(0.1, low=0.0, high=1.0, unit="share")
    eaeu_iran_interim: bool = True
    changes: list[TariffChange] = field(default_factory=list)
    ntb_base: float = param(0.0, low=0.0, high=10.0, unit="ad valorem")
    ntb_changes: list[TariffChange] = field(default_factory=list)
    bans: list[TradeBan] = field(default_factory=list)

    def check(self, ctx: Context, prefix: str) -> None:
        """Bans: the scope and date rules of a change plus their own; NTB changes need a base."""
        for i, ban in enumerate(self.bans):
            validate_ban(f"{prefix}.bans[{i}]", ban)
            TariffChange.check(ban, ctx, f"{prefix}.bans[{i}]")  # type: ignore[arg-type]
        if self.ntb_changes and self.ntb_base == 0.0:
            raise ConfigError(
                f"{prefix}.ntb_base",
                "is 0, so tariff.ntb_changes (which scale it) would have no effect; "
                "set the baseline NTB ad-valorem equivalent > 0",
            )


@dataclass
class OutputConfig:
    """What a run writes.

    Attributes:
        pairs: Write ``pairs.parquet`` (the largest table).
        summary: Print a short summary at the end of a run.
    """

    pairs: bool = True
    summary: bool = True


@dataclass
class ScenarioConfig:
    """Name and description of the scenario being run (set by ``scenario=NAME``).

    Attributes:
        name: Scenario name.
        description: One line on what it represents.
    """

    name: str = "baseline"
    description: str = "2024 status quo: policy levers held at their 2023/24 values."


@dataclass
class SweepConfig:
    """How a run takes part in a sweep (ignored by single runs; see :mod:`sim.sweep`).

    Attributes:
        replicate: Replication index; sweep it with ``sweep.replicate=range(N)``.
        seeds: ``per_run`` (default): seed from (base seed, job number), so every
            run is independent; ``per_replicate``: seed from (base seed,
            replicate), so runs of the same replicate share random numbers across
            parameter points (common random numbers); ``fixed``: the base seed.
        sample: Row of a sampled design (set by the SALib sweeper; −1 = none).
    """

    replicate: int = param(0, low=0, integer=True)
    seeds: str = param("per_run", choices=SEED_MODES)
    sample: int = param(-1, low=-1, integer=True)


@dataclass
class CaravanConfig:
    """The whole configuration of one run.

    Attributes:
        seed: The one seed; every random stream derives from it
            (``numpy.random.SeedSequence``).
    """

    seed: int = param(42, low=0, high=2**63 - 1, integer=True)
    world: WorldConfig = field(default_factory=WorldConfig)
    trade: TradeConfig = field(default_factory=TradeConfig)
    sim: SimConfig = field(default_factory=SimConfig)
    tariff: TariffConfig = field(default_factory=TariffConfig)
    corridors: CorridorsConfig = field(default_factory=CorridorsConfig)
    settlement: SettlementConfig = field(default_factory=SettlementConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    sweep: SweepConfig = field(default_factory=SweepConfig)

    def check(self, ctx: Context, prefix: str) -> None:
        """The memory the run would need (each subsystem's rules run in its own check hook)."""
        check_memory(self, ctx.economies)


def model_economies(cfg: CaravanConfig) -> tuple[str, ...]:
    """The economies a run models, in canonical order, with ROW last."""
    codes = registry(cfg.world.name)[0]
    chosen = set(cfg.world.economies) or set(codes)
    return (*[code for code in codes if code in chosen], "ROW")


def schema_keys(cls: type | None = None, prefix: str = "") -> list[str]:
    """Every dotted key of the schema (``tariff.changes[].scale`` for list entries)."""
    import dataclasses
    import typing

    cls = cls or CaravanConfig
    keys: list[str] = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        key, hint = f"{prefix}{f.name}", hints[f.name]
        args = typing.get_args(hint)
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            keys += schema_keys(hint, f"{key}.")
        elif typing.get_origin(hint) is list and args and dataclasses.is_dataclass(args[0]):
            keys += schema_keys(args[0], f"{key}[].")
        else:
            keys.append(key)
    return keys


def unknown_key_message(key: str) -> str:
    """``"unknown key (not in the config schema)"``, with the nearest key if one is close."""
    plain = re.sub(r"\[\d*\]", "[]", key)
    keys = schema_keys()
    near = difflib.get_close_matches(plain, keys, n=1, cutoff=0.75)
    if not near:  # a typo in the last part only: compare with the siblings' names
        parent, _, leaf = plain.rpartition(".")
        siblings = [k for k in keys if k.rpartition(".")[0] == parent]
        near = difflib.get_close_matches(leaf, [k.rpartition(".")[2] for k in siblings], n=1)
        near = [f"{parent}.{near[0]}" if parent else near[0]] if near else []
    hint = f"; did you mean {near[0].replace('[]', '[0]')!r}?" if near else ""
    return f"unknown key (not in the config schema){hint}"


@functools.cache
def _schema() -> DictConfig:
    """The schema as an OmegaConf node (built once; ``merge`` copies it)."""
    return OmegaConf.structured(CaravanConfig)


def _only_schema_keys(node: object) -> bool:
    """True unless a typed node below ``node`` holds a key its dataclass lacks (``+key=``)."""
    if isinstance(node, DictConfig):
        kind = OmegaConf.get_type(node)
        if dataclasses.is_dataclass(kind):
            if not set(node.keys()) <= {f.name for f in dataclasses.fields(kind)}:
                return False
        return all(_only_schema_keys(node._get_node(key)) for key in node.keys())
    if isinstance(node, ListConfig):
        return all(_only_schema_keys(node._get_node(i)) for i in range(len(node)))
    return True


def _composed_onto_schema(cfg: DictConfig) -> CaravanConfig | None:
    """The typed config read straight off ``cfg`` if Hydra composed it onto the schema, else None.

    ``conf/config.yaml`` lists ``caravan_schema`` first, so in a config Hydra
    composed every section is already a node typed with its dataclass, its
    values checked and converted by the same OmegaConf merge :func:`to_typed`
    makes; only the root (``seed``) is untyped. Converting the sections as
    they are skips copying and merging the whole config again (about 50 ms of
    a single run). Anything else (a missing key, an extra one anywhere, an untyped section,
    a root value of another type, a conversion error) gives None, and
    :func:`to_typed` takes its general path, which names the offending key.
    """
    hints = typing.get_type_hints(CaravanConfig)
    names = [f.name for f in dataclasses.fields(CaravanConfig)]
    if set(cfg.keys()) - {"hydra"} != set(names):
        return None
    values = {}
    try:
        for name in names:
            node, kind = cfg._get_node(name), hints[name]
            if dataclasses.is_dataclass(kind):
                typed = isinstance(node, DictConfig) and OmegaConf.get_type(node) is kind
                if not (typed and _only_schema_keys(node)):
                    return None
                values[name] = OmegaConf.to_object(node)
            elif type(value := cfg[name]) is kind:
                values[name] = value
            else:
                return None
        return CaravanConfig(**values)
    except (OmegaConfBaseException, TypeError, ValueError):
        return None


def to_typed(cfg: DictConfig | dict) -> CaravanConfig:
    """Merge a composed config onto the schema, refusing unknown keys and wrong types.

    A config Hydra composed is already on the schema and is converted as it is
    (:func:`_composed_onto_schema`, the same result).

    Raises:
        ConfigError: naming the offending key.
    """
    if isinstance(cfg, DictConfig) and (typed := _composed_onto_schema(cfg)) is not None:
        return typed
    schema = _schema()
    try:
        plain = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else cfg
        plain = {k: v for k, v in plain.items() if k != "hydra"}
        merged = OmegaConf.merge(schema, plain)
    except OmegaConfBaseException as error:
        key = getattr(error, "full_key", None) or "config"
        message = str(getattr(error, "msg", error)).splitlines()[0]
        if "not in struct" in message or "Key '" in message and "not in" in message:
            message = unknown_key_message(key)
        raise ConfigError(key, conversion_message(CaravanConfig, key, message)) from None
    typed: CaravanConfig = OmegaConf.to_object(merged)  # type: ignore[assignment]
    return typed


_BOOL_WORDS = {"true", "false", "yes", "no", "on", "off", "1", "0"}


def _is_bool_word(value: object) -> bool:
    """True for a value OmegaConf may read as a bool without guessing."""
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return value in (0, 1)
    return isinstance(value, str) and value.strip().lower() in _BOOL_WORDS


def _field_type(kind: object, name: str) -> object | None:
    """Type of field ``name`` of dataclass ``kind`` (None if not a dataclass field)."""
    if not (isinstance(kind, type) and dataclasses.is_dataclass(kind)):
        return None
    if name not in {f.name for f in dataclasses.fields(kind)}:
        return None
    return typing.get_type_hints(kind)[name]


def coerced_bools(value: object, kind: object, key: str) -> Iterator[tuple[str, object]]:
    """``(key, value)`` for every true/false field of ``kind`` that ``value`` fills with a non-bool.

    Walks dataclasses, lists and dicts of them, so a flag inside a list entry
    (``tariff.changes=[{…, both_directions: 5}]``) is found as well as a top-level one.
    OmegaConf would read any integer as true, so these are refused, not converted.
    """
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind is bool:
        if not _is_bool_word(value):
            yield key, value
    elif origin in (typing.Union, types.UnionType):
        for arg in args:
            if arg is not type(None):
                yield from coerced_bools(value, arg, key)
    elif origin is list and isinstance(value, list) and args:
        for index, item in enumerate(value):
            yield from coerced_bools(item, args[0], f"{key}[{index}]")
    elif origin is dict and isinstance(value, dict) and len(args) == 2:
        for name, item in value.items():
            yield from coerced_bools(item, args[1], f"{key}.{name}")
    elif isinstance(value, dict):
        for name, item in value.items():
            field_kind = _field_type(kind, str(name))
            if field_kind is not None:
                yield from coerced_bools(item, field_kind, f"{key}.{name}" if key else str(name))


def _key_type(dotted: str) -> object | None:
    """Schema type at a dotted key (None where the key is not a schema field)."""
    kind: object = CaravanConfig
    for name in dotted.split("."):
        kind = _field_type(kind, name)
        if kind is None:
            return None
    return kind


def check_bools(value: object, key: str = "") -> None:
    """Refuse a non-bool where the schema wants true/false, at ``key`` or below it.

    ``key`` is dotted (``""`` = the whole config, e.g. a scenario file's contents).

    Raises:
        ConfigError: naming the key, e.g. ``tariff.changes[0].both_directions``.
    """
    kind = _key_type(key) if key else CaravanConfig
    for where, bad in coerced_bools(value, kind, key):
        raise ConfigError(where, f"must be true or false, got {str(bad)!r}")


def check_bool_overrides(overrides: Sequence[str]) -> None:
    """Refuse a true/false key given anything but true/false, in any override form.

    Each override is parsed as Hydra parses it; its value (or each value of a
    choice sweep) is walked against the schema with :func:`check_bools`, so
    ``output.pairs=-1``, ``settlement.enabled=1e20`` and a flag inside a list
    lever are all refused before anything is composed. Overrides Hydra cannot
    parse are left for the composition to report.

    Raises:
        ConfigError: naming the key.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.override_parser.types import ChoiceSweep
    from hydra.errors import HydraException

    try:
        parsed = OverridesParser.create().parse_overrides(list(overrides))
    except HydraException:
        return
    for override in parsed:
        if override.is_delete() or "/" in override.key_or_group:
            continue
        value = override.value()
        values = value.list if isinstance(value, ChoiceSweep) else [value]
        for item in values:
            if override.is_sweep_override() and not isinstance(value, ChoiceSweep):
                break  # range()/interval() of numbers: the sweep check reads them
            check_bools(item, override.key_or_group)


def estimated_memory(cfg: CaravanConfig, economies: Sequence[str]) -> dict[str, float]:
    """Bytes the run's records hold at their peak, by the key that drives each term.

    Per quarter the model records about 24 float columns per pair and, with
    settlement, 4 per pair and currency (one currency per economy plus USD,
    EUR, CNY); the tables copy the records once more. The traders' own arrays
    are checked by the settlement layer (``SettlementConfig``), not here.
    """
    n = len(economies)
    currencies = n + 3
    per_quarter = 8.0 * 2 * (24 * n * n + 4 * n * n * currencies + 12 * n)
    return {"sim.quarters": cfg.sim.quarters * per_quarter}


def available_memory() -> float | None:
    """Bytes of memory available to a new run (``MemAvailable``, capped by ``RLIMIT_AS``)."""
    import resource

    limits: list[float] = []
    try:
        with open("/proc/meminfo", encoding="ascii") as file:
            for line in file:
                if line.startswith("MemAvailable:"):
                    limits.append(float(line.split()[1]) * 1024)
    except OSError:
        try:
            limits.append(float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")))
        except (ValueError, OSError):
            pass
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        limits.append(float(soft))
    return min(limits) if limits else None


def check_memory(cfg: CaravanConfig, economies: Sequence[str]) -> None:
    """Refuse a run whose estimated footprint exceeds the memory available.

    Raises:
        ConfigError: naming the key that drives the largest term.
    """
    terms = estimated_memory(cfg, economies)
    total, available = sum(terms.values()), available_memory()
    if available is None or total <= MEMORY_SHARE * available:
        return
    key = max(terms, key=terms.__getitem__)
    raise ConfigError(
        key,
        f"the run would need about {total / 2**30:.1f} GiB of memory, more than "
        f"{MEMORY_SHARE:.0%} of the {available / 2**30:.1f} GiB available; lower it",
    )


def validate(cfg: CaravanConfig) -> CaravanConfig:
    """Check every range and cross-field rule; return ``cfg`` unchanged.

    Raises:
        ConfigError: the first violation, naming the dotted key and what is allowed.
    """
    check_tree(cfg, "", Context(root=cfg, economies=model_economies(cfg)))
    return cfg


if __name__ == "__main__":  # regenerate README.md's configuration table
    from sim.fields import BEGIN, END, markdown_table
    from sim.readme import regenerate

    regenerate(BEGIN, END, markdown_table(CaravanConfig))
