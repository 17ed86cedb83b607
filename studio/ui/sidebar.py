"""The sidebar every page shares: dataset, model shape and training status."""

import streamlit as st

from studio.jobs import Status
from studio.ui import state
from studio.ui.build_form import DATASET_LABELS
from studio.ui.plain import plain

STATUS_ICONS = {
    Status.IDLE: ":material/radio_button_unchecked:", Status.QUEUED: ":material/hourglass_top:",
    Status.RUNNING: ":material/play_circle:", Status.PAUSED: ":material/pause_circle:",
    Status.FINISHED: ":material/check_circle:", Status.STOPPED: ":material/stop_circle:",
    Status.DIVERGED: ":material/warning:", Status.FAILED: ":material/error:",
}


def render():
    """Draw the shared sidebar."""
    with st.sidebar:
        st.markdown("### MLP Studio")
        record = state.get("model")
        spec = state.get("spec")
        if record is None:
            st.caption(f"Dataset: **{DATASET_LABELS.get(spec.dataset, spec.dataset)}**")
            st.caption("No model built yet.")
            return
        snap = record.job.snapshot()
        st.caption(f"Dataset: **{plain(record.info.name)}**")
        st.caption("Layers: **" + " → ".join(str(n) for n in record.network.layers) + "**"
                   f" ({record.network.n_params:,} parameters)")
        line = f"{STATUS_ICONS[snap.status]} {snap.status.value}"
        if snap.status.active or snap.epoch:
            line += f" · epoch {snap.epoch}/{snap.epochs}"
        st.caption(f"Training: **{line}**")
        last = [v for v in snap.history["val_metric"] if v is not None]
        if last and record.task == "classification":
            st.caption(f"Validation accuracy: **{last[-1]:.1%}**")
