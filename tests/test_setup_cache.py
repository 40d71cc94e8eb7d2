"""The set-up cache: a template's copies run as freshly built phases; a changed input misses."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pytest

from sim import setup_cache
from sim.compose import compose_and_validate
from sim.model import CaravanModel
from sim.runner import simulate


@pytest.fixture(autouse=True)
def cold_cache():
    setup_cache.clear()
    yield
    setup_cache.clear()


def parquet_bytes(tables) -> dict[str, bytes]:
    out = {}
    for name, table in tables.items():
        buffer = io.BytesIO()
        table.to_parquet(buffer)
        out[name] = buffer.getvalue()
    return out


@pytest.fixture(scope="module")
def cfg():
    return compose_and_validate(["debug=fast", "sweep.seeds=fixed"])


def test_cold_warm_and_uncached_runs_write_identical_tables(cfg, monkeypatch):
    cold = parquet_bytes(simulate(cfg)[1])  # first use: built, nothing kept
    assert setup_cache.stats() == {"hits": 0, "misses": 3}  # routing, settlement and its setup
    kept = parquet_bytes(simulate(cfg)[1])  # second use: built, kept, a copy runs
    assert setup_cache.stats() == {"hits": 0, "misses": 6}
    warm = parquet_bytes(simulate(cfg)[1])  # from the kept templates (the setup not asked)
    assert setup_cache.stats() == {"hits": 2, "misses": 6}
    assert set(cold) >= {"economies", "pairs", "world", "settlement", "segments"}
    assert kept == cold and warm == cold
    # the readable path: every phase built from scratch, no template, no copy
    monkeypatch.setattr(setup_cache, "cached", lambda kind, key, build, shared=None: build())
    assert parquet_bytes(simulate(cfg)[1]) == cold


def test_a_copy_owns_its_state_and_the_template_stays_at_the_start(cfg):
    CaravanModel(cfg)  # first use of the keys
    first = CaravanModel(cfg)  # a copy of the templates kept now
    first.run()
    second = CaravanModel(cfg)  # from the templates, after `first` stepped its copy
    assert setup_cache.stats()["hits"] == 2
    assert second.settlement is not first.settlement
    assert second.streams["settlement"] is second.settlement.rng
    second.run()
    for a, b in zip(first.records.pairs, second.records.pairs, strict=True):
        for name in a:
            np.testing.assert_array_equal(a[name], b[name])
    # objects the construction itself shares across runs stay shared
    assert second.routing.paths is first.routing.paths
    assert second.routing.net is first.routing.net


@pytest.mark.parametrize(
    ("change", "missed"),
    [
        (lambda c: dataclasses.replace(c, seed=c.seed + 1), {"settlement"}),  # setup copied
        (
            lambda c: dataclasses.replace(
                c,
                settlement=dataclasses.replace(
                    c.settlement, revision_rate=c.settlement.revision_rate * 0.5
                ),
            ),
            {"settlement", "settlement_setup"},
        ),
        (
            lambda c: dataclasses.replace(
                c,
                corridors=dataclasses.replace(
                    c.corridors, value_of_time_per_day=c.corridors.value_of_time_per_day * 2
                ),
            ),
            {"routing"},
        ),
        (lambda c: dataclasses.replace(c, sim=dataclasses.replace(c.sim, start="2024Q3")), None),
        (lambda c: dataclasses.replace(c, trade=dataclasses.replace(c.trade, sigma=7.0)), set()),
    ],
    ids=["seed", "settlement", "corridors", "start", "sigma"],
)
def test_changing_an_input_misses_the_cache(cfg, change, missed, monkeypatch):
    built: list[str] = []
    real = setup_cache.cached

    def spy(kind, key, build, shared=lambda _: ()):
        return real(kind, key, lambda: built.append(kind) or build(), shared)

    monkeypatch.setattr(setup_cache, "cached", spy)
    CaravanModel(cfg)
    CaravanModel(cfg)  # second use: the templates are kept
    built.clear()
    CaravanModel(change(cfg))
    if missed is None:  # the start moves both the path search and the spin-up
        assert set(built) == {"routing", "settlement"}
    else:
        assert set(built) == missed


def test_key_of_tells_apart_values_that_print_alike():
    base = np.zeros(3)
    bumped = base.copy()
    bumped[1] = 1e-300
    assert setup_cache.key_of(base) != setup_cache.key_of(bumped)
    assert setup_cache.key_of(0.1) != setup_cache.key_of(float(np.nextafter(0.1, 1.0)))
    assert setup_cache.key_of((1, 2)) != setup_cache.key_of([1, 2])
    assert setup_cache.key_of({"a": 1}) != setup_cache.key_of({"a": 1.0})
    rng = np.random.default_rng(1)
    before = setup_cache.key_of(rng)
    rng.random()
    assert setup_cache.key_of(rng) != before
    assert setup_cache.key_of(np.random.default_rng(1)) == before
    with pytest.raises(TypeError, match="cannot key"):
        setup_cache.key_of(object())


def test_a_template_is_kept_from_a_keys_second_use_and_at_most_size_per_kind():
    builds = []

    def build(i):
        builds.append(i)
        return [i]

    setup_cache.cached("toy", setup_cache.key_of(-1), lambda: build(-1))
    assert not setup_cache._TEMPLATES["toy"]  # used once: nothing kept
    for i in range(setup_cache.SIZE + 3):
        for _ in range(3):  # built on the first two uses, copied on the third
            assert setup_cache.cached("toy", setup_cache.key_of(i), lambda i=i: build(i)) == [i]
    assert builds == [-1] + [i for i in range(setup_cache.SIZE + 3) for _ in range(2)]
    assert len(setup_cache._TEMPLATES["toy"]) == setup_cache.SIZE
    assert setup_cache.key_of(0) not in setup_cache._TEMPLATES["toy"]  # the oldest dropped


def test_runs_with_new_seeds_share_the_seed_free_settlement_setup(cfg):
    """Per-run seeds: the spin-up is built every time, its seed-free setup copied from the 3rd."""
    runs = [dataclasses.replace(cfg, seed=seed) for seed in (11, 12, 13)]
    tables = [parquet_bytes(simulate(c)[1]) for c in runs]
    assert setup_cache.stats()["hits"] == 2  # routing (3rd run) and the settlement setup (3rd)
    assert set(setup_cache._TEMPLATES["settlement_setup"]) and not setup_cache._TEMPLATES.get(
        "settlement"
    )
    setup_cache.clear()
    assert parquet_bytes(simulate(runs[2])[1]) == tables[2]  # built from scratch: the same bytes
