"""Policy levers and exogenous paths: tariffs, non-tariff barriers, baseline growth."""
