"""A sweep's results as tables and Vega-Lite charts (they take new runs in place).

Pure functions of the runs' result dicts (see :func:`studio.sweep.run.run_point`):

* :func:`run_table` -- one row per run: its settings, seed, status and scores;
* :func:`point_summary` -- one row per point: the score's mean and spread over seeds;
* :func:`score_line_chart` -- the score against one varied setting, a band for the spread;
* :func:`score_heatmap` -- the score over two varied settings;
* :func:`loss_curves_chart` -- every run's validation loss per epoch, overlaid.

Each chart builder returns ``(data, spec)`` for ``st.vega_lite_chart(data, spec)``.
``sweep`` is a :class:`studio.sweep.SweepSpec` (its ``axes``, each with ``setting``,
``label`` and ``values``, and its ``points()``).
"""

import pandas as pd

from studio.figures import style
from studio.figures.live import message_layer

HEIGHT = 320
MAX_LEGEND = 8   # points named one by one in the loss curves' legend
#: Settings drawn on a continuous axis: a log scale for rates, symlog for L2 (it may be 0).
CONTINUOUS = {"learning_rate": {"type": "log"}, "l2": {"type": "symlog", "constant": 1e-4}}


def score_title(task):
    """What the sweep ranks by: validation accuracy (%) or validation loss."""
    return "validation accuracy (%)" if task == "classification" else "validation loss"


def _last(values):
    return next((v for v in reversed(values or []) if v is not None), None)


def point_label(values, sweep):
    """"learning rate 0.01, batch size 32" for a point's varied values."""
    labels = {a.setting: a.label.lower() for a in sweep.axes}
    return ", ".join(f"{labels[k]} {v}" for k, v in values.items())


def run_table(results, sweep, task):
    """One row per finished run, in run order.

    Columns: ``run``, one per varied setting (named by its label), ``seed``,
    ``score`` (validation accuracy in % or validation loss), ``train loss``,
    ``epochs``, ``seconds``, ``status``, ``point`` (the point's label) and ``error``.
    """
    rows = []
    for r in sorted(results, key=lambda r: r["index"]):
        last = _last(r.get("val_metric") if task == "classification" else r.get("val_loss"))
        score = (100 * last if task == "classification" else last) if last is not None else None
        rows.append({"run": r["index"] + 1,
                     **{a.label: r["values"].get(a.setting) for a in sweep.axes},
                     "seed": r["seed"], "score": score, "train loss": _last(r.get("loss")),
                     "epochs": len(r.get("loss") or []),
                     "seconds": round(r.get("seconds", 0.0), 2), "status": r["status"],
                     "point": point_label(r["values"], sweep), "error": r.get("error", "")})
    columns = ["run", *[a.label for a in sweep.axes], "seed", "score", "train loss", "epochs",
               "seconds", "status", "point", "error"]
    return pd.DataFrame(rows, columns=columns)


def point_summary(table, sweep):
    """Per point (in the sweep's order): ``mean``, ``low``, ``high`` of the score over the
    seeds whose run has one, and ``runs`` (how many)."""
    labels = [a.label for a in sweep.axes]
    scored = table.dropna(subset=["score"])
    order = {}
    for i, p in enumerate(sweep.points()):
        order.setdefault(point_label(p.values, sweep), i)
    rows = []
    for point, group in scored.groupby("point", sort=False):
        rows.append({**{label: group[label].iloc[0] for label in labels}, "point": point,
                     "mean": group["score"].mean(), "low": group["score"].min(),
                     "high": group["score"].max(), "runs": len(group),
                     "order": order.get(point, 0)})
    summary = pd.DataFrame(rows, columns=[*labels, "point", "mean", "low", "high", "runs",
                                          "order"])
    return summary.sort_values("order").drop(columns="order").reset_index(drop=True)


def _axis_encoding(axis):
    """How one varied setting is drawn on an axis: continuous for rates and L2, evenly
    spaced categories in the given order otherwise (widths, depths, batch sizes, names)."""
    if axis.setting in CONTINUOUS:
        return {"field": axis.label, "type": "quantitative", "scale": CONTINUOUS[axis.setting],
                "title": axis.label,
                "axis": {"values": [float(v) for v in axis.values], "format": "~g"}}
    return {"field": axis.label, "type": "ordinal", "title": axis.label,
            "sort": list(axis.values)}


def score_line_chart(summary, sweep, task):
    """The score against the first varied setting: the mean over seeds as a line with
    points, the range over seeds as a band."""
    axis = sweep.axes[0]
    x = _axis_encoding(axis)
    y_title = score_title(task)
    tooltip = [{"field": axis.label}, {"field": "mean", "title": f"{y_title}, mean",
                                       "format": ".4g"},
               {"field": "low", "format": ".4g"}, {"field": "high", "format": ".4g"},
               {"field": "runs", "title": "seeds"}]
    layers = [
        {"mark": {"type": "area", "opacity": 0.2, "color": style.VALIDATION},
         "encoding": {"x": x, "y": {"field": "low", "type": "quantitative", "title": y_title,
                                    "scale": {"zero": False}},
                      "y2": {"field": "high"}}},
        {"mark": {"type": "line", "point": {"filled": True, "size": 60},
                  "color": style.VALIDATION, "strokeWidth": 2.5},
         "encoding": {"x": x, "y": {"field": "mean", "type": "quantitative", "title": y_title,
                                    "scale": {"zero": False}},
                      "tooltip": tooltip}},
    ]
    if not len(summary):
        layers.append(message_layer("Results appear here as runs finish"))
    best = "highest" if task == "classification" else "lowest"
    return summary, {"title": {"text": f"{y_title} by {axis.label.lower()}",
                               "subtitle": f"mean over seeds, band from lowest to highest; "
                                           f"{best} is best", "anchor": "start"},
                     "height": HEIGHT, "layer": layers}


def score_heatmap(summary, sweep, task):
    """The score over two varied settings: one cell per point, the mean over seeds written
    in it; the better, the darker."""
    first, second = sweep.axes[:2]
    y_title = score_title(task)
    colour = {"field": "mean", "type": "quantitative", "title": y_title,
              "scale": {"scheme": "viridis", "reverse": task != "classification"},
              "legend": {"orient": "bottom"}}

    def band(axis):
        return {"field": axis.label, "type": "ordinal", "title": axis.label,
                "sort": list(axis.values), "axis": {"labelAngle": 0}}

    encoding = {"x": band(first), "y": band(second)}
    tooltip = [{"field": first.label}, {"field": second.label},
               {"field": "mean", "title": y_title, "format": ".4g"},
               {"field": "runs", "title": "seeds"}]
    # Dark text on the light (better) half of the scale, white on the dark half.
    middle = float((summary["mean"].min() + summary["mean"].max()) / 2) if len(summary) else 0
    light = f"datum.mean {'>=' if task == 'classification' else '<='} {middle!r}"
    text_colour = {"condition": {"test": light, "value": "#111111"}, "value": "#ffffff"}
    layers = [{"mark": "rect", "encoding": {**encoding, "color": colour, "tooltip": tooltip}},
              {"mark": {"type": "text", "fontSize": 13},
               "encoding": {**encoding, "text": {"field": "mean", "format": ".3~g"},
                            "color": text_colour}}]
    if not len(summary):
        layers = [message_layer("Results appear here as runs finish")]
    return summary, {"title": {"text": y_title,   # short: a phone shows it whole
                               "subtitle": f"by {first.label.lower()} and "
                                           f"{second.label.lower()}, mean over seeds",
                               "anchor": "start"},
                     "height": HEIGHT, "layer": layers}


def loss_curves_chart(results, sweep, max_epochs_drawn=200, max_legend=MAX_LEGEND):
    """Every finished run's validation loss per epoch, overlaid.

    One colour per point while there are at most ``max_legend`` points; beyond that,
    one colour per value of the first varied setting (a legend of twenty points would
    take the chart's room), the tooltip naming the whole point. Long runs are thinned
    to at most ``max_epochs_drawn`` points each.
    """
    by_point = sweep.n_points <= max_legend
    first = sweep.axes[0]
    rows = []
    for r in sorted(results, key=lambda r: r["index"]):
        curve = r.get("val_loss") or []
        step = max(1, -(-len(curve) // max_epochs_drawn))
        label = point_label(r["values"], sweep)
        colour = label if by_point else str(r["values"][first.setting])
        for epoch in range(0, len(curve), step):
            if curve[epoch] is not None:
                rows.append({"epoch": epoch + 1, "loss": curve[epoch], "point": label,
                             "colour": colour, "run": f"run {r['index'] + 1} (seed {r['seed']})"})
    data = pd.DataFrame(rows, columns=["epoch", "loss", "point", "colour", "run"])
    if by_point:
        domain = list(dict.fromkeys(point_label(p.values, sweep) for p in sweep.points()))
        legend = {"orient": "bottom", "columns": 2, "labelLimit": 320, "title": None}
    else:
        domain = [str(v) for v in first.values]
        legend = {"orient": "bottom", "columns": 4, "title": first.label}
    layers = [{"mark": {"type": "line", "strokeWidth": 1.8, "clip": True},
               "encoding": {
                   "x": {"field": "epoch", "type": "quantitative", "title": "epoch",
                         "axis": {"format": "d", "tickMinStep": 1}},
                   "y": {"field": "loss", "type": "quantitative", "title": "validation loss",
                         "scale": {"type": "log"}},
                   "color": {"field": "colour", "type": "nominal", "scale": {"domain": domain},
                             "legend": legend},
                   "detail": {"field": "run"},
                   "tooltip": [{"field": "run"}, {"field": "point"}, {"field": "epoch"},
                               {"field": "loss", "format": ".4g"}]}}]
    if not len(data):
        layers.append(message_layer("Loss curves appear here as runs finish"))
    return data, {"title": {"text": "Validation loss of every run", "anchor": "start"},
                  "height": HEIGHT, "layer": layers}
