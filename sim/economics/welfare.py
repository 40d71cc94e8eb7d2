"""Welfare measures.

Arkolakis, Costinot & Rodríguez-Clare (2012, AER 102(1), eq. 1): in the class
of gravity models with a CES import demand system and trade elasticity
ε = σ − 1, the change in real income of country j is

    Ŵ_j = λ̂_jj^(1/(1−σ))

where λ_jj is j's share of expenditure on its own goods, provided j's own
(domestic) trade cost and endowment are unchanged and there is no tariff on
domestic sales.
"""

from __future__ import annotations

import numpy as np


def acr_welfare_change(
    domestic_share_base: np.ndarray, domestic_share_new: np.ndarray, sigma: float
) -> np.ndarray:
    """Real-income change implied by the ACR formula, Ŵ_j = (λ'_jj / λ_jj)^(1/(1−σ)).

    Args:
        domestic_share_base: length-n baseline λ_jj.
        domestic_share_new: length-n counterfactual λ'_jj.
        sigma: elasticity of substitution σ > 1.

    Returns:
        Length-n ratios new/base of real income.
    """
    return (domestic_share_new / domestic_share_base) ** (1.0 / (1.0 - sigma))
