"""Training in a background thread that never calls Streamlit.

A :class:`TrainingJob` trains one network through the engine's callbacks and
fills a plain progress record that a page polls with :meth:`TrainingJob.snapshot`.
A :class:`JobScheduler` shared by the whole server caps how many jobs train at
once; the others wait, visibly queued. A job stops by itself when its owner is
gone (``owner_alive`` returns False), when it has trained for longer than its
time limit, when it diverges, or when asked to.
"""

import enum
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from mlp import TrainingDiverged

OWNER_CHECK_SECONDS = 1.0
PARAM_COPY_SECONDS = 0.5


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
        """True while a worker thread is queued or training."""
        return self in (Status.QUEUED, Status.RUNNING)


@dataclass
class TrainingData:
    """The arrays a job trains on.

    x_train : ndarray of shape (n_train, n_features); y_train : (n_train,) labels
    when ``categorical`` else (n_train, n_outputs); x_val / y_val likewise or None.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray | None = None
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

    @property
    def fraction_done(self):
        """Progress through the target epochs, 0..1."""
        if not self.epochs:
            return 0.0
        done = (self.epoch - 1 + self.batch / max(self.batches, 1)) if self.batch else self.epoch
        return float(min(max(done / self.epochs, 0.0), 1.0))


EPOCH_KEYS = ("loss", "metric", "val_loss", "val_metric", "epoch_seconds")


def _consistent_copy(history):
    """Copy a history that another thread may be appending to, per-epoch lists cut to one length.

    The worker appends an epoch's entries one list at a time; cutting every
    per-epoch list to the shortest gives a view in which they always agree.
    """
    copy = {key: (list(value) if isinstance(value, list) else value)
            for key, value in history.items()}
    n_epochs = min(len(copy[key]) for key in EPOCH_KEYS)
    for key in EPOCH_KEYS:
        del copy[key][n_epochs:]
    return copy


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


class TrainingJob:
    """Train ``network`` on ``data`` for ``epochs`` epochs in a worker thread.

    Parameters
    ----------
    network : mlp.NeuralNetwork
        Trained in place; between batches it is only touched by the worker.
    data : TrainingData
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
    """

    def __init__(self, network, data, batch_size, epochs, scheduler, *, owner_alive=None,
                 time_limit=900.0, early_stopping=0):
        self.network = network
        self.data = data
        self.batch_size = batch_size
        self.target_epochs = epochs
        self.scheduler = scheduler
        self.owner_alive = owner_alive or (lambda: True)
        self.time_limit = time_limit
        self.early_stopping = early_stopping
        self._lock = threading.Lock()
        self._thread = None
        self._request = None          # None, "pause" or "stop"
        self._status = Status.IDLE
        self._message = ""
        self._last = {}
        self._train_seconds = 0.0
        self._segment_start = None
        self._segment_samples = 0
        self._last_owner_check = 0.0
        self._last_param_copy = 0.0
        self._params_copy = network.params.copy()
        self._rate = 0.0

    # ------------------------------------------------------------ control
    def start(self):
        """Start (or resume) training in a new worker thread; a no-op while active."""
        with self._lock:
            if self._status.active:
                return
            if self._status is Status.STOPPED and self._request == "time":
                raise ValueError("This job reached the server's time limit; build a new one.")
            if self.epochs_remaining() <= 0:
                raise ValueError("All epochs are done; raise the epoch count to train on.")
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
                self._status, self._message = Status.STOPPED, "Stopped."

    def join(self, timeout=None):
        """Wait for the worker thread to end; return True if it has."""
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
    def snapshot(self):
        """A consistent copy of the progress and the history, safe to read from any thread."""
        with self._lock:
            last, status, message = dict(self._last), self._status, self._message
            elapsed = self._elapsed()
            history = _consistent_copy(self.network.history)
            rate = self._rate
        epochs_done = len(history["loss"])
        mid_epoch = status.active and last.get("event") == "batch" \
            and last.get("epoch", 0) > epochs_done
        batch = last.get("batch", 0) if mid_epoch else 0
        batches = last.get("batches", 0)
        remaining = None
        if rate > 0 and batches:
            samples_left = (self.target_epochs - epochs_done) * len(self.data.x_train)
            samples_left -= batch * self.batch_size
            remaining = max(samples_left, 0) / rate
        return Snapshot(status=status, message=message,
                        epoch=epochs_done + (1 if batch else 0), epochs=self.target_epochs,
                        batch=batch, batches=batches, samples_seen=history["samples_seen"],
                        samples_per_second=rate, seconds_left=remaining, elapsed=elapsed,
                        queue_position=self.scheduler.queue_position(self), history=history)

    def network_copy(self):
        """A copy of the network with parameters at most about half a second old."""
        with self._lock:
            copy = self.network.copy()
            copy.history = _consistent_copy(copy.history)
            if self._status.active:
                copy.params[...] = self._params_copy
        return copy

    # ------------------------------------------------------------ worker
    def _elapsed(self):
        if self._segment_start is None:
            return self._train_seconds
        return self._train_seconds + time.monotonic() - self._segment_start

    def _run(self):
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
            self._train()
        finally:
            with self._lock:
                self._train_seconds = self._elapsed()
                self._segment_start = None
                np.copyto(self._params_copy, self.network.params)
            self.scheduler.release(self)

    def _finish_without_training(self):
        with self._lock:
            if self._request == "pause":
                self._status, self._message = Status.PAUSED, "Paused before it started."
            elif self._request == "stop":
                self._status, self._message = Status.STOPPED, "Stopped before it started."
            else:
                self._status, self._message = Status.STOPPED, "Stopped: the session has ended."

    def _train(self):
        data = self.data
        validation = (data.x_val, data.y_val) if data.x_val is not None else None
        try:
            self.network.fit(data.x_train, data.y_train, self.batch_size, self.epochs_remaining(),
                             categorical=data.categorical, validation_data=validation,
                             callbacks=[self._on_progress],
                             early_stopping=(self.early_stopping or None) if validation else None)
        except TrainingDiverged as exc:
            self._set_final(Status.DIVERGED, str(exc))
            return
        except Exception as exc:  # shown to the user; the worker must not die silently
            self._set_final(Status.FAILED, f"Training failed: {type(exc).__name__}: {exc}")
            return
        self._set_final(*self._outcome())

    def _outcome(self):
        reason = self._request
        if reason == "pause":
            return Status.PAUSED, "Paused. Change settings if you like, then resume."
        if reason == "stop":
            return Status.STOPPED, "Stopped. The weights trained so far are kept."
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

    def _on_progress(self, info):
        now = time.monotonic()
        with self._lock:
            self._last = info
            seconds = now - self._segment_start
            if seconds > 0:
                self._rate = (self.network.history["samples_seen"] - self._segment_samples) / seconds
            if now - self._last_param_copy >= PARAM_COPY_SECONDS or info["event"] == "epoch":
                np.copyto(self._params_copy, self.network.params)
                self._last_param_copy = now
            if self._train_seconds + seconds > self.time_limit:
                self._request = "time"
            request = self._request
        if request is None and now - self._last_owner_check >= OWNER_CHECK_SECONDS:
            self._last_owner_check = now
            if not self.owner_alive():
                with self._lock:
                    self._request = request = "owner"
        return request is not None
