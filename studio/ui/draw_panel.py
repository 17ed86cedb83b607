"""The Draw page's pieces: canvas housekeeping, turning an image into a prediction."""

import numpy as np
import streamlit as st

from studio.drawing import drawing_to_input, image_file_to_array
from studio.figures.data_preview import image_grid
from studio.figures.evaluation import probability_bars
from studio.presets import preset
from studio.ui import state, widgets
from studio.ui.build_form import load_spec
from studio.ui.plain import plain

CANVAS_SIZE = 280
STROKE_WIDTH = 20
DIGITS_PRESET = "Digits: quick start"


def canvas_key():
    """The canvas's widget key; a new key gives a blank canvas."""
    return f"canvas_{state.get('canvas_generation')}"


def clear_canvas():
    state.put("canvas_generation", state.get("canvas_generation") + 1)


def offer_switch(info):
    """Explain that the model does not read images, and offer a digit model instead."""
    st.warning(f"The current model was trained on {plain(info.name)}, which is not a set of digit "
               "images, so it cannot read a drawing.")
    if st.button("Switch to a digits model", type="primary", key="draw_switch"):
        load_spec(preset(DIGITS_PRESET))
        st.switch_page("app_pages/build.py")


def image_from(canvas_result, upload):
    """The picture to read: an uploaded image wins over the canvas; None when there is none.

    Returns an ndarray (H, W) or (H, W, 4), or raises ValueError for a bad upload.
    """
    if upload is not None:
        return image_file_to_array(upload.getvalue())
    if canvas_result is None:
        return None
    return canvas_result.image_data


def canvas_has_strokes(canvas_result):
    """Whether something is drawn on the canvas (its image has a lit pixel)."""
    image = getattr(canvas_result, "image_data", None)
    return image is not None and bool(np.asarray(image)[..., :3].max() > 0)


def predict(record, image):
    """What the network sees and says: ``(drawing, probabilities)``; None when blank.

    The drawing is made the way the training images were, then scaled with the
    preprocessing the model was trained with.
    """
    info = record.info
    drawing = drawing_to_input(image, tuple(info.image_shape), info.pixel_max)
    if drawing.is_blank:
        return drawing, None
    x = record.preprocessing.transform(drawing.flat, dtype=record.network.dtype)
    return drawing, record.job.network_copy().predict(x)[0]


def show_prediction(record, drawing, probabilities):
    """The input the network sees, its answer and every class's probability."""
    info = record.info
    names = list(info.class_names)
    left, right = st.columns([1, 2])
    with left:
        height, width = info.image_shape
        widgets.show_figure(image_grid(drawing.flat, None, (height, width), n=1, columns=1,
                                       title=f"Its input, {height}×{width}"),
                            key="draw_input")
        best = int(np.argmax(probabilities))
        st.metric("The network reads", names[best])
        st.caption(f"{probabilities[best]:.0%} sure")
    with right:
        widgets.show_figure(probability_bars(probabilities, names), key="draw_probabilities")
