"""The first minute: what the app is, and the one-click ways in.

Shown at the top of Build while the visitor has no model: a ready digit reader
(the trained MNIST preset, no download needed to draw on it), the same network
trained live then Draw, or a saved model file. Also the "what next" links once a
trained preset is loaded.
"""

import functools

import streamlit as st

from studio.presets import TRAINED_PRESETS, preset
from studio.trained import load_trained
from studio.ui import actions, arrival, state, widgets
from studio.ui.plain import say

DIGIT_READER = "Recommended MNIST (98% in under a minute)"
DRAW_PAGE = "app_pages/draw.py"
EVALUATE_PAGE = "app_pages/evaluate.py"
INTRO = (
    "**MLP Studio** trains a neural network, a multilayer perceptron written from scratch in "
    "NumPy, and lets you watch every step: the loss falling, the decision boundary bending, the "
    "digit it reads as you draw. Start with a ready digit reader, or train one yourself in "
    "about a minute; every setting below is yours to change."
)


@functools.cache
def trained_summary(name):
    """E.g. "test accuracy 98.3%": what the trained preset's file says it scored."""
    return load_trained(name).describe()


def intro():
    """The two or three sentences and the one-click paths (for a visitor without a model)."""
    st.markdown(INTRO)
    ready, train, saved = st.columns(3, gap="medium")
    with ready:
        if st.button("Read my handwriting", type="primary", icon=":material/draw:",
                     width="stretch", key="landing_draw"):
            load_trained_and_open(DIGIT_READER, DRAW_PAGE)
        st.caption(f"A ready digit reader trained on MNIST ({trained_summary(DIGIT_READER)}). "
                   "Draw a digit and watch it read it.")
    with train:
        st.button("Train a digit reader", icon=":material/monitoring:", width="stretch",
                  on_click=arrival.begin, args=("draw", preset(DIGIT_READER)),
                  key="landing_train")
        st.caption("The same network from random weights: watch it learn (MNIST, 11 MB, is "
                   "fetched once), then draw.")
    with saved:
        widgets.model_uploader("Open a saved model (.npz)")
    st.divider()


def load_trained_and_open(name, page=None):
    """Make the trained preset ``name`` current and show its settings; open ``page`` if given.

    An error (a missing or damaged file) is shown and changes nothing.
    """
    before = state.get("spec").dataset
    try:
        record = actions.load_trained(name)
    except ValueError as exc:
        say("error", exc)
        return None
    widgets.show_settings_of(record, before, f"Loaded the trained preset “{name}” "
                                             f"({trained_summary(name)})")
    if page is not None:
        st.switch_page(page)
    state.put("just_loaded", True)
    st.rerun()


def comes_trained(name):
    return name in TRAINED_PRESETS


def next_steps():
    """After a trained preset was loaded on Build: where to use it (shown once)."""
    if not state.get("just_loaded"):
        return
    state.put("just_loaded", False)
    record = state.get("model")
    if record is None:
        return
    left, right, _ = st.columns([1, 1, 2])
    if record.info.image_shape is not None:
        left.page_link(DRAW_PAGE, label="Draw a digit for it", icon=":material/draw:")
    right.page_link(EVALUATE_PAGE, label="Evaluate it", icon=":material/target:")
