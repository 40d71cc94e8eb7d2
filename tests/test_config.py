"""Structured config and validation of the tariff levers: what is accepted, what is refused."""

from __future__ import annotations

import pytest

from sim.config import (
    CaravanConfig,
    TariffChange,
    TariffConfig,
    registry,
    to_typed,
    validate,
)
from sim.errors import ConfigError
from sim.fields import spec_at


def with_tariff(**fields) -> CaravanConfig:
    return CaravanConfig(tariff=TariffConfig(**fields))


def test_defaults_are_valid_and_tariff_only():
    cfg = validate(CaravanConfig())
    assert cfg.tariff.changes == [] and cfg.tariff.ntb_base == 0.0
    assert set(registry("cis2023")[1]) == {"CIS", "EAEU", "CIS_FTA"}


@pytest.mark.parametrize(
    "change",
    [
        TariffChange(scale=0.0),
        TariffChange(scale=10.0),
        TariffChange(start="2025Q2", end="2025Q2", path="step"),
        TariffChange(exporters=["ALL"], importers=[]),
        TariffChange(exporters=["CIS_FTA"], importers=["CIS_FTA"]),
        TariffChange(exporters=["RUS"], importers=["IRN"], both_directions=False),
        TariffChange(exporters=["EAEU"], importers=["EAEU"]),  # bloc to itself is fine
    ],
)
def test_edge_values_are_accepted(change):
    validate(with_tariff(changes=[change], ntb_base=10.0, ntb_changes=[change]))


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"changes": [TariffChange(scale=-0.01)]}, "tariff.changes[0].scale"),
        ({"changes": [TariffChange(scale=10.01)]}, "tariff.changes[0].scale"),
        ({"changes": [TariffChange(scale=float("nan"))]}, "tariff.changes[0].scale"),
        ({"changes": [TariffChange(start="2025Q3", end="2025Q2")]}, "tariff.changes[0].end"),
        ({"changes": [TariffChange(), TariffChange(path="cubic")]}, "tariff.changes[1].path"),
        ({"changes": [TariffChange(exporters=["ROW"])]}, "tariff.changes[0].exporters"),
        ({"changes": [TariffChange(exporters=["TJK"], importers=["TJK"])]}, "importers"),
        ({"ntb_base": 0.0, "ntb_changes": [TariffChange(scale=0.5)]}, "tariff.ntb_base"),
        ({"ntb_base": 0.2, "ntb_changes": [TariffChange(end="1989Q4")]}, "ntb_changes[0].end"),
        ({"cis_fta_exemption_share": -0.1}, "tariff.cis_fta_exemption_share"),
    ],
)
def test_tariff_rules_refuse_naming_the_key(fields, key):
    with pytest.raises(ConfigError) as caught:
        validate(with_tariff(**fields))
    message = str(caught.value)
    assert key in message.split(": ")[0] and "\n" not in message, message


def test_change_naming_an_economy_outside_the_modelled_world_is_refused():
    cfg = with_tariff(changes=[TariffChange(exporters=["CIS"], importers=["IND"])])
    cfg.world.economies = ["RUS", "KAZ", "CHN"]
    with pytest.raises(ConfigError, match=r"tariff.changes\[0\].importers: economy 'IND'"):
        validate(cfg)
    cfg.tariff.changes[0].importers = ["CHN"]
    validate(cfg)  # blocs are fine on a subset: they fold to their modelled members


def test_nan_is_refused_for_every_range():
    cfg = CaravanConfig()
    cfg.trade.adjustment = float("nan")
    with pytest.raises(ConfigError, match="trade.adjustment"):
        validate(cfg)


def test_to_typed_refuses_unknown_keys_and_wrong_types():
    with pytest.raises(ConfigError, match="unknown key"):
        to_typed({"tariff": {"ntb_rate": 0.1}})
    with pytest.raises(ConfigError, match="scale"):
        to_typed({"tariff": {"changes": [{"scale": "lots"}]}})
    typed = to_typed({"tariff": {"changes": [{"exporters": ["EAEU"], "scale": 0.1}]}})
    assert isinstance(typed.tariff.changes[0], TariffChange)
    assert typed.tariff.changes[0].both_directions is True


def _spec_fields(cls, prefix=""):
    """(dotted key, setter path, spec) of every field with a range under ``cls``."""
    import dataclasses
    import typing

    from sim.fields import spec_of

    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            yield from _spec_fields(hint, f"{prefix}{f.name}.")
        elif (spec := spec_of(f)) is not None and (spec.low is not None or spec.high is not None):
            yield f"{prefix}{f.name}", spec


RANGED = list(_spec_fields(CaravanConfig))


@pytest.mark.parametrize(("key", "spec"), RANGED, ids=[k for k, _ in RANGED])
def test_every_ranged_field_refuses_nan_and_its_bounds_from_the_metadata(key, spec):
    from sim.fields import describe_allowed

    outside = [float("nan"), float("inf")]
    if spec.low is not None:
        outside.append(spec.low if spec.open_low else spec.low - 1)
    if spec.high is not None:
        outside.append(spec.high if spec.open_high else spec.high + 1)
    for value in outside:
        cfg = CaravanConfig()
        *path, leaf = key.split(".")
        node = cfg
        for part in path:
            node = getattr(node, part)
        setattr(node, leaf, value)
        with pytest.raises(ConfigError) as caught:
            validate(cfg)
        assert str(caught.value) == f"{key}: must be {describe_allowed(spec)}, got {value}"


def test_readme_configuration_table_is_generated_from_the_metadata():
    from pathlib import Path

    from sim.fields import BEGIN, END, markdown_table
    from sim.readme import with_block

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert with_block(readme, BEGIN, END, markdown_table(CaravanConfig)) == readme, (
        "README.md's configuration table is stale: run `uv run python -m sim.config`"
    )


def test_cross_field_hook_runs_after_the_fields_below_it():
    from dataclasses import dataclass, field

    from sim.fields import Context, check_tree, param

    order = []

    @dataclass
    class Leaf:
        x: float = param(0.5, low=0.0, high=1.0)

        def check(self, ctx, prefix):
            order.append(prefix)

    @dataclass
    class Root:
        leaf: Leaf = field(default_factory=Leaf)
        items: list[Leaf] = field(default_factory=lambda: [Leaf(), Leaf(x=2.0)])

        def check(self, ctx, prefix):
            order.append("root")

    with pytest.raises(ConfigError, match=r"^items\[1\]\.x: must be in \[0.0, 1.0\], got 2.0$"):
        check_tree(Root(), "", Context(root=None))
    assert order == ["leaf", "items[0]"]
    check_tree(Root(items=[]), "", Context(root=None))
    assert order[-2:] == ["leaf", "root"]


def test_unknown_key_suggests_the_nearest():
    from sim.config import unknown_key_message

    assert unknown_key_message("trade.sigm").endswith("did you mean 'trade.sigma'?")
    assert unknown_key_message("tariff.changes[0].scal").endswith("'tariff.changes[0].scale'?")
    assert unknown_key_message("zzzz") == "unknown key (not in the config schema)"


@pytest.mark.parametrize(
    "overrides",
    [
        [],
        ["trade.sigma=3", "seed=7"],
        ["++corridors.freight_rate_overrides.rail=0.05"],
        ["settlement.traders.n_traders=3000", "sweep.seeds=fixed"],
        *[[f"scenario={name}"] for name in __import__("sim.compose").compose.scenario_files()],
    ],
)
def test_a_composed_config_converts_as_the_general_path_does(overrides):
    from omegaconf import OmegaConf

    from sim.compose import compose, register_configs
    from sim.config import _composed_onto_schema, to_typed

    register_configs()
    cfg = compose(overrides)
    direct = _composed_onto_schema(cfg)
    assert direct is not None  # Hydra composed it onto the schema: the direct conversion
    assert direct == to_typed(OmegaConf.to_container(cfg))  # a plain dict: merged onto the schema


def test_a_config_off_the_schema_takes_the_general_path_and_is_refused():
    from omegaconf import OmegaConf

    from sim.compose import compose, register_configs
    from sim.config import _composed_onto_schema, to_typed

    register_configs()
    plain = OmegaConf.to_container(compose(["debug=fast"]))
    plain["trade"]["bogus"] = 1
    cfg = OmegaConf.create(plain)  # untyped sections
    assert _composed_onto_schema(cfg) is None
    with pytest.raises(ConfigError, match="trade.bogus"):
        to_typed(cfg)
    extra = compose(["debug=fast", "+sim.quarter=3"])  # a key added to a typed section
    assert _composed_onto_schema(extra) is None
    with pytest.raises(ConfigError, match="sim.quarter"):
        to_typed(extra)
    plain = OmegaConf.to_container(compose(["debug=fast"]))
    plain["seed"] = "7"  # a string: converted by the general path
    assert _composed_onto_schema(OmegaConf.create(plain)) is None
    assert to_typed(OmegaConf.create(plain)).seed == 7


def _nested(key: str, value: object) -> dict:
    """``{"a": {"b": value}}`` for ``key`` ``"a.b"``."""
    *path, leaf = key.split(".")
    tree: dict = {leaf: value}
    for part in reversed(path):
        tree = {part: tree}
    return tree


SCALAR = [(k, s) for k, s in RANGED if spec_at(CaravanConfig, k)[1] in (int, float)]


@pytest.mark.parametrize(("key", "spec"), SCALAR, ids=[k for k, _ in SCALAR])
def test_a_value_of_the_wrong_type_is_refused_with_the_allowed_range(key, spec):
    from sim.fields import describe_allowed

    with pytest.raises(ConfigError) as caught:
        to_typed(_nested(key, "abc"))
    allowed = describe_allowed(spec)
    if spec_at(CaravanConfig, key)[1] is float:
        allowed = f"a number {allowed}"
    assert str(caught.value) == f"{key}: must be {allowed}, got 'abc'"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("sim.quarters=1e9", "sim.quarters: must be an integer in [1, 400], got '1000000000.0'"),
        ("seed=1.5", "seed: must be an integer in [0, 2^63 - 1], got '1.5'"),
        (
            "settlement.hazard_scales=[{scope: RUS, from_quarter: 2024Q3, factor: x}]",
            "settlement.hazard_scales[].factor: must be a number in [0, 1000], got 'x'",
        ),
    ],
)
def test_a_composed_override_of_the_wrong_type_names_the_allowed_range(override, message):
    from sim.compose import compose_and_validate

    with pytest.raises(ConfigError) as caught:
        compose_and_validate([override])
    assert str(caught.value) == message


def test_spec_at_finds_list_entries_and_refuses_unknown_keys():
    assert spec_at(CaravanConfig, "settlement.hazard_scales[0].factor")[0].high == 1000
    assert spec_at(CaravanConfig, "settlement.hazard_scales[].factor")[1] is float
    assert spec_at(CaravanConfig, "sim.nope") is None
    assert spec_at(CaravanConfig, "seed.deeper") is None
