"""The end-of-sweep summary and the exit code of ``caravan -m``.

The end-of-sweep callback runs in the launching process; it records the
outcome here and :func:`exit_code` turns it into the process's exit code
(0 = every run completed, 1 = some failed or are missing).
"""

from __future__ import annotations

import sys
from typing import TextIO

from sim.sweep.collect import CollectResult

MAX_LISTED = 20
_LAST: dict[str, int] = {}


def reset() -> None:
    """Forget the previous sweep (called when a sweep starts)."""
    _LAST.clear()


def note_skipped(count: int) -> None:
    """Count runs a launcher skipped because they were already complete."""
    _LAST["skipped"] = _LAST.get("skipped", 0) + count


def skipped() -> int:
    """Runs skipped as already complete in this process's current sweep."""
    return _LAST.get("skipped", 0)


def record_outcome(failed: int, missing: int) -> None:
    """Remember the outcome of the sweep that just ended (for :func:`exit_code`)."""
    _LAST.update(failed=failed, missing=missing, ended=1)


def exit_code() -> int:
    """1 if the last sweep of this process had failed or missing runs, else 0."""
    if "ended" not in _LAST:
        return 0
    return 1 if _LAST.get("failed", 0) or _LAST.get("missing", 0) else 0


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
