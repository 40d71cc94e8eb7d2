"""``hydra/sweeper=caravan`` (the default): Hydra's grid sweeper without per-job re-composition.

Hydra's basic sweeper composes every job's config in the launching process
before launching (``validate_batch_is_legal``), one at a time — about a tenth
of a second per job, minutes for a large sweep. ``caravan -m`` has already
checked every swept value against the schema and ranges
(:mod:`sim.sweep.validate`), so this sweeper skips that step; otherwise it is
the basic sweeper (``range()``, ``choice()``, comma lists, ``max_batch_size``).
"""

from __future__ import annotations

from collections.abc import Sequence

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper


class CaravanSweeper(BasicSweeper):
    """The basic grid sweeper, minus the serial re-composition of every job."""

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        """Skip: ``caravan -m`` validated the sweep before launching."""
