"""Calibration data: the shipped worlds, their loader and the rebuild script.

``load_world()`` returns the default cited world ``cis2023`` (15 economies and
a rest of world); ``python -m sim.data.build`` rebuilds its tables from the
raw research figures. Method, sources and known gaps:
``sim/data/cis2023/DATA_REPORT.md``.
"""

from sim.data.loader import WORLDS, growth_path, load_growth, load_world
from sim.data.world import World

__all__ = ["WORLDS", "World", "growth_path", "load_growth", "load_world"]
