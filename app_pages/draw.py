"""Draw: write a digit and watch the network read it."""

import streamlit as st
from streamlit_drawable_canvas import st_canvas

from studio.ui import draw_panel, widgets
from studio.ui.plain import say

st.title("Draw a digit")
record = widgets.require_model("read your drawing")
info = record.info
if info.image_shape is None:
    draw_panel.offer_switch(info)
    st.stop()

# The canvas keeps its own width (it cannot shrink); the results take the rest, and go below it
# when the window is too narrow for both.
row = st.container(horizontal=True, wrap=True, gap="large")
canvas_col = row.container(width=draw_panel.CANVAS_SIZE + 8)
result_col = row.container(width="stretch")
with canvas_col:
    st.caption("Draw one digit, large and centred.")  # room for the canvas's own toolbar
    result = st_canvas(stroke_width=draw_panel.STROKE_WIDTH, stroke_color="#FFFFFF",
                       background_color="#000000", height=draw_panel.CANVAS_SIZE,
                       width=draw_panel.CANVAS_SIZE, drawing_mode="freedraw",
                       return_image_data=True, update_streamlit=True,
                       key=draw_panel.canvas_key())
    st.button("Clear", on_click=draw_panel.clear_canvas, key="draw_clear")
    upload = st.file_uploader("…or upload a picture of a digit", type=["png", "jpg", "jpeg"],
                              key="draw_upload")

with result_col:
    try:
        image = draw_panel.image_from(result, upload)
    except ValueError as exc:
        say("error", exc)
        st.stop()
    if image is None:
        st.info("Draw a digit on the black square, or upload a picture of one.")
        st.stop()
    if upload is not None and draw_panel.canvas_has_strokes(result):
        say("caption", f"Reading the uploaded picture {upload.name}, not the drawing: remove "
                       "the upload (×) to read what is on the canvas.")
    drawing, probabilities = draw_panel.predict(record, image)
    if probabilities is None:
        st.info("The canvas is empty: draw a digit.")
    else:
        draw_panel.show_prediction(record, drawing, probabilities)
