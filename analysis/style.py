"""The one figure style: figure creation and saving (colours by name: :mod:`analysis.palette`).

Figures are built with :class:`matplotlib.figure.Figure` directly, never with
pyplot, so building them needs no GUI backend (saving uses Agg).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.style as mplstyle  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

STYLE_PATH = Path(__file__).with_name("caravan.mplstyle")

#: Okabe & Ito (2008) colour-blind-safe palette, in the style's cycle order.
OKABE_ITO: dict[str, str] = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
GREY = "#999999"

#: Width of an A4 text block (160 mm) in inches.
A4_WIDTH = 6.3

#: File formats written next to the HTML report.
FORMATS: tuple[str, ...] = ("png", "svg", "pdf")


def styled[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """Run a figure-building function inside the Caravan style context."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with mplstyle.context(STYLE_PATH):
            return func(*args, **kwargs)

    return wrapper


def new_figure(height: float, width: float = A4_WIDTH) -> Figure:
    """A blank figure of the given size in inches (call inside :func:`styled`)."""
    return Figure(figsize=(width, height), layout="constrained")


def save_figure(fig: Figure, stem: Path, formats: Iterable[str] = FORMATS) -> list[Path]:
    """Save ``fig`` as ``stem.<fmt>`` for each format; return the paths written."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    with mplstyle.context(STYLE_PATH):
        for fmt in formats:
            path = stem.with_suffix(f".{fmt}")
            fig.savefig(path, format=fmt)
            paths.append(path)
    return paths


def png_bytes(fig: Figure, dpi: int = 150) -> bytes:
    """The figure rendered as PNG bytes (for embedding and for tests)."""
    buf = io.BytesIO()
    with mplstyle.context(STYLE_PATH):
        fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
