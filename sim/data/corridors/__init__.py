"""Shipped corridor-network tables (hubs, segments, modes, value to weight) and their builder."""
