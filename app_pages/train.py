"""Train: start, pause, resume and stop training, and watch it learn live."""

import streamlit as st

from studio.ui import train_panel, widgets
from studio.ui.plain import say

st.title("Train")
record = widgets.require_model("train it")
say("caption", record.label)
train_panel.controls(record)
train_panel.adjustments(record)
train_panel.live_view(record)
st.subheader("Save and load")
widgets.model_files()
