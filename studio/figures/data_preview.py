"""A first look at a dataset: sample images, 2-D scatter, 1-D curve and a feature table."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from studio.figures import _checks, _parts, style

SUMMARY_COLUMNS = ["count", "mean", "std", "min", "max"]


def image_grid(images, labels, image_shape, class_names=None, n=32, columns=8, title=None):
    """The first ``n`` images in a mosaic, each with its label above it.

    Parameters
    ----------
    images : ndarray of shape (n_samples, height * width) or (n_samples, height, width)
        Any numeric dtype; the grey scale spans the shown images' range (dark = high).
    labels : array-like of shape (n_samples,) or one-hot (n_samples, n_classes), or None
        Class indices; None draws no titles.
    image_shape : tuple (height, width)
    class_names : list of str, optional
        Name of each class index.
    n : int
        How many images to show.
    columns : int
        Images per row.
    title : str, optional
        Replaces the default "N of M images".
    """
    shown, titles, title = first_images(images, labels, image_shape, class_names, n, title)
    return _parts.mosaic_figure(shown, title, titles=titles, columns=columns,
                                colorscale=style.IMAGE, hover_label="image")


def first_images(images, labels, image_shape, class_names=None, n=32, title=None):
    """The first ``n`` images checked and shaped, their label names and the mosaic's title.

    Returns ``(shown, names, title)``: ``shown`` of shape (min(n, n_samples), height, width),
    ``names`` a list of str or None without labels, ``title`` the given one or "N of M images".
    """
    shown, n_images = _checks.images("images", images, image_shape, slice(0, max(int(n), 0)))
    names = None
    if labels is not None:
        classes = _checks.labels("labels", labels)
        _checks.same_length(images=range(n_images), labels=classes)
        names = _checks.label_names(classes[:len(shown)], class_names)
    if title is None:
        title = f"{len(shown)} of {n_images:,} images" if len(shown) < n_images \
            else f"{len(shown)} images"
    return shown, names, title


def scatter_2d(x, y, task, class_names=None, feature_names=("x₁", "x₂"), title=None):
    """Two-feature data as points: coloured by class, or by target value for regression.

    Parameters
    ----------
    x : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)
        Class indices (or one-hot (n_samples, n_classes)) for classification,
        target values for regression.
    task : {"classification", "regression"}
    class_names : list of str, optional
    feature_names : pair of str
        Axis titles.
    title : str, optional
    """
    _checks.task(task)
    points = _checks.matrix("x", x, n_columns=2)
    fig = go.Figure()
    if task == "classification":
        classes = _checks.labels("y", y)
        _checks.same_length(x=points, y=classes)
        names = _checks.class_names(class_names, _checks.n_classes(classes))
        fig.add_traces(_parts.class_traces(points, classes, names, size=7, opacity=0.85,
                                           line=dict(color="white", width=0.5)))
        detail = f"{len(np.unique(classes))} classes"
    else:
        values = _checks.vector("y", y)
        _checks.same_length(x=points, y=values)
        fig.add_trace(_parts.value_trace(points, values, size=7,
                                         line=dict(color="white", width=0.5)))
        detail = "colour = target"
    style.apply_layout(fig, title or f"The data: {len(points):,} points, {detail}",
                       _checks.text(feature_names[0]), _checks.text(feature_names[1]))
    if not len(points):
        style.add_message(fig, "No data points")
    return fig


def curve_1d(x, y, x_title="x", y_title="y", title=None):
    """One input feature against the target, for 1-D regression.

    Parameters
    ----------
    x : ndarray of shape (n_samples,) or (n_samples, 1)
    y : ndarray of shape (n_samples,) or (n_samples, 1)
    """
    xs = _checks.vector("x", x)
    ys = _checks.vector("y", y)
    _checks.same_length(x=xs, y=ys)
    fig = go.Figure(go.Scatter(x=xs, y=ys, mode="markers", name="data",
                               marker=dict(color=style.TRAIN, size=6, opacity=0.7),
                               hovertemplate="(%{x:.3g}, %{y:.3g})<extra></extra>"))
    style.apply_layout(fig, title or f"The data: {len(xs):,} points", _checks.text(x_title),
                       _checks.text(y_title))
    if not len(xs):
        style.add_message(fig, "No data points")
    return fig


def feature_summary(x, feature_names=None):
    """Count, mean, std, min and max of every feature, ignoring NaN.

    Parameters
    ----------
    x : ndarray of shape (n_samples, n_features)
    feature_names : list of str of length n_features, optional

    Returns
    -------
    pandas.DataFrame of shape (n_features, 5)
        Indexed by feature name; ``std`` is the population standard deviation (ddof=0,
        as NumPy and standard scaling use), so one sample gives 0 rather than NaN.
    """
    values = _checks.matrix("x", x)
    names = [f"x{i + 1}" for i in range(values.shape[1])] if feature_names is None \
        else [str(name) for name in feature_names]
    if len(names) != values.shape[1]:
        raise ValueError(f"feature_names needs one name per column. Received {len(names)} "
                         f"names for x of shape {values.shape}")
    frame = pd.DataFrame(values, columns=pd.Index(names, dtype=object))
    summary = pd.DataFrame({"count": frame.count(), "mean": frame.mean(),
                            "std": frame.std(ddof=0), "min": frame.min(), "max": frame.max()},
                           columns=SUMMARY_COLUMNS)
    summary.index.name = "feature"
    return summary
