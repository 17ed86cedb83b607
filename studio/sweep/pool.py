"""A warm local pool, kept between sweeps so that the next sweep starts at once.

Starting a pool (new processes importing NumPy and joblib and mapping the server's
data) takes 0.4-0.9 s, and shutting it down 0.15 s: a quarter of a small sweep with
two workers. A :class:`PoolKeeper` keeps the last pool a sweep finished with, idle,
for the next sweep that asks for the same number of workers and the same data, and
shuts it down after ``idle_seconds`` (its workers and their data files take memory). A cancelled or
broken pool is never kept; two sweeps at once get a pool each.
"""

import threading
import time

from studio.sweep.backends import LocalBackend

IDLE_SECONDS = 120.0


class PoolKeeper:
    """At most one idle :class:`LocalBackend`, handed to the next sweep that fits it."""

    def __init__(self, idle_seconds=IDLE_SECONDS):
        self.idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._idle = None          # (backend, monotonic time it was given back)
        self._watcher = None

    def backend(self, workers, datasets=None):
        """A pool of ``workers`` processes holding ``datasets``: the idle one if it fits,
        else a new one (the idle one is shut down then)."""
        datasets = dict(datasets or {})
        with self._lock:
            idle, self._idle = self._idle, None
        if idle is not None:
            if idle[0].fits(workers, datasets):
                return idle[0]
            idle[0].shutdown()
        return LocalBackend(workers, datasets, keeper=self)

    def give_back(self, backend):
        """Keep ``backend`` for the next sweep (called by its ``close``)."""
        with self._lock:
            old, self._idle = self._idle, (backend, time.monotonic())
            if self._watcher is None or not self._watcher.is_alive():
                self._watcher = threading.Thread(target=self._watch, daemon=True,
                                                 name="mlp-studio-sweep-pool")
                self._watcher.start()
        if old is not None and old[0] is not backend:
            old[0].shutdown()

    @property
    def idle(self):
        """The pool kept now, or None."""
        with self._lock:
            return self._idle[0] if self._idle else None

    def clear(self):
        """Shut the idle pool down now."""
        with self._lock:
            idle, self._idle = self._idle, None
        if idle is not None:
            idle[0].shutdown()

    def _watch(self):
        """Shut the idle pool down once it has waited ``idle_seconds``; end when none is left."""
        while True:
            time.sleep(min(5.0, max(0.05, self.idle_seconds / 4)))
            with self._lock:
                if self._idle is None:
                    return
                backend, since = self._idle
                if time.monotonic() - since < self.idle_seconds:
                    continue
                self._idle = None
            backend.shutdown()
