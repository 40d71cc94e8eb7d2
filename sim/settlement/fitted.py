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

import json
from functools import cache
from importlib import resources

from sim.errors import DataError

FITTED_FILE = "fitted_parameters.json"
#: Fitted parameters that are not hazard levels.
BEHAVIOURAL = ("revision_rate", "logit_scale", "liquidity_decay")


@cache
def _record() -> dict:
    path = resources.files("sim").joinpath("data", "settlement", FITTED_FILE)
    try:
        with path.open("r", encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError as err:
        raise DataError(str(path), "fitted settlement parameters are missing") from err


def fitted_parameters() -> dict[str, float]:
    """All fitted parameters: ``revision_rate``, ``logit_scale`` and the hazard levels."""
    return {k: float(v) for k, v in _record()["parameters"].items()}


def fitted_hazard_levels() -> dict[str, float]:
    """Fitted levels of the event hazards (name → probability per quarter)."""
    return {k: v for k, v in fitted_parameters().items() if k not in BEHAVIOURAL}


def fitted_record() -> dict:
    """The whole shipped record (parameters, provenance, fit table); do not mutate."""
    return _record()
