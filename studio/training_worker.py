"""What a training worker process runs: take a task, train, stream progress, send the state back.

A worker is started by :mod:`studio.workers` (``python -m studio.training_worker FD``
with one end of a socket pair, or multiprocessing's "spawn") and lives
as long as the server, running one training task at a time. It imports NumPy,
:mod:`mlp`, :mod:`data.views` and :mod:`studio.priority` only -- never Streamlit,
pandas or scikit-learn -- so it is small (about 40 MB) and starts in a fraction of
a second. It lowers its own CPU priority as it starts (:mod:`studio.priority`).

Messages are tuples over a ``multiprocessing.Connection``:

server -> worker
    ``("base", token, dtype, shape)`` then the array's raw bytes: keep this dataset;
    ``("train", task)``: train (see :func:`train`); ``("exit",)``.
    While training: ``("stop",)``, ``("params",)``, ``("state",)``, ``("threads", n)``.
worker -> server
    ``("progress", payload)`` at most every ``task["progress_seconds"]`` (the
    epochs ended since the last one included); ``("params", ndarray)`` and ``("state", bytes)`` when asked;
    ``("done", outcome, message, model_bytes)`` at the end, ``outcome`` one of
    "completed", "interrupted", "diverged", "failed".
"""

import time
from collections import OrderedDict

import numpy as np

from data.views import ScaledRows
from mlp import TrainingDiverged
from mlp.model_file import load_model, model_to_bytes
from studio.priority import lower_priority

EPOCH_KEYS = ("loss", "metric", "val_loss", "val_metric", "epoch_seconds")
MAX_BASES = 4
#: Seconds between looks at the server's pipe while training: the engine tells the
#: worker of a batch no more often (``fit(batch_events_every=...)``). Looking costs a
#: system call and a selector (tens of microseconds), as much as a whole small batch, and
#: even a callback that only read the clock took a twentieth of a batch-8 job's time; a
#: stop or a request waits at most this long.
LISTEN_SECONDS = 0.01


def main(conn):
    """The worker's loop: serve tasks until told to exit or the server goes away."""
    lower_priority()   # a visitor opening a page waits for no job
    bases = OrderedDict()  # token -> ndarray, least recently used first
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the server is gone
            return
        kind = message[0]
        if kind == "exit":
            return
        if kind == "base":
            _, token, dtype, shape = message
            array = np.frombuffer(conn.recv_bytes(), dtype=np.dtype(dtype)).reshape(shape)
            bases[token] = array
            while len(bases) > MAX_BASES:
                bases.popitem(last=False)
        elif kind == "train":
            train(conn, message[1], bases)


def rows_from(description, bases):
    """A :class:`ScaledRows` from its description (the base is looked up by token)."""
    if description is None:
        return None
    base = bases[description["token"]]
    bases.move_to_end(description["token"])
    return ScaledRows(base, description["rows"], description["offset"], description["scale"],
                      dtype=description["dtype"])


def train(conn, task, bases):
    """Train the task's network and send ``("done", ...)`` with its final state.

    Parameters
    ----------
    task : dict
        ``model`` (model-file bytes: network, optimizer state, history, random
        state), ``x_train`` / ``x_val`` (row descriptions, see :func:`rows_from`),
        ``y_train`` / ``y_val`` (ndarrays), ``categorical``, ``batch_size``,
        ``epochs``, ``early_stopping`` (patience, 0 for none), ``threads`` (BLAS
        threads), ``progress_seconds``.
    """
    set_blas_threads(task["threads"])
    network = load_model(task["model"])
    reporter = Reporter(conn, network, task["progress_seconds"])
    x_val = rows_from(task["x_val"], bases)
    validation = (x_val, task["y_val"]) if x_val is not None else None
    try:
        network.fit(rows_from(task["x_train"], bases), task["y_train"], task["batch_size"],
                    task["epochs"], categorical=task["categorical"], validation_data=validation,
                    callbacks=[reporter.on_progress], batch_events_every=LISTEN_SECONDS,
                    early_stopping=(task["early_stopping"] or None) if validation else None)
        outcome, message = ("interrupted" if reporter.stop else "completed"), ""
    except TrainingDiverged as exc:
        outcome, message = "diverged", str(exc)
    except Exception as exc:  # reported to the visitor; the worker lives on
        outcome, message = "failed", f"Training failed: {type(exc).__name__}: {exc}"
    reporter.send_progress(None)
    conn.send(("done", outcome, message, model_to_bytes(network)))


class Reporter:
    """The training callback: answers the server's requests and streams the history."""

    def __init__(self, conn, network, interval):
        self.conn, self.network, self.interval = conn, network, interval
        self.stop = False
        self.sent_batches = len(network.history["batch_loss"])
        self.sent_epochs = len(network.history["loss"])
        self.last_sent = time.monotonic()

    def on_progress(self, info):
        """Called after an epoch, and after a batch at most every ``LISTEN_SECONDS``."""
        now = time.monotonic()
        while self.conn.poll():
            self.answer(self.conn.recv())
        # At most one report per interval, epochs included: a small job ends dozens of
        # epochs a second, and each report wakes the server (the last one comes at the end).
        if now - self.last_sent >= self.interval:
            self.send_progress(info)
            self.last_sent = now
        return self.stop

    def answer(self, message):
        kind = message[0]
        if kind == "stop":
            self.stop = True
        elif kind == "params":
            self.conn.send(("params", self.network.params.copy()))
        elif kind == "state":
            self.conn.send(("state", model_to_bytes(self.network)))
        elif kind == "threads":
            set_blas_threads(message[1])

    def send_progress(self, info):
        """The history added since the last report, and the last progress dict."""
        history = self.network.history
        payload = {"info": info, "batch_loss": history["batch_loss"][self.sent_batches:],
                   "epochs": {key: history[key][self.sent_epochs:] for key in EPOCH_KEYS},
                   "samples_seen": history["samples_seen"]}
        self.sent_batches = len(history["batch_loss"])
        self.sent_epochs = len(history["loss"])
        self.conn.send(("progress", payload))


def set_blas_threads(n):
    """Limit NumPy's BLAS to ``n`` threads in this process (no-op without threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - installed with scikit-learn
        return
    threadpool_limits(limits=int(n), user_api="blas")


if __name__ == "__main__":  # python -m studio.training_worker FD (see studio.workers)
    import sys
    from multiprocessing.connection import Connection
    main(Connection(int(sys.argv[1])))
