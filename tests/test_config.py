"""Structured config and validation of the tariff levers: what is accepted, what is refused."""

from __future__ import annotations

import pytest

from sim.config import (
    BLOC_NAMES,
    CaravanConfig,
    TariffChange,
    TariffConfig,
    to_typed,
    validate,
)
from sim.errors import ConfigError


def with_tariff(**fields) -> CaravanConfig:
    return CaravanConfig(tariff=TariffConfig(**fields))


def test_defaults_are_valid_and_tariff_only():
    cfg = validate(CaravanConfig())
    assert cfg.tariff.changes == [] and cfg.tariff.ntb_base == 0.0
    assert set(BLOC_NAMES) == {"CIS", "EAEU", "CIS_FTA"}


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
