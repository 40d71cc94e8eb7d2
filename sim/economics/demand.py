"""Armington/CES demand.

Each importer j spends a share λ_ij of its expenditure E_j on goods from
exporter i (Anderson & van Wincoop 2003; Yotov et al. 2016, ch. 1, eq. 1-5):

    λ_ij = (β_i p_i t_ij)^(1−σ) / P_j^(1−σ),   P_j^(1−σ) = Σ_k (β_k p_k t_kj)^(1−σ)

In changes between two equilibria ("exact hat algebra", Dekle, Eaton &
Kortum 2007), with x̂ = x'/x, the preference weights β cancel:

    λ'_ij = λ_ij (p̂_i t̂_ij)^(1−σ) / P̂_j^(1−σ),   P̂_j^(1−σ) = Σ_k λ_kj (p̂_k t̂_kj)^(1−σ)
"""

from __future__ import annotations

import numpy as np


def expenditure_shares(flows: np.ndarray) -> np.ndarray:
    """Importer expenditure shares λ_ij = X_ij / Σ_k X_kj.

    Args:
        flows: n×n flows X_ij, row = exporter, column = importer.

    Returns:
        n×n array whose columns sum to one.
    """
    return flows / flows.sum(axis=0, keepdims=True)


def shares_in_changes(
    shares: np.ndarray, price_hat: np.ndarray, cost_hat: np.ndarray, sigma: float
) -> tuple[np.ndarray, np.ndarray]:
    """New CES expenditure shares and price-index changes from changes in prices and costs.

    λ'_ij = λ_ij (p̂_i t̂_ij)^(1−σ) / P̂_j^(1−σ),  P̂_j = [Σ_k λ_kj (p̂_k t̂_kj)^(1−σ)]^(1/(1−σ))
    (Dekle, Eaton & Kortum 2007; Yotov et al. 2016, ch. 2).

    Args:
        shares: n×n baseline shares λ_ij (columns sum to one).
        price_hat: length-n factory-gate price changes p̂_i.
        cost_hat: n×n changes in the delivered-cost multiplier t̂_ij (tariffs included).
        sigma: elasticity of substitution σ > 1.

    Returns:
        (new shares λ'_ij, price-index changes P̂_j).
    """
    weighted = shares * (price_hat[:, None] * cost_hat) ** (1.0 - sigma)
    index_pow = weighted.sum(axis=0)
    return weighted / index_pow, index_pow ** (1.0 / (1.0 - sigma))
