"""Small helpers shared by the network: label encoding and input checks."""

import numpy as np


def to_categorical(labels, n_classes=None, dtype=np.float64):
    """One-hot encode integer class labels.

    Parameters
    ----------
    labels : array-like of shape (n_samples,) or (n_samples, 1)
        Integer labels in ``[0, n_classes)``.
    n_classes : int, optional
        Number of classes; defaults to ``max(labels) + 1``.

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
    """
    labels = check_labels(labels, n_classes)
    if n_classes is None:
        n_classes = int(labels.max()) + 1 if labels.size else 0
    onehot = np.zeros((labels.shape[0], n_classes), dtype=dtype)
    onehot[np.arange(labels.shape[0]), labels] = 1
    return onehot


def check_labels(labels, n_classes=None):
    """Return ``labels`` as a 1-D int64 array, raising ``ValueError`` if they are not class labels.

    Parameters
    ----------
    labels : array-like of shape (n_samples,) or (n_samples, 1)
    n_classes : int, optional
        When given, every label must lie in ``[0, n_classes)``.
    """
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(
            f"Class labels must have shape (n_samples,). Received: shape={labels.shape}")
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)) or np.any(labels != np.round(labels)):
            raise ValueError("Class labels must be whole numbers; received non-integer values.")
    elif labels.dtype.kind not in "iub":
        raise ValueError(f"Class labels must be integers. Received: dtype={labels.dtype}")
    labels = labels.astype(np.int64)
    if labels.size and labels.min() < 0:
        raise ValueError(f"Class labels must be non-negative. Received: min={labels.min()}")
    if n_classes is not None and labels.size and labels.max() >= n_classes:
        raise ValueError(
            f"Class label {labels.max()} is out of range for {n_classes} output units "
            f"(labels must be in 0..{n_classes - 1}).")
    return labels


NOT_FINITE = "x contains NaN or infinite values; clean or impute them first."


def check_inputs(x, n_features, finite=True):
    """Check that ``x`` is a non-empty finite 2-D input of shape (n_samples, n_features).

    With ``finite=False`` the values are not scanned (the caller checks what it reads).

    ``x`` is an ndarray, or a *row source*: an object with ``shape``, ``dtype``,
    ``len()`` and ``__getitem__`` that returns ndarrays for an int array or a slice
    of rows, and a ``finite`` property (such as ``data.views.ScaledRows``, rows of a
    shared array scaled as they are read). Training and prediction only ever read
    rows from it, so a row source is trained on without being copied whole.
    """
    if not is_row_source(x):
        x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"x must have shape (n_samples, {n_features}). Received: shape={x.shape}")
    if x.shape[1] != n_features:
        raise ValueError(
            f"x has {x.shape[1]} features but the input layer has {n_features}. "
            f"Received: x.shape={x.shape}")
    if x.shape[0] == 0:
        raise ValueError("x is empty: at least one sample is needed.")
    if np.dtype(x.dtype).kind not in "iufb":
        raise ValueError(f"x must be numeric. Received: dtype={x.dtype}")
    if finite and not (x.finite if is_row_source(x) else x.dtype.kind != "f" or all_finite(x)):
        raise ValueError(NOT_FINITE)
    return x


def is_row_source(x):
    """True for a row source (see :func:`check_inputs`), False for arrays and array-likes."""
    return not isinstance(x, np.ndarray) and hasattr(x, "shape") and hasattr(x, "finite") \
        and hasattr(x, "__getitem__")


def all_finite(x, chunk_rows=4096):
    """Whether every entry of the 2-D array ``x`` is finite, checked in row chunks.

    Checking a whole (60000, 784) array at once would allocate a 47 MB mask.
    """
    return all(np.isfinite(x[start:start + chunk_rows]).all()
               for start in range(0, x.shape[0], chunk_rows))
