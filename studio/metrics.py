"""Evaluation numbers for the Evaluate page: confusion matrix, per-class report, regression errors.

Plain NumPy, no plotting and no Streamlit. Conventions follow scikit-learn's
``sklearn.metrics`` with ``labels=range(n_classes)`` and ``zero_division=0``:
a precision, recall or F1 whose denominator is zero is reported as 0 (never
NaN), and the report says which ones were undefined.
"""

import numpy as np

TASKS = ("classification", "regression")


# ------------------------------------------------------------------ checks
def _check_n_classes(n_classes):
    if isinstance(n_classes, (bool, np.bool_)) or not isinstance(n_classes, (int, np.integer)) \
            or n_classes < 1:
        raise ValueError(f"n_classes must be a whole number >= 1. Received: {n_classes!r}")
    return int(n_classes)


def _check_labels(labels, name, n_classes=None):
    """``labels`` as a 1-D int64 array; shape (n,) or (n, 1), whole numbers in 0..n_classes-1."""
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(
            f"{name} must have shape (n_samples,). Received: {name}.shape={labels.shape}")
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)) or np.any(labels != np.round(labels)):
            raise ValueError(f"{name} must hold whole-number class labels.")
    elif labels.dtype.kind not in "iub" and labels.size:
        raise ValueError(f"{name} must hold integer class labels. Received: dtype={labels.dtype}")
    labels = labels.astype(np.int64)
    if n_classes is not None and labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        bad = labels[(labels < 0) | (labels >= n_classes)]
        raise ValueError(f"{name} has labels outside 0..{n_classes - 1}: "
                         f"{sorted(set(bad.tolist()))[:10]}")
    return labels


def _check_pair(y_true, y_pred, n_classes):
    y_true = _check_labels(y_true, "y_true", n_classes)
    y_pred = _check_labels(y_pred, "y_pred", n_classes)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred have different lengths: {y_true.shape[0]} and "
                         f"{y_pred.shape[0]}.")
    return y_true, y_pred


def _check_probabilities(probabilities, y_true):
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2 or probabilities.shape[1] < 2:
        raise ValueError(
            "probabilities must have shape (n_samples, n_classes) with n_classes >= 2. "
            f"Received: probabilities.shape={probabilities.shape}")
    y_true = _check_labels(y_true, "y_true", probabilities.shape[1])
    if y_true.shape[0] != probabilities.shape[0]:
        raise ValueError(f"probabilities has {probabilities.shape[0]} rows but y_true has "
                         f"{y_true.shape[0]} labels.")
    return probabilities, y_true


# ---------------------------------------------------------- classification
def confusion_matrix(y_true, y_pred, n_classes):
    """Count how often each true class was predicted as each class.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) (or (n_samples, 1))
        Integer class labels in ``0 .. n_classes - 1``.
    n_classes : int

    Returns
    -------
    ndarray of shape (n_classes, n_classes), int64
        ``C[i, j]`` = number of samples of true class ``i`` predicted as ``j``
        (rows true, columns predicted, like ``sklearn.metrics.confusion_matrix``).

    Raises
    ------
    ValueError
        On labels outside ``0 .. n_classes - 1``, non-integer labels or different lengths.
    """
    k = _check_n_classes(n_classes)
    y_true, y_pred = _check_pair(y_true, y_pred, k)
    counts = np.bincount(y_true * k + y_pred, minlength=k * k)
    return counts.reshape(k, k).astype(np.int64)


def _safe_divide(numerator, denominator):
    """Element-wise ``numerator / denominator`` with 0 where the denominator is 0."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    out = np.zeros(np.broadcast(numerator, denominator).shape)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def classification_report(y_true, y_pred, n_classes, class_names=None):
    """Accuracy, confusion matrix, and precision / recall / F1 per class with macro averages.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        Integer class labels in ``0 .. n_classes - 1``.
    n_classes : int
    class_names : sequence of str of length n_classes, optional
        Defaults to ``"0", "1", ...``.

    Returns
    -------
    dict
        ``"accuracy"`` : float (0.0 for no samples);
        ``"n_samples"`` : int;
        ``"confusion"`` : ndarray of shape (n_classes, n_classes), int64;
        ``"per_class"`` : list of dicts ``{"class", "precision", "recall", "f1",
        "support", "undefined"}``, one per class in label order; ``"undefined"`` lists
        which of ``"precision"`` (the class was never predicted) and ``"recall"`` (the
        class has no samples) had a zero denominator and were reported as 0;
        ``"macro"`` and ``"weighted"`` : dicts ``{"precision", "recall", "f1", "support"}``,
        the unweighted mean over all classes and the mean weighted by support;
        ``"notes"`` : list of str explaining every undefined value, for the UI.

    Precision is ``tp / (tp + fp)``, recall ``tp / (tp + fn)``, F1 their harmonic
    mean ``2 tp / (2 tp + fp + fn)``; each is 0 where its denominator is 0, as with
    ``sklearn.metrics.precision_recall_fscore_support(..., zero_division=0)``.
    """
    k = _check_n_classes(n_classes)
    names = [str(i) for i in range(k)] if class_names is None else [str(c) for c in class_names]
    if len(names) != k:
        raise ValueError(f"class_names has {len(names)} entries for {k} classes.")
    confusion = confusion_matrix(y_true, y_pred, k)
    tp = np.diag(confusion).astype(np.float64)
    support = confusion.sum(axis=1)
    predicted = confusion.sum(axis=0)
    precision = _safe_divide(tp, predicted)
    recall = _safe_divide(tp, support)
    f1 = _safe_divide(2 * tp, support + predicted)
    n = int(confusion.sum())
    per_class, notes = [], []
    for i, name in enumerate(names):
        undefined = [metric for metric, zero in (("precision", predicted[i] == 0),
                                                 ("recall", support[i] == 0)) if zero]
        if undefined:
            notes.append(_undefined_note(name, undefined))
        per_class.append({"class": name, "precision": float(precision[i]),
                          "recall": float(recall[i]), "f1": float(f1[i]),
                          "support": int(support[i]), "undefined": undefined})
    weights = _safe_divide(support, n)
    return {
        "accuracy": float(tp.sum() / n) if n else 0.0,
        "n_samples": n,
        "confusion": confusion,
        "per_class": per_class,
        "macro": {"precision": float(precision.mean()), "recall": float(recall.mean()),
                  "f1": float(f1.mean()), "support": n},
        "weighted": {"precision": float(weights @ precision), "recall": float(weights @ recall),
                     "f1": float(weights @ f1), "support": n},
        "notes": notes,
    }


def _undefined_note(name, undefined):
    reasons = {"precision": "it was never predicted", "recall": "it has no samples here"}
    why = " and ".join(reasons[m] for m in undefined)
    return f"Class {name}: {' and '.join(undefined)} shown as 0 because {why}."


def confidence_split(probabilities, y_true):
    """The model's confidence in its answer and whether that answer was right.

    Parameters
    ----------
    probabilities : ndarray of shape (n_samples, n_classes)
        Network outputs (softmax rows; any scores work, the largest is the answer).
    y_true : array-like of shape (n_samples,)
        Integer class labels.

    Returns
    -------
    confidence : ndarray of shape (n_samples,), float64
        The largest output of each row.
    correct : ndarray of shape (n_samples,), bool
        True where the arg-max equals ``y_true``.
    """
    probabilities, y_true = _check_probabilities(probabilities, y_true)
    confidence = probabilities.max(axis=1).astype(np.float64)
    correct = probabilities.argmax(axis=1) == y_true
    return confidence, correct


def confident_mistakes(probabilities, y_true, k=16):
    """Indices of the wrong predictions made with the highest confidence.

    Parameters
    ----------
    probabilities : ndarray of shape (n_samples, n_classes)
    y_true : array-like of shape (n_samples,)
    k : int >= 0
        At most this many indices are returned.

    Returns
    -------
    ndarray of shape (min(k, n_wrong),), int64
        Row indices of misclassified samples, most confident first; ties keep
        index order.
    """
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or k < 0:
        raise ValueError(f"k must be a whole number >= 0. Received: {k!r}")
    confidence, correct = confidence_split(probabilities, y_true)
    wrong = np.flatnonzero(~correct)
    order = np.argsort(-confidence[wrong], kind="stable")
    return wrong[order[:k]].astype(np.int64)


# --------------------------------------------------------------- regression
def _as_column(y, name):
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"{name} must have shape (n_samples,) or (n_samples, 1). "
                         f"Received: {name}.shape={y.shape}")
    if y.dtype.kind not in "iufb":
        raise ValueError(f"{name} must be numeric. Received: dtype={y.dtype}")
    y = y.astype(np.float64)
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return y


def regression_metrics(y_true, y_pred):
    """Mean squared error, its root, mean absolute error and R^2.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, 1)

    Returns
    -------
    dict
        ``{"mse", "rmse", "mae", "r2", "n_samples"}`` as Python floats (and an int).

    Notes
    -----
    ``r2 = 1 - sum((y - y_hat)^2) / sum((y - mean(y))^2)``. When ``y_true`` is
    constant the denominator is 0; then, like scikit-learn's ``r2_score``
    (``force_finite=True``), ``r2`` is 1.0 for a perfect prediction and 0.0
    otherwise -- never NaN or infinite.
    """
    y_true, y_pred = _as_column(y_true, "y_true"), _as_column(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred have different lengths: {y_true.shape[0]} and "
                         f"{y_pred.shape[0]}.")
    if y_true.size == 0:
        raise ValueError("y_true is empty: at least one sample is needed.")
    residual = y_true - y_pred
    ss_res = float(residual @ residual)
    centred = y_true - y_true.mean()
    ss_tot = float(centred @ centred)
    if ss_tot > 0:
        r2 = 1.0 - ss_res / ss_tot
    else:
        r2 = 1.0 if ss_res == 0 else 0.0
    mse = ss_res / y_true.size
    return {"mse": mse, "rmse": float(np.sqrt(mse)), "mae": float(np.mean(np.abs(residual))),
            "r2": r2, "n_samples": int(y_true.size)}


# ----------------------------------------------------------------- one split
def evaluate_split(network, x, y, task, class_names=None, preprocessing=None):
    """Everything the Evaluate page shows for one split, from a single ``network.predict``.

    Parameters
    ----------
    network : mlp.NeuralNetwork
    x : ndarray or row source (``data.views.ScaledRows``) of shape (n_samples, layers[0])
        Scaled inputs, as the network was trained on; predicted chunk by chunk.
    y : ndarray of shape (n_samples,)
        Integer labels (classification) or targets (regression).
    task : {"classification", "regression"}
    class_names : sequence of str, optional
        Passed to :func:`classification_report`.
    preprocessing : data.Preprocessing, optional
        For a regression target the network learnt standardised: its outputs are
        brought back to the target's units, so every number is in those units
        (the loss is then the MSE in those units too).

    Returns
    -------
    dict or None
        None when the split is empty (e.g. no validation set). Otherwise
        ``"task"``, ``"n_samples"``, ``"loss"`` (mean of the network's own loss) and:

        classification -- ``"accuracy"``, ``"report"`` (:func:`classification_report`),
        ``"probabilities"`` (n_samples, n_classes), ``"predictions"`` (n_samples,) int64,
        ``"confidence"`` (n_samples,) and ``"correct"`` (n_samples,) bool
        (:func:`confidence_split`);

        regression -- ``"metrics"`` (:func:`regression_metrics`) and
        ``"predictions"`` (n_samples,) float64.
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}. Received: {task!r}")
    y = np.asarray(y)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y have different numbers of samples: {x.shape[0]} and "
                         f"{y.shape[0]}.")
    if x.shape[0] == 0:
        return None
    outputs = network.predict(x)
    result = {"task": task, "n_samples": int(x.shape[0])}
    if task == "regression":
        if preprocessing is not None:
            outputs = preprocessing.unscale_target(outputs)
        return {**result, **_regression_split(network, outputs, y)}
    return {**result, **_classification_split(network, outputs, y, class_names)}


def _regression_split(network, outputs, y):
    if outputs.shape[1] != 1:
        raise ValueError("A regression network needs one output unit. "
                         f"Received: {outputs.shape[1]} outputs")
    predictions = outputs[:, 0].astype(np.float64)
    return {"loss": _mean_loss(network, outputs, network.targets(y, categorical=False)),
            "metrics": regression_metrics(y, predictions), "predictions": predictions}


def _classification_split(network, outputs, y, class_names):
    n_classes = outputs.shape[1]
    labels = _check_labels(y, "y", n_classes)
    predictions = outputs.argmax(axis=1).astype(np.int64)
    report = classification_report(labels, predictions, n_classes, class_names)
    confidence, correct = confidence_split(outputs, labels)
    return {"loss": _mean_loss(network, outputs, network.targets(labels, categorical=True)),
            "accuracy": report["accuracy"], "report": report, "probabilities": outputs,
            "predictions": predictions, "confidence": confidence, "correct": correct}


def _mean_loss(network, outputs, targets):
    """The network's loss averaged over samples, as ``NeuralNetwork.score`` computes it."""
    return float(np.mean(network.loss.function(outputs, targets)))


def baseline(y_train, y, task):
    """The trivial model's score on ``y``: the training split's majority class, or its mean.

    Parameters
    ----------
    y_train, y : ndarray of shape (n,) -- integer labels, or targets (regression)
    task : {"classification", "regression"}

    Returns
    -------
    dict
        classification: ``{"name": "majority class", "class": k, "accuracy": a}``;
        regression: ``{"name": "training mean", "mean": m, "mse": e, "rmse": r, "mae": b}``.
    """
    y_train, y = np.asarray(y_train), np.asarray(y)
    if len(y_train) == 0:
        raise ValueError("The training split is empty: there is no baseline to compute.")
    if task == "classification":
        k = int(np.bincount(y_train.astype(np.int64)).argmax())
        accuracy = float(np.mean(y == k)) if len(y) else float("nan")
        return {"name": "majority class", "class": k, "accuracy": accuracy}
    if task != "regression":
        raise ValueError(f"task must be one of {TASKS}. Received: {task!r}")
    mean = float(np.mean(y_train, dtype=np.float64))
    error = y.astype(np.float64).reshape(-1) - mean
    mse = float(np.mean(error ** 2)) if len(y) else float("nan")
    return {"name": "training mean", "mean": mean, "mse": mse, "rmse": mse ** 0.5,
            "mae": float(np.mean(np.abs(error))) if len(y) else float("nan")}
