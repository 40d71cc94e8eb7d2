"""Sweeps at scale: replications, failure isolation, resume, progress, collection, designs.

``caravan -m ...`` (Hydra multirun) is the way to sweep. This package holds
the pieces Hydra lacks; the Hydra plugins in ``hydra_plugins/caravan_sweep``
(launcher, SALib sweeper, end-of-sweep callback) are thin shells around it:

- :mod:`sim.sweep.schema` — the ``sweep`` config group (replicate, seed mode)
  and the per-run seed derived from the base seed and ``hydra.job.num``;
- :mod:`sim.sweep.job` — one multirun job: seed, skip-if-complete, failure
  recorded in ``metadata.json`` instead of raised;
- :mod:`sim.sweep.worker` — a worker's job runner: the base config composed
  once, each job's overrides applied in-process;
- :mod:`sim.sweep.pool` — long-lived worker processes that survive a killed
  worker and die with their launcher;
- :mod:`sim.sweep.rundirs` — reading a sweep directory's run directories (and
  the launcher's record of failures no run directory could hold);
- :mod:`sim.sweep.collect` — streaming the runs' tables into one tidy table;
- :mod:`sim.sweep.summary` — the end-of-sweep summary and exit code;
- :mod:`sim.sweep.progress` — the live progress bar;
- :mod:`sim.sweep.validate` — checking every swept value before launching;
- :mod:`sim.sweep.design` — Latin hypercube, Sobol and Morris samples (SALib);
- :mod:`sim.sweep.sensitivity` — ``caravan-sensitivity``: indices from a sweep.

Nothing here is imported by the model; only ``sim.cli`` imports it.
"""
