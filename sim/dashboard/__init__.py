"""The student dashboard: a Mesa SolaraViz app over :class:`~sim.model.CaravanModel`.

``uv run caravan-dashboard`` serves it at http://127.0.0.1:8765 (see :mod:`sim.dashboard.cli`).
"""
