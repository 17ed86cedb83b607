"""Training curves: smoothing, batch positions and the loss axis shared with the live charts
(:mod:`studio.figures.live`), and several runs compared.

Histories are plain lists as kept in ``NeuralNetwork.history``; ``None`` entries
(an epoch without validation) are skipped.
"""

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from studio.figures import _checks, style

METRIC_TITLES = {"accuracy": "accuracy (%)", "mse": "mean squared error",
                 "mae": "mean absolute error", "loss": "loss"}
RUN_LINES = {"loss": ("train", "dash"), "val_loss": ("validation", "solid")}


def ema_smooth(values, weight=0.9):
    """Exponential moving average with bias correction, as TensorBoard smooths scalars.

    ``s_t = (weight * m_{t-1} + (1 - weight) * v_t) / (1 - weight ** n_t)`` where ``m`` is the
    running average started at 0 and ``n_t`` counts the finite values so far; non-finite
    values pass through unchanged and do not enter the average.

    Parameters
    ----------
    values : array-like of shape (n,)
    weight : float in [0, 1)
        0 returns the values unchanged; closer to 1 smooths more.

    Returns
    -------
    ndarray of shape (n,)
    """
    values = _checks.vector("values", values)
    if not 0.0 <= weight < 1.0:
        raise ValueError(f"smoothing must be in [0, 1). Received: {weight!r}")
    finite = np.isfinite(values)
    # pandas' adjusted EWM skipping missing values is exactly this average, in compiled code.
    series = pd.Series(np.where(finite, values, np.nan))
    smoothed = series.ewm(alpha=1.0 - weight, adjust=True, ignore_na=True).mean()
    smoothed = smoothed.to_numpy(dtype=float, copy=True)
    smoothed[~finite] = values[~finite]
    return smoothed


def batch_positions(n_batches, batches_per_epoch):
    """Where batch ``i`` (0-based) sits on an epoch axis.

    Parameters
    ----------
    n_batches : int
    batches_per_epoch : int or list of int
        One count for all epochs, or one per epoch (the last one repeats) when the batch
        size changed between training sessions.

    Returns
    -------
    ndarray of shape (n_batches,)
        ``(i + 1) / batches_per_epoch`` for a single count: the last batch of epoch 1 is at 1.0.
    """
    counts = np.atleast_1d(np.asarray(batches_per_epoch))
    if counts.ndim != 1 or counts.size == 0 or not np.issubdtype(counts.dtype, np.number) \
            or np.any(counts < 1) or np.any(counts != np.round(counts)):
        raise ValueError(f"batches_per_epoch must be a positive whole number or a list of "
                         f"them. Received: {batches_per_epoch!r}")
    counts = counts.astype(int).tolist()
    if len(counts) == 1:
        return (np.arange(n_batches) + 1.0) / counts[0]
    parts, done, epoch = [], 0, 0
    while done < n_batches:
        count = counts[min(epoch, len(counts) - 1)]
        take = min(count, n_batches - done)
        parts.append(epoch + (np.arange(take) + 1.0) / count)
        done, epoch = done + take, epoch + 1
    return np.concatenate(parts) if parts else np.zeros(0)


def _decimate(n, max_points):
    """Indices keeping every k-th of ``n`` points (and the last) so at most ~max_points remain."""
    step = max(1, math.ceil(n / max_points))
    keep = np.arange(0, n, step)
    if n and keep[-1] != n - 1:
        keep = np.append(keep, n - 1)
    return keep


MAX_MARKERS = 60  # more points than this are drawn as a line alone


def _epoch_trace(values, name, color, dash="solid", scale=1.0):
    values = np.asarray(values, dtype=float) * scale
    epochs = np.arange(1, len(values) + 1)
    keep = np.isfinite(values)
    mode = "lines+markers" if keep.sum() <= MAX_MARKERS else "lines"
    return go.Scatter(x=epochs[keep], y=values[keep], name=name, mode=mode,
                      line=dict(color=color, width=2.5, dash=dash), marker=dict(size=6),
                      hovertemplate=f"{name}<br>epoch %{{x}}: %{{y:.4g}}<extra></extra>")


def _check_epochs(train, val, train_name, val_name):
    if len(val) and len(val) != len(train):
        raise ValueError(f"{val_name} must have one entry per epoch like {train_name} or be "
                         f"empty. Received shapes {val.shape} and {train.shape}")


def bulk_top(values, quantile=0.99, headroom=1.15):
    """The top of a linear loss axis that shows the bulk of ``values``, not one spike.

    The 99th percentile of the finite values, with some headroom, or None when the
    spikes are not far above it (the whole range then fits as it is).
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if len(finite) < 20:
        return None
    top = float(np.quantile(finite, quantile)) * headroom
    return top if finite.max() > 1.5 * top and top > 0 else None


def runs_overlay(runs, which="val_loss", log_y=False):
    """Loss curves of several runs on one axis, one colour per run.

    Parameters
    ----------
    runs : list of dict
        Each ``{"label": str, "loss": [...], "val_loss": [...]}`` with per-epoch values.
    which : {"val_loss", "loss", "both"}
        Validation (solid), training (dashed) or both. With "val_loss", a run without
        validation values shows its training curve instead so that no run disappears.
    log_y : bool
        Logarithmic loss axis.
    """
    if which not in ("val_loss", "loss", "both"):
        raise ValueError(f"which must be 'val_loss', 'loss' or 'both'. Received: {which!r}")
    fig = go.Figure()
    for i, run in enumerate(runs or []):
        if not isinstance(run, dict) or "label" not in run:
            raise ValueError(f"Each run must be a dict with a 'label'. Received: {run!r}")
        curves = {key: _checks.vector(f"runs[{i}]['{key}']", run.get(key, []))
                  for key in RUN_LINES}
        keys = ["loss", "val_loss"] if which == "both" else [which]
        if which == "val_loss" and not np.isfinite(curves["val_loss"]).any():
            keys = ["loss"]
        for key in keys:
            kind, dash = RUN_LINES[key]
            trace = _epoch_trace(curves[key], f"{_checks.text(run['label'])} · {kind}",
                                 style.class_color(i),
                                 dash=dash)
            trace.update(legendgroup=f"run {i}", mode="lines")
            fig.add_trace(trace)
    subject = {"val_loss": "validation loss", "loss": "training loss",
               "both": "training (dashed) and validation (solid) loss"}[which]
    style.apply_layout(fig, f"Runs compared: {subject}", "epoch", "loss")
    fig.update_yaxes(type="log" if log_y else "linear")
    if not fig.data:
        style.add_message(fig, "No runs to compare yet")
    return fig
