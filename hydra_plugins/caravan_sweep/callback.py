"""End-of-sweep callback: collect the run directories and print the summary."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig


class SweepCallback(Callback):
    """Collect ``<sweep_dir>/sweep/*.parquet`` and print the summary when a multirun ends.

    Args:
        collect: Collect the tables (False: only the summary).
        pairs: Also collect ``pairs.parquet``.
    """

    def __init__(self, collect: bool = True, pairs: bool = False) -> None:
        self.collect = collect
        self.pairs = pairs

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Reset the outcome of any previous sweep in this process."""
        from sim.sweep import summary

        summary.reset()

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Collect, summarise, and record the outcome for the exit code."""
        from sim.sweep import summary
        from sim.sweep.collect import CollectResult, collect
        from sim.sweep.rundirs import read_run, run_dirs

        sweep_dir = Path(str(config.hydra.sweep.dir))
        try:
            if self.collect:
                result = collect(sweep_dir, pairs=self.pairs)
            else:
                runs = [read_run(n, path) for n, path in run_dirs(sweep_dir)]
                result = CollectResult(sweep_dir=sweep_dir, runs=runs)
        except Exception as error:  # a collection problem must not hide the runs' outcome
            print(
                f"error: collecting {sweep_dir}: {type(error).__name__}: {error}", file=sys.stderr
            )
            summary.record_outcome(failed=1, missing=0)
            return
        summary.print_summary(result, skipped=summary.skipped())
        summary.record_outcome(result.count("failed"), result.count("missing"))
