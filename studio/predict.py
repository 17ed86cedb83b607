"""Predictions for new rows of a table, with the model's own preprocessing.

A model of a table carries everything needed in its file: the fitted column
encoding (:class:`data.tabular.TableEncoder`, as JSON) and the input scaling
(:class:`data.Preprocessing`). :func:`predict_table` applies both to a raw
table with the training file's columns (the target optional, extra columns
ignored) and returns the predictions, and the metrics when the target is there.
Models of the built-in tables (California housing, Diabetes) read their
numeric feature columns by name.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data.tabular import TableEncoder, TableError, parse_numbers
from studio.metrics import evaluate_split

MAX_PREDICT_ROWS = 200_000


class PredictionError(ValueError):
    """The table cannot be predicted on; the message says why, for the user."""


@dataclass
class TablePrediction:
    """What :func:`predict_table` returns.

    ``table`` has one row per input row: "prediction" (the class name, or the value
    in the target's units) and, for a classifier, "P(<class>)" per class; rows that
    could not be predicted (missing values, for a model trained on complete rows
    only) are empty. ``result`` is :func:`studio.metrics.evaluate_split`'s dict on
    the rows that have a target, or None.
    """

    table: pd.DataFrame
    result: dict | None = None
    notes: list = field(default_factory=list)


def encoder_for(preprocessing):
    """The :class:`TableEncoder` that reads raw rows for this model; PredictionError if none."""
    if preprocessing.table is not None:
        return TableEncoder.from_dict(preprocessing.table)
    names = preprocessing.feature_names
    if preprocessing.image_shape is not None or not names:
        raise PredictionError("This model does not read table rows (it was trained on images "
                              "or on a generated set): predictions for a CSV need a model "
                              "trained on a table.")
    return TableEncoder.numeric_columns(names)


def predict_table(network, preprocessing, table):
    """Predict every row of ``table`` (a DataFrame with the training file's columns).

    Returns a :class:`TablePrediction`; raises :class:`PredictionError` naming
    missing or mistyped columns, unknown classes in the target, or an empty table.
    """
    if len(table) == 0:
        raise PredictionError("The file has no rows to predict.")
    if len(table) > MAX_PREDICT_ROWS:
        raise PredictionError(f"The file has {len(table):,} rows; at most "
                              f"{MAX_PREDICT_ROWS:,} are predicted at once.")
    encoder = encoder_for(preprocessing)
    notes = []
    target = preprocessing.target_name
    known = set(encoder.roles) | {target}
    extra = [str(c) for c in table.columns if c not in known]
    if extra:
        notes.append(f"Columns that were not in the training file were ignored: "
                     f"{', '.join(extra)}.")
    try:
        encoder.check_columns(table)
        skip = encoder.rows_to_drop(table) if encoder.missing == "drop" else \
            np.zeros(len(table), dtype=bool)
        x_raw = encoder.transform(table.loc[~skip])
    except TableError as exc:
        raise PredictionError(str(exc)) from None
    if skip.any():
        notes.append(f"{int(skip.sum())} row(s) with missing values have no prediction: the "
                     "model was trained on complete rows only.")
    x = preprocessing.transform(x_raw, dtype=network.dtype)
    outputs = network.predict(x)
    out = pd.DataFrame(index=table.index)
    classify = preprocessing.task == "classification"
    names = list(preprocessing.class_names or [])
    if classify:
        predicted = np.full(len(table), None, dtype=object)
        predicted[~skip] = [names[i] for i in outputs.argmax(axis=1)]
        out["prediction"] = predicted
        for k, name in enumerate(names):
            column = np.full(len(table), np.nan)
            column[~skip] = outputs[:, k]
            out[f"P({name})"] = column
    else:
        column = np.full(len(table), np.nan)
        column[~skip] = preprocessing.unscale_target(outputs[:, 0])
        out["prediction"] = column
    result = None
    if target in table.columns:
        result = _metrics(network, preprocessing, x, table.loc[~skip, target], classify, names,
                          notes)
    return TablePrediction(out, result, notes)


def _metrics(network, preprocessing, x, target, classify, names, notes):
    """The metrics on the rows whose target is given (evaluate_split's dict), or None."""
    if classify:
        text = target.astype("string").str.strip()
        numeric = pd.to_numeric(text, errors="coerce")
        # Classes of whole numbers are named without decimals ("1", not "1.0").
        text = text.where(~(numeric.notna() & (numeric % 1 == 0)),
                          numeric.astype("Int64").astype("string"))
        given = text.notna() & (text != "")
        unknown = sorted(set(text[given]) - set(names))
        if unknown:
            raise PredictionError(f"The target column holds classes the model does not know: "
                                  f"{', '.join(unknown[:10])}. Its classes: {', '.join(names)}.")
        labels = text[given].map({name: i for i, name in enumerate(names)}).to_numpy(np.int64)
    else:
        parsed = parse_numbers(target)
        if parsed is None:
            raise PredictionError(f"The target column {target.name!r} should hold numbers "
                                  f"(e.g. {target.dropna().iloc[0]!r} is not one).")
        values = pd.Series(parsed[0], index=target.index)
        given = values.notna()
        labels = values[given].to_numpy(np.float64)
    if not given.any():
        return None
    if not given.all():
        notes.append(f"Metrics on the {int(given.sum())} row(s) that have a target value.")
    rows = np.flatnonzero(given.to_numpy())
    return evaluate_split(network, x[rows], labels, "classification" if classify
                          else "regression", names or None, preprocessing)
