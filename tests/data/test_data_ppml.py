"""The numpy PPML (Poisson IRLS) used for gravity imputation."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from sim.data import build
from sim.data.ppml import fit_ppml


def test_recovers_exact_coefficients() -> None:
    rng = np.random.default_rng(0)
    x = np.column_stack([np.ones(200), rng.normal(size=200), rng.integers(0, 2, 200)])
    beta = np.array([0.5, -1.0, 0.7])
    res = fit_ppml(x, np.exp(x @ beta))
    np.testing.assert_allclose(res.coef, beta, atol=1e-8)
    assert res.converged and res.pseudo_r2 == pytest.approx(1.0)


def test_offset_has_unit_coefficient() -> None:
    rng = np.random.default_rng(1)
    x = np.column_stack([np.ones(100), rng.normal(size=100)])
    off = rng.normal(size=100)
    beta = np.array([-0.2, 0.8])
    y = np.exp(x @ beta + off)
    res = fit_ppml(x, y, offset=off)
    np.testing.assert_allclose(res.coef, beta, atol=1e-8)


def test_zeros_allowed_and_poisson_noise() -> None:
    rng = np.random.default_rng(2)
    x = np.column_stack([np.ones(5000), rng.normal(size=5000)])
    y = rng.poisson(np.exp(x @ np.array([0.3, -0.5]))).astype(float)
    assert (y == 0).any()
    res = fit_ppml(x, y)
    np.testing.assert_allclose(res.coef, [0.3, -0.5], atol=0.05)
    assert (res.se > 0).all()


@pytest.mark.parametrize(
    ("x", "y"),
    [
        (np.ones((3, 1)), np.array([1.0, -1.0, 2.0])),
        (np.ones((3, 2)), np.array([1.0, 1.0, 2.0])),  # rank-deficient
        (np.ones((3, 1)), np.array([1.0, 2.0])),
    ],
)
def test_rejects_bad_input(x: np.ndarray, y: np.ndarray) -> None:
    with pytest.raises(ValueError):
        fit_ppml(x, y)


def test_reproduces_yotov_et_al_2016_trade_without_borders() -> None:
    """The book's PPML (exporter and importer fixed effects) to 6 digits, when the data is here."""
    path = build.default_raw_dir() / "yotov2016" / "trade_without_border_2006.csv"
    if not path.is_file():
        pytest.skip(f"{path} not available")
    rows = list(csv.DictReader(path.open()))
    ex = sorted({r["exporter"] for r in rows})
    im = sorted({r["importer"] for r in rows} - {"ZZZ"})
    y = np.array([float(r["trade"]) for r in rows])
    base = np.array([[float(r["ln_DIST"]), float(r["CNTG"]), float(r["INTL_BRDR"])] for r in rows])
    fe_x = np.array([[r["exporter"] == e for e in ex] for r in rows], dtype=float)
    fe_m = np.array([[r["importer"] == e for e in im] for r in rows], dtype=float)
    res = fit_ppml(np.hstack([base, fe_x, fe_m]), y)
    np.testing.assert_allclose(res.coef[:3], [-0.7912879, 0.6736456, -2.47445], rtol=1e-6)
