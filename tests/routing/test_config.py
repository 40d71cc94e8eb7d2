import pytest
from omegaconf import OmegaConf

from sim.errors import ConfigError
from sim.routing import CorridorPhase, CorridorsConfig
from sim.routing.config import CapacityChange, Closure, FeeChange, Opening
from sim.routing.network import load_network
from sim.routing.validation import check_against_network
from tests.routing.fixtures import ECONOMIES, gravity_flows


def _err(cfg, economies=ECONOMIES) -> str:
    """The error of the config's own validator, then of the check against the network."""
    with pytest.raises(ConfigError) as info:
        cfg.validate(list(economies))
        check_against_network(load_network(), cfg, list(economies))
    return str(info.value)


def test_default_is_valid():
    CorridorsConfig().validate(list(ECONOMIES))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "value_of_time_per_day",
            -1,
            "corridors.value_of_time_per_day: must be in [0, 0.1], got -1",
        ),
        ("logit_theta", 0.0, "corridors.logit_theta: must be in (0, 100], got 0.0"),
        ("k_paths", 0, "corridors.k_paths: must be an integer in [1, 50], got 0"),
        ("bpr_beta", 11.0, "corridors.bpr_beta: must be in [0, 10], got 11.0"),
        ("msa_tol", 0.0, "corridors.msa_tol: must be in (0, 1], got 0.0"),
    ],
)
def test_ranges(field, value, message):
    assert _err(CorridorsConfig(**{field: value})) == message


def test_unknown_names():
    msg = _err(CorridorsConfig(closures=[Closure("Silk Road", "2025Q1", "2025Q2")]))
    assert msg.startswith("corridors.closures[0].target: unknown segment or corridor 'Silk Road'")
    msg = _err(CorridorsConfig(openings=[Opening("nowhere", 2028)]))
    assert msg.startswith("corridors.openings[0].segment: unknown segment")
    msg = _err(CorridorsConfig(openings=[Opening("pipe:nord_stream", 2026)]))
    assert msg == (
        "corridors.openings[0].segment: pipe:nord_stream is out of operation from 2023 "
        "(capacity_schedule.csv); an opening does not reopen it"
    )
    msg = _err(CorridorsConfig(capacity_changes=[CapacityChange("East-West", 2027, 5.0)]))
    assert "has no capacitated segment" in msg


def test_bad_quarters():
    assert "from_quarter" in _err(CorridorsConfig(closures=[Closure("Suez", "2025-1", "2025Q2")]))
    assert "to_quarter: must not be before" in _err(
        CorridorsConfig(closures=[Closure("Suez", "2025Q3", "2025Q2")])
    )


def test_pair_without_route_is_a_config_error():
    hubs = CorridorsConfig().economy_hubs
    hubs["ARM"] = ["kabul"]  # only planned railways reach Kabul
    msg = _err(CorridorsConfig(economy_hubs=hubs))
    assert msg.startswith("corridors.economy_hubs: no open route from ARM to")


def test_closure_that_cuts_an_economy_off_is_a_config_error():
    cut = [Closure(s, "2026Q1", "2026Q4") for s in ("yerevan-tbilisi", "yerevan-tabriz")]
    msg = _err(CorridorsConfig(closures=cut))
    assert msg.startswith("corridors.closures[0]: closing 'yerevan-tbilisi' from 2026Q1")
    assert "no route from ARM to" in msg
    with pytest.raises(ConfigError):  # the phase refuses at start, not in quarter 12
        CorridorPhase(ECONOMIES, CorridorsConfig(closures=cut), gravity_flows(), "2024Q1")


def test_economy_without_hub_is_allowed_but_a_shared_hub_is_not():
    hubs = {k: v for k, v in CorridorsConfig().economy_hubs.items() if k != "TJK"}
    cfg = CorridorsConfig(economy_hubs=hubs)
    cfg.validate(list(ECONOMIES))  # TJK stays off the network (the phase warns once)
    check_against_network(load_network(), cfg, [e for e in ECONOMIES if e != "TJK"])
    hubs["TJK"] = ["tashkent"]
    assert _err(CorridorsConfig(economy_hubs=hubs)) == (
        "corridors.economy_hubs.UZB: hub 'tashkent' is already the hub of TJK"
    )


def test_ranges_and_units_live_on_the_fields():
    from dataclasses import fields

    from sim.fields import spec_of

    specs = {f.name: spec_of(f) for f in fields(CorridorsConfig)}
    assert specs["value_of_time_per_day"].unit == "share of value per day"
    assert (specs["msa_tol"].low, specs["msa_tol"].open_low) == (0, True)
    assert specs["corridor_frictions"].unit == "US$/t"
    assert _err(CorridorsConfig(fee_changes=[FeeChange("Suez", 2030, 2000.0)])) == (
        "corridors.fee_changes[0].usd_per_t: must be in [-1000, 1000], got 2000.0"
    )
    assert _err(CorridorsConfig(openings=[Opening("astara_irn-rasht_rail", 1800)])) == (
        "corridors.openings[0].year: must be an integer in [1990, 2100], got 1800"
    )


def test_value_overrides_checked():
    assert _err(CorridorsConfig(group_value_overrides={"caviar": 100.0})).startswith(
        "corridors.group_value_overrides.caviar: unknown commodity group; allowed: oil_gas"
    )
    assert "must be in (0, 10000000]" in _err(
        CorridorsConfig(group_value_overrides={"manufactures": -5.0})
    )


def test_friction_names_and_ranges_checked():
    assert _err(CorridorsConfig(corridor_frictions={"Silk Road": 5.0})).startswith(
        "corridors.corridor_frictions.Silk Road: unknown segment or corridor"
    )
    assert _err(CorridorsConfig(corridor_frictions={"East-West": -1.0})) == (
        "corridors.corridor_frictions.East-West: must be in [0, 1000], got -1.0"
    )


def test_validator_reads_no_data_and_imports_no_routing_module(monkeypatch):
    import ast
    import inspect

    import sim.routing.config as config_module
    import sim.routing.network as network_module

    def refuse(*_args):
        raise AssertionError("the config validator loaded the network")

    monkeypatch.setattr(network_module, "load_network", refuse)
    monkeypatch.setattr(network_module, "_load", refuse)
    # names are the network's business: the validator alone accepts an unknown target
    CorridorsConfig(closures=[Closure("nowhere", "2025Q1", "2025Q2")]).validate(list(ECONOMIES))
    tree = ast.parse(inspect.getsource(config_module))
    imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported if m and m.startswith("sim.routing")], imported


def test_hydra_structured_config_round_trip():
    schema = OmegaConf.structured(CorridorsConfig)
    merged = OmegaConf.merge(
        schema,
        OmegaConf.create(
            {
                "closures": [
                    {"target": "East-West", "from_quarter": "2025Q1", "to_quarter": "2025Q4"}
                ],
                "capacity_changes": [
                    {"target": "INSTC eastern", "year": 2027, "capacity_mt_per_year": 15}
                ],
                "economy_hubs": {"RUS": ["moscow", "st_petersburg"]},
            }
        ),
    )
    cfg = OmegaConf.to_object(merged)
    assert isinstance(cfg, CorridorsConfig) and isinstance(cfg.closures[0], Closure)
    assert cfg.economy_hubs["RUS"] == ["moscow", "st_petersburg"]
    cfg.validate(list(ECONOMIES))


def test_fitted_route_parameters_are_written_once():
    """No config or scenario file sets δ or a corridor friction to its fitted value.

    Read as YAML values (was a text search, which a fitted friction of 20.0 matched
    in unrelated numbers: a 20 Mt capacity, a "20 %" comment).
    """
    from pathlib import Path

    import yaml

    from sim.routing.config import fitted_parameters

    root = Path(__file__).resolve().parents[2]
    fitted = fitted_parameters()

    def copies(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "value_of_time_per_day" and value == fitted[key]:
                    yield key, value
                if key == "corridor_frictions" and isinstance(value, dict):
                    for name, v in value.items():
                        if fitted["corridor_frictions"].get(name) == v:
                            yield name, v
                yield from copies(value)
        elif isinstance(node, list):
            for item in node:
                yield from copies(item)

    for path in [*root.glob("conf/**/*.yaml"), *root.glob("scenarios/*.yaml")]:
        found = list(copies(yaml.safe_load(path.read_text(encoding="utf-8"))))
        assert not found, f"{path.name} repeats fitted {found}"
