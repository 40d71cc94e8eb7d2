"""``hydra/sweeper=salib``: Latin hypercube, Sobol (Saltelli) and Morris designs as a sweep.

Each design row becomes one job with the sampled values as overrides and
``sweep.sample=<row>``; command-line overrides apply to every row, and swept
ones (``sweep.replicate=range(3)``) are crossed with the design. The design
is saved to ``<sweep_dir>/sweep/design.json`` before anything runs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra.core.utils import JobReturn
from hydra.plugins.launcher import Launcher
from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf

from hydra_plugins.caravan_sweep.launcher import refuse_overwrite

log = logging.getLogger(__name__)


class SALibSweeper(Sweeper):
    """Sweep a SALib design (see ``conf/hydra/sweeper/salib.yaml`` for the options)."""

    def __init__(self, max_batch_size: int | None = None, **spec: Any) -> None:
        self.max_batch_size = max_batch_size
        self.spec = {k: v for k, v in spec.items() if k != "_target_"}
        self.config: DictConfig | None = None
        self.launcher: Launcher | None = None
        self.hydra_context: HydraContext | None = None

    def setup(
        self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig
    ) -> None:
        """Instantiate the configured launcher."""
        from hydra.core.plugins import Plugins

        self.hydra_context = hydra_context
        self.config = config
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=hydra_context, task_function=task_function, config=config
        )

    def job_overrides(self, arguments: Sequence[str]) -> list[list[str]]:
        """Every job's overrides: the command-line grid crossed with the design's rows."""
        from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
        from hydra.core.override_parser.overrides_parser import OverridesParser

        from sim.sweep.design import make_design, seed_overrides, write_design
        from sim.sweep.rundirs import COLLECT_DIR

        assert self.config is not None and self.hydra_context is not None
        spec = OmegaConf.to_container(OmegaConf.create(self.spec), resolve=True)
        assert isinstance(spec, dict)
        design = make_design(spec)
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        write_design(design, sweep_dir / COLLECT_DIR)
        parser = OverridesParser.create(config_loader=self.hydra_context.config_loader)
        grid = BasicSweeper.split_arguments(parser.parse_overrides(list(arguments)), None)[0]
        jobs = []
        for row, values in enumerate(design.samples):
            point = [f"{name}={float(v)!r}" for name, v in zip(design.names, values, strict=True)]
            point += [f"sweep.sample={row}", *seed_overrides(arguments)]
            jobs += [[*cell, *point] for cell in grid]
        log.info(
            "SALib %s design: %d rows × %d grid cells = %d jobs",
            design.method,
            len(design.samples),
            len(grid),
            len(jobs),
        )
        return jobs

    def sweep(self, arguments: list[str]) -> Any:
        """Launch every job, in batches of ``max_batch_size``; failures do not stop the sweep."""
        assert self.config is not None and self.launcher is not None
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        sweep_dir.mkdir(parents=True, exist_ok=True)
        jobs = self.job_overrides(arguments)
        refuse_overwrite(sweep_dir.absolute(), jobs, 0)  # before multirun.yaml is replaced
        OmegaConf.save(self.config, sweep_dir / "multirun.yaml")
        size = self.max_batch_size or len(jobs) or 1
        returns: list[Sequence[JobReturn]] = []
        for start in range(0, len(jobs), size):
            batch = jobs[start : start + size]
            returns.append(self.launcher.launch(batch, initial_job_idx=start))
        return returns
