"""Sweeps: one or two settings varied over their values, every run trained, compared.

:mod:`~studio.sweep.spec` says what a sweep tries, :mod:`~studio.sweep.run` trains
one run in a worker, :mod:`~studio.sweep.backends` says where runs execute (local
processes or a Dask cluster), :mod:`~studio.sweep.job` runs a whole sweep under the
server's limits and :mod:`~studio.sweep.results` reads and writes its results file.
``python -m studio.sweep`` runs one without the dashboard.

The names below are imported on first use, so that a worker process, which needs
only :mod:`~studio.sweep.run`, starts without the job and specification modules.
"""

import importlib

_HOMES = {"SweepJob": "job", "SweepSnapshot": "job", "SweepStatus": "job", "score_of": "job",
          "SETTINGS": "spec", "Axis": "spec", "SweepError": "spec", "SweepSpec": "spec",
          "log_grid": "spec", "parse_values": "spec"}

__all__ = sorted(_HOMES)


def __getattr__(name):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_HOMES))
