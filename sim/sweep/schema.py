"""The per-run seed of a multirun job (the ``sweep`` config node lives in :mod:`sim.config`).

Replications are a swept config key, so the schema accepts them without a
``+`` (which would bypass it)::

    caravan -m trade.sigma=3,5 sweep.replicate=range(10)

is 20 runs. Every run of a multirun gets its own seed, derived from the base
``seed`` and its integer job number ``hydra.job.num`` (never ``hydra.job.id``,
a string) through :class:`numpy.random.SeedSequence`; the seed is recorded in
the run's ``metadata.json`` and in every row of the collected tables, and
``caravan seed=<that seed>`` repeats the run as a single run.
"""

from __future__ import annotations

import numpy as np

from sim.config import SEED_MODES, SweepConfig
from sim.fields import Context, check_tree

__all__ = ["SEED_MODES", "SweepConfig", "derive_seed", "validate_sweep"]


def validate_sweep(sweep: SweepConfig) -> SweepConfig:
    """Check the ``sweep`` node's ranges (part of :func:`sim.config.validate`); return it.

    Raises:
        ConfigError: naming the key.
    """
    check_tree(sweep, "sweep", Context(root=None))
    return sweep


def derive_seed(base_seed: int, job_num: int, sweep: SweepConfig) -> int:
    """The seed of one multirun job.

    Args:
        base_seed: The config's ``seed``.
        job_num: ``hydra.job.num`` (the integer job number).
        sweep: The job's ``sweep`` node.

    Returns:
        An integer in [0, 2^63 − 1]; equal inputs give equal seeds.
    """
    if sweep.seeds == "fixed":
        return base_seed
    index = job_num if sweep.seeds == "per_run" else sweep.replicate
    state = np.random.SeedSequence([base_seed, index]).generate_state(1, dtype=np.uint64)[0]
    return int(state >> np.uint64(1))
