"""The figures' shared look: colours, colour scales and layout defaults.

Every builder in :mod:`studio.figures` takes its colours from here, so one class has
one colour on every page and a signed value reads the same way everywhere
(blue positive, orange negative, white zero — as in TensorFlow Playground).
"""

import plotly.graph_objects as go

MARGIN = dict(l=55, r=20, t=55, b=45)
FONT = dict(size=13)

# Okabe & Ito (2008), black moved last, then two of Paul Tol's "muted" colours so
# that ten classes (digits) still get distinct colour-blind-safe hues.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
           "#F0E442", "#000000", "#882255", "#999933")
# Past len(PALETTE) classes the colours repeat with another marker symbol.
SYMBOLS = ("circle", "diamond", "square", "x", "triangle-up", "cross")

POSITIVE = "#2166AC"
NEGATIVE = "#E66101"
NEUTRAL = "#B0B0B0"
EDGE = "#C8C8C8"
ACCENT = "#D55E00"
TRAIN = PALETTE[0]
TRAIN_EPOCH = "#003F6B"  # a darker shade of TRAIN
VALIDATION = PALETTE[1]
RIGHT = PALETTE[2]
WRONG = PALETTE[5]

# Orange (negative) - white (zero) - blue (positive); use with a symmetric range.
DIVERGING = [[0.0, "#B35806"], [0.25, "#F1A340"], [0.5, "#F7F7F7"],
             [0.75, "#67A9CF"], [1.0, "#2166AC"]]
SEQUENTIAL = "Viridis"
COUNTS = "Blues"
IMAGE = "Greys"


def class_color(index):
    """Colour of class ``index`` (an int >= 0); repeats past ``len(PALETTE)``."""
    return PALETTE[int(index) % len(PALETTE)]


def class_symbol(index):
    """Marker symbol of class ``index``: changes each time the palette wraps around."""
    return SYMBOLS[(int(index) // len(PALETTE)) % len(SYMBOLS)]


def discrete_colorscale(n_classes):
    """A stepped colour scale for class indices ``0 .. n_classes - 1``.

    Use it with ``zmin=-0.5, zmax=n_classes - 0.5`` so each integer gets one flat band.
    """
    n = max(int(n_classes), 1)
    if n == 1:
        return [[0.0, class_color(0)], [1.0, class_color(0)]]
    scale = []
    for i in range(n):
        scale += [[i / n, class_color(i)], [(i + 1) / n, class_color(i)]]
    return scale


BELOW = dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0)


def apply_layout(fig, title, x_title=None, y_title=None, subtitle=None, **layout):
    """Give ``fig`` the house margins, title and axis titles; returns ``fig``.

    No template is set: figures keep Plotly's default, which Streamlit makes its own
    theme's, so they follow the visitor's light or dark preference.
    ``subtitle`` adds a smaller second title line; other keywords go to ``update_layout``.
    """
    heading = dict(text=title, x=0.01, xanchor="left")
    margin = dict(MARGIN)
    if subtitle:
        heading["subtitle"] = dict(text=subtitle)
        margin["t"] += 22
    # Below the plot, in a row: at the side a legend took a third of a phone-wide chart.
    legend = dict(bgcolor="rgba(0,0,0,0)", **layout.pop("legend", BELOW))
    fig.update_layout(margin=margin, font=FONT, title=heading, legend=legend, **layout)
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    return fig


def hide_axes(fig, equal_aspect=False):
    """Remove grid, ticks and zero lines from every axis; optionally lock x:y to 1:1."""
    fig.update_xaxes(visible=False, showgrid=False, zeroline=False)
    fig.update_yaxes(visible=False, showgrid=False, zeroline=False)
    if equal_aspect:
        fig.update_yaxes(scaleanchor="x", scaleratio=1)
    return fig


def add_message(fig, text):
    """Write ``text`` in the middle of the plotting area (for empty inputs)."""
    fig.add_annotation(text=text, xref="paper", yref="paper", x=0.5, y=0.5,
                       showarrow=False, font=dict(size=15, color="#777777"))
    return fig


def empty_figure(title, message="Nothing to show yet", x_title=None, y_title=None):
    """A styled figure with no traces and ``message`` in the middle."""
    fig = apply_layout(go.Figure(), title, x_title, y_title)
    return add_message(fig, message)
