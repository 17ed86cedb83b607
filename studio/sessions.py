"""What each visitor holds, and handing it back when they leave.

A :class:`Workspace` holds one session's models, runs and uploaded data. The
session keeps it in its own state; a server-wide :class:`SessionRegistry`
keeps only a weak reference to it, and a janitor thread releases the workspaces
of sessions whose browser has been gone for longer than a grace period: their
jobs are stopped and their models dropped, so a closed tab gives its memory
back even while Streamlit still keeps the session itself for a possible
reconnect. A session that does come back finds an empty workspace and is told why.
"""

import threading
import time
import weakref


class Workspace:
    """One visitor's belongings: the current model, every run, an uploaded CSV.

    ``runs`` maps run number -> ``studio.model_record.ModelRecord``.
    """

    def __init__(self):
        self.model = None
        self.runs = {}
        self.csv_dataset = None
        self.released = False

    def records(self):
        """Every model record held, the current one included (each once)."""
        records = list(self.runs.values())
        if self.model is not None and all(self.model is not r for r in records):
            records.append(self.model)
        return records

    def release(self):
        """Stop every job and drop every model and dataset."""
        for record in self.records():
            record.job.stop()
        self.model, self.runs, self.csv_dataset = None, {}, None
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
        self._sessions = {}        # session id -> weakref to its Workspace
        self._gone_since = {}      # session id -> monotonic time it was first seen gone
        self._janitor = None

    def register(self, session_id, workspace):
        """Remember ``workspace`` as ``session_id``'s (weakly: a dropped session frees it)."""
        with self._lock:
            self._sessions[session_id] = weakref.ref(workspace)
            self._gone_since.pop(session_id, None)
        self._start_janitor()

    def __len__(self):
        with self._lock:
            return sum(1 for ref in self._sessions.values() if ref() is not None)

    def sweep(self, now=None):
        """Release the workspaces of sessions gone for longer than the grace; return their ids."""
        now = time.monotonic() if now is None else now
        with self._lock:
            entries = list(self._sessions.items())
        released = []
        for session_id, ref in entries:
            workspace = ref()
            if workspace is None:
                self._forget(session_id)
                continue
            connected = self.is_connected(session_id)
            if connected is None or connected:
                with self._lock:
                    self._gone_since.pop(session_id, None)
                continue
            with self._lock:
                since = self._gone_since.setdefault(session_id, now)
            if now - since >= self.grace_seconds:
                workspace.release()
                self._forget(session_id)
                released.append(session_id)
        return released

    def _forget(self, session_id):
        with self._lock:
            self._sessions.pop(session_id, None)
            self._gone_since.pop(session_id, None)

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
            self.sweep()
