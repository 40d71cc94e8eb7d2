"""Caravan: agent-based simulation of regional economic integration in the CIS."""
