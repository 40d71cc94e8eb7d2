"""The one parameter set: behavioural parameters fitted on the 2022 points.

``sim/data/settlement/fitted_parameters.json`` (written by
``uv run python -m sim.settlement.calibrate``, with its provenance) holds the
Calvo revision rate, the logit scale β, the liquidity decay κ of the
conversion spread and the levels of the dated
payment-blocking hazards of ``payment_events.csv``. They are the defaults of
:class:`~sim.settlement.config.SettlementConfig`, so the spin-up, every
scenario and the dashboard use them; nothing else repeats these numbers.
"""

from __future__ import annotations

from sim.settlement.shipped import read_json

FITTED_FILE = "fitted_parameters.json"
#: Fitted parameters that are not hazard levels.
BEHAVIOURAL = ("revision_rate", "logit_scale", "liquidity_decay", "vehicle_leg_hazard")


def fitted_parameters() -> dict[str, float]:
    """All fitted parameters: ``revision_rate``, ``logit_scale`` and the hazard levels."""
    return {k: float(v) for k, v in read_json(FITTED_FILE)["parameters"].items()}


def fitted_hazard_levels() -> dict[str, float]:
    """Fitted levels of the event hazards (name → probability per quarter)."""
    return {k: v for k, v in fitted_parameters().items() if k not in BEHAVIOURAL}


def fitted_record() -> dict:
    """The whole shipped record (parameters, provenance, fit table); do not mutate."""
    return read_json(FITTED_FILE)
