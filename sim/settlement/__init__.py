"""Settlement layer: trader populations choosing the currency they settle in.

Public API: :class:`SettlementConfig`, :class:`SettlementPhase`,
:class:`SettlementResult`; the hindcast in :mod:`sim.settlement.hindcast`.
"""

from sim.settlement.config import SettlementConfig
from sim.settlement.phase import SettlementPhase, SettlementResult

__all__ = ["SettlementConfig", "SettlementPhase", "SettlementResult"]
