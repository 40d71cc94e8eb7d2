"""Seed-stable headlines: at the default trader count, 10 seeds agree within 1 pp.

By design (value-stratified traders, systematic initial draws, 250,000 traders),
not by removing randomness: revisions and blocking stay random draws, and the
mechanism tests (tipping point, path dependence) still pass. Slow: ten full
default runs (``uv run pytest -m slow tests/settlement/test_seed_stability.py -s``
prints the table).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.cli import compose_and_validate
from sim.runner import simulate

SEEDS = range(10)
HEADLINES = (
    "national_currency_share_cis",
    "national_currency_share_eaeu",
    "vehicle_currency_share",
    "vehicle_currency_share_eaeu",
    "rus_exports_rub",
    "rus_exports_usd",
    "rus_exports_eur",
    "rus_exports_cny",
    "rus_exports_usd_eur",
    "rus_exports_friendly",
)


@pytest.mark.slow
def test_headline_sd_across_seeds_is_below_one_pp():
    runs = []
    for seed in SEEDS:
        _, tables = simulate(compose_and_validate([f"seed={seed}"]))
        runs.append(tables["world"].set_index("quarter")[list(HEADLINES)])
    sd = pd.DataFrame(
        100 * np.std(np.stack([r.to_numpy() for r in runs]), axis=0, ddof=1),
        index=runs[0].index,
        columns=list(HEADLINES),
    )
    print("\nSD across 10 seeds (pp), max over quarters:")
    print(sd.max().round(2).to_string())
    assert (sd.to_numpy() <= 1.0).all(), sd.round(2)
    # randomness is still there: seeds differ
    assert (sd.to_numpy() > 0).all()
