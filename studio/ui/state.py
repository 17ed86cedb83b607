"""Session state: every key the pages share, with its default, in one place.

Pages read and write session state only through these helpers. What a visitor
builds (models, runs, an uploaded CSV) lives in the session's
:class:`studio.sessions.Workspace`, never in a cache shared by all users; the
server-wide job scheduler, the dataset store and the session registry (which
releases a departed visitor's workspace) live in ``st.cache_resource``.
"""

import contextlib
import logging
import threading
import time

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx
# What st.stop() raises (st.rerun and st.switch_page raise its sibling, RerunException).
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

from studio import limits
from studio.jobs import JobScheduler
from studio.sessions import SessionRegistry, Workspace
from studio.spec import ModelSpec
from studio.workers import shared_pool

OWNER_GRACE_SECONDS = 15.0
RELEASE_GRACE_SECONDS = 45.0
MODEL_WIDGET_PREFIXES = ("train.", "inside.")  # widgets that show the current model's settings

WORKSPACE_KEYS = {
    "model",                        # studio.model_record.ModelRecord or None
    "runs",                         # run_id -> ModelRecord, every model of this session
    "csv_dataset",                  # data.Dataset from an uploaded CSV, or None
    "csv_table",                    # (upload's file id, DataFrame) of the last CSV upload
    "sweep",                        # studio.sweep.record.SweepRecord or None
}
DEFAULTS = {
    "workspace": Workspace,         # holds the WORKSPACE_KEYS; released when the visitor leaves
    "spec": ModelSpec,              # the Build form's configuration
    "query_checked": lambda: False,  # the share link in the URL has been read
    "arrival": lambda: None,        # studio.ui.arrival.Arrival while a link's model trains
    "notices": list,                # messages to show once on the next page
    "canvas_generation": int,       # bumped to clear the drawing canvas
    "confirm_build": lambda: False,  # asking before a trained model is replaced
    "build_requested": lambda: False,  # the Build button was pressed; build on this run
    "build_place": lambda: "top",   # which Build button ("top" / "bottom"): answers go there
    "just_built": lambda: False,    # a model was built on the previous run: say so once
    "just_loaded": lambda: False,   # a trained preset was loaded on Build: offer its pages once
    "confirm_reset": lambda: False,  # asking before the current model is re-initialised
    "upload_error": lambda: None,   # the last model upload's error, shown until the next
    "csv_plans": lambda: None,      # (file id, target), the inferred column roles
    "csv_signature": lambda: None,  # upload and choices the CSV dataset was built from
    "predicted": lambda: None,      # (file id, run, samples seen), (prediction, table) on Evaluate
    "gradcheck": lambda: None,      # (run id, samples seen, table) of the last gradient check
    "live_figures": lambda: None,   # (history version, figures) the Train page drew last
    "sidebar_status": lambda: None,  # the job status the sidebar drew on the Train page
    "sweep_results_error": lambda: None,  # why the last results file could not be opened
    "sweep_form": dict,             # the Sweep form's values, kept while on other pages
}


def init():
    """Set every missing key to its default and register the workspace (every run)."""
    for key, factory in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = factory()
    ctx = get_script_run_ctx()
    if ctx is not None:
        sessions().register(ctx.session_id, st.session_state["workspace"])


def workspace():
    """This session's :class:`studio.sessions.Workspace`."""
    return get("workspace")


def get(key):
    if key in WORKSPACE_KEYS:
        return getattr(workspace(), key)
    if key not in DEFAULTS:
        raise KeyError(f"Unknown session key {key!r}; add it to studio.state.DEFAULTS.")
    if key not in st.session_state:
        st.session_state[key] = DEFAULTS[key]()
    return st.session_state[key]


def put(key, value):
    if key in WORKSPACE_KEYS:
        setattr(workspace(), key, value)
        return
    if key not in DEFAULTS:
        raise KeyError(f"Unknown session key {key!r}; add it to studio.state.DEFAULTS.")
    st.session_state[key] = value


def notify(kind, text):
    """Queue a message ("success", "info", "warning", "error") for the next page render.

    It is shown as plain text (see :mod:`studio.ui.plain`): it may quote a link or a file.
    """
    get("notices").append((kind, text))


@contextlib.contextmanager
def notices_for_this_run():
    """The queued messages, ``[(kind, text)]`` oldest first, for the page about to run.

    They leave the queue when the run ends, normally or by ``st.stop()``; a run that
    is superseded at once (``st.rerun``, ``st.switch_page`` raise past this block)
    drew them only for a moment, so the next run shows them again. Messages queued
    meanwhile stay for the next run. (The queue is held directly: once a stop is
    requested, reading session state raises the stop again.)
    """
    queue = get("notices")
    shown = list(queue)
    try:
        yield shown
    except StopException:
        del queue[:len(shown)]
        raise
    del queue[:len(shown)]


def set_model(record):
    """Make ``record`` the session's current model and remember it among the runs."""
    put("model", record)
    for key in [k for k in st.session_state if str(k).startswith(MODEL_WIDGET_PREFIXES)]:
        del st.session_state[key]
    if record is not None:
        runs = get("runs")
        if all(r is not record for r in runs.values()):
            record.run_id = workspace().next_run_id()  # runs are numbered per visitor: 1, 2, ...
        runs[record.run_id] = record


@st.cache_resource(show_spinner=False)
def sessions():
    """The server-wide registry that releases the workspaces of departed visitors."""
    return SessionRegistry(_is_connected, grace_seconds=RELEASE_GRACE_SECONDS)


def _is_connected(session_id):
    """Whether ``session_id``'s browser is connected (None when there is no server runtime)."""
    if not runtime.exists():
        return None
    try:
        return runtime.get_instance().is_active_session(session_id)
    except RuntimeError:
        return None


def _log_to_stderr():
    """Send MLP Studio's own log lines (one per training stretch) to the server's log."""
    logger = logging.getLogger("mlp_studio")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


@st.cache_resource(show_spinner=False)
def scheduler():
    """The server-wide training scheduler (one for all sessions).

    Its worker processes start in the background now, so the first visitor to
    press Start does not wait for one.
    """
    _log_to_stderr()
    jobs = JobScheduler(limits.max_jobs())
    threading.Thread(target=shared_pool().warm, args=(jobs.max_jobs,), daemon=True,
                     name="mlp-studio-warm-workers").start()
    return jobs


class OwnerCheck:
    """Whether a job's browser session is still there, callable from any thread.

    Calling it answers "still alive": a session that has been disconnected for
    longer than a grace period (a closed tab) counts as gone, a short network blip
    does not. :meth:`present` answers "connected right now", with no grace: the
    scheduler gives a queued job a slot only then.
    """

    def __init__(self, session_id):
        self.session_id = session_id
        self._gone_since = None

    def present(self):
        connected = None if self.session_id is None else _is_connected(self.session_id)
        return connected is None or connected

    def __call__(self):
        if self.present():
            self._gone_since = None
            return True
        if self._gone_since is None:
            self._gone_since = time.monotonic()
        return time.monotonic() - self._gone_since < OWNER_GRACE_SECONDS


def owner_alive_check():
    """An :class:`OwnerCheck` for the current browser session."""
    ctx = get_script_run_ctx()
    return OwnerCheck(ctx.session_id if ctx is not None else None)
