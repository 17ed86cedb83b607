"""Loss functions and their derivatives, as ``(function, derivative)`` pairs.

A loss takes ``(y_pred, y_true)``, both of shape ``(n_samples, n_outputs)``, and
returns the per-sample losses of shape ``(n_samples, 1)``. Its derivative with
respect to ``y_pred`` returns row vectors of shape ``(n_samples, 1, n_outputs)``,
ready to be multiplied with an output activation's Jacobian stack.
"""

import numpy as np


def _eps(y):
    """The clipping floor for probabilities of ``y``'s dtype (float64 for integer input)."""
    dtype = y.dtype if np.issubdtype(y.dtype, np.floating) else np.float64
    return np.finfo(dtype).eps


def mean_squared_error(y_pred, y_true):
    """Per-sample mean over outputs of (y_pred - y_true)^2. Shapes (n, m), (n, m) -> (n, 1)."""
    diff = y_pred - y_true
    return np.mean(diff * diff, axis=1, keepdims=True)


def d_mean_squared_error(y_pred, y_true):
    """2 (y_pred - y_true) / m as row vectors. Shapes (n, m), (n, m) -> (n, 1, m)."""
    m = y_pred.shape[1]
    return (2.0 / m * (y_pred - y_true))[:, None, :]


def categorical_crossentropy(y_pred, y_true):
    """Per-sample -sum_i y_true_i log(y_pred_i). Shapes (n, m), (n, m) -> (n, 1).

    Probabilities are clipped to [eps, 1] of their dtype before the log, so a
    confident wrong prediction costs a large but finite loss. NaN in ``y_pred``
    stays NaN: it is an error to be reported, not hidden.
    """
    eps = _eps(y_pred)
    logp = np.log(np.clip(y_pred, eps, 1.0))
    return -np.sum(y_true * logp, axis=1, keepdims=True)


def d_categorical_crossentropy(y_pred, y_true):
    """-y_true / y_pred (clipped like the loss) as row vectors. Shapes (n, m), (n, m) -> (n, 1, m)."""
    eps = _eps(y_pred)
    return (-y_true / np.clip(y_pred, eps, 1.0))[:, None, :]
