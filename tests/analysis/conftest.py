"""Synthetic run and sweep directories following the run-directory contract."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.image import imread

from analysis.style import png_bytes
from tests.analysis.synthetic import write_network, write_run, write_sweep

SEEDS = (0, 1, 2)
QUARTERS = 6


@pytest.fixture(scope="session")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two scenarios × three seeds, job 5 failed, with a sensitivity table."""
    return write_sweep(
        tmp_path_factory.mktemp("sweep") / "s",
        seeds=SEEDS,
        quarters=QUARTERS,
        failed=(5,),
        sensitivity=True,
    )


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("run") / "r"
    write_run(path, scenario="cis_fta_deepening", seed=4, quarters=QUARTERS)
    return path


@pytest.fixture(scope="session")
def baseline_run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("base") / "b"
    write_run(path, scenario="baseline", seed=4, quarters=QUARTERS)
    return path


@pytest.fixture(scope="session")
def network_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_network(tmp_path_factory.mktemp("net"))


def assert_not_blank(fig: Figure) -> None:
    """The figure renders to a PNG whose pixels vary (more than a frame and a title)."""
    import io

    img = imread(io.BytesIO(png_bytes(fig, dpi=60)))
    rgb = img[..., :3].reshape(-1, 3)
    assert rgb.std() > 0.05
    colours = np.unique((rgb * 255).astype(np.uint8), axis=0)
    assert len(colours) > 20
