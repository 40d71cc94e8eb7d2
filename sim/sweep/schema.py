"""The ``sweep`` config node and the per-run seed of a multirun job.

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

from dataclasses import dataclass

import numpy as np

from sim.errors import ConfigError

SEED_MODES = ("per_run", "per_replicate", "fixed")


@dataclass
class SweepConfig:
    """How a run takes part in a sweep (ignored by single runs).

    Attributes:
        replicate: Replication index (≥ 0); sweep it with ``sweep.replicate=range(N)``.
        seeds: ``per_run`` (default): seed from (base seed, job number), so every
            run is independent; ``per_replicate``: seed from (base seed,
            replicate), so runs of the same replicate share random numbers across
            parameter points (common random numbers); ``fixed``: the base seed.
        sample: Row of a sampled design (set by the SALib sweeper; −1 = none).
    """

    replicate: int = 0
    seeds: str = "per_run"
    sample: int = -1


def validate_sweep(sweep: SweepConfig) -> SweepConfig:
    """Check the ``sweep`` node's ranges; return it unchanged.

    Raises:
        ConfigError: naming the key.
    """
    if sweep.replicate < 0:
        raise ConfigError("sweep.replicate", f"must be an integer ≥ 0, got {sweep.replicate}")
    if sweep.seeds not in SEED_MODES:
        raise ConfigError(
            "sweep.seeds", f"must be one of {', '.join(SEED_MODES)}, got {sweep.seeds!r}"
        )
    if sweep.sample < -1:
        raise ConfigError("sweep.sample", f"must be an integer ≥ -1, got {sweep.sample}")
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
