"""Evaluate: how good is the model, where does it go wrong, and how do runs compare."""

import streamlit as st

from studio.ui import evaluate_panel, predict_panel, widgets
from studio.ui.plain import say

st.title("Evaluate")
record = widgets.require_model("evaluate it")
say("caption", record.label)
if not widgets.require_data(record, "evaluate it", key="evaluate_load_data"):
    predict_panel.section(record)
    st.stop()
refresh = False
if record.job.status.active:
    st.info("Training is still running: these results are for the weights at the moment "
            "they were computed. Refresh to see the newest.")
    refresh = st.button("Refresh", key="evaluate_refresh")

results, seen = evaluate_panel.evaluate(record, refresh=refresh)
st.caption(f"Weights after {seen:,} training samples.")
evaluate_panel.summary_table(record, results)

split = st.radio("Details for", [s for s in evaluate_panel.SPLITS if s in results][::-1],
                 horizontal=True, key="evaluate.split")
x, y = evaluate_panel.split_arrays(record, split)
if record.task == "classification":
    evaluate_panel.classification_details(record, results[split], x, y)
else:
    evaluate_panel.regression_details(record, results[split], y)

predict_panel.section(record)
st.subheader("Runs in this session")
evaluate_panel.runs()
