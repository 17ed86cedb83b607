"""The sidebar every page shares: dataset, model shape and training status."""

import streamlit as st

from studio.jobs import Status
from studio.ui import state
from studio.ui.build_form import DATASET_LABELS
from studio.ui.plain import plain
from studio.ui.train_panel import live_rate

SIDEBAR_SLOWER = 2  # the sidebar refreshes at half the rate of the Train page's progress

STATUS_ICONS = {
    Status.IDLE: ":material/radio_button_unchecked:", Status.QUEUED: ":material/hourglass_top:",
    Status.RUNNING: ":material/play_circle:", Status.PAUSED: ":material/pause_circle:",
    Status.FINISHED: ":material/check_circle:", Status.STOPPED: ":material/stop_circle:",
    Status.DIVERGED: ":material/warning:", Status.FAILED: ":material/error:",
}


def render(page_shows_job=False):
    """Draw the shared sidebar. ``page_shows_job``: the page draws the job's own live
    status (the Train page), so the sidebar names the status only and does not poll."""
    with st.sidebar:
        st.markdown("### MLP Studio")
        record = state.get("model")
        spec = state.get("spec")
        if record is None:
            st.caption(f"Dataset: **{DATASET_LABELS.get(spec.dataset, spec.dataset)}**")
            st.caption("No model built yet.")
            return
        st.caption(f"Dataset: **{plain(record.info.name)}**")
        st.caption("Layers: **" + " → ".join(str(n) for n in record.network.layers) + "**"
                   f" ({record.network.n_params:,} parameters)")
        _training_status(record, live=not page_shows_job)


def _training_status(record, live=True):
    """The job's status, epoch and validation accuracy: live while the job is queued or runs.

    It refreshes on its own (at half the Train page's live rate), on every page, so
    it never lags the page; when the job stops, one full rerun updates the rest. On
    the Train page (``live=False``) the page's own progress line is the live view: an
    active job's line there names its status only, without polling (the page reruns
    the whole app when the status changes), which spares a rerun every two seconds.
    """
    active = record.job.status.active
    every = SIDEBAR_SLOWER * live_rate().interval() if active and live else None

    @st.fragment(run_every=every)
    def status():
        snap = record.job.snapshot(history=False)
        if every is not None and not snap.status.active:
            st.rerun()
        line = f"{STATUS_ICONS[snap.status]} {snap.status.value}"
        # The Train page reruns the app when its own reading differs from this one.
        state.put("sidebar_status", None if live else snap.status)
        if snap.status.active and not live:
            st.caption(f"Training: **{line}** · progress on this page")
            return
        if snap.status.active or snap.epoch:
            line += f" · epoch {snap.epoch}/{snap.epochs}"
        st.caption(f"Training: **{line}**")
        if snap.val_metric is not None and record.task == "classification":
            st.caption(f"Validation accuracy: **{snap.val_metric:.1%}**")

    status()
