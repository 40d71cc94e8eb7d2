from __future__ import annotations

from analysis.indicators import HEADLINE, SETTLEMENT_SERIES, by_column
from sim.reporters import reporter


def test_every_shown_indicator_is_a_declared_series() -> None:
    for ind in (*HEADLINE, *SETTLEMENT_SERIES):
        declared = reporter("world", ind.column)
        assert declared is not None, ind.column
        assert ind.description == declared.description


def test_unknown_column_takes_the_declared_unit() -> None:
    assert by_column("settlement_cost_cis").unit == reporter("world", "settlement_cost_cis").unit
    assert by_column("no_such_column").unit == "as stored"
