"""The Evaluate page's "Predict new rows": a raw CSV in, predictions (and metrics) out.

The model's own file is enough: its column encoding and scaling are applied
(:mod:`studio.predict`), so this works in a fresh session with a loaded model
whose training file is not here.
"""

import pandas as pd
import streamlit as st

from data import CsvError, read_csv_table
from data.csv_upload import DEFAULT_MAX_BYTES
from studio.predict import PredictionError, encoder_for, predict_table
from studio.ui import state
from studio.ui.evaluate_panel import weights_state
from studio.ui.plain import say

SHOWN_ROWS = 1000


def section(record):
    """The upload and its predictions, for a model that reads table rows; else nothing."""
    try:
        encoder = encoder_for(record.preprocessing)
    except PredictionError:
        return
    st.subheader("Predict new rows")
    target = record.preprocessing.target_name
    say("caption", f"A CSV file with the columns the model reads "
                   f"({', '.join(encoder.features)}); the target {target!r} is optional (with "
                   "it, the metrics are shown too), and other columns are ignored.")
    upload = st.file_uploader("Rows to predict (.csv)", type=["csv", "txt"], key="predict_file",
                              help=f"Up to {DEFAULT_MAX_BYTES / 1e6:.0f} MB, UTF-8, with a "
                                   "header row.")
    if upload is None:
        return
    try:
        prediction, combined = _predicted(record, upload)
    except (CsvError, PredictionError) as exc:
        say("error", f"{upload.name}: {exc}")
        return
    for note in prediction.notes:
        say("caption", note)
    if prediction.result is not None:
        _metrics(prediction.result)
    st.dataframe(combined.head(SHOWN_ROWS), hide_index=True, width="stretch",
                 key="predict_table")
    if len(combined) > SHOWN_ROWS:
        st.caption(f"The first {SHOWN_ROWS:,} of {len(combined):,} rows; the download has all.")
    # Deferred: the file is written when the button is clicked, not on every rerun.
    st.download_button("Download the predictions (.csv)",
                       data=lambda: combined.to_csv(index=False).encode("utf-8"),
                       file_name=f"predictions-{upload.name.rsplit('.', 1)[0]}.csv",
                       mime="text/csv", on_click="ignore", key="predict_download")


def _predicted(record, upload):
    """``(prediction, the upload with its predictions)``, computed once per file and weights
    (the page reruns on every interaction; the table can have 200,000 rows)."""
    key = (upload.file_id, record.run_id, weights_state(record))
    kept = state.get("predicted")
    if kept is not None and kept[0] == key:
        return kept[1]
    table = read_csv_table(upload.getvalue(), min_columns=1)
    prediction = predict_table(record.job.network_copy(), record.preprocessing, table)
    combined = pd.concat([table, prediction.table.rename(columns=lambda c: _free(c, table))],
                         axis=1)
    state.put("predicted", (key, (prediction, combined)))
    return prediction, combined


def _free(column, table):
    """``column``, renamed when the uploaded table already has a column of that name."""
    return f"{column} (model)" if column in table.columns else column


def _metrics(result):
    cols = st.columns(4)
    if result["task"] == "classification":
        cols[0].metric("Accuracy on these rows", f"{result['accuracy']:.1%}")
        cols[1].metric("Rows with a target", f"{result['n_samples']:,}")
        return
    m = result["metrics"]
    for col, (label, key) in zip(cols, (("MSE", "mse"), ("RMSE", "rmse"), ("MAE", "mae"),
                                        ("R²", "r2"))):
        col.metric(f"{label} on these rows", f"{m[key]:.4g}")
