"""The Train page's live charts, as Vega-Lite: they take new data in place while training.

Streamlit draws a Plotly chart anew whenever its figure changes (the element's
identity includes the figure), so a chart refreshed every second or so went blank
for a frame or more at each refresh; a Vega-Lite chart keeps its view and only
swaps the data. Each builder returns ``(data, spec)`` for
``st.vega_lite_chart(data, spec)``: a long table with one row per drawn point
(columns ``epoch``, ``value``, ``series``) and a spec that layers the series.
Colours come from :mod:`studio.figures.style`, as in the Plotly figures.
"""

import numpy as np
import pandas as pd

from studio.figures import _checks, style
from studio.figures.training import (MAX_MARKERS, METRIC_TITLES, _check_epochs, _decimate,
                                     batch_positions, bulk_top, ema_smooth)

HEIGHT = 340
#: series -> (colour, line width, opacity, dash)
LOSS_SERIES = {"batch loss": (style.TRAIN, 1, 0.3, [1, 0]),
               "smoothed": (style.TRAIN, 2, 1.0, [1, 0]),
               "train (epoch mean)": (style.TRAIN_EPOCH, 2.5, 1.0, [2, 3]),
               "validation": (style.VALIDATION, 2.5, 1.0, [1, 0])}
METRIC_SERIES = {"train": (style.TRAIN, 2.5, 1.0, [1, 0]),
                 "validation": (style.VALIDATION, 2.5, 1.0, [1, 0])}
EPOCH_SERIES = ("train (epoch mean)", "validation", "train")


def _rows(x, y, series):
    """The finite points of one series as rows of the long table."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    return pd.DataFrame({"epoch": x[keep], "value": y[keep], "series": series})


def _table(parts):
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({"epoch": pd.Series(dtype=float), "value": pd.Series(dtype=float),
                             "series": pd.Series(dtype=str)})
    return pd.concat(parts, ignore_index=True)


def _spec(data, series_style, title, y_title, y_scale, y_format, message):
    """Lines per series (dashes, widths and opacities by series), markers on sparse epoch
    series, a tooltip, the legend below; ``message`` in the middle when there is no data."""
    present = [s for s in series_style if s in set(data["series"])]
    names = present or list(series_style)

    def by_series(index):
        return {"field": "series", "type": "nominal", "legend": None,
                "scale": {"domain": names, "range": [series_style[s][index] for s in names]}}

    encoding = {
        "x": {"field": "epoch", "type": "quantitative", "title": "epoch",
              "scale": {"domainMin": 0}},
        "y": {"field": "value", "type": "quantitative", "title": y_title, "scale": y_scale,
              "axis": {"format": y_format}},
        "color": {**by_series(0), "legend": {"orient": "bottom", "title": None}},
        "strokeWidth": by_series(1), "opacity": by_series(2), "strokeDash": by_series(3),
        "tooltip": [{"field": "series", "title": "series"},
                    {"field": "epoch", "format": ".2f"},
                    {"field": "value", "title": y_title, "format": ".4g"}],
    }
    layers = [{"mark": {"type": "line", "clip": True}, "encoding": encoding}]
    sparse = [s for s in present if s in EPOCH_SERIES
              and (data["series"] == s).sum() <= MAX_MARKERS]
    if sparse:
        layers.append({"transform": [{"filter": {"field": "series", "oneOf": sparse}}],
                       "mark": {"type": "point", "filled": True, "size": 40, "clip": True},
                       "encoding": {k: encoding[k] for k in ("x", "y", "color", "tooltip")}})
    if message and not len(data):
        layers.append(message_layer(message))
    return {"title": {"text": title, "anchor": "start"}, "height": HEIGHT, "layer": layers}


def message_layer(message):
    """A Vega-Lite layer writing ``message`` in the middle of an empty chart."""
    return {"data": {"values": [{"text": message}]},
            "mark": {"type": "text", "fontSize": 15, "color": "#777777"},
            "encoding": {"text": {"field": "text"}}}


def loss_chart(batch_loss, epoch_loss, val_loss, batches_per_epoch, smoothing=0.9,
               log_y=False, max_points=5000):
    """Loss against epochs: raw and smoothed per batch, train and validation per epoch.

    Parameters
    ----------
    batch_loss : list or ndarray of shape (n_batches,)
        Loss of every mini-batch; batch ``i`` is drawn at ``(i + 1) / batches_per_epoch``.
    epoch_loss : list or ndarray of shape (n_epochs,)
        Mean training loss of each epoch, drawn at x = 1 .. n_epochs.
    val_loss : list of shape (n_epochs,) or empty
        Validation loss per epoch; ``None`` entries are skipped.
    batches_per_epoch : int or list of int
        See :func:`studio.figures.training.batch_positions`.
    smoothing : float in [0, 1)
        Weight of the moving average, computed on all batches before thinning.
    log_y : bool
        A logarithmic loss axis (non-positive losses are left out); otherwise the axis
        keeps to the bulk of the losses (:func:`studio.figures.training.bulk_top`).
    max_points : int
        Above this many batches only every k-th is drawn.

    Returns
    -------
    (pandas.DataFrame, dict)
        The points (series "batch loss", "smoothed", "train (epoch mean)",
        "validation", each only when it has data) and the Vega-Lite spec.
    """
    batch = _checks.vector("batch_loss", batch_loss)
    train = _checks.vector("epoch_loss", epoch_loss)
    val = _checks.vector("val_loss", val_loss)
    _check_epochs(train, val, "epoch_loss", "val_loss")
    x = batch_positions(len(batch), batches_per_epoch)
    smooth = ema_smooth(batch, smoothing)
    keep = _decimate(len(batch), max_points) if len(batch) else np.zeros(0, dtype=int)
    epochs = np.arange(1, len(train) + 1)
    data = _table([_rows(x[keep], batch[keep], "batch loss"),
                   _rows(x[keep], smooth[keep], "smoothed"),
                   _rows(epochs, train, "train (epoch mean)"),
                   _rows(epochs[:len(val)], val, "validation")])
    if log_y:
        data = data[data["value"] > 0].reset_index(drop=True)
        scale = {"type": "log"}
    else:
        top = bulk_top(np.concatenate([batch, train, val]))
        scale = {"domain": [0, top]} if top is not None else {"zero": True}
    spec = _spec(data, LOSS_SERIES, "Loss during training",
                 "loss" + " (log scale)" * log_y, scale, ".3~g", "No training yet")
    return data, spec


def metric_chart(metric, val_metric, metric_name):
    """Training and validation metric per epoch.

    Parameters
    ----------
    metric, val_metric : list of shape (n_epochs,); ``val_metric`` may be empty
        Per-epoch values; ``None`` entries are skipped. Accuracy is a fraction in [0, 1]
        and is shown in percent on a 0-100 axis.
    metric_name : str
        "accuracy", "mse" or any other name (used as the axis title).

    Returns
    -------
    (pandas.DataFrame, dict)
        The points (series "train" and "validation") and the Vega-Lite spec.
    """
    train = _checks.vector("metric", metric)
    val = _checks.vector("val_metric", val_metric)
    _check_epochs(train, val, "metric", "val_metric")
    name = str(metric_name)
    percent = name.lower() in ("accuracy", "acc")
    scale = 100.0 if percent else 1.0
    epochs = np.arange(1, len(train) + 1)
    data = _table([_rows(epochs, train * scale, "train"),
                   _rows(epochs[:len(val)], val * scale, "validation")])
    y_title = METRIC_TITLES.get(name.lower(), name)
    spec = _spec(data, METRIC_SERIES, f"{y_title[0].upper()}{y_title[1:]} per epoch", y_title,
                 {"domain": [0, 100]} if percent else {"zero": False},
                 ".0f" if percent else ".3~g", f"No {name} recorded yet")
    return data, spec
