"""Caravan analysis: figures and the one-command report, built from output tables only.

Every function here reads the tables a run or a sweep writes (see the
README's run-directory contract) and nothing else from the model. Figures are
``matplotlib.figure.Figure`` objects drawn without pyplot (so no GUI backend is
ever touched) in the one style of ``analysis/caravan.mplstyle``.

The public entry points:

- :func:`analysis.loading.load_results` — a run or sweep directory as tidy tables;
- :mod:`analysis.figures` — one function per figure;
- :func:`analysis.report.build_report` and the ``caravan-report`` command.
"""
