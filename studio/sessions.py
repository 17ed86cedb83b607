"""What each visitor holds, and handing it back when they leave.

A :class:`Workspace` holds one session's models, runs and uploaded data. The
session keeps it in its own state; a server-wide :class:`SessionRegistry`
keeps only a weak reference to it, and a janitor thread releases the workspaces
of sessions whose browser has been gone for longer than a grace period: their
jobs are stopped and their models dropped, so a closed tab gives its memory
back even while Streamlit still keeps the session itself for a possible
reconnect. A session that does come back finds an empty workspace and is told why.
"""

import ctypes
import ctypes.util
import gc
import threading
import time
import weakref


class Workspace:
    """One visitor's belongings: the current model, every run, an uploaded CSV, a sweep.

    ``runs`` maps run number -> ``studio.model_record.ModelRecord``; ``csv_table``
    is ``(file id, DataFrame)`` of the last CSV upload, parsed once; ``sweep`` is a
    ``studio.sweep.record.SweepRecord`` or None.
    """

    def __init__(self):
        self.model = None
        self.runs = {}
        self.csv_dataset = None
        self.csv_table = None
        self.sweep = None
        self.released = False
        self._runs_numbered = 0

    def next_run_id(self):
        """The number of this visitor's next run: 1, 2, 3, ..."""
        self._runs_numbered += 1
        return self._runs_numbered

    def records(self):
        """Every model record held, the current one included (each once)."""
        records = list(self.runs.values())
        if self.model is not None and all(self.model is not r for r in records):
            records.append(self.model)
        return records

    def release(self):
        """Stop every job and the sweep, and drop every model, dataset and result."""
        for record in self.records():
            record.job.stop()
        if self.sweep is not None:
            self.sweep.cancel()
        self.model, self.runs, self.csv_dataset, self.csv_table = None, {}, None, None
        self.sweep = None
        self.released = True


class SessionRegistry:
    """Server-wide: the workspace of every session, released once its visitor has left.

    Parameters
    ----------
    is_connected : callable(session_id) -> bool or None
        Whether the session's browser is connected now (None: cannot tell, e.g.
        no server runtime; such sessions are never released by the janitor).
    grace_seconds : float
        How long a session may stay disconnected (a reload, a network blip)
        before its workspace is released.
    check_seconds : float
        How often the janitor thread looks.
    """

    def __init__(self, is_connected, grace_seconds=45.0, check_seconds=5.0):
        self.is_connected = is_connected
        self.grace_seconds = grace_seconds
        self.check_seconds = check_seconds
        self._lock = threading.Lock()
        self._entries = {}         # id(workspace) -> (weakref to it, its session id)
        self._gone_since = {}      # id(workspace) -> monotonic time its session was seen gone
        self._janitor = None

    def register(self, session_id, workspace):
        """Remember ``workspace`` as ``session_id``'s (weakly: a dropped session frees it)."""
        key = id(workspace)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0]() is not workspace or entry[1] != session_id:
                self._entries[key] = (weakref.ref(workspace), session_id)
        self._start_janitor()

    def __len__(self):
        with self._lock:
            return sum(1 for ref, _ in self._entries.values() if ref() is not None)

    def sweep(self, now=None):
        """Release the workspaces of sessions gone for longer than the grace.

        Returns the session ids whose workspaces were released.
        """
        now = time.monotonic() if now is None else now
        with self._lock:
            entries = list(self._entries.items())
        released = []
        for key, (ref, session_id) in entries:
            workspace = ref()
            if workspace is None:
                self._forget(key)
                continue
            connected = self.is_connected(session_id)
            if connected is None or connected:
                with self._lock:
                    self._gone_since.pop(key, None)
                continue
            with self._lock:
                since = self._gone_since.setdefault(key, now)
            if now - since >= self.grace_seconds:
                workspace.release()
                self._forget(key)
                released.append(session_id)
        return released

    def _forget(self, key):
        with self._lock:
            self._entries.pop(key, None)
            self._gone_since.pop(key, None)

    def _start_janitor(self):
        with self._lock:
            if self._janitor is not None:
                return
            self._janitor = threading.Thread(target=self._run, name="mlp-studio-janitor",
                                             daemon=True)
        self._janitor.start()

    def _run(self):
        while True:
            time.sleep(self.check_seconds)
            if self.sweep():
                give_back_memory()


def give_back_memory():
    """Free what released workspaces held and hand the pages back to the system.

    Models and jobs refer to each other, so a collection frees them now rather
    than whenever the collector next runs; glibc keeps freed heap pages (arrays
    under its adaptive mmap threshold live there) until ``malloc_trim`` returns
    them. Elsewhere only the collection happens.
    """
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _malloc_trim():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None
