"""The end-of-sweep summary and the exit code of ``caravan -m``.

The end-of-sweep callback runs in the launching process; it prints the
summary and ends the process with :func:`exit_code` (0 = every run
completed, 1 = some failed or are missing). No state is kept between calls.
"""

from __future__ import annotations

import sys
from typing import TextIO

from sim.sweep.collect import CollectResult

MAX_LISTED = 20


def exit_code(result: CollectResult | None = None) -> int:
    """1 if the sweep has failed or missing runs, else 0.

    Without a result there is nothing to judge (0): the end-of-sweep callback
    exits with the code of the result it collected itself.
    """
    if result is None:
        return 0
    return 1 if result.count("failed") or result.count("missing") else 0


def print_summary(result: CollectResult, skipped: int = 0, file: TextIO | None = None) -> None:
    """Print the sweep's outcome, its failures and where the tables are."""
    out = file or sys.stdout
    total = len(result.runs)
    completed, failed, missing = (result.count(s) for s in ("completed", "failed", "missing"))
    resumed = f" ({skipped} already complete, skipped)" if skipped else ""
    print(f"Caravan sweep: {result.sweep_dir}", file=out)
    print(
        f"  {total} runs: {completed} completed, {failed} failed, {missing} missing{resumed}",
        file=out,
    )
    problems = [r for r in result.runs if r.status != "completed"]
    for record in problems[:MAX_LISTED]:
        what = " ".join(record.overrides) or "(no overrides)"
        error = record.error or "no metadata.json (killed or crashed); relaunch to redo it"
        print(f"  ✗ run {record.run} [{what}]: {record.status}: {error}", file=out)
    if len(problems) > MAX_LISTED:
        print(f"  … and {len(problems) - MAX_LISTED} more (see sweep/runs.parquet)", file=out)
    for name, (path, rows) in result.tables.items():
        print(f"  {name}: {path} ({rows:,} rows)", file=out)
    if problems:
        print(
            "  relaunch the same command with hydra.sweep.dir="
            f"{result.sweep_dir} to redo failed and missing runs",
            file=out,
        )
