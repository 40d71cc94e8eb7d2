"""The batched worker's fast path gives exactly what Hydra's per-job composition gives."""

from __future__ import annotations

import pytest
from hydra._internal.callbacks import Callbacks
from hydra._internal.hydra import Hydra
from hydra._internal.utils import create_config_search_path
from hydra.core.global_hydra import GlobalHydra
from hydra.core.singleton import Singleton
from hydra.core.utils import setup_globals
from hydra.types import HydraContext, RunMode
from omegaconf import OmegaConf

from sim.compose import CONF_DIR, register_configs
from sim.config import to_typed
from sim.errors import ConfigError
from sim.sweep.worker import JobRunner, JobSpec, LaunchSpec, _overrides_yaml


def launch_spec(tmp_path, *overrides: str) -> tuple[LaunchSpec, HydraContext]:
    setup_globals()
    register_configs()
    GlobalHydra.instance().clear()
    hydra = Hydra.create_main_hydra2(
        task_name="caravan", config_search_path=create_config_search_path(str(CONF_DIR))
    )
    try:
        cfg = hydra.compose_config(
            "config",
            overrides=list(overrides),
            run_mode=RunMode.MULTIRUN,
            with_log_configuration=False,
        )
    finally:
        GlobalHydra.instance().clear()
    context = HydraContext(config_loader=hydra.config_loader, callbacks=Callbacks(cfg))
    spec = LaunchSpec(cfg, context, None, Singleton.get_state(), str(tmp_path / "sweep"))
    return spec, context


def hydra_job_config(spec: LaunchSpec, context: HydraContext, overrides: list[str]):
    """What Hydra's own launchers compose for a job (``load_sweep_config``)."""
    composed = context.config_loader.load_sweep_config(spec.config, overrides)
    OmegaConf.set_struct(composed, False)
    composed.pop("hydra")
    return composed


JOBS = [
    ["sweep.replicate=3"],
    ["trade.sigma=3", "seed=5", "sweep.replicate=1"],
    ["tariff.changes=[{exporters:[KAZ],scale:0.5}]", "world.economies=[KAZ,RUS,CHN]"],
    ["scenario=cis_fta_deepening", "trade.sigma=4"],
    ["scenario=national_currency_push", "settlement.enabled=false"],
    ["output.pairs=false", "sim.quarters=3", "sim.growth=flat"],
    ["sweep.replicate=3"],  # again, after other keys were set and undone
]


def test_fast_path_equals_hydra_composition(tmp_path):
    spec, context = launch_spec(tmp_path)
    runner = JobRunner(spec)
    assert not runner.classic
    for overrides in JOBS + JOBS:  # the second time each line's parse is the kept one
        typed, params, text = runner.job_config(overrides)
        composed = hydra_job_config(spec, context, overrides)
        assert typed == to_typed(composed), overrides
        assert text == OmegaConf.to_yaml(composed), overrides
        if "trade.sigma=3" in overrides:
            assert params["trade.sigma"] == 3.0 and isinstance(params["trade.sigma"], float)
    # one composition per distinct set of config-group overrides, kept by the runner
    assert set(runner._bases) == {
        (),
        ("scenario=cis_fta_deepening",),
        ("scenario=national_currency_push",),
    }


@pytest.mark.parametrize(
    "overrides",
    [*JOBS, [], ["x='a b'", "y=null", "z=: x", "u=é", "v=" + "a" * 200, "~baz", "h=- y", "n=1e5"]]
    + [["x=${y}"], ["z=\\${q}"], ["w=???"], ["null"], ["true"], ["~"]],
)
def test_overrides_yaml_is_what_omegaconf_writes(overrides):
    assert _overrides_yaml(overrides) == OmegaConf.to_yaml(overrides)


def test_runners_keep_their_own_state(tmp_path):
    spec, _ = launch_spec(tmp_path)
    first, second = JobRunner(spec), JobRunner(spec)
    first.job_config(["trade.sigma=3"])
    assert first._bases and not second._bases


def test_a_bad_value_names_its_key_and_leaves_the_base_unchanged(tmp_path):
    spec, context = launch_spec(tmp_path)
    runner = JobRunner(spec)
    with pytest.raises(ConfigError, match="trade.sigma"):
        runner.job_config(["sim.quarters=3", "trade.sigma=abc"])
    typed, _, _ = runner.job_config([])
    assert typed == to_typed(hydra_job_config(spec, context, []))
    assert typed.sim.quarters == 12


def test_a_job_that_cannot_run_is_a_failed_result_not_an_exception(tmp_path):
    spec, _ = launch_spec(tmp_path)
    runner = JobRunner(spec)
    (tmp_path / "sweep").mkdir()
    (tmp_path / "sweep" / "4").write_text("in the way")
    result = runner.run(JobSpec(index=0, num=4, overrides=("sim.quarters=1",)))
    assert result["status"] == "failed" and result["recorded"] is False
    assert "sweep/4" in result["error"]
    result = runner.run(JobSpec(index=1, num=5, overrides=("trade.sigma=50",)))
    assert result["status"] == "failed" and "trade.sigma" in result["error"]
    assert (tmp_path / "sweep" / "5" / "metadata.json").is_file()


def test_a_custom_subdir_takes_hydras_own_path(tmp_path):
    spec, _ = launch_spec(tmp_path, "hydra.sweep.subdir=${hydra.job.override_dirname}")
    assert JobRunner(spec).classic


def test_a_finished_jobs_model_is_freed_before_the_next_job(tmp_path):
    import gc

    from sim.model import CaravanModel

    def models() -> int:
        return sum(isinstance(o, CaravanModel) for o in gc.get_objects())

    spec, _ = launch_spec(tmp_path)
    runner = JobRunner(spec)
    gc.disable()  # only the runner's own collection may free the model (it is in cycles)
    try:
        before = models()
        for num in (0, 1):
            result = runner.run(JobSpec(index=num, num=num, overrides=("sim.quarters=1",)))
            assert result["status"] == "completed", result
            assert models() == before
        assert runner._frozen and gc.get_freeze_count() > 0
    finally:
        gc.enable()
        gc.unfreeze()


@pytest.mark.slow  # several seconds on 2 cores: in .ci/run's -m slow
def test_a_worker_shares_set_up_across_jobs_only_where_the_inputs_are_equal(tmp_path):
    """Corridor phase and seed-free settlement set-up once per worker; spin-up once per seed."""
    from sim import setup_cache

    setup_cache.clear()
    runner = JobRunner(launch_spec(tmp_path / "a", "debug=fast")[0])
    for i in range(3):  # seeds per run: every job has its own spin-up
        assert runner.run(JobSpec(i, i, (f"sweep.replicate={i}",)))["status"] == "completed"
    # routing: built for jobs 0 and 1 (kept from its second use), copied for job 2;
    # settlement: three seeds, each used once, so each built and none kept; each build asks
    # for the seed-free settlement set-up (one key): built for jobs 0 and 1, copied for job 2
    assert setup_cache.stats() == {"hits": 1 + 1, "misses": 2 + 3 + 2}
    runner = JobRunner(launch_spec(tmp_path / "b", "debug=fast")[0])
    for i in range(3):  # the same jobs again (a new sweep, same seeds): kept from now on
        assert runner.run(JobSpec(i, i, (f"sweep.replicate={i}",)))["status"] == "completed"
    # routing copied 3 times; settlement: second uses, built (and kept) 3 times, each build
    # copying the seed-free set-up
    assert setup_cache.stats() == {"hits": 2 + 3 + 3, "misses": 7 + 3}
    runner = JobRunner(launch_spec(tmp_path / "c", "debug=fast")[0])
    for i in range(3):  # one seed for every job: the spin-up is copied for the third
        job = JobSpec(i, i, (f"sweep.replicate={i}", "sweep.seeds=fixed"))
        assert runner.run(job)["status"] == "completed"
    # routing copied 3 times; the fixed seed's spin-up built twice (each copying the seed-free
    # set-up), then copied for the third job
    assert setup_cache.stats() == {"hits": 8 + 3 + 2 + 1, "misses": 10 + 2}
    setup_cache.clear()
