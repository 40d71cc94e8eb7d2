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
