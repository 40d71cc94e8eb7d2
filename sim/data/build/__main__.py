"""``python -m sim.data.build``: see :mod:`sim.data.build`."""

from sim.data.build import main

raise SystemExit(main())
