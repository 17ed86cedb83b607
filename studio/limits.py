"""Bounds on what a visitor can ask for, so no configuration can exhaust a shared server.

The same limits guard the Build form, share links and uploaded models. The
server-wide settings come from environment variables:

* ``MLP_STUDIO_MAX_JOBS`` -- training jobs that may run at once (default: the core count);
* ``MLP_STUDIO_JOB_SECONDS`` -- the longest a job may train (default 900 s).
"""

import os

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


def max_jobs():
    """Training jobs that may run at the same time on this server."""
    return _env_int("MLP_STUDIO_MAX_JOBS", os.cpu_count() or 1, 1)


def max_job_seconds():
    """The longest one training job may run, in seconds."""
    return _env_int("MLP_STUDIO_JOB_SECONDS", 900, 1)
