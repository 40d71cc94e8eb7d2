"""Per-run seeds and the ``sweep`` node."""

from __future__ import annotations

import pytest

from sim.errors import ConfigError
from sim.sweep.schema import SweepConfig, derive_seed, validate_sweep


def test_per_run_seeds_are_distinct_reproducible_and_in_range():
    seeds = [derive_seed(42, job, SweepConfig()) for job in range(2000)]
    assert len(set(seeds)) == 2000
    assert seeds == [derive_seed(42, job, SweepConfig()) for job in range(2000)]
    assert all(0 <= s <= 2**63 - 1 for s in seeds)
    assert derive_seed(43, 0, SweepConfig()) != derive_seed(42, 0, SweepConfig())


def test_per_replicate_seeds_are_shared_across_parameter_points():
    mode = "per_replicate"
    a = derive_seed(42, 0, SweepConfig(replicate=3, seeds=mode))
    b = derive_seed(42, 17, SweepConfig(replicate=3, seeds=mode))
    c = derive_seed(42, 17, SweepConfig(replicate=4, seeds=mode))
    assert a == b != c


def test_fixed_seed_is_the_base_seed():
    assert derive_seed(42, 9, SweepConfig(seeds="fixed")) == 42


@pytest.mark.parametrize(
    ("node", "key"),
    [
        (SweepConfig(replicate=-1), "sweep.replicate"),
        (SweepConfig(seeds="random"), "sweep.seeds"),
        (SweepConfig(sample=-2), "sweep.sample"),
    ],
)
def test_bad_sweep_values_name_the_key(node, key):
    with pytest.raises(ConfigError, match=key):
        validate_sweep(node)
