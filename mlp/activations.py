"""Activation functions and their derivatives, as ``(function, derivative)`` pairs.

Every function takes the pre-activation ``z`` of a layer, an ndarray of shape
``(n_samples, n_units)``.

* Hidden activations and their derivatives work element-wise: both return arrays
  of shape ``(n_samples, n_units)``.
* Output activations are paired with a derivative that returns the stack of
  Jacobians ``J[k, i, j] = d a_i / d z_j`` for each sample ``k``, of shape
  ``(n_samples, n_units, n_units)``. ``d_softmax`` is ``diag(s) - s s^T`` per row
  and ``d_identity`` a stack of identities.

Hidden activations also have ``*_from_output`` derivatives: the same values as the
derivative, computed from the activation's output ``a = f(z)`` instead of ``z``.
Backpropagation uses them when available, so ``tanh`` and ``sigmoid`` are not
evaluated a second time.

``relu``, ``tanh``, ``sigmoid`` and ``leaky_relu`` may be used as hidden
activations; ``identity`` and ``softmax`` as output activations (``identity``
is also a valid hidden activation: the network's element-wise derivative for it
is :func:`d_identity_elementwise`).
"""

import numpy as np

LEAKY_RELU_SLOPE = 0.01


def identity(z):
    """a = z. Shape (n, m) -> (n, m)."""
    return z


def d_identity(z):
    """Jacobian stack of the identity: shape (n, m) -> (n, m, m) of identities."""
    n, m = z.shape
    jac = np.zeros((n, m, m), dtype=z.dtype)
    idx = np.arange(m)
    jac[:, idx, idx] = 1
    return jac


def d_identity_elementwise(z):
    """Element-wise derivative of the identity (for hidden layers): ones of shape (n, m)."""
    return np.ones_like(z)


def relu(z):
    """a = max(z, 0), element-wise. Shape (n, m) -> (n, m)."""
    return np.maximum(z, 0)


def d_relu(z):
    """1 where z > 0, else 0 (the sub-gradient at 0 is taken as 0). Shape (n, m) -> (n, m)."""
    return (z > 0).astype(z.dtype)


def d_identity_from_output(a):
    """Derivative of the identity given its output: ones of shape (n, m)."""
    return np.ones_like(a)


def d_relu_from_output(a):
    """d_relu given a = relu(z): 1 where a > 0 (exactly where z > 0), else 0. Shape (n, m)."""
    return (a > 0).astype(a.dtype)


def leaky_relu(z):
    """a = z for z > 0, else 0.01 z. Shape (n, m) -> (n, m)."""
    return np.where(z > 0, z, LEAKY_RELU_SLOPE * z)


def d_leaky_relu(z):
    """1 where z > 0, else 0.01. Shape (n, m) -> (n, m)."""
    return np.where(z > 0, 1, LEAKY_RELU_SLOPE).astype(z.dtype)


def d_leaky_relu_from_output(a):
    """d_leaky_relu given a = leaky_relu(z): a has the sign of z. Shape (n, m) -> (n, m)."""
    return np.where(a > 0, 1, LEAKY_RELU_SLOPE).astype(a.dtype)


def tanh(z):
    """a = tanh(z), element-wise. Shape (n, m) -> (n, m)."""
    return np.tanh(z)


def d_tanh(z):
    """1 - tanh(z)^2. Shape (n, m) -> (n, m)."""
    t = np.tanh(z)
    return 1 - t * t


def d_tanh_from_output(a):
    """d_tanh given a = tanh(z): 1 - a^2. Shape (n, m) -> (n, m)."""
    return 1 - a * a


def sigmoid(z):
    """a = 1 / (1 + exp(-z)), computed without overflow for any |z|. Shape (n, m) -> (n, m)."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def d_sigmoid(z):
    """s (1 - s) with s = sigmoid(z). Shape (n, m) -> (n, m)."""
    s = sigmoid(z)
    return s * (1 - s)


def d_sigmoid_from_output(a):
    """d_sigmoid given a = sigmoid(z): a (1 - a). Shape (n, m) -> (n, m)."""
    return a * (1 - a)


def softmax(z):
    """Row-wise softmax exp(z_i) / sum_j exp(z_j), with the row maximum subtracted first.

    Shape (n, m) -> (n, m); every row sums to one.
    """
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def d_softmax(z):
    """Jacobian stack of the softmax, ``diag(s) - s s^T`` per row. Shape (n, m) -> (n, m, m)."""
    s = softmax(z)
    jac = -s[:, :, None] * s[:, None, :]
    idx = np.arange(s.shape[1])
    jac[:, idx, idx] += s
    return jac
