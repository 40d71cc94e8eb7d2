"""A live progress bar for a sweep: runs done, failed, remaining and the ETA."""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm

BAR_FORMAT = (
    "{desc}: {percentage:3.0f}%|{bar:20}| {n_fmt}/{total_fmt} done{postfix} "
    "[{elapsed}<{remaining}, {rate_fmt}]"
)


class SweepProgress:
    """Count finished runs by status and show them on the launching terminal.

    Args:
        total: Runs in the sweep (or batch).
        skipped: Runs already complete (a resumed sweep); counted as done.
        enabled: False for no bar (the counts are still kept).
    """

    def __init__(self, total: int, skipped: int = 0, enabled: bool = True) -> None:
        self.total = total
        self.failed = 0
        self.done = skipped
        self.skipped = skipped
        self.bar = tqdm(
            total=total,
            initial=skipped,
            desc="sweep",
            unit="run",
            bar_format=BAR_FORMAT,
            file=sys.stderr,
            disable=not enabled,
            dynamic_ncols=True,
            mininterval=0.2,
            smoothing=0.1,
            postfix=f"0 failed, {total - skipped} left",
        )
        self._postfix()

    def _postfix(self) -> None:
        left = self.total - self.done
        self.bar.set_postfix_str(f"{self.failed} failed, {left} left", refresh=False)

    def update(self, result: Any) -> None:
        """Count one finished job (its task's return value, or an exception)."""
        status = result.get("status") if isinstance(result, dict) else "failed"
        self.done += 1
        if status == "failed":
            self.failed += 1
        if status == "skipped":
            self.skipped += 1
        self._postfix()
        self.bar.update(1)

    def close(self) -> None:
        """Finish the bar."""
        self._postfix()
        self.bar.refresh()
        self.bar.close()
