"""Session state: every key the pages share, with its default, in one place.

Pages read and write session state only through these helpers. The model a
visitor trains lives in ``st.session_state`` (never in a cache shared by all
users); the server-wide job scheduler and read-only datasets live in
``st.cache_resource``.
"""

import time

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from studio import limits
from studio.jobs import JobScheduler
from studio.spec import ModelSpec

OWNER_GRACE_SECONDS = 15.0
MODEL_WIDGET_PREFIXES = ("train.", "inside.")  # widgets that show the current model's settings

DEFAULTS = {
    "spec": ModelSpec,              # the Build form's configuration
    "model": lambda: None,          # studio.model_record.ModelRecord or None
    "runs": dict,                   # run_id -> ModelRecord, every model of this session
    "csv_dataset": lambda: None,    # data.Dataset from an uploaded CSV
    "query_checked": lambda: False,  # the share link in the URL has been read
    "notices": list,                # messages to show once on the next page
    "canvas_generation": int,       # bumped to clear the drawing canvas
    "confirm_build": lambda: False,  # asking before a trained model is replaced
    "build_requested": lambda: False,  # the Build button was pressed; build on this run
    "just_built": lambda: False,    # a model was built on the previous run: say so once
    "confirm_reset": lambda: False,  # asking before the current model is re-initialised
    "upload_error": lambda: None,   # the last model upload's error, shown until the next
}


def init():
    """Set every missing key to its default (called by the entry script on every run)."""
    for key, factory in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = factory()


def get(key):
    if key not in DEFAULTS:
        raise KeyError(f"Unknown session key {key!r}; add it to studio.state.DEFAULTS.")
    if key not in st.session_state:
        st.session_state[key] = DEFAULTS[key]()
    return st.session_state[key]


def put(key, value):
    if key not in DEFAULTS:
        raise KeyError(f"Unknown session key {key!r}; add it to studio.state.DEFAULTS.")
    st.session_state[key] = value


def notify(kind, text):
    """Queue a message ("success", "info", "warning", "error") for the next page render."""
    get("notices").append((kind, text))


def pop_notices():
    notices = list(get("notices"))
    get("notices").clear()
    return notices


def set_model(record):
    """Make ``record`` the session's current model and remember it among the runs."""
    put("model", record)
    for key in [k for k in st.session_state if str(k).startswith(MODEL_WIDGET_PREFIXES)]:
        del st.session_state[key]
    if record is not None:
        get("runs")[record.run_id] = record


@st.cache_resource(show_spinner=False)
def scheduler():
    """The server-wide training scheduler (one for all sessions)."""
    return JobScheduler(limits.max_jobs())


def owner_alive_check():
    """A thread-safe callable telling a job whether this browser session is still there.

    A session that has been disconnected for longer than a grace period (a
    closed tab or a reload) counts as gone; a short network blip does not.
    """
    ctx = get_script_run_ctx()
    session_id = ctx.session_id if ctx is not None else None
    gone_since = [None]

    def alive():
        if session_id is None or not runtime.exists():
            return True
        try:
            active = runtime.get_instance().is_active_session(session_id)
        except RuntimeError:
            return True
        if active:
            gone_since[0] = None
            return True
        if gone_since[0] is None:
            gone_since[0] = time.monotonic()
        return time.monotonic() - gone_since[0] < OWNER_GRACE_SECONDS

    return alive
