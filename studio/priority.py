"""How a worker process that trains yields the CPU to the server it serves.

Training workers (:mod:`studio.training_worker`) and local sweep workers
(:mod:`studio.sweep.run`) run long, CPU-bound loops beside a server whose page
scripts a visitor waits for. Each worker lowers itself once, as it starts:

* a niceness of :data:`NICENESS`, so that a page script runs before a batch;
* on Linux, the ``SCHED_BATCH`` policy: the kernel treats the process as the
  non-interactive, CPU-bound work it is and lets it run longer stretches
  between preemptions. Beside browsers and a server that wake every few
  milliseconds, two such workers trained 3-14% more samples per CPU-second.

Nothing here imports more than the standard library.
"""

import os

NICENESS = 10


def lower_priority(niceness=NICENESS):
    """Lower this process's CPU priority (see the module doc); returns what was applied,
    a subset of ``{"nice", "batch"}`` (a platform without these calls applies nothing)."""
    applied = set()
    if hasattr(os, "nice"):
        try:
            os.nice(niceness)
            applied.add("nice")
        except OSError:
            pass
    if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_BATCH"):
        try:
            os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
            applied.add("batch")
        except OSError:
            pass
    return applied
