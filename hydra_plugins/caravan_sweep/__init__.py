"""Caravan's Hydra plugins for sweeps: a launcher, a SALib sweeper and an end-of-sweep callback.

- ``hydra/launcher=caravan`` (the default): local parallel processes through
  joblib/loky, with a live progress bar and resume (completed runs are skipped);
- ``hydra/sweeper=salib``: Latin hypercube, Sobol or Morris designs;
- the ``caravan_sweep`` callback: collects the sweep into tidy tables and prints
  the summary (with any launcher, including Ray and submitit).

The logic lives in :mod:`sim.sweep`; these modules are thin Hydra shells and
import it lazily, since Hydra imports every plugin module when it scans.
"""
