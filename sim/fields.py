"""Range and unit metadata on config dataclass fields, and the one validator that walks them.

A config field declares what it allows where it is defined::

    sigma: float = param(5.0, low=1.0, high=20.0, open_low=True, unit="1")

:func:`check_tree` walks a dataclass tree, checks every field against its
metadata (numbers, also each element of a list or each value of a dict;
choices; quarter labels), then calls the node's ``check(ctx)`` method if it has
one: the hook where cross-field rules of that node run (a subsystem adds its
own there, e.g. ``SettlementConfig.check``). Error messages
(:func:`describe_allowed`) and the README's configuration table
(:func:`config_rows`) are generated from the same metadata, and the meaning of
each key is its Google-style ``Attributes:`` docstring entry.
"""

from __future__ import annotations

import dataclasses
import math
import re
import typing
from collections.abc import Callable, Iterator
from dataclasses import MISSING, dataclass, field
from typing import Any

from sim.errors import ConfigError
from sim.quarters import is_quarter

META = "caravan"  # key of our entry in a dataclass field's metadata


@dataclass(frozen=True)
class Spec:
    """What one config field allows.

    Attributes:
        low: Smallest allowed number (None = unbounded).
        high: Largest allowed number (None = unbounded).
        open_low: ``low`` itself is not allowed.
        open_high: ``high`` itself is not allowed.
        choices: The allowed values of a string field (empty = any).
        quarter: The value is a quarter label ``YYYYQn`` within 1990Q1-2100Q4.
        optional_quarter: As ``quarter``, but ``""`` (= open) is allowed too.
        unit: Unit of the value, for the README ("" = dimensionless or not a number).
        integer: The value is an integer (for messages; OmegaConf enforces the type).
    """

    low: float | None = None
    high: float | None = None
    open_low: bool = False
    open_high: bool = False
    choices: tuple[str, ...] = ()
    quarter: bool = False
    optional_quarter: bool = False
    unit: str = ""
    integer: bool = False


def param(default: Any = MISSING, *, default_factory: Any = MISSING, **spec: Any) -> Any:
    """A dataclass field carrying a :class:`Spec` (keyword arguments as its attributes)."""
    if "choices" in spec:
        spec["choices"] = tuple(spec["choices"])
    meta = {META: Spec(**spec)}
    if default_factory is not MISSING:
        return field(default_factory=default_factory, metadata=meta)
    return field(default=default, metadata=meta)


def spec_of(f: dataclasses.Field) -> Spec | None:
    """The :class:`Spec` of a dataclass field, if it has one."""
    return f.metadata.get(META)


def _num(value: float) -> str:
    if value == 2**63 - 1:
        return "2^63 - 1"
    return str(value)


def describe_allowed(spec: Spec) -> str:
    """The allowed values in words: ``"> 1"``, ``"in [0, 1]"``, ``"one of weo, flat"``."""
    if spec.choices:
        return "one of " + ", ".join(spec.choices)
    if spec.quarter or spec.optional_quarter:
        extra = ' or ""' if spec.optional_quarter else ""
        return f"a quarter label YYYYQn (1990Q1-2100Q4){extra}"
    kind = "an integer " if spec.integer else ""
    if spec.low is not None and spec.high is not None:
        left, right = "(" if spec.open_low else "[", ")" if spec.open_high else "]"
        return f"{kind}in {left}{_num(spec.low)}, {_num(spec.high)}{right}"
    if spec.low is not None:
        return f"{kind}{'>' if spec.open_low else '≥'} {_num(spec.low)}"
    if spec.high is not None:
        return f"{kind}{'<' if spec.open_high else '≤'} {_num(spec.high)}"
    return kind.strip() or "any value"


def _in_range(spec: Spec, value: float) -> bool:
    if not math.isfinite(value):  # NaN passes every comparison; inf is never a setting
        return False
    if spec.low is not None and (value <= spec.low if spec.open_low else value < spec.low):
        return False
    return not (
        spec.high is not None and (value >= spec.high if spec.open_high else value > spec.high)
    )


def check_value(key: str, value: Any, spec: Spec) -> None:
    """Check one value (a list's element or a dict's value each) against ``spec``.

    Raises:
        ConfigError: naming ``key`` and what is allowed.
    """
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            check_value(f"{key}[{i}]", item, spec)
        return
    if isinstance(value, dict):
        for name, item in value.items():
            check_value(f"{key}.{name}", item, spec)
        return
    if value is None:
        return
    if spec.choices and value not in spec.choices:
        raise ConfigError(key, f"must be {describe_allowed(spec)}, got {value!r}")
    if spec.quarter or spec.optional_quarter:
        if spec.optional_quarter and value == "":
            return
        if not is_quarter(value) or not 1990 <= int(str(value)[:4]) <= 2100:
            raise ConfigError(key, f"must be {describe_allowed(spec)}, got {value!r}")
        return
    numeric = spec.low is not None or spec.high is not None
    if numeric and isinstance(value, int | float) and not isinstance(value, bool):
        if not _in_range(spec, value):
            raise ConfigError(key, f"must be {describe_allowed(spec)}, got {value}")


def spec_at(cls: type, key: str) -> tuple[Spec | None, Any] | None:
    """The :class:`Spec` and type hint of the field a dotted ``key`` names under ``cls``.

    List entries may be written ``name[0]``, ``name[]`` or ``name``
    (``settlement.hazard_scales[0].factor``). Returns None when no field has that key.
    """
    node: Any = cls
    parts = [part for part in re.sub(r"\[\d*\]", "", key).split(".") if part]
    for depth, name in enumerate(parts):
        if not (isinstance(node, type) and dataclasses.is_dataclass(node)):
            return None
        found = next((f for f in dataclasses.fields(node) if f.name == name), None)
        if found is None:
            return None
        hint = _hints(node)[name]
        if depth == len(parts) - 1:
            return spec_of(found), hint
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        node = args[0] if args and not dataclasses.is_dataclass(hint) else hint
    return None


_NOT_CONVERTED = re.compile(r"Value '(.*)' of type '\w+' could not be converted to (\w+)")


def conversion_message(cls: type, key: str, message: str) -> str:
    """OmegaConf's "could not be converted" message in our words, with what is allowed.

    ``Value 'abc' of type 'str' could not be converted to Integer`` on
    ``sim.quarters`` becomes ``must be an integer in [1, 400], got 'abc'``; any
    other message is returned as it is.
    """
    match = _NOT_CONVERTED.search(message)
    if match is None:
        return message
    value, target = match.groups()
    found = spec_at(cls, key)
    spec = found[0] if found else None
    kind = {"Integer": "an integer", "Float": "a number", "Boolean": "true or false"}
    if spec is not None and spec != Spec():
        allowed = describe_allowed(spec)
        if target == "Float" and not allowed.startswith(("one of", "a quarter")):
            allowed = f"a number {allowed}"
    else:
        allowed = kind.get(target, target.lower())
    return f"must be {allowed}, got {value!r}"


@dataclass
class Context:
    """What cross-field checks may need besides their own node.

    Attributes:
        root: The whole config being validated.
        economies: The economies the run models, ROW last.
    """

    root: Any
    economies: tuple[str, ...] = ()


def check_tree(node: Any, prefix: str, ctx: Context) -> None:
    """Check every field of a dataclass tree, then each node's ``check(ctx)`` hook.

    Children are checked before their parent's hook, so a hook may rely on the
    ranges of the fields below it.

    Raises:
        ConfigError: the first violation, naming the dotted key.
    """
    for f in dataclasses.fields(node):
        key = f"{prefix}.{f.name}" if prefix else f.name
        value = getattr(node, f.name)
        if dataclasses.is_dataclass(value):
            check_tree(value, key, ctx)
            continue
        if isinstance(value, list) and value and dataclasses.is_dataclass(value[0]):
            for i, item in enumerate(value):
                check_tree(item, f"{key}[{i}]", ctx)
            continue
        if (spec := spec_of(f)) is not None:
            check_value(key, value, spec)
    hook: Callable[..., None] | None = getattr(node, "check", None)
    if callable(hook):
        hook(ctx, prefix)


def attribute_docs(cls: type) -> dict[str, str]:
    """Field name → its one-paragraph description from the class's ``Attributes:`` section."""
    doc = cls.__doc__ or ""
    lines = doc.splitlines()
    out: dict[str, str] = {}
    inside, current = False, None
    for line in lines:
        stripped = line.strip()
        if stripped == "Attributes:":
            inside = True
            continue
        if not inside:
            continue
        if stripped and not line.startswith(" " * 8) and stripped.endswith(":"):
            break  # next section
        match = re.match(r"^\s{4,8}(\w+):\s*(.*)$", line)
        if match and len(line) - len(line.lstrip()) <= 8 and match.group(1) in _names(cls):
            current = match.group(1)
            out[current] = match.group(2).strip()
        elif current and stripped:
            out[current] += " " + stripped
    return out


def _names(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


@dataclass(frozen=True)
class Row:
    """One row of the configuration table.

    Attributes:
        key: Dotted key.
        type: Type in words.
        default: Default value, as YAML would show it.
        allowed: :func:`describe_allowed` of the field's spec.
        unit: The field's unit.
        meaning: Its docstring description.
    """

    key: str
    type: str
    default: str
    allowed: str
    unit: str
    meaning: str


def _type_name(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__name__
    text = str(annotation).replace("typing.", "")
    return text.replace("| None", "or null").replace("list[str]", "list of str")


def _default(f: dataclasses.Field) -> Any:
    if f.default is not MISSING:
        return f.default
    if f.default_factory is not MISSING:
        return f.default_factory()
    return None


def config_rows(cls: type, prefix: str = "") -> Iterator[Row]:
    """Rows of every field under ``cls`` that has a :class:`Spec` or a docstring entry.

    A subsystem's config that still validates itself (a ``validate`` method and
    no specs) is one row pointing at its module.
    """
    docs = attribute_docs(cls)
    hints = _hints(cls)
    for f in dataclasses.fields(cls):
        key = f"{prefix}.{f.name}" if prefix else f.name
        default = _default(f)
        sub = hints.get(f.name)
        args = typing.get_args(sub)
        if typing.get_origin(sub) is list and args and dataclasses.is_dataclass(args[0]):
            yield from config_rows(args[0], f"{key}[]")
            continue
        if isinstance(sub, type) and dataclasses.is_dataclass(sub):
            if _has_specs(sub) or not hasattr(sub, "validate"):
                yield from config_rows(sub, key)
            else:
                meaning = (sub.__doc__ or "").strip().splitlines()[0]
                yield Row(f"{key}.*", "group", "", "", "", f"{meaning} (`{sub.__module__}`)")
            continue
        spec = spec_of(f) or Spec()
        shown = (
            "null"
            if default is None
            else str(default).lower()
            if default in (True, False)
            else default
        )
        yield Row(
            key,
            _type_name(hints.get(f.name, f.type)),
            str(shown),
            describe_allowed(spec) if spec != Spec() else "",
            spec.unit,
            docs.get(f.name, ""),
        )


def _has_specs(cls: type) -> bool:
    return any(spec_of(f) for f in dataclasses.fields(cls))


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def markdown_table(cls: type) -> str:
    """The README's configuration table for ``cls`` (one row per key)."""
    lines = ["| key | type | default | allowed | unit | meaning |", "|---|---|---|---|---|---|"]
    for row in config_rows(cls):
        cells = [f"`{row.key}`", row.type, f"`{row.default}`" if row.default else ""]
        cells += [row.allowed, row.unit, row.meaning.replace("``", "`").replace("|", "\\|")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


BEGIN = "<!-- config-table: generated by `uv run python -m sim.config` from the field metadata -->"
END = "<!-- config-table:end -->"
