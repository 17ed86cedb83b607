"""Sweep: vary one or two settings, train every combination, compare and pick one."""

import streamlit as st

from studio.ui import state, sweep_panel
from studio.ui.plain import say

st.title("Sweep")
say("caption", "Which learning rate, how wide, does depth help? Vary one or two settings of the "
               "Build configuration, train every combination from scratch, and compare them on "
               "the validation split.")
sweep_panel.controls(state.get("sweep"))
sweep_panel.results(state.get("sweep"))
sweep_panel.pick(state.get("sweep"))
sweep_panel.files(state.get("sweep"))
