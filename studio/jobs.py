"""Training jobs: a network trained in a worker process while the page watches.

A :class:`TrainingJob` owns one network. ``start`` queues it with the server's
:class:`studio.scheduler.JobScheduler`; once it has a slot, a worker process from
:func:`studio.workers.shared_pool` trains a copy of the network (see
:mod:`studio.job_segment`), streams the history back -- which the job mirrors into
its own network's history, so :meth:`TrainingJob.snapshot` is always current -- and
at the end hands the trained state back into the job's network. A job stops by
itself when its owner is gone (``owner_alive`` returns False), when it has trained
longer than its time limit, when it diverges, or when asked to.
"""

import enum
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from studio.scheduler import JobScheduler, blas_threads

__all__ = ["JobScheduler", "Snapshot", "Status", "TrainingData", "TrainingJob", "blas_threads",
           "consistent_copy"]

OWNER_CHECK_SECONDS = 1.0
EPOCH_KEYS = ("loss", "metric", "val_loss", "val_metric", "epoch_seconds")


STOPPED_MESSAGE = "Stopped. The weights are kept: train them further, or Reset."


class Status(str, enum.Enum):
    """Where a job is in its life."""

    IDLE = "idle"            # built, never started
    QUEUED = "queued"        # waiting for a free training slot
    RUNNING = "running"
    PAUSED = "paused"        # can resume
    FINISHED = "finished"    # all epochs done, or early stopping
    STOPPED = "stopped"      # stopped by the user, its owner leaving, or the time limit
    DIVERGED = "diverged"    # TrainingDiverged: weights are the last finite ones
    FAILED = "failed"        # any other error

    @property
    def active(self):
        """True while the job is queued or training."""
        return self in (Status.QUEUED, Status.RUNNING)


@dataclass
class TrainingData:
    """The arrays a job trains on.

    x_train : ndarray or row source (``data.views.ScaledRows``) of shape
    (n_train, n_features); y_train : (n_train,) labels when ``categorical`` else
    (n_train, n_outputs); x_val / y_val likewise or None.
    """

    x_train: object
    y_train: np.ndarray
    x_val: object = None
    y_val: np.ndarray | None = None
    categorical: bool = False


@dataclass
class Snapshot:
    """A consistent copy of a job's progress for display."""

    status: Status
    message: str
    epoch: int
    epochs: int
    batch: int
    batches: int
    samples_seen: int
    samples_per_second: float
    seconds_left: float | None
    elapsed: float
    queue_position: int | None
    history: dict = field(default_factory=dict)
    val_metric: float | None = None    # the last epoch's validation metric, if any

    @property
    def fraction_done(self):
        """Progress through the target epochs, 0..1."""
        if not self.epochs:
            return 0.0
        done = (self.epoch - 1 + self.batch / max(self.batches, 1)) if self.batch else self.epoch
        return float(min(max(done / self.epochs, 0.0), 1.0))


def consistent_copy(history):
    """Copy a history, per-epoch lists cut to one length (they grow one list at a time)."""
    copy = {key: (list(value) if isinstance(value, list) else value)
            for key, value in history.items()}
    n_epochs = min(len(copy[key]) for key in EPOCH_KEYS)
    for key in EPOCH_KEYS:
        del copy[key][n_epochs:]
    return copy


class TrainingJob:
    """Train ``network`` on ``data`` for ``epochs`` epochs in a worker process.

    Parameters
    ----------
    network : mlp.NeuralNetwork
        Built from registered names (it travels to the worker as a model file). While
        the job trains, its history follows the worker's; its parameters are
        updated when training stops (:meth:`network_copy` gives current ones).
    data : TrainingData or None
        None until the data is attached (``job.data = ...``); :meth:`start` needs it.
    batch_size, epochs : int
        ``epochs`` is the target number of completed epochs for this job.
    scheduler : JobScheduler
    owner_alive : callable returning bool, optional
        Checked about once a second; when it returns False the job stops. If it has
        a ``present()`` method (whether the visitor is connected right now, with no
        grace period), a queued job is only given a slot while that is true.
    time_limit : float
        Seconds of training (queued and paused time excluded) before the job stops.
    early_stopping : int
        Patience in epochs (0: off); needs validation data.
    pool : studio.workers.WorkerPool, optional
        Where the worker process comes from; default :func:`studio.workers.shared_pool`.
    """

    def __init__(self, network, data, batch_size, epochs, scheduler, *, owner_alive=None,
                 time_limit=900.0, early_stopping=0, pool=None):
        self.network = network
        self.data = data
        self.batch_size = batch_size
        self.target_epochs = epochs
        self.scheduler = scheduler
        self.owner_alive = owner_alive or (lambda: True)
        self.time_limit = time_limit
        self.early_stopping = early_stopping
        self.pool = pool
        self._lock = threading.Lock()
        self._thread = None
        self._request = None          # None, "pause", "stop", "owner" or "time"
        self._status = Status.IDLE
        self._message = ""
        self._last = {}
        self._train_seconds = 0.0
        self._segment_start = None
        self._segment_samples = 0
        self._rate = 0.0
        self._segment = None          # the running studio.job_segment.Segment

    # ------------------------------------------------------------ control
    def start(self):
        """Start (or resume) training; a no-op while active."""
        with self._lock:
            if self._status.active:
                return
            if self._status is Status.STOPPED and self._request == "time":
                raise ValueError("This job reached the server's time limit; build a new one.")
            if self.epochs_remaining() <= 0:
                raise ValueError("All epochs are done; raise the epoch count to train on.")
            if self.data is None:
                raise ValueError("This model's data is not loaded yet: load it to train.")
            self._request = None
            self._status = Status.QUEUED
            self._message = "Waiting for a free training slot."
            self._thread = threading.Thread(target=self._run, name="mlp-training", daemon=True)
            self._thread.start()

    resume = start

    def pause(self):
        """Stop after the current batch, keeping everything so :meth:`resume` can go on."""
        with self._lock:
            if self._status.active:
                self._request = "pause"

    def stop(self):
        """Stop after the current batch for good (the trained weights stay usable)."""
        with self._lock:
            if self._status.active:
                self._request = "stop"
            elif self._status in (Status.IDLE, Status.PAUSED):
                self._status, self._message = Status.STOPPED, STOPPED_MESSAGE

    def join(self, timeout=None):
        """Wait for the job's thread to end; return True if it has."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def set_epochs(self, epochs):
        """Change the target epoch count (e.g. to train a finished model further)."""
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
            raise ValueError(f"epochs must be a whole number >= 1. Received: {epochs!r}")
        with self._lock:
            self.target_epochs = epochs
            if self._status is Status.FINISHED and self.epochs_remaining() > 0:
                self._status, self._message = Status.PAUSED, "Ready to train further."

    def set_optimizer(self, **settings):
        """Change optimizer settings (e.g. ``learning_rate``); only while not training."""
        with self._lock:
            if self._status.active:
                raise RuntimeError("Pause training before changing the optimizer's settings.")
            for key, value in settings.items():
                if not hasattr(self.network.optimizer, key):
                    raise ValueError(f"The optimizer has no setting {key!r}.")
                setattr(self.network.optimizer, key, value)

    def epochs_remaining(self):
        return self.target_epochs - len(self.network.history["loss"])

    @property
    def status(self):
        with self._lock:
            return self._status

    # ------------------------------------------------------------ reading
    def snapshot(self, history=True):
        """A consistent copy of the progress and the history, safe to read from any thread.

        With ``history=False`` the history is left out (``{}``): a cheap read of the
        progress alone.
        """
        with self._lock:
            last, status, message = dict(self._last), self._status, self._message
            elapsed = self._elapsed()
            epochs_done = len(self.network.history["loss"])
            samples_seen = self.network.history["samples_seen"]
            kept = consistent_copy(self.network.history) if history else {}
            val_metric = next((v for v in reversed(self.network.history["val_metric"])
                               if v is not None), None)
            rate = self._rate
        mid_epoch = status.active and last.get("event") == "batch" \
            and last.get("epoch", 0) > epochs_done
        batch = last.get("batch", 0) if mid_epoch else 0
        batches = last.get("batches", 0)
        remaining = None
        if rate > 0 and batches and self.data is not None:
            samples_left = (self.target_epochs - epochs_done) * len(self.data.x_train)
            samples_left -= batch * self.batch_size
            remaining = max(samples_left, 0) / rate
        return Snapshot(status=status, message=message,
                        epoch=epochs_done + (1 if batch else 0), epochs=self.target_epochs,
                        batch=batch, batches=batches, samples_seen=samples_seen,
                        samples_per_second=rate, seconds_left=remaining, elapsed=elapsed,
                        queue_position=self.scheduler.queue_position(self), history=kept,
                        val_metric=val_metric)

    def network_copy(self, full=False):
        """A copy of the network with its current parameters.

        While the job trains, the parameters are asked of the worker (one batch away
        at most); with ``full`` the optimizer state too, for a model file.
        """
        with self._lock:
            segment = self._segment
        fetched = segment.fetch("state" if full else "params") if segment is not None else None
        with self._lock:
            if full and fetched is not None:
                from mlp.model_file import load_model
                copy = load_model(fetched)
                copy.metadata = dict(self.network.metadata)
                copy.history = consistent_copy(self.network.history)
                return copy
            copy = self.network.copy()
            copy.history = consistent_copy(copy.history)
            if fetched is not None:
                copy.params[...] = fetched
        return copy

    # ------------------------------------------------------------ the job's thread
    def _elapsed(self):
        if self._segment_start is None:
            return self._train_seconds
        return self._train_seconds + time.monotonic() - self._segment_start

    def _run(self):
        from studio import job_segment
        cancelled = lambda: self._request is not None or not self.owner_alive()  # noqa: E731
        present = getattr(self.owner_alive, "present", None)
        if not self.scheduler.acquire(self, cancelled, present):
            self._finish_without_training()
            return
        try:
            with self._lock:
                self._status, self._message = Status.RUNNING, "Training."
                self._segment_start = time.monotonic()
                self._segment_samples = self.network.history["samples_seen"]
            job_segment.run(self)
        finally:
            with self._lock:
                self._train_seconds = self._elapsed()
                self._segment_start = None
            self.scheduler.release(self)

    def _finish_without_training(self):
        with self._lock:
            if self._request == "pause":
                self._status, self._message = Status.PAUSED, "Paused before it started."
            elif self._request == "stop":
                self._status, self._message = Status.STOPPED, "Stopped before it started."
            else:
                self._status, self._message = Status.STOPPED, "Stopped: the session has ended."

    def _outcome(self):
        reason = self._request
        if reason == "pause":
            return Status.PAUSED, "Paused. Change settings if you like, then resume."
        if reason == "stop":
            return Status.STOPPED, STOPPED_MESSAGE
        if reason == "owner":
            return Status.STOPPED, "Stopped: the session has ended."
        if reason == "time":
            return Status.STOPPED, (f"Stopped after {self.time_limit:.0f} s of training, this "
                                    "server's limit per job. The weights trained so far are kept.")
        if self.epochs_remaining() > 0:
            return Status.FINISHED, "Early stopping: the validation loss stopped improving."
        return Status.FINISHED, "Finished."

    def _set_final(self, status, message):
        with self._lock:
            self._status, self._message = status, message
