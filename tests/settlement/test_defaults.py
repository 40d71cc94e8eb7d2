"""One parameter set: the fitted parameters are the defaults everywhere.

The default run (``uv run caravan``) spins the settlement layer up from the 2021Q4
state with the fitted parameters and the dated events, so its first quarter
(2024Q1) must sit near the latest published points (Dec 2023; EAEU Q1 2023).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.cli import compose_and_validate
from sim.runner import simulate
from sim.settlement.config import SettlementConfig
from sim.settlement.fitted import fitted_parameters

ROOT = Path(__file__).resolve().parents[2]

#: (headline, published value, who) — Dec 2023 CBR, Nov 2023 Overchuk, Q1 2023 Overchuk.
PUBLISHED = [
    ("rus_exports_usd_eur", 0.267, "CBR Dec 2023"),
    ("rus_exports_rub", 0.361, "CBR Dec 2023"),
    ("rus_chn_national", 0.95, "Overchuk Nov 2023"),
    ("national_currency_share_eaeu", 0.895, "Overchuk Q1 2023"),
]
TOLERANCE = 0.07

#: Where the default 2024Q1 misses, and why (strict xfail: update when it changes).
MISSES = {
    "rus_chn_national": (
        "miss: Russia-China RUB+CNY 78.9 % vs 95 % (Nov 2023), -16 pp: the hindcast's 2023Q4 "
        "miss (concave path) carried into 2024Q1; see tests/settlement/test_hindcast.py"
    ),
}


def test_fitted_numbers_are_written_once():
    """No config or scenario repeats a fitted number or sets a fitted key."""
    fitted = fitted_parameters()
    keys = re.compile(r"^\s*(revision_rate|logit_scale|liquidity_decay|hazard_levels)\s*:", re.M)
    files = [*ROOT.glob("conf/**/*.yaml"), *ROOT.glob("scenarios/*.yaml")]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not keys.search(text), f"{path} sets a fitted parameter"
        for name, v in fitted.items():
            for digits in (3, 4):
                number = f"{v:.{digits}g}"
                if len(number.replace(".", "").strip("0")) >= 3:  # e.g. 0.105, 18.4, 5e+03
                    pattern = rf"(?<![\d.]){re.escape(number)}(?![\d])"
                    assert not re.search(pattern, text), f"{path} repeats {name} = {number}"


def test_defaults_are_the_fitted_parameters():
    d, p = SettlementConfig(), fitted_parameters()
    assert d.revision_rate == p["revision_rate"] and d.logit_scale == p["logit_scale"]
    assert d.costs.liquidity_decay == p["liquidity_decay"]
    assert d.event_hazards and d.hazard_levels == {"hazard_2022": p["hazard_2022"]}
    cfg = compose_and_validate([])
    assert cfg.settlement == d


@pytest.fixture(scope="module")
def first_quarter():
    cfg = compose_and_validate(["sim.quarters=1"])
    _, tables = simulate(cfg)
    world = tables["world"].set_index("quarter")
    assert list(world.index) == ["2024Q1"]
    return world.loc["2024Q1"]


@pytest.mark.parametrize(
    ("series", "published", "who"),
    [
        pytest.param(
            *row,
            id=row[0],
            marks=[pytest.mark.xfail(strict=True, reason=MISSES[row[0]])]
            if row[0] in MISSES
            else [],
        )
        for row in PUBLISHED
    ],
)
def test_default_run_starts_near_the_published_points(first_quarter, series, published, who):
    got = float(first_quarter[series])
    assert abs(got - published) <= TOLERANCE, f"{series}: {got:.3f} vs {published} ({who})"
