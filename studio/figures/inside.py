"""Inside the network: decision regions, the fitted curve, neuron maps, the hidden space."""

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from studio.figures import _checks, _parts, style

POINT_MARKER = dict(size=7, line=dict(color="white", width=0.6))


def _grid(xx, yy, grid_values):
    xs, ys = _checks.vector("xx", xx), _checks.vector("yy", yy)
    grid = np.asarray(grid_values, dtype=float)
    if grid.shape != (len(ys), len(xs)):
        raise ValueError(f"grid_values must have shape (len(yy), len(xx)) = "
                         f"{(len(ys), len(xs))}. Received shape {grid.shape}")
    return xs, ys, grid


def _grid_holds_classes(grid_values, grid, values):
    """Whether a classification grid holds class indices (else the probability of class 1)."""
    if values in ("class", "probability"):
        return values == "class"
    if values != "auto":
        raise ValueError(f"values must be 'auto', 'class' or 'probability'. Received: {values!r}")
    if np.issubdtype(np.asarray(grid_values).dtype, np.integer):
        return True
    finite = _checks.finite(grid)
    return bool(finite.size) and (finite.min() < 0 or finite.max() > 1)


def _class_surface(xs, ys, grid, n_classes):
    return go.Heatmap(x=xs, y=ys, z=grid, colorscale=style.discrete_colorscale(n_classes),
                      zmin=-0.5, zmax=n_classes - 0.5, opacity=0.35, showscale=False,
                      name="predicted class", hoverongaps=False,
                      hovertemplate="(%{x:.2f}, %{y:.2f}) → class %{z}<extra></extra>")


def _probability_surface(xs, ys, grid):
    scale = [[0.0, style.class_color(0)], [0.5, "#FFFFFF"], [1.0, style.class_color(1)]]
    return [go.Heatmap(x=xs, y=ys, z=grid, colorscale=scale, zmin=0, zmax=1, opacity=0.45,
                       zsmooth="best", name="P(class 1)", hoverongaps=False,
                       colorbar=dict(title=dict(text="P(class 1)"), thickness=12, x=1.02),
                       hovertemplate="(%{x:.2f}, %{y:.2f}): P = %{z:.2f}<extra></extra>"),
            go.Contour(x=xs, y=ys, z=grid, showscale=False, name="boundary (P = 0.5)",
                       autocontour=False, colorscale=[[0, "#444444"], [1, "#444444"]],
                       contours=dict(start=0.5, end=0.5, size=1, coloring="lines"),
                       line=dict(width=2), hoverinfo="skip", showlegend=False)]


def _class_layers(xs, ys, grid, grid_values, values, points, labels, class_names):
    """Class regions or the probability surface, then one scatter trace per class."""
    finite = _checks.finite(grid)
    if _grid_holds_classes(grid_values, grid, values):
        top = int(finite.max()) + 1 if finite.size else 0
        n = max(_checks.n_classes(labels), top, 1)
        surface = [_class_surface(xs, ys, grid, n)]
    else:
        n = max(_checks.n_classes(labels), 2)
        surface = _probability_surface(xs, ys, grid)
    names = _checks.class_names(class_names, n)
    return surface + _parts.class_traces(points, labels, names, **POINT_MARKER)


def _value_layers(xs, ys, grid, points, targets):
    """The predicted surface and the points, on one shared sequential colour range."""
    zrange = _parts.finite_range(np.concatenate([grid.ravel(), targets]))
    surface = go.Heatmap(x=xs, y=ys, z=grid, colorscale=style.SEQUENTIAL, zmin=zrange[0],
                         zmax=zrange[1], opacity=0.6, name="prediction", hoverongaps=False,
                         colorbar=dict(title=dict(text="prediction"), thickness=12),
                         hovertemplate="(%{x:.2f}, %{y:.2f}): %{z:.3g}<extra></extra>")
    trace = _parts.value_trace(points, targets, "target", zrange=zrange, **POINT_MARKER)
    trace.marker.showscale = False
    return [surface, trace]


def decision_boundary(xx, yy, grid_values, x, y, task, class_names=None, values="auto"):
    """What the network predicts over the plane, with the data on top.

    Parameters
    ----------
    xx : ndarray of shape (grid_width,)
    yy : ndarray of shape (grid_height,)
        Grid coordinates.
    grid_values : ndarray of shape (grid_height, grid_width)
        Classification: the predicted class index, or the probability of class 1 in
        [0, 1]. Regression: the prediction.
    x : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)
        Class indices (or one-hot) for classification, targets for regression.
    task : {"classification", "regression"}
    class_names : list of str, optional
    values : {"auto", "class", "probability"}
        How to read a classification grid; "auto" takes integers or values outside
        [0, 1] as class indices and anything else as probabilities.
    """
    _checks.task(task)
    xs, ys, grid = _grid(xx, yy, grid_values)
    points = _checks.matrix("x", x, n_columns=2)
    if task == "classification":
        labels = _checks.labels("y", y)
        _checks.same_length(x=points, y=labels)
        fig = go.Figure(_class_layers(xs, ys, grid, grid_values, values, points, labels,
                                      class_names))
        title = "Decision regions: the colour is the class the network predicts"
    else:
        targets = _checks.vector("y", y)
        _checks.same_length(x=points, y=targets)
        fig = go.Figure(_value_layers(xs, ys, grid, points, targets))
        title = "Prediction surface (background) and the data's targets (points)"
    style.apply_layout(fig, title, "x₁", "x₂", legend=dict(x=0, y=-0.15, orientation="h"))
    if len(xs):
        fig.update_xaxes(range=[xs.min(), xs.max()])
        fig.update_yaxes(range=[ys.min(), ys.max()])
    return fig


def regression_fit_1d(x, y, grid_x, grid_pred):
    """The data and the network's prediction as a curve over one input feature.

    Parameters
    ----------
    x, y : ndarray of shape (n_samples,) or (n_samples, 1)
    grid_x, grid_pred : ndarray of shape (n_grid,) or (n_grid, 1)
        Inputs spanning the data and the network's predictions there.
    """
    xs, ys = _checks.vector("x", x), _checks.vector("y", y)
    gx, gp = _checks.vector("grid_x", grid_x), _checks.vector("grid_pred", grid_pred)
    _checks.same_length(x=xs, y=ys)
    _checks.same_length(grid_x=gx, grid_pred=gp)
    order = np.argsort(gx, kind="stable")
    fig = go.Figure()
    fig.add_scatter(x=xs, y=ys, mode="markers", name="data",
                    marker=dict(color=style.NEUTRAL, size=6, opacity=0.8),
                    hovertemplate="(%{x:.3g}, %{y:.3g})<extra>data</extra>")
    fig.add_scatter(x=gx[order], y=gp[order], mode="lines", name="network",
                    line=dict(color=style.ACCENT, width=3),
                    hovertemplate="(%{x:.3g}, %{y:.3g})<extra>network</extra>")
    style.apply_layout(fig, "The network's fit", "x", "y")
    if not len(xs) and not len(gx):
        style.add_message(fig, "No data yet")
    return fig


def neuron_heatmaps(xx, yy, neuron_outputs, titles=None, columns=6, max_neurons=36):
    """Small multiples: each neuron's output over the input plane, one shared colour scale.

    Parameters
    ----------
    xx : ndarray of shape (grid_width,)
    yy : ndarray of shape (grid_height,)
    neuron_outputs : ndarray of shape (n_neurons, grid_height, grid_width)
    titles : list of str, optional
        One per neuron; default "neuron 1", "neuron 2", ...
    columns : int
        Tiles per row.
    max_neurons : int
        Show at most this many neurons (the first ones).
    """
    xs, ys = _checks.vector("xx", xx), _checks.vector("yy", yy)
    outputs = np.asarray(neuron_outputs, dtype=float)
    if outputs.ndim != 3 or outputs.shape[1:] != (len(ys), len(xs)):
        raise ValueError(f"neuron_outputs must have shape (n_neurons, len(yy), len(xx)) = "
                         f"(n, {len(ys)}, {len(xs)}). Received shape {outputs.shape}")
    title = "Each neuron's output over the input plane"
    shown = min(len(outputs), max(int(max_neurons), 0))
    if shown == 0:
        return style.empty_figure(title, "No neurons to show")
    titles = [f"neuron {i + 1}" for i in range(shown)] if titles is None else list(titles)
    if len(titles) < shown:
        raise ValueError(f"titles needs one entry per neuron ({shown}). Received {len(titles)}")
    n_cols, n_rows = _parts.grid_size(shown, columns)
    fig = make_subplots(rows=n_rows, cols=n_cols, subplot_titles=titles[:shown],
                        horizontal_spacing=0.02,
                        vertical_spacing=min(0.08, 0.6 / max(n_rows - 1, 1)))
    for i in range(shown):
        fig.add_heatmap(x=xs, y=ys, z=outputs[i], coloraxis="coloraxis", name=titles[i],
                        hovertemplate=f"{titles[i]}<br>(%{{x:.2f}}, %{{y:.2f}}): "
                                      "%{z:.3g}<extra></extra>",
                        row=i // n_cols + 1, col=i % n_cols + 1)
    finite = _checks.finite(outputs[:shown])
    limit = float(np.abs(finite).max()) if finite.size else 0.0
    limit = limit if limit > 0 else 1.0
    subtitle = f"first {shown} of {len(outputs)} neurons" if shown < len(outputs) else None
    style.apply_layout(fig, title, subtitle=subtitle, height=140 + 150 * n_rows,
                       coloraxis=dict(colorscale=style.DIVERGING, cmin=-limit, cmax=limit,
                                      colorbar=dict(title=dict(text="output"), thickness=12)))
    fig.update_xaxes(showticklabels=False, ticks="", showgrid=False)
    fig.update_yaxes(showticklabels=False, ticks="", showgrid=False)
    fig.update_annotations(font_size=11)
    return fig


def _two_units(name, values):
    """The first two columns of (n, k) unit values; a single unit gets a zero second axis."""
    array = _checks.matrix(name, values)
    if array.shape[1] == 0:
        raise ValueError(f"{name} must have at least one unit. Received shape {array.shape}")
    if array.shape[1] == 1:
        array = np.column_stack([array, np.zeros(len(array))])
    return array[:, :2]


def hidden_space(before, after, y, activation_name, class_names=None, task="classification"):
    """A hidden layer's first two units before and after its activation, side by side.

    A linear layer only rotates and stretches the data; the activation bends it, which
    is what lets the next layer separate classes a straight line could not.

    Parameters
    ----------
    before : ndarray of shape (n_samples, 2)
        Pre-activations ``z`` of the layer's first two units (more columns are ignored;
        a single unit is drawn against 0).
    after : ndarray of shape (n_samples, 2)
        The same units after the activation.
    y : ndarray of shape (n_samples,)
        Class indices, or targets when ``task="regression"``.
    activation_name : str
    class_names : list of str, optional
    """
    _checks.task(task)
    z, a = _two_units("before", before), _two_units("after", after)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1, subplot_titles=(
        "before activation (z)", f"after {activation_name}"))
    if task == "classification":
        labels = _checks.labels("y", y)
        _checks.same_length(before=z, after=a, y=labels)
        names = _checks.class_names(class_names, _checks.n_classes(labels))
        for col, points in ((1, z), (2, a)):
            for trace in _parts.class_traces(points, labels, names, size=6, opacity=0.8):
                fig.add_trace(trace.update(showlegend=col == 1), row=1, col=col)
    else:
        targets = _checks.vector("y", y)
        _checks.same_length(before=z, after=a, y=targets)
        zrange = _parts.finite_range(targets)
        for col, points in ((1, z), (2, a)):
            trace = _parts.value_trace(points, targets, "target", zrange=zrange, size=6)
            trace.marker.showscale = col == 2
            fig.add_trace(trace, row=1, col=col)
    style.apply_layout(fig, f"Hidden layer: before and after {activation_name}",
                       "unit 1", "unit 2", height=430)
    fig.update_xaxes(zeroline=True, zerolinecolor="#888888", zerolinewidth=1)
    fig.update_yaxes(zeroline=True, zerolinecolor="#888888", zerolinewidth=1)
    return fig
