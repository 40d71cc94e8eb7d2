"""Poisson pseudo-maximum-likelihood (PPML) by iteratively reweighted least squares.

A small, dependency-free (numpy only) Poisson GLM with a log link, as used
for gravity equations (Santos Silva & Tenreyro 2006). It is used by
:mod:`sim.data.build` to impute missing trade cells; it is deterministic for
a given input (fixed start, fixed iteration rule).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PPMLResult:
    """A fitted Poisson GLM.

    Attributes:
        coef: Coefficients, one per column of the design matrix.
        se: Heteroskedasticity-robust (sandwich, HC0) standard errors.
        iterations: IRLS iterations used.
        converged: Whether the relative deviance change fell below the tolerance.
        deviance: Poisson deviance at the solution.
        pseudo_r2: Squared correlation between observed and fitted values.
        n_obs: Number of observations.
    """

    coef: np.ndarray
    se: np.ndarray
    iterations: int
    converged: bool
    deviance: float
    pseudo_r2: float
    n_obs: int

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Fitted mean exp(x·β) for a design matrix with the same columns."""
        return np.exp(np.asarray(x, dtype=float) @ self.coef)


def _deviance(y: np.ndarray, mu: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0)
    return float(2.0 * np.sum(term - (y - mu)))


def fit_ppml(
    x: np.ndarray,
    y: np.ndarray,
    *,
    offset: np.ndarray | None = None,
    tol: float = 1e-12,
    max_iter: int = 200,
) -> PPMLResult:
    """Fit E[y|x] = exp(x·β) by Poisson IRLS.

    Args:
        x: n×k design matrix (include a constant column yourself).
        y: n non-negative outcomes.
        offset: Optional n-vector added to the linear predictor with a fixed
            coefficient of 1 (e.g. log exporter and importer trade totals).
        tol: Convergence tolerance on the relative change in deviance.
        max_iter: Iteration cap.

    Returns:
        The fitted model.

    Raises:
        ValueError: If shapes disagree, y has negative or non-finite values,
            or the design is rank-deficient.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 2 or y.ndim != 1 or x.shape[0] != y.shape[0]:
        raise ValueError(f"shape mismatch: x {x.shape}, y {y.shape}")
    if not np.all(np.isfinite(x)) or not np.all(np.isfinite(y)) or np.any(y < 0):
        raise ValueError("x and y must be finite and y non-negative")
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise ValueError("design matrix is rank-deficient")
    off = np.zeros_like(y) if offset is None else np.asarray(offset, dtype=float)
    if off.shape != y.shape or not np.all(np.isfinite(off)):
        raise ValueError("offset must be a finite vector of the same length as y")
    # Standard GLM start: mu = (y + mean(y)) / 2, eta = log(mu).
    mu = (y + y.mean()) / 2.0
    eta = np.log(mu)
    dev_old = _deviance(y, mu)
    coef = np.zeros(x.shape[1])
    converged = False
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 (reported after the loop)
        z = eta - off + (y - mu) / mu
        w = mu
        xtw = x.T * w
        coef = np.linalg.solve(xtw @ x, xtw @ z)
        eta = x @ coef + off
        mu = np.exp(eta)
        dev = _deviance(y, mu)
        if abs(dev - dev_old) <= tol * (abs(dev) + 0.1):
            converged = True
            break
        dev_old = dev
    bread = np.linalg.inv((x.T * mu) @ x)
    meat = (x.T * (y - mu) ** 2) @ x
    cov = bread @ meat @ bread
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    r = np.corrcoef(y, mu)[0, 1] if y.size > 1 else 1.0
    return PPMLResult(
        coef=coef,
        se=se,
        iterations=iterations,
        converged=converged,
        deviance=_deviance(y, mu),
        pseudo_r2=float(r * r),
        n_obs=int(y.size),
    )


def fe_design(exporter: np.ndarray, importer: np.ndarray, n: int) -> np.ndarray:
    """Exporter and importer fixed-effect dummies for pairs (exporter[k], importer[k]).

    Columns: n exporter dummies, then n - 1 importer dummies (the first
    importer's is dropped: the exporter dummies already span the constant).
    """
    k = exporter.size
    d = np.zeros((k, 2 * n - 1))
    d[np.arange(k), exporter] = 1.0
    imp = importer - 1
    has = imp >= 0
    d[np.arange(k)[has], n + imp[has]] = 1.0
    return d


def fit_ppml_fe(
    y: np.ndarray, x: np.ndarray, exporter: np.ndarray, importer: np.ndarray, n: int
) -> PPMLResult:
    """PPML with exporter and importer fixed effects (structural gravity, Yotov et al. 2016).

    E[X_ij] = exp(x_ij·β + π_i + χ_j). The result's first ``x.shape[1]``
    coefficients are β; the rest are the fixed effects of :func:`fe_design`.

    Args:
        y: Flows, one per pair.
        x: Pair regressors (no constant), shape (pairs, k).
        exporter: Integer economy index of each pair's exporter, in [0, n).
        importer: Integer economy index of each pair's importer, in [0, n).
        n: Number of economies.
    """
    x = np.asarray(x, dtype=float).reshape(len(y), -1)
    design = np.hstack([x, fe_design(np.asarray(exporter), np.asarray(importer), n)])
    return fit_ppml(design, np.asarray(y, dtype=float))


def distance_elasticity(flows: np.ndarray, distance: np.ndarray) -> tuple[float, float]:
    """FE-PPML distance elasticity of a square trade matrix's off-diagonal cells.

    X_ij = exp(β ln d_ij + π_i + χ_j) over i ≠ j (Head & Mayer 2014 report a
    typical β of about -1). Cells with a non-finite distance (e.g. ROW) must
    be cut off by the caller.

    Returns:
        β and its robust (HC0) standard error.
    """
    n = flows.shape[0]
    i, j = np.nonzero(~np.eye(n, dtype=bool))
    res = fit_ppml_fe(flows[i, j], np.log(distance[i, j])[:, None], i, j, n)
    return float(res.coef[0]), float(res.se[0])
