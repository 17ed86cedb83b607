"""How good the trained network is: confusion matrix, confidence, regression errors, mistakes."""

import numpy as np
import plotly.graph_objects as go

from studio.figures import _checks, _parts, style

ALMOST_ONE = float(np.nextafter(1.0, 0.0))


def _with_unit(text, unit):
    return f"{text} ({unit})" if unit else text


def confusion_matrix_figure(cm, class_names, normalize=False):
    """Counts of true (rows) against predicted (columns) classes as a heatmap.

    Parameters
    ----------
    cm : ndarray of shape (n_classes, n_classes)
        ``cm[i, j]`` samples of true class ``i`` predicted as ``j``.
    class_names : list of str of length n_classes, or None for "0", "1", ...
    normalize : bool
        Colour and label cells by the percentage of their row (of the true class);
        the counts stay in the hover text. Rows without samples stay blank.
    """
    counts = np.asarray(cm, dtype=float)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(f"cm must be square, shape (n_classes, n_classes). "
                         f"Received shape {counts.shape}")
    k = counts.shape[0]
    names = _checks.class_names(class_names, k)
    if len(names) != k:
        raise ValueError(f"class_names needs {k} names for cm of shape {counts.shape}. "
                         f"Received {len(names)}")
    if k == 0:
        return style.empty_figure("Confusion matrix", "No predictions yet", "Predicted", "True")
    count_text = np.array([[f"{c:,.0f}" if np.isfinite(c) else "" for c in row] for row in counts])
    z, text, zmax = counts, count_text, None
    if normalize:
        totals = counts.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.where(totals > 0, 100.0 * counts / totals, np.nan)
        text = np.array([[f"{p:.1f}%" if np.isfinite(p) else "" for p in row] for row in z])
        zmax = 100.0
    hover = np.array([[[count_text[i, j], names[i], names[j]] for j in range(k)]
                      for i in range(k)], dtype=object)
    fig = go.Figure(go.Heatmap(
        z=z, x=np.arange(k), y=np.arange(k), text=text, texttemplate="%{text}",
        customdata=hover, colorscale=style.COUNTS, zmin=0, zmax=zmax, showscale=False,
        hoverongaps=False,
        hovertemplate="true %{customdata[1]}, predicted %{customdata[2]}: "
                      "%{customdata[0]} samples" + (" (%{z:.1f}% of the row)" * normalize)
                      + "<extra></extra>"))
    total = np.nansum(counts)
    correct = f" · {np.nansum(np.diag(counts)) / total:.1%} correct" if total > 0 else ""
    style.apply_layout(fig, "Confusion matrix" + " (% of each true class)" * normalize + correct,
                       "Predicted", "True", height=max(360, 140 + 34 * k))
    ticks = dict(tickmode="array", tickvals=list(range(k)), ticktext=names, showgrid=False,
                 zeroline=False)
    fig.update_xaxes(**ticks, constrain="domain")
    fig.update_yaxes(**ticks, autorange="reversed", scaleanchor="x", constrain="domain")
    return fig


def confidence_histogram(confidence, correct, bins=20):
    """How confident the network was on its right and on its wrong predictions.

    Parameters
    ----------
    confidence : ndarray of shape (n_samples,)
        Highest predicted probability per sample, in [0, 1]; NaN is left out.
    correct : ndarray of bool, shape (n_samples,)
        Whether each prediction was right.
    bins : int
        Number of equal bins over [0, 1].

    Returns
    -------
    Figure with two overlaid histograms named "right (n)" and "wrong (n)".
    """
    conf = _checks.vector("confidence", confidence)
    right = _checks.vector("correct", correct, dtype=bool)
    _checks.same_length(confidence=conf, correct=right)
    keep = np.isfinite(conf)
    conf, right = np.clip(conf[keep], 0.0, ALMOST_ONE), right[keep]
    fig = go.Figure()
    for name, chosen, color in (("right", right, style.RIGHT), ("wrong", ~right, style.WRONG)):
        fig.add_histogram(x=conf[chosen], name=f"{name} ({int(chosen.sum()):,})",
                          xbins=dict(start=0.0, end=1.0, size=1.0 / max(int(bins), 1)),
                          autobinx=False, marker=dict(color=color), opacity=0.6,
                          hovertemplate=f"{name}: %{{y}} samples<br>"
                                        "confidence %{x}<extra></extra>")
    style.apply_layout(fig, "How sure the network is on right and wrong predictions",
                       "confidence (highest probability)", "samples", barmode="overlay")
    fig.update_xaxes(range=[0, 1], tickformat=".0%")
    return fig


def _paired(y_true, y_pred):
    true = np.asarray(y_true, dtype=float)
    pred = np.asarray(y_pred, dtype=float)
    true, pred = (a[:, 0] if a.ndim == 2 and a.shape[1] == 1 else a for a in (true, pred))
    if true.shape != pred.shape:
        raise ValueError(f"y_true and y_pred must have the same shape. "
                         f"Received shapes {true.shape} and {pred.shape}")
    true, pred = true.ravel(), pred.ravel()
    keep = np.isfinite(true) & np.isfinite(pred)
    return true[keep], pred[keep]


def predicted_vs_actual(y_true, y_pred, unit="", max_points=5000, seed=0):
    """Predictions against targets with the y = x line: points on it are perfect.

    Parameters
    ----------
    y_true, y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Same shape; several outputs are pooled. Pairs with NaN are left out.
    unit : str
        Unit of the target for the axis titles.
    max_points : int
        A random subset (fixed ``seed``) of this size is drawn; the line and the
        scores in the title use all points.
    """
    true, pred = _paired(y_true, y_pred)
    shown = np.arange(len(true))
    if len(true) > max_points:
        shown = np.sort(np.random.default_rng(seed).choice(len(true), max_points, replace=False))
    fig = go.Figure(go.Scatter(x=true[shown], y=pred[shown], mode="markers", name="samples",
                               marker=dict(color=style.TRAIN, size=5, opacity=0.5),
                               hovertemplate="actual %{x:.4g}<br>predicted %{y:.4g}"
                                             "<extra></extra>"))
    title = "Predicted vs actual"
    if len(true):
        low, high = float(min(true.min(), pred.min())), float(max(true.max(), pred.max()))
        fig.add_scatter(x=[low, high], y=[low, high], mode="lines", name="y = x",
                        line=dict(color=style.ACCENT, dash="dash", width=2), hoverinfo="skip")
        rmse = float(np.sqrt(np.mean((pred - true) ** 2)))
        title += f" · RMSE {rmse:.3g}{(' ' + unit) if unit else ''}"
        spread = float(np.sum((true - true.mean()) ** 2))
        if len(true) > 1 and spread > 0:
            title += f", R² {1 - np.sum((pred - true) ** 2) / spread:.3f}"
    style.apply_layout(fig, title, _with_unit("actual", unit), _with_unit("predicted", unit))
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    if not len(true):
        style.add_message(fig, "No predictions yet")
    return fig


def residual_histogram(residuals, unit="", bins=40):
    """Distribution of the errors with a line at zero (no error).

    Parameters
    ----------
    residuals : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Prediction minus target; NaN is left out.
    """
    values = _checks.finite(residuals)
    fig = go.Figure(go.Histogram(x=values, nbinsx=int(bins), name="residuals",
                                 marker=dict(color=style.TRAIN), opacity=0.8,
                                 hovertemplate="%{x}: %{y} samples<extra></extra>"))
    fig.add_vline(x=0, line=dict(color=style.ACCENT, width=2, dash="dash"))
    title = "Residuals (predicted − actual)"
    if len(values):
        title += f" · mean {values.mean():.3g}, std {values.std():.3g}"
    style.apply_layout(fig, title, _with_unit("residual", unit), "samples", showlegend=False)
    if not len(values):
        style.add_message(fig, "No residuals yet")
    return fig


def probability_bars(probabilities, class_names):
    """The network's probability for each class; the predicted class stands out.

    Parameters
    ----------
    probabilities : ndarray of shape (n_classes,) or (1, n_classes)
    class_names : list of str of length n_classes, or None
    """
    p = np.asarray(probabilities, dtype=float)
    p = p.reshape(-1) if p.ndim == 2 and p.shape[0] == 1 else p
    if p.ndim != 1:
        raise ValueError(f"probabilities must have shape (n_classes,). Received shape {p.shape}")
    names = _checks.class_names(class_names, len(p))
    if len(names) != len(p):
        raise ValueError(f"class_names needs {len(p)} names for probabilities of shape "
                         f"{p.shape}. Received {len(names)}")
    best = int(np.nanargmax(p)) if np.isfinite(p).any() else None
    colors = [style.ACCENT if i == best else style.NEUTRAL for i in range(len(p))]
    fig = go.Figure(go.Bar(x=names, y=p, marker=dict(color=colors), cliponaxis=False,
                           text=[f"{100 * v:.1f}%" if np.isfinite(v) else "" for v in p],
                           textposition="outside", name="probability",
                           hovertemplate="%{x}: %{y:.2%}<extra></extra>"))
    title = f"Prediction: {names[best]} ({p[best]:.0%})" if best is not None else "Prediction"
    style.apply_layout(fig, title, "class", "probability", showlegend=False)
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=[0, 1], tickformat=".0%")
    if best is None:
        style.add_message(fig, "No prediction yet")
    return fig


def mistakes_gallery(images, true_labels, pred_labels, confidences, image_shape, class_names,
                     n=24, columns=6, most_confident_first=True):
    """Misclassified images titled "true 3 → 8 (97%)".

    Parameters
    ----------
    images : ndarray of shape (n_samples, height * width)
        All samples or only the mistakes: correctly classified ones are skipped.
    true_labels, pred_labels : ndarray of int, shape (n_samples,)
    confidences : ndarray of shape (n_samples,)
        Probability the network gave its (wrong) prediction.
    image_shape : tuple (height, width)
    class_names : list of str, or None for the class indices
    n : int
        Show at most this many mistakes.
    most_confident_first : bool
        Order by confidence, the most confident mistakes first; else keep input order.
    """
    _, n_images = _checks.images("images", images, image_shape, slice(0, 0))
    true = _checks.labels("true_labels", true_labels)
    pred = _checks.labels("pred_labels", pred_labels)
    conf = _checks.vector("confidences", confidences)
    _checks.same_length(images=range(n_images), true_labels=true, pred_labels=pred,
                        confidences=conf)
    wrong = np.flatnonzero(true != pred)
    if most_confident_first:
        wrong = wrong[np.argsort(-np.nan_to_num(conf[wrong], nan=-1.0), kind="stable")]
    shown = wrong[:max(int(n), 0)]
    names = _checks.class_names(class_names, max(_checks.n_classes(true), _checks.n_classes(pred)))
    titles = []
    for i in shown:
        sure = f"({conf[i]:.0%})" if np.isfinite(conf[i]) else "(?)"
        head = f"true {names[true[i]]} → {names[pred[i]]}"
        titles.append(f"{head} {sure}" if len(head) <= 14 else f"{head}<br>{sure}")
    if not len(wrong):
        return style.empty_figure("Mistakes", "No misclassified images")
    title = f"{len(shown)} of {len(wrong):,} mistakes" + \
        (", most confident first" if most_confident_first else "")
    pictures, _ = _checks.images("images", images, image_shape, shown)
    return _parts.mosaic_figure(pictures, title, titles=titles, columns=columns,
                                colorscale=style.IMAGE, hover_label="sample", tile_px=110,
                                tile_ids=shown)
