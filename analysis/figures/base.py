"""What the figure functions share: the not-applicable signal and panel layout."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.style import A4_WIDTH, new_figure


class NotApplicable(Exception):  # noqa: N818 - reads as a statement: "not applicable"
    """The figure does not apply to these data; the message says why, as one sentence."""


def panel_grid(n: int, ncols: int = 2, row_height: float = 2.1) -> tuple[Figure, list[Axes]]:
    """A figure with ``n`` panels on a grid ``ncols`` wide (spare cells hidden)."""
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig = new_figure(height=0.5 + row_height * nrows, width=A4_WIDTH)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel().tolist()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]
