"""Calibration data: the shipped worlds, their loader and the rebuild script.

``load_world()`` returns the default cited world ``cis2023`` (15 economies and
a rest of world); ``load_world("cis2021")`` the same economies in 2021;
``python -m sim.data.build`` rebuilds their tables from the raw data. Method,
sources and known gaps: ``sim/data/<world>/DATA_REPORT.md``.
"""

from sim.data.loader import WORLDS, growth_path, load_growth, load_world
from sim.data.world import World

__all__ = ["WORLDS", "World", "growth_path", "load_growth", "load_world"]
