"""The network's structure: a layer diagram, its size in parameters and memory, its weights."""

import math

import numpy as np
import plotly.graph_objects as go

from studio.figures import _checks, _parts, style

BYTE_UNITS = ("B", "KB", "MB", "GB", "TB")
N_WIDTH_BUCKETS = 5


def _check_layers(layers):
    try:
        sizes = [int(n) for n in layers]
    except (TypeError, ValueError):
        raise ValueError(f"layers must be a list of layer sizes. Received: {layers!r}") from None
    if len(sizes) < 2 or min(sizes) < 1 or sizes != list(layers):
        raise ValueError(f"layers must list at least two positive whole sizes, input first. "
                         f"Received: {layers!r}")
    return sizes


def count_parameters(layers):
    """Weights plus biases of each layer transition.

    Parameters
    ----------
    layers : list of int
        Units per layer, input first, e.g. ``[784, 100, 10]``.

    Returns
    -------
    list of int, length ``len(layers) - 1``
        ``fan_in * fan_out + fan_out`` per transition: ``[78500, 1010]`` for the example.
    """
    sizes = _check_layers(layers)
    return [a * b + b for a, b in zip(sizes[:-1], sizes[1:])]


def memory_estimate(layers, batch_size, dtype_bytes=4, optimizer_slots=2):
    """Bytes needed to train: parameters, gradients, optimizer state and activations.

    ``(n_params * (2 + optimizer_slots) + sum(layers) * batch_size * 2) * dtype_bytes``;
    the activations count twice (the pre-activation ``z`` and the output ``a``).
    Adam keeps 2 slots per parameter, SGD with momentum 1, plain SGD 0.
    """
    sizes = _check_layers(layers)
    if int(batch_size) < 1 or int(dtype_bytes) < 1 or int(optimizer_slots) < 0:
        raise ValueError(f"batch_size and dtype_bytes must be positive, optimizer_slots >= 0. "
                         f"Received: {batch_size!r}, {dtype_bytes!r}, {optimizer_slots!r}")
    n_params = sum(count_parameters(sizes))
    values = n_params * (2 + int(optimizer_slots)) + sum(sizes) * int(batch_size) * 2
    return int(values * int(dtype_bytes))


def format_bytes(n):
    """``n`` bytes as a short string in powers of 1000: ``"512 B"``, ``"1.2 MB"``."""
    if n is None or not math.isfinite(n) or n < 0:
        raise ValueError(f"A byte count must be a finite number >= 0. Received: {n!r}")
    if n < 1000:
        return f"{int(n)} B"
    value, unit = float(n), 0
    while value >= 999.95 and unit < len(BYTE_UNITS) - 1:
        value, unit = value / 1000.0, unit + 1
    return f"{value:.1f} {BYTE_UNITS[unit]}"


def _column(size, max_drawn):
    """Drawn neurons of a layer: their y positions, 1-based numbers and the gap's y or None."""
    if size <= max_drawn:
        return (size - 1) / 2.0 - np.arange(size), np.arange(1, size + 1), None
    top = math.ceil(max_drawn / 2)
    slots = np.r_[np.arange(top), np.arange(top + 1, max_drawn + 1)]
    numbers = np.r_[np.arange(1, top + 1), np.arange(size - (max_drawn - top) + 1, size + 1)]
    return max_drawn / 2.0 - slots, numbers, max_drawn / 2.0 - top


def _check_weights(weights, biases):
    weights = [np.asarray(w, dtype=float) for w in ([] if weights is None else weights)]
    if not weights:
        raise ValueError("weights must be a non-empty list of (fan_in, fan_out) arrays.")
    for i, w in enumerate(weights):
        if w.ndim != 2 or (i and w.shape[0] != weights[i - 1].shape[1]):
            raise ValueError(f"weights[{i}] must have shape (fan_in, fan_out) matching the "
                             f"previous layer. Received shapes {[w.shape for w in weights]}")
    if biases is None:
        return weights, None
    biases = [np.asarray(b, dtype=float).reshape(-1) for b in biases]
    if [b.size for b in biases] != [w.shape[1] for w in weights]:
        raise ValueError(f"biases must have one (fan_out,) or (1, fan_out) array per weight "
                         f"matrix. Received sizes {[b.size for b in biases]} for weights "
                         f"{[w.shape for w in weights]}")
    return weights, biases


def _weight_edges(weights, columns):
    """Every drawn edge as rows (x0, y0, x1, y1, w), skipping non-finite weights."""
    rows = []
    for i, w in enumerate(weights):
        ys0, ys1 = columns[i], columns[i + 1]
        a, b = np.meshgrid(ys0, ys1, indexing="ij")
        part = w[:len(ys0), :len(ys1)]
        rows.append(np.column_stack([np.full(a.size, i), a.ravel(), np.full(a.size, i + 1),
                                     b.ravel(), part.ravel()]))
    rows = np.concatenate(rows)
    return rows[np.isfinite(rows[:, 4])]


def _edge_traces(edges):
    """At most 2 * N_WIDTH_BUCKETS line traces: sign picks the colour, |w| the width."""
    scale = np.abs(edges[:, 4]).max() if len(edges) else 0.0
    norm = np.abs(edges[:, 4]) / scale if scale > 0 else np.zeros(len(edges))
    bucket = np.minimum((norm * N_WIDTH_BUCKETS).astype(int), N_WIDTH_BUCKETS - 1)
    traces = []
    for sign, name, color in ((1, "positive weight", style.POSITIVE),
                              (-1, "negative weight", style.NEGATIVE)):
        chosen = (edges[:, 4] >= 0) if sign > 0 else (edges[:, 4] < 0)
        for b in range(N_WIDTH_BUCKETS):
            part = edges[chosen & (bucket == b)]
            if not len(part):
                continue
            nan = np.full(len(part), np.nan)
            traces.append(go.Scatter(
                x=np.column_stack([part[:, 0], part[:, 2], nan]).ravel(),
                y=np.column_stack([part[:, 1], part[:, 3], nan]).ravel(),
                mode="lines", name=name, legendgroup=name, hoverinfo="skip", showlegend=False,
                line=dict(color=color, width=0.5 + 5.5 * b / (N_WIDTH_BUCKETS - 1)),
                opacity=0.35 + 0.55 * b / (N_WIDTH_BUCKETS - 1)))
        if traces and traces[-1].name == name:
            traces[-1].showlegend = True  # the widest line of each sign stands for it
    return traces


def weighted_network(weights, biases=None, max_units=12):
    """A small network with every connection drawn by its weight.

    Parameters
    ----------
    weights : list of ndarray, the i-th of shape (fan_in_i, fan_out_i)
    biases : list of ndarray of shape (fan_out_i,) or (1, fan_out_i), optional
        Colours the neurons (diverging scale, white = 0).
    max_units : int
        Layers wider than this show their first ``max_units`` units only (said in the title).

    Edge width grows with ``|w|`` (0.5 to 6 px, relative to the largest drawn weight),
    blue for positive and orange for negative weights, in at most ten traces.
    """
    weights, biases = _check_weights(weights, biases)
    if int(max_units) < 1:
        raise ValueError(f"max_units must be at least 1. Received: {max_units!r}")
    sizes = [weights[0].shape[0]] + [w.shape[1] for w in weights]
    columns = [(min(n, max_units) - 1) / 2.0 - np.arange(min(n, max_units)) for n in sizes]
    fig = go.Figure(_edge_traces(_weight_edges(weights, columns)))
    fig.add_scatter(x=np.zeros(len(columns[0])), y=columns[0], mode="markers", name="inputs",
                    marker=dict(size=14, color=style.NEUTRAL), showlegend=False,
                    hovertemplate="input %{text}<extra></extra>",
                    text=np.arange(1, len(columns[0]) + 1))
    xs = np.concatenate([np.full(len(c), i) for i, c in enumerate(columns) if i])
    marker = dict(size=16, color=style.class_color(0), line=dict(color="#444444", width=1))
    if biases is not None:
        bias = np.concatenate([b[:len(c)] for b, c in zip(biases, columns[1:])])
        finite = _checks.finite(bias)
        limit = float(np.abs(finite).max()) if finite.size and np.abs(finite).max() > 0 else 1.0
        marker.update(color=bias, colorscale=style.DIVERGING, cmin=-limit, cmax=limit,
                      showscale=True,
                      colorbar=dict(title=dict(text="bias"), thickness=12))
    fig.add_scatter(x=xs, y=np.concatenate(columns[1:]), mode="markers", name="neurons",
                    marker=marker, showlegend=False,
                    hovertemplate="bias %{marker.color:.3g}<extra></extra>"
                    if biases is not None else "neuron<extra></extra>")
    title = "Weights: blue +, orange −, width ∝ |w|"
    if max(sizes) > max_units:
        title += f" · first {max_units} units shown of layers wider than {max_units}"
    style.apply_layout(fig, title, height=420, legend=dict(orientation="h", y=-0.05))
    return style.hide_axes(fig)


def weight_images(first_layer_weights, image_shape, max_neurons=36, columns=None):
    """Each first-layer neuron's incoming weights drawn as an image.

    Parameters
    ----------
    first_layer_weights : ndarray of shape (n_pixels, n_hidden)
    image_shape : tuple (height, width) with ``height * width == n_pixels``
    max_neurons : int
        Show the first ``max_neurons`` neurons.
    columns : int, optional
        Tiles per row; default about the square root of the number shown.
    """
    w = _checks.matrix("first_layer_weights", first_layer_weights)
    height, width = _checks.image_shape(image_shape, w.shape[0])
    shown = min(w.shape[1], max(int(max_neurons), 0))
    tiles = w[:, :shown].T.reshape(shown, height, width)
    finite = _checks.finite(tiles)
    limit = float(np.abs(finite).max()) if finite.size else 0.0
    limit = limit if limit > 0 else 1.0
    subtitle = (f"first {shown} of {w.shape[1]} neurons; " if shown < w.shape[1] else "") + \
        "blue: a bright pixel there raises the neuron's input, orange: lowers it"
    return _parts.mosaic_figure(
        tiles, "What the first-layer neurons look for", columns=columns or
        max(1, math.ceil(math.sqrt(shown))), colorscale=style.DIVERGING,
        zrange=(-limit, limit), colorbar_title="weight", hover_label="neuron",
        subtitle=subtitle)
