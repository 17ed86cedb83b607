"""Streamlit pieces that more than one page uses, or that keep a page thin."""

import numpy as np
import streamlit as st

from data import CsvError, DownloadError, find_california_dir, find_mnist_dir
from studio.figures import data_preview, svg
from studio.ui import actions, datasets, state
from studio.ui.build_form import load_spec
from studio.ui.plain import say

PREVIEW_SAMPLES = 2000


def require_model(purpose):
    """The current model record, or an explanation with a link to Build and ``st.stop()``."""
    record = state.get("model")
    if record is None:
        st.info(f"Build a network first to {purpose}.")
        st.page_link("app_pages/build.py", label="Go to Build", icon=":material/construction:")
        st.stop()
    return record


def require_data(record, purpose, key):
    """True when ``record`` has its data; else a note and a button that loads it (False).

    The button downloads what is missing, with a progress bar, then reruns the page.
    """
    if record.has_data:
        return True
    if record.info.key == datasets.CSV_KEY:
        st.info(f"To {purpose}, this model needs the table it was trained on, which is not in "
                "this session: upload that file on the Build page first, then this model. It "
                "predicts new rows without it (below, on Evaluate).")
        return False
    size = {"mnist": " (11 MB, downloaded once for the whole server)",
            "california_housing": " (0.5 MB, downloaded once for the whole server)"}
    st.info(f"To {purpose}, this model needs its data: {record.info.name}"
            f"{size.get(record.info.key, '')}. Drawing on it works without.")
    if st.button(f"Load {record.info.name}", key=key, type="primary"):
        bar, progress = download_progress()
        try:
            with st.spinner(f"Loading {record.info.name}…"):
                actions.ensure_data(record, progress)
        except (DownloadError, CsvError, ValueError) as exc:
            bar.empty()
            say("error", exc)
            return False
        bar.empty()
        st.rerun()
    return False


def confirm(message, yes_label, no_label, on_answer):
    """A warning with two buttons; ``on_answer(True)`` or ``on_answer(False)`` runs on click."""
    st.warning(message)
    yes, no = st.columns(2)
    yes.button(yes_label, on_click=on_answer, args=(True,), type="primary")
    no.button(no_label, on_click=on_answer, args=(False,))


# Plotly's toolbar, cut to what a reader uses (zoom by dragging, reset, save), so it does not
# cover a chart's title on a narrow screen.
PLOTLY_CONFIG = {"displaylogo": False,
                 "modeBarButtonsToRemove": ["zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d",
                                            "zoomOut2d", "autoScale2d", "hoverClosestCartesian",
                                            "hoverCompareCartesian", "toggleSpikelines"]}


def show_figure(fig, key=None):
    """Render a Plotly figure across the page's width."""
    st.plotly_chart(fig, width="stretch", key=key, config=PLOTLY_CONFIG)


def download_note(key):
    """A sentence about data that must be downloaded first, or None when it is here."""
    if key == "mnist" and find_mnist_dir() is None:
        return ("MNIST is not on this server yet: building downloads its four files (11 MB) "
                "into the data directory, verifying each checksum.")
    if key == "california_housing" and find_california_dir() is None:
        return "California housing is not on this server yet: building downloads it (0.5 MB)."
    return None


def dataset_preview(dataset):
    """A preview that fits the data: sample images, a 2-D scatter, or a summary table."""
    info = dataset.info
    x, y = dataset.x[:PREVIEW_SAMPLES], dataset.y[:PREVIEW_SAMPLES]
    if info.image_shape is not None:  # an SVG: the first page needs no Plotly
        st.image(svg.image_mosaic_svg(x, y, info.image_shape, info.class_names, n=24,
                                      columns=8))
    elif info.n_features == 2:
        show_figure(data_preview.scatter_2d(x, y, info.task, info.class_names), key="preview")
    elif info.n_features == 1:
        show_figure(data_preview.curve_1d(x, y), key="preview")
    else:
        st.dataframe(data_preview.feature_summary(dataset.x, dataset.feature_names),
                     width="stretch")
    say("caption", f"{info.description} {dataset.n_samples:,} samples"
        + (f" plus {len(dataset.x_test):,} test samples" if dataset.x_test is not None
           else "") + ".")


def share_link(spec):
    """The link to this configuration, with what it does when opened (a copy button is built in).

    It opens on request, in a popover: the code block's JavaScript (1.5 MB) then loads only
    for a visitor who shares, not with every first page.
    """
    from studio.share import ARRIVALS, arrivals_for, spec_to_query_string
    choices = arrivals_for(spec.dataset)
    if st.session_state.get("share_open") not in choices:
        st.session_state["share_open"] = "settings"
    with st.popover("Share these settings", icon=":material/share:"):
        opened = st.radio("When someone opens the link", choices, format_func=ARRIVALS.get,
                          horizontal=True, key="share_open")
        base = (st.context.url or "http://localhost:8501").split("?")[0]
        st.code(f"{base}?{spec_to_query_string(spec, opened)}", language=None, wrap_lines=True)
        st.caption("Anyone opening it gets this exact configuration"
                   + ("." if opened == "settings" else ", trained with the same seed on arrival."))


def download_progress():
    """A progress bar and the ``progress(filename, done, total)`` callback that drives it."""
    bar = st.empty()

    def progress(filename, done, total):
        if total:
            bar.progress(min(done / total, 1.0), text=f"Downloading {filename}")
        else:
            bar.progress(0.0, text=f"Downloading {filename}: {done:,} bytes")

    return bar, progress


def run_build(spec):
    """Build the model for ``spec`` now, showing download progress and any error."""
    bar, progress = download_progress()
    try:
        with st.spinner("Preparing the data and building the network…"):
            record = actions.build(spec, progress)
    except (DownloadError, CsvError, ValueError) as exc:
        bar.empty()
        say("error", exc)
        return None
    bar.empty()
    return record


def model_files():
    """Download the current model, or upload one (a bad file never replaces the current model)."""
    record = state.get("model")
    left, right = st.columns(2)
    if record is not None:
        # Deferred: the file is built when the button is clicked, not on every rerun.
        left.download_button("Download model", data=lambda: actions.model_bytes(record),
                             file_name=f"mlp-studio-{record.info.key}.npz",
                             mime="application/octet-stream", on_click="ignore",
                             key="download_model")
    with right:
        model_uploader()


def model_uploader(label="Upload a model (.npz)"):
    """A model file uploader; a bad file is named with its error and changes nothing."""
    st.file_uploader(label, type=["npz"], key="model_file", on_change=_on_model_upload)
    error = state.get("upload_error")
    if error:
        say("error", error)


def _on_model_upload():
    upload = st.session_state.get("model_file")
    if upload is None:
        return
    before = state.get("spec").dataset
    try:
        record = actions.upload(upload.getvalue())
    except (ValueError, DownloadError) as exc:
        state.put("upload_error", f"{upload.name}: {exc}")
        return
    state.put("upload_error", None)
    show_settings_of(record, before, f"Loaded model {upload.name}")


def show_settings_of(record, dataset_before, loaded="Loaded the model"):
    """Put a loaded model's settings into the Build form and say so, naming a new dataset.

    ``loaded`` starts the notice, e.g. "Loaded model my-net.npz".
    """
    load_spec(record.spec)
    if record.spec.dataset != dataset_before:
        state.notify("success", f"{loaded}. It was trained on {record.info.name}, so the Build "
                                "page now shows that dataset and the model's settings.")
    else:
        state.notify("success", f"{loaded}.")


def class_name_list(info):
    """Class names of a classification dataset (digits as strings), else an empty list."""
    return list(info.class_names) if info.class_names else []


def sample_rows(n, k, seed=0):
    """``k`` sorted random row indices out of ``n`` (all of them when ``n <= k``)."""
    if n <= k:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=k, replace=False))
