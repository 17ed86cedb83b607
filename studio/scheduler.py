"""The server-wide cap on simultaneous training, and how many BLAS threads each job gets.

A :class:`JobScheduler` is shared by every session: at most ``max_jobs`` jobs
train at once (one worker process each), the others wait first come, first
served. Each running job's BLAS library gets the CPUs divided among the jobs
running (:func:`blas_threads`), and one thread when a batch is too small to gain
from more.
"""

import threading

from studio import limits

#: Multiply-adds per batch (batch size x parameters) below which a second BLAS thread
#: costs more than it gains, as ``benchmarks/concurrency.py`` measured it on two cores:
#: [784, 64, 10] at batch 32 (1.6 M) ran 0.79x as fast with two threads, [784, 128, 10]
#: at batch 64 (6.5 M) 1.5x as fast, and everything larger 1.2-1.8x.
MIN_WORK_FOR_THREADS = 5_000_000


def blas_threads(batch_size, n_params, n_running, cpus=None):
    """BLAS threads for one job: the CPUs shared among ``n_running`` jobs, 1 for small batches.

    Parameters
    ----------
    batch_size, n_params : int
        The job's batch size and network size (a batch costs about 3 x their product
        in multiply-adds, forward and backward).
    n_running : int
        Jobs training at the same time, this one included.
    cpus : int, optional
        CPUs available; default :func:`studio.limits.available_cpus`.
    """
    cpus = limits.available_cpus() if cpus is None else cpus
    share = max(1, cpus // max(1, n_running))
    return share if batch_size * n_params >= MIN_WORK_FOR_THREADS else 1


class JobScheduler:
    """A server-wide cap on simultaneous training, with a first-come queue."""

    def __init__(self, max_jobs):
        if max_jobs < 1:
            raise ValueError(f"max_jobs must be at least 1. Received: {max_jobs}")
        self.max_jobs = max_jobs
        self._condition = threading.Condition()
        self._running = set()
        self._queue = []

    def acquire(self, job, cancelled, present=None):
        """Block until ``job`` may train; return False if ``cancelled()`` turned true first.

        ``present()`` (default: always true) says whether the job's visitor is
        connected right now. A job whose visitor is not is passed over: it keeps
        its place but is never given a slot, and the jobs behind it go first; if
        the visitor does not come back, ``cancelled()`` ends its wait.
        """
        present = present or (lambda: True)
        with self._condition:
            self._queue.append((job, present))
            try:
                while True:
                    if cancelled():
                        return False
                    if len(self._running) < self.max_jobs and self._first_present() is job:
                        self._running.add(job)
                        return True
                    self._condition.wait(timeout=0.1)
            finally:
                self._queue = [entry for entry in self._queue if entry[0] is not job]
                self._condition.notify_all()

    def _first_present(self):
        for waiting, present in self._queue:
            if present():
                return waiting
        return None

    def release(self, job):
        """Give ``job``'s slot to the next one in the queue."""
        with self._condition:
            self._running.discard(job)
            self._condition.notify_all()

    def queue_position(self, job):
        """1 for the next job to start, None when ``job`` is not waiting."""
        with self._condition:
            jobs = [waiting for waiting, _ in self._queue]
            return jobs.index(job) + 1 if job in jobs else None

    @property
    def n_running(self):
        with self._condition:
            return len(self._running)


