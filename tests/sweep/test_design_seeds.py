from __future__ import annotations

from sim.sweep.design import seed_overrides
from sim.sweep.schema import SweepConfig, derive_seed


def test_designs_default_to_common_random_numbers() -> None:
    assert seed_overrides(["trade.sigma=3"]) == ["sweep.seeds=per_replicate"]
    assert seed_overrides(["sweep.seeds=per_run"]) == []
    # per_replicate: two design rows (job numbers) of replicate 0 share their seed
    sweep = SweepConfig(seeds="per_replicate", replicate=0)
    assert derive_seed(42, 0, sweep) == derive_seed(42, 7, sweep)
