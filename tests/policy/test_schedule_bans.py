"""The one schedule type and the trade-ban lever."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import ConfigError
from sim.policy.bans import TradeBan, allowed_share, compile_bans, validate_ban
from sim.policy.schedule import Schedule
from sim.quarters import quarter_ordinal

CODES = ("RUS", "KAZ", "EUU", "ROW")
BLOCS = {"EAEU": ("RUS", "KAZ")}


def test_schedule_window_path_and_lift():
    ban = TradeBan(
        exporters=["EAEU"],
        importers=["EUU"],
        start="2022Q3",
        end="2022Q4",
        path="linear",
        until="2023Q3",
    )
    schedule = Schedule.of(ban, CODES, BLOCS)
    assert schedule.cells.sum() == 2 and schedule.cells[0, 2] and schedule.cells[1, 2]
    q = quarter_ordinal
    assert [
        schedule.fraction(q(x)) for x in ("2022Q2", "2022Q3", "2022Q4", "2023Q2", "2023Q3")
    ] == [
        0.0,
        0.5,
        1.0,
        1.0,
        0.0,
    ]


def test_ban_shares_add_up_and_cap_at_one():
    bans = compile_bans(
        [
            TradeBan(exporters=["RUS"], importers=["EUU"], share=0.4, start="2022Q1"),
            TradeBan(exporters=["RUS"], importers=["EUU"], share=0.7, start="2022Q2"),
        ],
        CODES,
        BLOCS,
    )
    assert allowed_share(4, quarter_ordinal("2021Q4"), bans) is None
    assert allowed_share(4, quarter_ordinal("2022Q1"), bans)[0, 2] == pytest.approx(0.6)
    later = allowed_share(4, quarter_ordinal("2022Q2"), bans)
    assert later[0, 2] == 0.0 and later[2, 0] == 1.0 and np.all(np.diag(later) == 1.0)


@pytest.mark.parametrize(
    ("field", "value"),
    [("share", 0.0), ("share", 1.5), ("imposed_by", "both"), ("until", "2021Q1")],
)
def test_bad_ban_fields_name_the_key(field, value):
    ban = TradeBan(exporters=["RUS"], importers=["EUU"], start="2022Q1", **{field: value})
    with pytest.raises(ConfigError, match=f"bans\\[0\\].{field}"):
        validate_ban("tariff.bans[0]", ban)


def _commodities():
    from sim.routing.network import load_network

    return load_network().commodities


def test_a_goods_group_ban_derives_each_exporters_share_from_its_export_mix():
    commodities = _commodities()
    oil = commodities.groups.index("oil_gas")
    ban = TradeBan(exporters=["EAEU"], importers=["EUU"], group="oil_gas", coverage=0.5)
    (resolved,) = compile_bans([ban], CODES, BLOCS, commodities)
    allowed = allowed_share(4, quarter_ordinal("2025Q1"), [resolved])
    for code in ("RUS", "KAZ"):  # β_i = m_i,oil_gas x coverage, exporter by exporter
        i = CODES.index(code)
        assert allowed[i, 2] == pytest.approx(1 - 0.5 * commodities.mix[code][oil])
    assert commodities.mix["RUS"][oil] != commodities.mix["KAZ"][oil]
    assert allowed[2, 0] == 1.0 and allowed[3, 2] == 1.0


def test_the_eu_scenario_derives_its_shares_from_groups(config_for):
    cfg = config_for("scenario=eu_russia_import_bans")
    mix = _commodities().mix["RUS"]
    groups = _commodities().groups
    bans = compile_bans(cfg.tariff.bans, CODES, BLOCS)
    grouped = [b for b in cfg.tariff.bans if b.group]
    assert {b.group for b in grouped} == {"metals", "bulk", "oil_gas"}
    for ban, resolved in zip(cfg.tariff.bans, bans, strict=True):
        expected = mix[groups.index(ban.group)] * ban.coverage if ban.group else ban.share
        assert resolved.share[0] == pytest.approx(expected)
        assert ban.source and ban.start


@pytest.mark.parametrize(
    ("fields", "key", "message"),
    [
        ({"group": "crude"}, "group", "must be one of oil_gas"),
        ({"group": "oil_gas", "share": 0.2}, "share", "leave it out when group is set"),
        ({"coverage": 0.5}, "coverage", "applies only with a group"),
        ({"group": "oil_gas", "coverage": 0.0}, "coverage", r"must be in \(0, 1\]"),
        ({"group": "oil_gas", "coverage": float("nan")}, "coverage", r"must be in \(0, 1\]"),
    ],
)
def test_bad_group_fields_name_the_key(fields, key, message):
    ban = TradeBan(exporters=["RUS"], importers=["EUU"], start="2022Q1", **fields)
    with pytest.raises(ConfigError, match=f"bans\\[0\\].{key}: .*{message}"):
        validate_ban("tariff.bans[0]", ban)
