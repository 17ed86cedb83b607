"""One stretch of a job's training in a worker process, seen from the server.

:func:`run` leases a worker, sends it the job's network (as a model file) and its
data (described, the dataset itself only once per worker), then follows the
worker: the history it streams is mirrored into the job's network, the visitor's
pause / stop, the time limit and the owner's departure become a "stop" message,
the BLAS thread count follows the number of jobs running, and requests for the
current parameters are relayed. At the end the trained state is loaded into the
job's network and the job gets its final status.
"""

import logging
import threading
import time

import numpy as np

from mlp.model_file import load_model, model_to_bytes
from studio.jobs import EPOCH_KEYS, OWNER_CHECK_SECONDS, Status, blas_threads
from studio.workers import WorkerDied, shared_pool

log = logging.getLogger("mlp_studio.jobs")
POLL_SECONDS = 0.05       # how often the server looks at the worker's pipe
PROGRESS_SECONDS = 0.1    # how often the worker reports
FETCH_SECONDS = 5.0       # the longest a page waits for current parameters


class _Request:
    def __init__(self):
        self.event = threading.Event()
        self.result = None
        self.sent = False


class Segment:
    """The link between a running job and its worker."""

    def __init__(self, job, worker):
        self.job, self.worker = job, worker
        self._lock = threading.Lock()
        self._requests = {}       # "params" / "state" -> _Request
        self._closed = False
        self.last_params = None

    def fetch(self, kind, timeout=FETCH_SECONDS):
        """The worker's current "params" (ndarray) or "state" (model-file bytes), or None.

        None when training ended first or the worker did not answer in ``timeout``
        seconds (then the last parameters fetched, if any, for "params").
        """
        with self._lock:
            if self._closed:
                return None
            request = self._requests.setdefault(kind, _Request())
        if request.event.wait(timeout) and request.result is not None:
            return request.result
        return self.last_params if kind == "params" else None

    def start(self):
        """Send the task: the network as a model file, the data described."""
        job, worker = self.job, self.worker
        data = job.data
        x_val = data.x_val if data.x_val is not None and len(data.x_val) else None
        self.threads = self._threads()
        worker.send(("train", {
            "model": model_to_bytes(job.network),
            "x_train": worker.describe(data.x_train), "y_train": np.asarray(data.y_train),
            "x_val": worker.describe(x_val),
            "y_val": None if x_val is None else np.asarray(data.y_val),
            "categorical": data.categorical, "batch_size": job.batch_size,
            "epochs": job.epochs_remaining(), "early_stopping": job.early_stopping,
            "threads": self.threads, "progress_seconds": PROGRESS_SECONDS}))

    def follow(self):
        """Relay messages both ways until the worker says it is done."""
        stop_sent, last_owner_check = False, time.monotonic()
        while True:
            waiting = self.worker.poll(POLL_SECONDS)
            while waiting:             # everything that arrived, then the chores below
                message = self.worker.recv()
                if message[0] == "done":
                    self._finish(*message[1:])
                    return
                self._receive(message)
                waiting = self.worker.poll(0)
            now = time.monotonic()
            if now - last_owner_check >= OWNER_CHECK_SECONDS:
                last_owner_check = now
                if not self.job.owner_alive():
                    self._request_stop("owner")
            if self.job._elapsed() > self.job.time_limit:
                self._request_stop("time")
            if self.job._request is not None and not stop_sent:
                self.worker.send(("stop",))
                stop_sent = True
            self._send_requests()
            threads = self._threads()
            if threads != self.threads:
                self.worker.send(("threads", threads))
                self.threads = threads

    def close(self):
        """No more requests: wake everyone still waiting (they fall back to the job's network)."""
        with self._lock:
            self._closed = True
            requests, self._requests = list(self._requests.values()), {}
        for request in requests:
            request.event.set()

    # ------------------------------------------------------------ inside
    def _threads(self):
        job = self.job
        return blas_threads(job.batch_size, job.network.n_params, job.scheduler.n_running)

    def _request_stop(self, reason):
        with self.job._lock:
            if self.job._request is None:
                self.job._request = reason

    def _send_requests(self):
        with self._lock:
            unsent = [kind for kind, r in self._requests.items() if not r.sent]
            for kind in unsent:
                self._requests[kind].sent = True
        for kind in unsent:
            self.worker.send((kind,))

    def _receive(self, message):
        kind = message[0]
        if kind == "progress":
            self._mirror(message[1])
        elif kind in ("params", "state"):
            if kind == "params":
                self.last_params = message[1]
            with self._lock:
                request = self._requests.pop(kind, None)
            if request is not None:
                request.result = message[1]
                request.event.set()

    def _mirror(self, payload):
        job = self.job
        now = time.monotonic()
        with job._lock:
            history = job.network.history
            history["batch_loss"].extend(payload["batch_loss"])
            for key in EPOCH_KEYS:
                history[key].extend(payload["epochs"][key])
            history["samples_seen"] = payload["samples_seen"]
            if payload["info"] is not None:
                job._last = payload["info"]
            seconds = now - job._segment_start
            if seconds > 0:
                job._rate = (history["samples_seen"] - job._segment_samples) / seconds

    def _finish(self, outcome, message, model):
        job = self.job
        trained = load_model(model)
        with job._lock:
            job.network.load_state(trained)
        if outcome == "diverged":
            job._set_final(Status.DIVERGED, message)
        elif outcome == "failed":
            job._set_final(Status.FAILED, message)
        elif outcome == "completed" and job.epochs_remaining() <= 0:
            job._set_final(Status.FINISHED, "Finished.")
        else:
            job._set_final(*job._outcome())


def run(job):
    """Train ``job`` for its remaining epochs in a worker; set its final status."""
    pool = job.pool or shared_pool()
    began = time.monotonic()
    with job._lock:
        history_before = {k: (list(v) if isinstance(v, list) else v)
                          for k, v in job.network.history.items()}
    worker = pool.lease()
    segment = Segment(job, worker)
    try:
        segment.start()
        with job._lock:
            job._segment = segment
        segment.follow()
    except WorkerDied as exc:
        with job._lock:  # the weights never came back: nor did this stretch's history
            job.network.history = history_before
        job._set_final(Status.FAILED, f"Training failed: {exc}.")
    except Exception as exc:  # shown to the visitor; the job's thread must not die silently
        job._set_final(Status.FAILED, f"Training failed: {type(exc).__name__}: {exc}")
    finally:
        with job._lock:
            job._segment = None
        segment.close()
        pool.give_back(worker)
        samples = job.network.history["samples_seen"] - history_before["samples_seen"]
        log.info("training: %d samples in %.2f s, %s (%d jobs running)", samples,
                 time.monotonic() - began, job.status.value, job.scheduler.n_running)
