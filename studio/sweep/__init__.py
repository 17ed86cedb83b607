"""Sweeps: one or two settings varied over their values, every run trained, compared.

:mod:`~studio.sweep.spec` says what a sweep tries, :mod:`~studio.sweep.run` trains
one run in a worker, :mod:`~studio.sweep.backends` says where runs execute (local
processes or a Dask cluster), :mod:`~studio.sweep.job` runs a whole sweep under the
server's limits and :mod:`~studio.sweep.results` reads and writes its results file.
``python -m studio.sweep`` runs one without the dashboard.
"""

from studio.sweep.job import SweepJob, SweepSnapshot, SweepStatus, score_of
from studio.sweep.spec import SETTINGS, Axis, SweepError, SweepSpec, log_grid, parse_values

__all__ = ["SETTINGS", "Axis", "SweepError", "SweepJob", "SweepSnapshot", "SweepSpec",
           "SweepStatus", "log_grid", "parse_values", "score_of"]
