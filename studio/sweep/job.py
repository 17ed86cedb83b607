"""A sweep being run: its runs handed to a backend, results gathered as they finish.

A :class:`SweepJob` is to a sweep what :class:`studio.jobs.TrainingJob` is to one
network: ``start / cancel / join / snapshot``, a status, a place in the server's
queue. With a :class:`studio.scheduler.JobScheduler`, every run in flight holds
one of the server's training slots, so a sweep queues behind other visitors'
work and they behind it, visibly; runs on a Dask cluster take no slot here. The
sweep stops at its time limit, when cancelled, and when its visitor has left.
"""

import enum
import threading
import time
from dataclasses import dataclass, field

from studio.sweep.results import last_value
from studio.sweep.run import point_message

#: Bytes of trained model files one sweep keeps; beyond this only the best runs keep
#: theirs (the others can still be loaded into Build and trained again).
MODEL_BUDGET_BYTES = 48 * 2**20
#: Seconds a sweep with runs in flight tries for one more slot before it looks at its
#: results again (it loses its place in line then, so others' jobs go first).
SLOT_TRY_SECONDS = 0.5


class SweepStatus(str, enum.Enum):
    IDLE = "idle"
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed out"
    FAILED = "failed"

    @property
    def active(self):
        return self in (SweepStatus.QUEUED, SweepStatus.RUNNING)


@dataclass
class SweepSnapshot:
    """A consistent copy of a sweep's state for drawing.

    ``results``: the finished runs' result dicts (see
    :func:`studio.sweep.run.run_point`) in the order they finished, without model bytes.
    """

    status: SweepStatus
    n_runs: int
    results: list = field(default_factory=list)
    running: int = 0
    queue_position: int | None = None
    elapsed: float = 0.0
    message: str = ""

    @property
    def n_done(self):
        return len(self.results)


def score_of(result, task):
    """The figure a run is ranked by: last validation accuracy (classification), or minus
    the last validation loss (regression); None when the run has none."""
    last = last_value(result.get("val_metric" if task == "classification" else "val_loss"))
    if last is None:
        return None
    return last if task == "classification" else -last


class SweepJob:
    """Runs every point of ``sweep`` on a backend, ``parallel`` at a time.

    Parameters
    ----------
    sweep : studio.sweep.spec.SweepSpec
        Validated.
    backend_factory : callable
        ``backend_factory()`` -> a backend (:mod:`studio.sweep.backends`), called in
        the sweep's thread once it may start.
    parallel : int
        Runs in flight at once (capped by the backend's parallelism).
    task : str
        "classification" or "regression" (how runs are ranked).
    scheduler : JobScheduler, optional
        Slots of this server: each run in flight holds one.
    owner_alive : callable, optional
        False once the visitor has left: the sweep is cancelled.
    time_limit : float, optional
        Seconds from the first run's start; the sweep stops there.
    run_seconds : list of float, optional
        Each run's estimated time (``SweepSpec.run_seconds``): the longest runs are
        started first, so that no long run is left alone at the end while the other
        workers idle. Without it, runs start in their order.
    """

    def __init__(self, sweep, backend_factory, *, parallel, task, scheduler=None,
                 owner_alive=None, time_limit=None, model_budget=MODEL_BUDGET_BYTES,
                 run_seconds=None):
        self.sweep, self.points = sweep, sweep.points()
        if run_seconds is not None:   # longest first (a stable sort: ties keep run order)
            self.points = sorted(self.points, key=lambda p: -run_seconds[p.index])
        self.backend_factory, self.parallel = backend_factory, max(1, int(parallel))
        self.task, self.scheduler = task, scheduler
        self.owner_alive = owner_alive or (lambda: True)
        self.time_limit, self.model_budget = time_limit, model_budget
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._settled = threading.Event()     # set with the final status
        self._thread = None
        self._status = SweepStatus.IDLE
        self._results, self._models = [], {}
        self._running, self._message = 0, ""
        self._slot_waiting = None
        self._started = self._ended = None
        self.backend = None

    # ------------------------------------------------------------------ control
    def start(self):
        if self._thread is not None:
            raise RuntimeError("This sweep has already been started.")
        self._status = SweepStatus.QUEUED
        self._thread = threading.Thread(target=self._run, name="sweep", daemon=True)
        self._thread.start()

    def cancel(self):
        """Stop every run; finished runs keep their results."""
        self._cancel.set()

    def join(self, timeout=None):
        """Wait for the sweep's thread, its backend closed (a local pool shut down or
        handed back) included."""
        if self._thread is not None:
            self._thread.join(timeout)

    def wait(self, timeout=None):
        """Wait for the final status, the moment a visitor sees the sweep end (its backend
        may still be closing); True once it is there."""
        return self._settled.wait(timeout)

    @property
    def status(self):
        return self._status

    def model_bytes(self, index):
        """The trained model file of run ``index``, or None (failed, or not kept)."""
        with self._lock:
            return self._models.get(index)

    def snapshot(self):
        with self._lock:
            position = (self.scheduler.queue_position(self._slot_waiting)
                        if self.scheduler is not None and self._slot_waiting is not None
                        else None)
            elapsed = ((self._ended or time.monotonic()) - self._started
                       if self._started is not None else 0.0)
            return SweepSnapshot(self._status, len(self.points), list(self._results),
                                 self._running, position, elapsed, self._message)

    # ------------------------------------------------------------------ the sweep's thread
    def _stopping(self):
        return self._cancel.is_set() or not self.owner_alive() or self._over_time()

    def _over_time(self):
        return (self.time_limit is not None and self._started is not None
                and time.monotonic() - self._started > self.time_limit)

    def _take_slot(self, busy):
        """A slot of the server (an object to release), or None. With runs in flight
        (``busy``) it tries only briefly, so that their results are not kept waiting."""
        if self.scheduler is None:
            return object()
        slot, until = object(), time.monotonic() + SLOT_TRY_SECONDS
        with self._lock:
            self._slot_waiting = slot
        try:
            got = self.scheduler.acquire(
                slot, lambda: self._stopping() or (busy and time.monotonic() > until))
        finally:
            with self._lock:
                self._slot_waiting = None
        return slot if got else None

    def _release(self, slot):
        if self.scheduler is not None and slot is not None:
            self.scheduler.release(slot)

    def _run(self):
        in_flight = {}   # future -> (slot, point)
        todo = list(self.points)
        slot = None
        try:
            slot = self._take_slot(busy=False)
            if slot is None:
                return self._finish(SweepStatus.CANCELLED, "Cancelled before it started.")
            try:
                self.backend = self.backend_factory()
            except Exception as exc:  # noqa: BLE001 - the visitor is told; the server goes on
                return self._finish(SweepStatus.FAILED, f"The sweep could not start: {exc}")
            parallel = min(self.parallel, self.backend.parallelism, len(todo))
            self._started = time.monotonic()
            with self._lock:
                self._status = SweepStatus.RUNNING
            while (todo or in_flight) and not self._stopping():
                while todo and len(in_flight) < parallel:
                    slot = slot or self._take_slot(busy=bool(in_flight))
                    if slot is None:
                        break
                    point = todo.pop(0)
                    in_flight[self.backend.submit(point_message(point))] = (slot, point)
                    slot = None
                with self._lock:
                    self._running = len(in_flight)
                if not in_flight:
                    continue
                done, _ = self.backend.wait(list(in_flight), timeout=0.25)
                for future in done:
                    held, point = in_flight.pop(future)
                    self._release(held)
                    self._collect(future, point)
                if getattr(self.backend, "broken", False):   # a worker died: a fresh pool
                    self.backend.close()
                    self.backend = self.backend_factory()
            self._end(in_flight)
        except Exception as exc:  # noqa: BLE001 - a backend gone wrong: the visitor is told
            self._finish(SweepStatus.FAILED, f"The sweep stopped: {_first_line(exc)}")
            self._abandon(bool(in_flight))
        finally:
            self._release(slot)
            for held, _ in in_flight.values():
                self._release(held)

    def _abandon(self, running):
        """Stop and close the backend after an error; errors here change nothing more."""
        if self.backend is None:
            return
        try:
            if running:
                self.backend.cancel()
            self.backend.close()
        except Exception:  # noqa: BLE001 - already reported as failed
            pass

    def _collect(self, future, point):
        try:
            result = future.result()
        except Exception as exc:  # noqa: BLE001 - a worker that died or raised: that run failed
            result = {"index": point.index, "seed": point.seed, "values": dict(point.values),
                      "status": "failed", "error": _first_line(exc), "loss": [],
                      "val_loss": [], "val_metric": [], "seconds": 0.0, "samples": 0}
        model = result.pop("model", None)
        with self._lock:
            self._results.append(result)
            if model is not None:
                self._models[result["index"]] = model
                self._keep_within_budget()

    def _keep_within_budget(self):
        """Drop the worst runs' model files while the kept ones exceed the budget."""
        by_index = {r["index"]: r for r in self._results}
        while sum(map(len, self._models.values())) > self.model_budget and len(self._models) > 1:
            worst = min(self._models, key=lambda i: (score_of(by_index[i], self.task)
                                                     or float("-inf")))
            del self._models[worst]

    def _end(self, in_flight):
        """Collect what finished, stop what did not, report the outcome, then close the
        backend: shutting a pool down (0.1-0.2 s) does not hold back the results."""
        for future in [f for f in in_flight if f.done()]:
            held, point = in_flight.pop(future)
            self._release(held)
            self._collect(future, point)
        if in_flight:
            self.backend.cancel()
        done, total = len(self._results), len(self.points)
        if self._over_time():
            self._finish(SweepStatus.TIMED_OUT,
                         f"Stopped at this server's limit of {self.time_limit:,.0f} s for a "
                         f"sweep: {done} of {total} runs finished.")
        elif self._cancel.is_set() or not self.owner_alive():
            self._finish(SweepStatus.CANCELLED, f"Cancelled: {done} of {total} runs finished.")
        else:
            failed = sum(r["status"] == "failed" for r in self._results)
            self._finish(SweepStatus.FINISHED, f"{total} runs finished"
                         + (f", {failed} of them failed." if failed else "."))
        try:
            self.backend.close()
        except Exception:  # noqa: BLE001 - a cluster gone away: nothing left to close
            pass

    def _finish(self, status, message):
        with self._lock:
            self._status, self._message, self._running = status, message, 0
            self._ended = time.monotonic()
        self._settled.set()


def _first_line(exc):
    """``Type: first line of the message`` (a worker's death comes with a paragraph)."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")
