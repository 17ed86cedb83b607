"""A warm local pool, kept between sweeps so that the next sweep starts at once.

Starting a pool (new processes importing NumPy and joblib and mapping the server's
data) takes 0.4-0.9 s, and shutting it down 0.15 s: a quarter of a small sweep with
two workers. A :class:`PoolKeeper` keeps the last pool a sweep finished with, idle,
for the next sweep that asks for the same number of workers and the same data, and
shuts it down after ``idle_seconds`` (its workers and their data files take memory). A cancelled or
broken pool is never kept; two sweeps at once get a pool each. :meth:`PoolKeeper.prepare`
starts a pool ahead of the first sweep (the Sweep page calls it while its visitor sets the
sweep up), so that one too starts on workers that are already there.
"""

import logging
import threading
import time

from studio.sweep.backends import LocalBackend

IDLE_SECONDS = 120.0
#: Seconds a sweep waits for a pool :meth:`PoolKeeper.prepare` is putting together.
PREPARE_WAIT_SECONDS = 10.0
log = logging.getLogger("mlp_studio.sweep")


class PoolKeeper:
    """At most one idle :class:`LocalBackend`, handed to the next sweep that fits it."""

    def __init__(self, idle_seconds=IDLE_SECONDS):
        self.idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._idle = None          # (backend, monotonic time it was given back)
        self._watcher = None
        self._prepared = threading.Event()   # clear while prepare() puts a pool together
        self._prepared.set()

    def prepare(self, workers, datasets=None):
        """Start a pool of ``workers`` processes holding ``datasets`` ahead of the sweep that
        will ask for it, unless a pool is idle already or one is being put together. An
        idle pool that does not fit is left alone: it may be another visitor's, and two
        visitors setting up sweeps on different data would otherwise replace each other's
        pool at every rerun of their pages (their sweeps still get a pool when they start).

        Returns at once (True when a pool is being started): a thread writes the data,
        starts the processes and hands the pool in as idle, like a pool a sweep gave back
        (shut down after ``idle_seconds`` if no sweep takes it). A sweep that asks
        meanwhile waits for it rather than start a second pool.
        """
        datasets = dict(datasets or {})
        with self._lock:
            if not self._prepared.is_set() or self._idle is not None:
                return False
            self._prepared.clear()
        threading.Thread(target=self._put_together, args=(workers, datasets), daemon=True,
                         name="mlp-studio-sweep-pool-start").start()
        return True

    def _put_together(self, workers, datasets):
        try:
            backend = LocalBackend(workers, datasets, keeper=self)
            backend.start_workers()
            self.give_back(backend)
        except Exception:  # noqa: BLE001 - the sweep itself will start a pool and say why not
            log.exception("sweep: a pool could not be started ahead of the sweep")
        finally:
            self._prepared.set()

    def backend(self, workers, datasets=None):
        """A pool of ``workers`` processes holding ``datasets``: the idle one if it fits,
        else a new one (the idle one is shut down then)."""
        datasets = dict(datasets or {})
        self._prepared.wait(PREPARE_WAIT_SECONDS)
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
