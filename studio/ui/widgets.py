"""Streamlit pieces that more than one page uses, or that keep a page thin."""

import numpy as np
import streamlit as st

from data import CsvError, DownloadError, find_california_dir, find_mnist_dir, load_csv
from studio.figures import data_preview
from studio.ui import actions, state
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


def confirm(message, yes_label, no_label, on_answer):
    """A warning with two buttons; ``on_answer(True)`` or ``on_answer(False)`` runs on click."""
    st.warning(message)
    yes, no = st.columns(2)
    yes.button(yes_label, on_click=on_answer, args=(True,), type="primary")
    no.button(no_label, on_click=on_answer, args=(False,))


def show_figure(fig, key=None):
    """Render a Plotly figure across the page's width."""
    st.plotly_chart(fig, width="stretch", key=key)


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
    if info.image_shape is not None:
        show_figure(data_preview.image_grid(x, y, info.image_shape, info.class_names, n=24,
                                            columns=8), key="preview")
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


def csv_upload():
    """Upload a CSV, choose its target (and task); stores the dataset in the session."""
    upload = st.file_uploader("CSV file", type=["csv", "txt"], key="csv_file")
    if upload is None:
        current = state.get("csv_dataset")
        if current is not None:
            say("caption", f"Using {current.info.name}: {current.info.description}")
        return
    try:
        from data import read_csv_table
        table = read_csv_table(upload.getvalue())
    except CsvError as exc:
        say("error", f"{upload.name}: {exc}")
        return
    columns = [str(c) for c in table.columns]
    left, right = st.columns(2)
    target = left.selectbox("Target column", columns, index=len(columns) - 1, key="csv_target")
    task = right.selectbox("Task", ("infer", "classification", "regression"), key="csv_task")
    try:
        dataset = load_csv(upload.getvalue(), target=target,
                           task=None if task == "infer" else task, name=upload.name)
    except (CsvError, ValueError) as exc:
        say("error", f"{upload.name}: {exc}")
        return
    state.put("csv_dataset", dataset)
    for note in dataset.notes:
        say("info", note)


def share_link(spec):
    """The link that rebuilds this configuration, with a copy button."""
    from studio.share import spec_to_query_string
    base = st.context.url or "http://localhost:8501"
    st.caption("Copy link: anyone opening it gets this exact configuration.")
    st.code(f"{base.split('?')[0]}?{spec_to_query_string(spec)}", language=None, wrap_lines=True)


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
                             file_name=f"mlp-studio-{record.prepared.info.key}.npz",
                             mime="application/octet-stream", on_click="ignore",
                             key="download_model")
    right.file_uploader("Upload a model (.npz)", type=["npz"], key="model_file",
                        on_change=_on_model_upload)
    error = state.get("upload_error")
    if error:
        say("error", error, right)


def _on_model_upload():
    upload = st.session_state.get("model_file")
    if upload is None:
        return
    try:
        actions.upload(upload.getvalue())
    except (ValueError, DownloadError) as exc:
        state.put("upload_error", f"{upload.name}: {exc}")
        return
    state.put("upload_error", None)
    state.notify("success", f"Loaded model {upload.name}.")


def class_name_list(info):
    """Class names of a classification dataset (digits as strings), else an empty list."""
    return list(info.class_names) if info.class_names else []


def sample_rows(n, k, seed=0):
    """``k`` sorted random row indices out of ``n`` (all of them when ``n <= k``)."""
    if n <= k:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=k, replace=False))
