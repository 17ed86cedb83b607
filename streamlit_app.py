"""MLP Studio: build, train, evaluate and draw with a NumPy multilayer perceptron.

The entry script only routes: it initialises session state, reads a share link
once, draws the shared sidebar, moves a link's arrival on and runs the selected page.
"""

from pathlib import Path

import streamlit as st

from studio import share
from studio.ui import arrival, sidebar, state
from studio.ui.plain import say
from studio.ui.build_form import load_spec

# A file of our own: a Material icon as page icon is fetched from Google's servers.
ICON = Path(__file__).parent / "docs" / "icon.png"
st.set_page_config(page_title="MLP Studio", page_icon=str(ICON), layout="wide")
state.init()
if state.workspace().released:
    state.workspace().released = False
    state.notify("info", "This tab was away for a while, so the server released its models to "
                         "free memory for other visitors. Build or load a model again.")

if not state.get("query_checked"):
    state.put("query_checked", True)
    if len(st.query_params):
        link = share.parse_link(st.query_params.to_dict())
        load_spec(link.spec)
        for warning in link.warnings:
            state.notify("warning", f"Share link: {warning}")
        arrival.from_link(link)

page = st.navigation([
    st.Page("app_pages/build.py", title="Build", icon=":material/construction:", default=True),
    st.Page("app_pages/train.py", title="Train", icon=":material/monitoring:"),
    st.Page("app_pages/evaluate.py", title="Evaluate", icon=":material/target:"),
    st.Page("app_pages/sweep.py", title="Sweep", icon=":material/tune:"),
    st.Page("app_pages/draw.py", title="Draw", icon=":material/draw:"),
    st.Page("app_pages/inside.py", title="Inside the network", icon=":material/biotech:"),
])
sidebar.render(page_shows_job=page.url_path == "train")
arrival.proceed(page)
with state.notices_for_this_run() as notices:
    for kind, text in notices:
        say(kind, text)
    page.run()
