from __future__ import annotations

import pandas as pd

from analysis.figures.sensitivity import convergence, parameter_label


def _sobol(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "output": "world_trade",
                "parameter": p,
                "method": "sobol",
                "index": i,
                "value": v,
                "conf": c,
            }
            for p, i, v, c in rows
        ]
    )


def test_resolved_sobol_indices_pass() -> None:
    idx = _sobol(
        [
            ("a", "S1", 0.6, 0.03),
            ("a", "ST", 0.7, 0.04),
            ("b", "S1", 0.2, 0.02),
            ("b", "ST", 0.3, 0.05),
        ]
    )
    assert convergence(idx, "sobol") is None


def test_negative_inverted_and_wide_indices_are_flagged() -> None:
    idx = _sobol(
        [
            ("a", "S1", -0.3, 0.9),
            ("a", "ST", 0.5, 0.2),
            ("b", "S1", 0.6, 0.05),
            ("b", "ST", 0.2, 0.05),
        ]
    )
    msg = convergence(idx, "sobol")
    assert msg is not None
    assert "1 of 4 indices below" in msg and "1 of 2 parameters with ST < S1" in msg
    assert "2 of 4 with a 95 % half-width" in msg and "largest 0.90" in msg


def test_parameter_labels() -> None:
    assert parameter_label("trade.sigma") == "elasticity of substitution σ (trade.sigma)"
    assert parameter_label("x.y") == "x.y"
