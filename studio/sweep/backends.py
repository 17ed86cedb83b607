"""Where a sweep's runs execute: local worker processes (loky) or a Dask cluster.

Both backends take a run's description (:func:`studio.sweep.run.point_message`)
and hand back its result dict; both stop what they run when cancelled:

* :class:`LocalBackend` -- a loky process pool of its own (joblib's executor):
  real parallelism without the GIL, one BLAS thread per process, and cancelling
  kills its processes, so a run in the middle of an epoch really stops.
* :class:`DaskBackend` -- ``distributed.Client`` on an existing scheduler
  (``MLP_STUDIO_DASK_SCHEDULER``). An uploaded table is scattered to every worker
  once; cancelling sets a ``distributed.Event`` the runs look at twice a second.
  Dask is optional: without it this backend says how to install it.
"""

import concurrent.futures
import os
import shutil
import tempfile
import time
import uuid
import weakref

from studio.sweep.run import run_point, start_local_worker
from studio.sweep.shipping import ship

BACKENDS = ("loky", "dask")
DASK_INSTALL_HINT = ("The Dask backend needs dask and distributed: pip install -r "
                     "requirements-cluster.txt")


class BackendError(RuntimeError):
    """A backend that cannot start (Dask missing, the scheduler unreachable)."""


class LocalBackend:
    """Runs in ``workers`` processes of this machine.

    Parameters
    ----------
    workers : int
        Processes in the pool (each runs one run at a time).
    datasets : dict, optional
        ``{studio.sweep.run.dataset_key: data.Dataset}``: the data the server holds
        (an uploaded table, a built-in set). Its arrays are written once into a
        temporary folder that every worker maps read-only as it starts
        (:mod:`studio.sweep.shipping`); the folder goes with the pool.
    keeper : studio.sweep.pool.PoolKeeper, optional
        Where :meth:`close` hands the pool back, warm, for the next sweep.
    """

    name = "loky"

    def __init__(self, workers, datasets=None, keeper=None):
        from joblib.externals.loky import ProcessPoolExecutor
        self.workers = int(workers)
        self.datasets, self._keeper = dict(datasets or {}), keeper
        threads = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                          "MKL_NUM_THREADS")}
        self._cancelled = False
        self.folder, shipped = None, {}
        if self.datasets:
            self.folder = tempfile.mkdtemp(prefix="mlp-studio-sweep-")
            self._remove_folder = weakref.finalize(self, shutil.rmtree, self.folder,
                                                   ignore_errors=True)
            shipped = ship(self.datasets, self.folder)
        self._executor = ProcessPoolExecutor(max_workers=self.workers, env=threads,
                                             initializer=start_local_worker,
                                             initargs=(shipped,))

    @property
    def parallelism(self):
        return self.workers

    def submit(self, message):
        """Start one run; a ``concurrent.futures.Future`` of its result dict."""
        return self._executor.submit(run_point, message)

    def start_workers(self):
        """Start every process now rather than at the first run (returns at once)."""
        self._executor.submit(os.getpid)

    @staticmethod
    def wait(futures, timeout):
        """(done, not done) once any of ``futures`` is done or ``timeout`` seconds passed."""
        return concurrent.futures.wait(futures, timeout=timeout,
                                       return_when=concurrent.futures.FIRST_COMPLETED)

    @property
    def broken(self):
        """True once a worker died: the pool takes no more runs."""
        return getattr(getattr(self._executor, "_flags", None), "broken", None) is not None

    def worker_pids(self):
        """The pool's process ids (for checking that cancelling leaves none behind)."""
        return [p.pid for p in (getattr(self._executor, "_processes", None) or {}).values()]

    def cancel(self):
        """Stop every run now: the pool's processes are killed."""
        self._cancelled = True
        self._executor.shutdown(wait=False, kill_workers=True)

    def fits(self, workers, datasets):
        """Whether this pool can serve a sweep of ``workers`` on ``datasets`` (the very
        same objects) as it is: not cancelled, not broken."""
        return (not self._cancelled and not self.broken and self.workers == workers
                and self.datasets.keys() == datasets.keys()
                and all(self.datasets[k] is datasets[k] for k in datasets))

    def close(self):
        """The sweep is done with the pool: back to its keeper, warm, unless it was
        cancelled or broke; otherwise shut down."""
        if self._keeper is not None and not self._cancelled and not self.broken:
            self._keeper.give_back(self)
            return
        self.shutdown()

    def shutdown(self):
        """Shut the pool down; after :meth:`cancel`, wait for its processes to be killed
        (a plain shutdown would undo the kill and wait for the runs to end)."""
        self._executor.shutdown(wait=True, kill_workers=self._cancelled)
        if self.folder is not None:
            self._remove_folder()


class DaskBackend:
    """Runs on the Dask cluster whose scheduler is at ``address``.

    Parameters
    ----------
    address : str
        The scheduler, e.g. ``tcp://10.0.0.5:8786``.
    dataset : data.Dataset, optional
        An uploaded table, scattered to every worker once.
    timeout : float
        Seconds to wait for the scheduler before giving up.
    """

    name = "dask"

    def __init__(self, address, dataset=None, timeout=10):
        try:
            from distributed import Client, Event
        except ImportError:
            raise BackendError(DASK_INSTALL_HINT) from None
        if not address:
            raise BackendError("Set MLP_STUDIO_DASK_SCHEDULER (or --scheduler) to the Dask "
                               "scheduler's address, e.g. tcp://10.0.0.5:8786.")
        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise BackendError(f"Could not reach the Dask scheduler at {address}: {exc}") from None
        self.event_name = f"mlp-studio-sweep-stop-{uuid.uuid4().hex}"
        self._event = Event(self.event_name, client=self.client)
        self._dataset = (self.client.scatter(dataset, broadcast=True, hash=False)
                         if dataset is not None else None)
        self._futures = []

    @property
    def parallelism(self):
        """Runs the cluster can train at once: its workers' threads (at least 1)."""
        return max(1, sum(self.client.nthreads().values()))

    def submit(self, message):
        future = self.client.submit(run_point, message, self._dataset, self.event_name,
                                    pure=False, key=f"sweep-run-{message['index']}-"
                                                    f"{uuid.uuid4().hex[:8]}")
        self._futures.append(future)
        return future

    @staticmethod
    def wait(futures, timeout, poll=0.05):
        """(done, not done) once any of ``futures`` is done or ``timeout`` seconds passed.

        (``distributed.wait`` needs a default client; this backend sets none, so that
        it never takes over another client's role in the process.)
        """
        deadline = time.monotonic() + timeout
        while True:
            done = {f for f in futures if f.done()}
            if done or time.monotonic() >= deadline:
                return done, set(futures) - done
            time.sleep(poll)

    def cancel(self):
        """Tell running runs to stop, and drop the ones not started."""
        self._event.set()
        self.client.cancel([f for f in self._futures if not f.done()])

    def close(self):
        self.client.close()


def make_backend(name, *, workers=None, address=None, datasets=None, keeper=None):
    """The backend called ``name`` ("loky" or "dask"); ``address`` defaults to
    ``MLP_STUDIO_DASK_SCHEDULER``. ``datasets`` (``{dataset_key: Dataset}``) go to local
    workers as they start; a Dask cluster gets only an uploaded table (key ("csv",))
    and loads built-in datasets itself. With a ``keeper`` (:class:`studio.sweep.pool.
    PoolKeeper`), a local pool comes warm from it when one fits, and goes back to it."""
    datasets = datasets or {}
    if name == "loky":
        if keeper is not None:
            return keeper.backend(workers or 1, datasets)
        return LocalBackend(workers or 1, datasets)
    if name == "dask":
        return DaskBackend(address or os.environ.get("MLP_STUDIO_DASK_SCHEDULER", ""),
                           datasets.get(("csv",)))
    raise BackendError(f"Unknown sweep backend {name!r}; choose one of {', '.join(BACKENDS)}.")


def backend_from_environment():
    """``MLP_STUDIO_SWEEP_BACKEND`` ("loky" by default), checked."""
    name = os.environ.get("MLP_STUDIO_SWEEP_BACKEND", "loky").strip() or "loky"
    if name not in BACKENDS:
        raise BackendError(f"MLP_STUDIO_SWEEP_BACKEND must be one of {', '.join(BACKENDS)}. "
                           f"Received: {name!r}")
    return name
