"""The Evaluate page's sections: metrics per split, error analysis, and runs side by side."""

import numpy as np
import pandas as pd
import streamlit as st

from studio.figures import evaluation
from studio.figures.training import runs_overlay
from studio.metrics import baseline, confident_mistakes, evaluate_split
from studio.model_record import run_summary
from studio.ui import datasets, state, widgets
from studio.ui.plain import say

SPLITS = ("train", "validation", "test")
DOLLARS_PER_UNIT = {"california_housing": 100_000}


def evaluate(record, refresh=False):
    """Results on every non-empty split, computed once per state of the weights.

    Returns ``(results, samples_seen)``: ``{split: result}`` and how far training
    had got when they were computed. While the job trains, the kept results are
    reused until ``refresh``; otherwise they are recomputed only when the weights
    have changed.
    """
    active = record.job.status.active
    kept = record.evaluation
    if kept is not None and not refresh and (active or kept[0] == weights_state(record)):
        return kept[1], kept[0][0]
    # Read before the weights: a worker's last progress (the final sample count) arrives
    # before its trained weights, so results computed while the job was active never pass
    # for the final weights' (the state records whether the job was active).
    state = weights_state(record)
    network = record.job.network_copy()
    p = record.prepared
    names = list(p.info.class_names) or None
    arrays = {"train": (p.x_train, p.y_train), "validation": (p.x_val, p.y_val),
              "test": (p.x_test, p.y_test)}
    results = {}
    for split, (x, y) in arrays.items():
        result = evaluate_split(network, x, y, record.task, names, record.preprocessing)
        if result is not None:
            results[split] = result
    record.evaluation = (state, results)
    return results, state[0]


def weights_state(record):
    """``(samples seen, job active)``: what the current weights are, for the caches of results.

    Only a job that is no longer active has its final weights in the network.
    """
    return record.network.history["samples_seen"], record.job.status.active


def summary_table(record, results):
    """One row per split: accuracy and loss, or MSE / RMSE / MAE / R²."""
    rows = []
    dollars = DOLLARS_PER_UNIT.get(record.info.key)
    y_train = record.prepared.y_train
    trivial = None
    for split, r in results.items():
        row = {"split": split, "samples": r["n_samples"]}
        trivial = baseline(y_train, split_arrays(record, split)[1], r["task"])
        if r["task"] == "classification":
            row.update({"accuracy": f"{r['accuracy']:.2%}",
                        "baseline accuracy": f"{trivial['accuracy']:.2%}",
                        "loss": round(r["loss"], 4)})
        else:
            m = r["metrics"]
            row.update({"MSE": round(m["mse"], 4), "baseline MSE": round(trivial["mse"], 4),
                        "RMSE": round(m["rmse"], 4), "MAE": round(m["mae"], 4),
                        "R²": round(m["r2"], 4)})
            if dollars:
                row["RMSE in dollars"] = f"${m['rmse'] * dollars:,.0f}"
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if trivial is not None:
        say("caption", _baseline_note(record, trivial))
    if dollars:
        st.caption("The target is the median house value in units of $100,000, so the RMSE "
                   "reads directly as a typical error in dollars.")


def _baseline_note(record, trivial):
    if trivial["name"] == "majority class":
        names = list(record.info.class_names)
        answer = names[trivial["class"]] if trivial["class"] < len(names) else trivial["class"]
        return (f"Baseline: the trivial model that always answers the training split's most "
                f"common class ({answer}). A useful network beats it clearly.")
    return (f"Baseline: the trivial model that always answers the training split's mean "
            f"({trivial['mean']:.4g}); its MSE is the targets' spread. A useful network beats "
            "it clearly.")


def classification_details(record, result, x, y):
    """Confusion matrix, per-class table, confidence, and the most confident mistakes."""
    info = record.info
    report = result["report"]
    left, right = st.columns([3, 2])
    with left:
        normalize = st.toggle("Show row percentages", key="evaluate.normalize")
        widgets.show_figure(evaluation.confusion_matrix_figure(
            report["confusion"], list(info.class_names), normalize=normalize), key="confusion")
    with right:
        table = pd.DataFrame([{k: v for k, v in row.items() if k != "undefined"}
                              for row in report["per_class"]])
        st.dataframe(table.round(3), hide_index=True, width="stretch")
        for note in report["notes"]:
            say("caption", note)
    widgets.show_figure(evaluation.confidence_histogram(result["confidence"], result["correct"]),
                        key="confidence")
    _mistakes(record, result, x, y)


def _sample_labels(record, split_x, picked):
    """How to point at samples ``picked`` (indices into the split): the file's line numbers
    for an uploaded table, else the samples' numbers in the dataset."""
    rows = split_x.rows[picked] if getattr(split_x, "rows", None) is not None else picked
    csv = state.get("csv_dataset")
    if record.info.key == datasets.CSV_KEY and csv is not None and \
            csv.source_rows is not None and datasets.same_table(csv, record.preprocessing):
        return "line in the file", csv.source_rows[rows]
    return "sample", rows


def _mistakes(record, result, split_x, y):
    info = record.info
    if info.image_shape is not None:
        widgets.show_figure(evaluation.mistakes_gallery(
            split_x, y, result["predictions"], result["confidence"], tuple(info.image_shape),
            list(info.class_names)), key="mistakes")
        return
    wrong = confident_mistakes(result["probabilities"], y, k=20)
    if len(wrong):
        st.markdown("**Most confident mistakes**")
        names = list(info.class_names)
        column, where = _sample_labels(record, split_x, wrong)
        st.dataframe(pd.DataFrame({column: where, "true": [names[i] for i in y[wrong]],
                                   "predicted": [names[i] for i in result["predictions"][wrong]],
                                   "confidence": np.round(result["confidence"][wrong], 3)}),
                     hide_index=True, width="stretch")


def regression_details(record, result, y):
    """Predicted against actual with the y = x line, and the residuals."""
    unit = "$100k" if record.info.key in DOLLARS_PER_UNIT else ""
    left, right = st.columns(2)
    with left:
        widgets.show_figure(evaluation.predicted_vs_actual(y, result["predictions"], unit=unit),
                            key="pred_vs_actual")
    with right:
        widgets.show_figure(evaluation.residual_histogram(result["predictions"] - y, unit=unit),
                            key="residuals")


def split_arrays(record, split):
    """``(x, y)`` of one split of the current model's data."""
    p = record.prepared
    return {"train": (p.x_train, p.y_train), "validation": (p.x_val, p.y_val),
            "test": (p.x_test, p.y_test)}[split]


def _run_row(record, summary):
    """One run as the runs table shows it: its settings, final losses and test metric."""
    row = {"run": summary["label"], "hidden layers": summary["hidden"],
           "optimizer": summary["optimizer"], "learning rate": summary["learning_rate"],
           "batch size": summary["batch_size"], "epochs": summary["epochs"],
           "parameters": summary["params"], "training loss": summary["final_loss"],
           "validation loss": summary["final_val_loss"]}
    test = evaluate(record)[0].get("test") if record.has_data else None
    if record.task == "classification":
        val = summary["final_val_metric"]
        row["validation accuracy"] = None if val is None else f"{val:.1%}"
        row["test accuracy"] = None if test is None else f"{test['accuracy']:.1%}"
    else:  # the validation metric of a regression is its validation loss: not repeated
        row["test MSE"] = None if test is None else round(test["metrics"]["mse"], 4)
    return row


def runs():
    """This session's runs: configurations and final metrics, and their loss curves overlaid."""
    records = list(state.get("runs").values())
    trained = [r for r in records if r.network.history["loss"]]
    if not trained:
        st.caption("Runs appear here once a model has trained for an epoch.")
        return
    summaries = [run_summary(r) for r in trained]
    rows = [_run_row(record, summary) for record, summary in zip(trained, summaries)]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="runs_table")
    which = "val_loss" if any(any(v is not None for v in s["val_loss"]) for s in summaries) \
        else "loss"
    widgets.show_figure(runs_overlay(summaries, which="both" if which == "val_loss" else "loss"),
                        key="runs_overlay")
