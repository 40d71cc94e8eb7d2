"""Shipped policy tables (tariffs, trade agreements) with their sources."""
