"""Fixtures for the economics tests: the Yotov et al. (2016) trade-without-borders case."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

DATA = Path(__file__).parent / "data"
SIGMA = 7.0
BETA_LN_DIST = -0.7912879
BETA_CNTG = 0.6736456
BETA_INTL_BRDR = -2.47445


@dataclass(frozen=True)
class YotovCase:
    codes: list[str]
    output: np.ndarray
    expenditure: np.ndarray
    cost_base: np.ndarray
    cost_new: np.ndarray
    reference: int
    results: pd.DataFrame  # indexed by country code as in `codes` (ZZZ for Germany)


@pytest.fixture(scope="session")
def yotov() -> YotovCase:
    trade = pd.read_csv(DATA / "trade_without_border_2006.csv")
    results = pd.read_csv(DATA / "reference_results_full_ge.csv")
    codes = sorted(trade.exporter.unique())
    index = {code: i for i, code in enumerate(codes)}
    n = len(codes)
    rows = trade.exporter.map(index).to_numpy()
    cols = trade.importer.map(index).to_numpy()
    linear = BETA_LN_DIST * trade.ln_DIST + BETA_CNTG * trade.CNTG
    cost_base = np.zeros((n, n))
    cost_new = np.zeros((n, n))
    # t^(1−σ) = exp(β·x)  ⇒  t = exp(β·x / (1−σ))
    cost_base[rows, cols] = np.exp((linear + BETA_INTL_BRDR * trade.INTL_BRDR) / (1 - SIGMA))
    cost_new[rows, cols] = np.exp(linear / (1 - SIGMA))
    output = trade.groupby("exporter").Y.first().reindex(codes).to_numpy()
    expenditure = trade.groupby("importer").E.first().reindex(codes).to_numpy()
    results = results.assign(country=results.country.replace({"DEU": "ZZZ"})).set_index("country")
    return YotovCase(
        codes, output, expenditure, cost_base, cost_new, index["ZZZ"], results.loc[codes]
    )
