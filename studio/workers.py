"""Training worker processes, shared by every job on the server.

Training runs in worker processes, not in the server's threads: a worker has an
interpreter (and a GIL) of its own, so two trainings use two cores for real and
the server's page scripts never wait behind a training loop. A worker is a fresh
``python -m studio.training_worker`` talking over a socket pair (safe beside the
server's threads, and it imports only what training needs, not the server's
own modules; where file descriptors cannot be passed, a multiprocessing
``spawn`` process). Workers are kept between jobs and handed out by a
:class:`WorkerPool`; :func:`shared_pool` is the one a process uses.

A dataset goes to a worker once: :meth:`Worker.describe` turns a job's inputs
into a small description (a token for the shared base array, the row indices,
the scaling) and sends the base's bytes only to a worker that has not got it.
The code the worker runs is :mod:`studio.training_worker`.
"""

import atexit
import itertools
import multiprocessing
import os
import socket
import subprocess
import sys
import threading
import weakref
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np

from data.views import ScaledRows
from studio import training_worker

_tokens = itertools.count(1)
PROJECT_ROOT = Path(__file__).resolve().parents[1]


class WorkerDied(RuntimeError):
    """The worker process ended while it was being used."""


class BaseTokens:
    """A token per base array, so that a worker can keep the arrays it was sent.

    Arrays are held weakly: a token is forgotten with its array.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._by_id = {}  # id(array) -> (weakref, token)

    def token(self, array):
        with self._lock:
            entry = self._by_id.get(id(array))
            if entry is not None and entry[0]() is array:
                return entry[1]
            token = next(_tokens)
            key = id(array)
            self._by_id[key] = (weakref.ref(array, lambda _, k=key: self._forget(k)), token)
            return token

    def _forget(self, key):
        with self._lock:
            self._by_id.pop(key, None)


_base_tokens = BaseTokens()


class _Subprocess:
    """A worker started as ``python -m studio.training_worker FD`` (POSIX)."""

    def __init__(self):
        parent, child = socket.socketpair()
        try:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "studio.training_worker", str(child.fileno())],
                pass_fds=(child.fileno(),), cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL)
        finally:
            child.close()
        self.conn = Connection(parent.detach())
        self.pid = self.popen.pid

    def is_alive(self):
        return self.popen.poll() is None

    def join(self, timeout):
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            pass

    def terminate(self):
        self.popen.terminate()


class _SpawnedProcess:
    """A worker started by multiprocessing's "spawn" (where fds cannot be passed)."""

    def __init__(self):
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(target=training_worker.main, args=(child,), daemon=True,
                                       name="mlp-studio-worker")
        self.process.start()
        child.close()
        self.pid = self.process.pid

    def is_alive(self):
        return self.process.is_alive()

    def join(self, timeout):
        self.process.join(timeout)

    def terminate(self):
        self.process.terminate()


def _start_process():
    return _Subprocess() if os.name == "posix" else _SpawnedProcess()


class Worker:
    """One worker process and the pipe to it (used by one job at a time)."""

    def __init__(self):
        self.process = _start_process()
        self.conn = self.process.conn
        self.bases = set()       # tokens of the arrays this worker holds
        self.healthy = True

    @property
    def alive(self):
        return self.healthy and self.process.is_alive()

    def send(self, message):
        try:
            self.conn.send(message)
        except (OSError, ValueError) as exc:
            self.healthy = False
            raise WorkerDied(f"the training process is gone ({exc})") from exc

    def poll(self, timeout):
        try:
            return self.conn.poll(timeout)
        except (OSError, ValueError) as exc:
            self.healthy = False
            raise WorkerDied(f"the training process is gone ({exc})") from exc

    def recv(self):
        try:
            return self.conn.recv()
        except (EOFError, OSError) as exc:
            self.healthy = False
            raise WorkerDied("the training process ended unexpectedly (it may have run out "
                             "of memory)") from exc

    def describe(self, x):
        """A description of ``x`` (ndarray or ScaledRows) for :func:`training_worker.rows_from`,
        sending its base array first if this worker does not hold it yet."""
        if x is None:
            return None
        rows = x if isinstance(x, ScaledRows) else ScaledRows(np.asarray(x),
                                                              dtype=_float_dtype(x))
        base = np.ascontiguousarray(rows.base)
        token = _base_tokens.token(rows.base)
        if token not in self.bases:
            self.send(("base", token, base.dtype.str, base.shape))
            try:
                self.conn.send_bytes(memoryview(base).cast("B"))
            except (OSError, ValueError) as exc:
                self.healthy = False
                raise WorkerDied(f"the training process is gone ({exc})") from exc
            self.bases.add(token)
            if len(self.bases) > training_worker.MAX_BASES:
                self.bases.clear()  # the worker forgets its oldest; resend when in doubt
                self.bases.add(token)
        return {"token": token, "rows": rows.rows, "offset": rows.offset, "scale": rows.scale,
                "dtype": rows.dtype.str}

    def close(self):
        try:
            self.conn.send(("exit",))
        except (OSError, ValueError):
            pass
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=2)
        self.conn.close()


def _float_dtype(x):
    dtype = np.asarray(x).dtype
    return dtype if dtype.kind == "f" else np.float64


class WorkerPool:
    """Idle worker processes, handed out one per training and taken back after.

    Parameters
    ----------
    max_idle : int
        Idle workers kept for the next job; more are shut down when returned.
    """

    def __init__(self, max_idle=4):
        self.max_idle = max_idle
        self._lock = threading.Lock()
        self._idle = []
        self._leased = set()

    def lease(self):
        """An idle worker, or a newly started one."""
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive:
                    self._leased.add(worker)
                    return worker
        worker = Worker()
        with self._lock:
            self._leased.add(worker)
        return worker

    def give_back(self, worker):
        """Return ``worker`` after a job; a broken or surplus one is shut down."""
        with self._lock:
            self._leased.discard(worker)
            keep = worker.alive and len(self._idle) < self.max_idle
            if keep:
                self._idle.append(worker)
        if not keep:
            worker.close()

    def warm(self, n):
        """Start workers until ``n`` are idle (so the first training starts at once)."""
        with self._lock:
            missing = max(0, min(n, self.max_idle) - len(self._idle))
        for _ in range(missing):
            worker = Worker()
            with self._lock:
                self._idle.append(worker)

    @property
    def n_processes(self):
        with self._lock:
            return len(self._idle) + len(self._leased)

    def pids(self):
        with self._lock:
            return [w.process.pid for w in (*self._idle, *self._leased)]

    def shutdown(self):
        with self._lock:
            workers, self._idle = self._idle + list(self._leased), []
            self._leased.clear()
        for worker in workers:
            worker.close()


_shared = None
_shared_lock = threading.Lock()


def shared_pool():
    """The process-wide pool (created on first use, shut down at exit)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = WorkerPool()
            atexit.register(_shared.shutdown)
        return _shared
