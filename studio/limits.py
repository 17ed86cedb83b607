"""Bounds on what a visitor can ask for, so no configuration can exhaust a shared server.

The same limits guard the Build form, share links and uploaded models. The
server-wide settings come from environment variables:

* ``MLP_STUDIO_MAX_JOBS`` -- training jobs that may run at once (default: the CPUs this
  container may really use, see :func:`available_cpus`);
* ``MLP_STUDIO_JOB_SECONDS`` -- the longest a job may train (default 900 s);
* ``MLP_STUDIO_SWEEP_SECONDS`` -- the longest a sweep may run, all its runs together
  (default 900 s).
"""

import functools
import math
import os
from pathlib import Path

MAX_HIDDEN_LAYERS = 6
MAX_UNITS = 1024
MAX_PARAMS = 2_000_000
MAX_EPOCHS = 500
MAX_BATCH_SIZE = 4096
MAX_LEARNING_RATE = 10.0
MAX_L2 = 1.0
MAX_SEED = 2**32 - 1
MAX_TOY_SAMPLES = 20_000
MAX_PATIENCE = 100
MAX_SWEEP_RUNS = 48      # points x seeds of one sweep
MAX_SWEEP_VALUES = 12    # values of one varied setting
MAX_SWEEP_SEEDS = 3


def _env_int(name, default, low):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number. Received: {raw!r}") from None
    if value < low:
        raise ValueError(f"{name} must be at least {low}. Received: {value}")
    return value


@functools.cache
def available_cpus(cgroup_root="/sys/fs/cgroup"):
    """The CPUs this process may really use: at least 1 (read once per process).

    The host's core count is not it in a container: the CPUs the process may be
    scheduled on (``os.process_cpu_count()``, else the affinity mask) are capped
    by the container's CPU quota (cgroup v2 ``cpu.max``, else v1
    ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us``), rounded down.
    """
    counter = getattr(os, "process_cpu_count", None)
    if counter is not None:
        count = counter()
    else:
        try:
            count = len(os.sched_getaffinity(0))
        except AttributeError:
            count = os.cpu_count()
    count = count or 1
    quota = cgroup_cpu_quota(cgroup_root)
    if quota is not None:
        count = min(count, max(1, math.floor(quota)))
    return count


def cgroup_cpu_quota(cgroup_root="/sys/fs/cgroup"):
    """The container's CPU quota in CPUs (e.g. 1.5), or None when there is none."""
    root = Path(cgroup_root)
    try:
        quota, period = (root / "cpu.max").read_text().split()[:2]
        if quota != "max" and float(period) > 0:
            return float(quota) / float(period)
        return None
    except (OSError, ValueError):
        pass
    try:
        quota = float((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period = float((root / "cpu" / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return quota / period if quota > 0 and period > 0 else None


def max_jobs():
    """Training jobs that may run at the same time on this server."""
    return _env_int("MLP_STUDIO_MAX_JOBS", available_cpus(), 1)


def max_job_seconds():
    """The longest one training job may run, in seconds."""
    return _env_int("MLP_STUDIO_JOB_SECONDS", 900, 1)


def max_sweep_seconds():
    """The longest one sweep may run (every run of it, from the first start), in seconds."""
    return _env_int("MLP_STUDIO_SWEEP_SECONDS", 900, 1)
