"""Path sets are cached on disk by a hash of their inputs and reused by a new process."""

import numpy as np
import pytest

from sim.routing import CorridorPhase, CorridorsConfig, path_cache
from sim.routing.config import Closure
from tests.routing.fixtures import ECONOMIES, gravity_flows


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CARAVAN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(path_cache, "_MEMORY", {})
    return tmp_path


@pytest.mark.slow  # a second Python process: ~5 s
def test_second_process_loads_the_same_paths_from_disk(fresh_cache, monkeypatch):
    flows = gravity_flows()
    first = CorridorPhase(ECONOMIES, CorridorsConfig(), flows, "2024Q1")
    assert first.paths_source == "built"
    assert len(list((fresh_cache / "paths").glob("*.npz"))) == 1
    monkeypatch.setattr(path_cache, "_MEMORY", {})  # what a new process sees
    second = CorridorPhase(ECONOMIES, CorridorsConfig(), flows, "2024Q1")
    assert second.paths_source == "disk"
    assert first.paths.segments == second.paths.segments
    assert np.array_equal(first.paths.ptr, second.paths.ptr)
    assert (first.paths.incidence != second.paths.incidence).nnz == 0
    a, b = first.step("2024Q2", flows), second.step("2024Q2", flows)
    assert np.array_equal(a.tau, b.tau)


def test_key_depends_on_path_inputs_only():
    cfg = CorridorsConfig()
    key = path_cache.cache_key(cfg, ECONOMIES, "2024Q1", (np.ones(3),))
    assert key == path_cache.cache_key(CorridorsConfig(), ECONOMIES, "2024Q1", (np.ones(3),))
    assert key == path_cache.cache_key(
        CorridorsConfig(logit_theta=7.0, corridor_frictions={"East-West": 3.0}),
        ECONOMIES,
        "2024Q1",
        (np.ones(3),),
    )  # assignment parameters do not move paths
    changed = [
        path_cache.cache_key(CorridorsConfig(k_paths=3), ECONOMIES, "2024Q1", (np.ones(3),)),
        path_cache.cache_key(
            CorridorsConfig(closures=[Closure("Suez", "2025Q1", "2025Q2")]),
            ECONOMIES,
            "2024Q1",
            (np.ones(3),),
        ),
        path_cache.cache_key(cfg, ECONOMIES[:-1], "2024Q1", (np.ones(3),)),
        path_cache.cache_key(cfg, ECONOMIES, "2024Q2", (np.ones(3),)),
        path_cache.cache_key(cfg, ECONOMIES, "2024Q1", (np.full(3, 2.0),)),
    ]
    assert key not in changed and len(set(changed)) == len(changed)


def test_unwritable_cache_folder_is_skipped(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CARAVAN_CACHE_DIR", str(blocker))
    monkeypatch.setattr(path_cache, "_MEMORY", {})
    econ = ("KAZ", "CHN", "EUU", "ROW")
    phase = CorridorPhase(econ, CorridorsConfig(), gravity_flows(econ), "2024Q1")
    assert phase.paths_source == "built"
