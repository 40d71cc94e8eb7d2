"""``python -m sim.dashboard``: same as ``caravan-dashboard``."""

from sim.dashboard.cli import main

main()
