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
from pathlib import Path
from typing import Any

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper


class CaravanSweeper(BasicSweeper):
    """The basic grid sweeper, minus the serial re-composition of every job."""

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        """Skip: ``caravan -m`` validated the sweep before launching."""

    def sweep(self, arguments: list[str]) -> Any:
        """The basic sweep; a launch refused as an overwrite leaves ``multirun.yaml`` as it was."""
        assert self.config is not None
        record = Path(str(self.config.hydra.sweep.dir)) / "multirun.yaml"
        earlier = record.read_bytes() if record.is_file() else None
        try:
            return super().sweep(arguments)
        except SystemExit as stop:
            if stop.code == 2:  # refused before any job ran (launcher.refuse_overwrite)
                if earlier is None:
                    record.unlink(missing_ok=True)
                else:
                    record.write_bytes(earlier)
            raise
