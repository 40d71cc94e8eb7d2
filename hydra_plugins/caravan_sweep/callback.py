"""End-of-sweep callback: collect the run directories and print the summary."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig


class SweepCallback(Callback):
    """Collect ``<sweep_dir>/sweep/*.parquet`` and print the summary when a multirun ends.

    The process then exits with 1 if any run failed or is missing (0 otherwise
    returns normally). Runs already complete before this sweep started (a
    resumed sweep) are counted as skipped.

    Args:
        collect: Collect the tables (False: only the summary).
        pairs: Also collect ``pairs.parquet``.
    """

    def __init__(self, collect: bool = True, pairs: bool = False) -> None:
        self.collect = collect
        self.pairs = pairs
        self.started: float | None = None

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Note when this sweep started (runs finished before it were skipped)."""
        self.started = time.time()

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Collect, summarise, and exit with 1 if any run failed or is missing."""
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
            raise SystemExit(1) from None
        summary.print_summary(result, skipped=self._skipped(result))
        if code := summary.exit_code(result):
            sys.stdout.flush()
            raise SystemExit(code)

    def _skipped(self, result: Any) -> int:
        """Completed runs whose ``metadata.json`` predates this sweep's start."""
        if self.started is None:
            return 0
        count = 0
        for record in result.runs:
            if record.status != "completed":
                continue
            try:
                count += (record.path / "metadata.json").stat().st_mtime < self.started
            except OSError:
                pass
        return count
