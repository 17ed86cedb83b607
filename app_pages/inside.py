"""Inside the network: boundaries, neurons, weights, gradient checks and exported code."""

import streamlit as st

from studio.ui import inside_panel, widgets
from studio.ui.plain import say

st.title("Inside the network")
record = widgets.require_model("look inside it")
say("caption", record.label)
inside_panel.boundary(record)
inside_panel.weights(record)
inside_panel.activation_demo()
inside_panel.gradient_check(record)
inside_panel.exported_code(record)
