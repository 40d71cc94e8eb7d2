from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.stats import difference, quantile_bands


def _runs(values: dict[int, list[float]]) -> pd.DataFrame:
    rows = [
        {"seed": s, "run": s, "quarter_index": q, "x": v, "scenario": "a"}
        for s, vs in values.items()
        for q, v in enumerate(vs)
    ]
    return pd.DataFrame(rows)


def test_quantile_bands_bracket_the_median() -> None:
    df = _runs({s: [float(s), float(2 * s)] for s in range(11)})
    b = quantile_bands(df, "x")
    assert list(b["q50"]) == [5.0, 10.0]
    assert (b["q05"] <= b["q25"]).all() and (b["q75"] <= b["q95"]).all()
    assert list(b["n"]) == [11, 11]


def test_paired_difference_is_exact_when_the_effect_is_constant() -> None:
    base = _runs({s: [1.0 + s, 2.0 + s] for s in range(5)})
    scen = base.assign(x=base["x"] + 0.5)
    d = difference(scen, base, "x", "pp", scale=100.0)
    assert d["paired"].all()
    np.testing.assert_allclose(d["mean"], 50.0)
    np.testing.assert_allclose(d["hi"] - d["lo"], 0.0, atol=1e-9)


def test_paired_percent_difference_and_interval() -> None:
    rng = np.random.default_rng(1)
    base = _runs({s: [100.0, 100.0] for s in range(30)})
    scen = base.assign(x=base["x"] * (1.10 + rng.normal(0, 0.01, len(base))))
    d = difference(scen, base, "x", "pct")
    assert (d["lo"] < 10.0).all() and (d["hi"] > 10.0).all()
    assert (d["hi"] - d["lo"] < 1.5).all()


def test_unpaired_difference_uses_welch() -> None:
    base = _runs({s: [10.0 + s % 2] for s in range(4)})
    scen = _runs({s + 100: [12.0 + s % 2] for s in range(4)})
    d = difference(scen, base, "x", "pp")
    assert not d["paired"].any()
    assert d["mean"].iloc[0] == pytest.approx(2.0)
    assert d["lo"].iloc[0] < 2.0 < d["hi"].iloc[0]


def test_single_replication_has_no_interval() -> None:
    base = _runs({0: [1.0, 1.0]})
    scen = _runs({0: [2.0, 3.0]})
    d = difference(scen, base, "x", "pct")
    assert list(d["mean"]) == [100.0, 200.0]
    assert d["lo"].isna().all()
