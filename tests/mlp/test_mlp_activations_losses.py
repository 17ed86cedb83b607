"""Activations, their derivatives and the losses: values, shapes, Jacobians, stability.

Numerical derivatives here are central differences in float64 written out in
this file, independent of ``mlp.gradcheck``.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlp import NeuralNetwork, registry
from mlp import activations as A
from mlp import losses as L

H = 1e-6

HIDDEN = {
    "relu": (A.relu, A.d_relu),
    "tanh": (A.tanh, A.d_tanh),
    "sigmoid": (A.sigmoid, A.d_sigmoid),
    "leaky_relu": (A.leaky_relu, A.d_leaky_relu),
    "identity": (A.identity, A.d_identity_elementwise),
}
OUTPUT = {name: (pair.function, pair.derivative)
          for name, pair in registry.OUTPUT_ACTIVATIONS.items()}
LOSSES = {"mean_squared_error": (L.mean_squared_error, L.d_mean_squared_error),
          "categorical_crossentropy": (L.categorical_crossentropy, L.d_categorical_crossentropy)}


def numeric_jacobian_stack(f, z, h=H):
    """Central-difference Jacobians of a row-wise map: J[k, i, j] = d f(z)[k, i] / d z[k, j]."""
    n, m = z.shape
    jac = np.zeros((n, f(z).shape[1], m))
    for j in range(m):
        step = np.zeros_like(z)
        step[:, j] = h
        jac[:, :, j] = (f(z + step) - f(z - step)) / (2 * h)
    return jac


def away_from_kinks(rng, shape):
    """Standard-normal values pushed at least 0.1 away from 0 (where relu bends)."""
    z = rng.normal(size=shape)
    return z + 0.1 * np.sign(z)


def probability_rows(rng, n, m):
    p = rng.uniform(0.05, 1.0, size=(n, m))
    return p / p.sum(axis=1, keepdims=True)


# ------------------------------------------------------------------ values
def test_hidden_activation_values():
    z = np.array([[-2.0, -0.5, 0.0, 0.5, 2.0]])
    np.testing.assert_array_equal(A.relu(z), [[0, 0, 0, 0.5, 2]])
    np.testing.assert_array_equal(A.d_relu(z), [[0, 0, 0, 1, 1]])
    np.testing.assert_allclose(A.leaky_relu(z), [[-0.02, -0.005, 0, 0.5, 2]])
    np.testing.assert_allclose(A.d_leaky_relu(z), [[0.01, 0.01, 0.01, 1, 1]])
    np.testing.assert_allclose(A.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-15)
    np.testing.assert_allclose(A.tanh(z), np.tanh(z))
    np.testing.assert_array_equal(A.identity(z), z)
    np.testing.assert_array_equal(A.d_identity_elementwise(z), np.ones_like(z))


@pytest.mark.parametrize("name", sorted(HIDDEN))
def test_hidden_derivative_matches_central_differences(name):
    function, derivative = HIDDEN[name]
    z = away_from_kinks(np.random.default_rng(1), (7, 5))
    numeric = (function(z + H) - function(z - H)) / (2 * H)
    np.testing.assert_allclose(derivative(z), numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", sorted(HIDDEN))
def test_hidden_activations_keep_float32(name):
    function, derivative = HIDDEN[name]
    z = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
    assert function(z).dtype == np.float32
    assert derivative(z).dtype == np.float32


# ----------------------------------------------------- output Jacobian stacks
def test_d_softmax_is_diag_minus_outer_product_per_row():
    z = np.random.default_rng(2).normal(size=(6, 4))
    s = A.softmax(z)
    jac = A.d_softmax(z)
    assert jac.shape == (6, 4, 4)
    for k in range(6):
        np.testing.assert_allclose(jac[k], np.diag(s[k]) - np.outer(s[k], s[k]), rtol=1e-14,
                                   atol=1e-16)


def test_d_softmax_matches_numerical_jacobian():
    z = np.random.default_rng(3).normal(size=(5, 4)) * 2
    np.testing.assert_allclose(A.d_softmax(z), numeric_jacobian_stack(A.softmax, z),
                               rtol=1e-7, atol=1e-9)


def test_d_identity_is_a_stack_of_identities():
    z = np.random.default_rng(4).normal(size=(3, 5))
    jac = A.d_identity(z)
    assert jac.shape == (3, 5, 5)
    np.testing.assert_array_equal(jac, np.broadcast_to(np.eye(5), (3, 5, 5)))
    np.testing.assert_allclose(jac, numeric_jacobian_stack(A.identity, z), atol=1e-9)


@pytest.mark.parametrize("name", sorted(OUTPUT))
def test_registered_output_jacobians_match_numerical(name):
    function, derivative = OUTPUT[name]
    if derivative is None:
        pytest.skip(f"{name} has no Jacobian derivative")
    z = np.random.default_rng(5).normal(size=(4, 3))
    jac = derivative(z)
    assert jac.shape == (4, 3, 3)
    np.testing.assert_allclose(jac, numeric_jacobian_stack(function, z), rtol=1e-7, atol=1e-9)


# ------------------------------------------------------------------- losses
def test_loss_values_by_hand():
    y_pred = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    y_true = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    np.testing.assert_allclose(L.categorical_crossentropy(y_pred, y_true),
                               [[-np.log(0.7)], [-np.log(0.1)]])
    np.testing.assert_allclose(L.mean_squared_error(y_pred, y_true),
                               [[(0.09 + 0.04 + 0.01) / 3], [(0.01 + 0.81 + 0.64) / 3]])


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_and_derivative_shapes(name):
    function, derivative = LOSSES[name]
    rng = np.random.default_rng(6)
    y_pred, y_true = probability_rows(rng, 5, 3), probability_rows(rng, 5, 3)
    assert function(y_pred, y_true).shape == (5, 1)
    assert derivative(y_pred, y_true).shape == (5, 1, 3)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_derivative_matches_central_differences(name):
    function, derivative = LOSSES[name]
    rng = np.random.default_rng(7)
    y_pred, y_true = probability_rows(rng, 4, 3), probability_rows(rng, 4, 3)
    numeric = numeric_jacobian_stack(lambda p: function(p, y_true), y_pred)   # (n, 1, m)
    np.testing.assert_allclose(derivative(y_pred, y_true), numeric, rtol=1e-7, atol=1e-9)


# ------------------------------------------------------ numerical stability
def _strict_floats():
    """Overflow, division by zero and invalid operations raise.

    Underflow is allowed: exp(-1000) = 0 is the right answer, not an error.
    """
    return np.errstate(over="raise", divide="raise", invalid="raise", under="ignore")


def test_strict_floats_would_catch_a_naive_sigmoid():
    """Sanity check of the harness: the textbook formula overflows at z = -1000."""
    with _strict_floats(), pytest.raises(FloatingPointError):
        1 / (1 + np.exp(-np.array([-1000.0])))


@pytest.mark.parametrize("scale", [1e4, -1e4, 1e300])
def test_softmax_with_huge_logits_is_finite_and_normalised(scale):
    z = np.array([[1.0, 0.0, -1.0], [0.5, 0.25, 0.0]]) * scale
    with _strict_floats(), warnings.catch_warnings():
        warnings.simplefilter("error")
        s = A.softmax(z)
        jac = A.d_softmax(z)
    assert np.isfinite(s).all() and np.isfinite(jac).all()
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=1e-15)


def test_sigmoid_at_plus_minus_1000_does_not_overflow():
    z = np.array([[-1000.0, 1000.0], [-745.0, 745.0]])
    with _strict_floats(), warnings.catch_warnings():
        warnings.simplefilter("error")
        s = A.sigmoid(z)
        d = A.d_sigmoid(z)
        s32 = A.sigmoid(z.astype(np.float32))
    np.testing.assert_array_equal(s[0], [0.0, 1.0])
    np.testing.assert_array_equal(s32[0], [0.0, 1.0])
    assert np.isfinite(d).all() and (d >= 0).all()
    assert s[1, 0] > 0 and s[1, 1] == 1.0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_crossentropy_of_a_zero_probability_is_large_but_finite(dtype):
    y_pred = np.array([[0.0, 1.0], [0.5, 0.5]], dtype=dtype)
    y_true = np.array([[1.0, 0.0], [1.0, 0.0]], dtype=dtype)
    with _strict_floats():
        loss = L.categorical_crossentropy(y_pred, y_true)
        grad = L.d_categorical_crossentropy(y_pred, y_true)
    assert np.isfinite(loss).all() and np.isfinite(grad).all()
    np.testing.assert_allclose(loss[0, 0], -np.log(np.finfo(dtype).eps), rtol=1e-6)
    assert loss[0, 0] > 10


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_nan_prediction_stays_nan(name):
    function, derivative = LOSSES[name]
    y_pred = np.array([[np.nan, 0.5], [0.2, 0.8]])
    y_true = np.array([[1.0, 0.0], [0.0, 1.0]])
    with np.errstate(invalid="ignore"):
        loss = function(y_pred, y_true)
        grad = derivative(y_pred, y_true)
    assert np.isnan(loss[0, 0]), "a NaN prediction must not be hidden by clipping"
    assert np.isnan(grad[0, 0, 0])
    assert np.isfinite(loss[1, 0]) and np.isfinite(grad[1]).all()


# --------------------------------------------------------- property tests
def arrays_nm(min_value=-50.0, max_value=50.0, max_side=8):
    """Float64 arrays of shape (n_samples, n_units), both sides in 1..max_side."""
    shapes = st.tuples(st.integers(1, max_side), st.integers(1, max_side))
    return arrays(np.float64, shapes,
                  elements=st.floats(min_value, max_value, allow_nan=False, allow_infinity=False))


@settings(max_examples=40, deadline=None)
@given(z=arrays_nm())
def test_every_activation_and_derivative_keeps_the_documented_shape(z):
    n, m = z.shape
    for function, derivative in HIDDEN.values():
        assert function(z).shape == (n, m)
        assert derivative(z).shape == (n, m)
    for function, derivative in OUTPUT.values():
        assert function(z).shape == (n, m)
        if derivative is not None:
            assert derivative(z).shape == (n, m, m)


@settings(max_examples=40, deadline=None)
@given(y_pred=arrays_nm(0.0, 1.0), data=st.data())
def test_every_loss_and_derivative_keeps_the_documented_shape(y_pred, data):
    n, m = y_pred.shape
    y_true = data.draw(arrays(np.float64, (n, m), elements=st.floats(0.0, 1.0)))
    for function, derivative in LOSSES.values():
        loss = function(y_pred, y_true)
        assert loss.shape == (n, 1)
        assert np.isfinite(loss).all()
        assert derivative(y_pred, y_true).shape == (n, 1, m)


@settings(max_examples=60, deadline=None)
@given(z=arrays_nm(-1e4, 1e4))
def test_softmax_rows_are_probabilities(z):
    with np.errstate(under="ignore"):
        s = A.softmax(z)
    assert np.isfinite(s).all() and (s >= 0).all()
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=1e-12)


_PROPERTY_NET = NeuralNetwork([5, 7, 4], "tanh", "softmax", "categorical_crossentropy", seed=11)


@settings(max_examples=40, deadline=None)
@given(x=arrays(np.float64, st.tuples(st.integers(1, 20), st.just(5)),
                elements=st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)))
def test_predict_gives_probability_rows_and_labels_in_range(x):
    with np.errstate(under="ignore"):
        probabilities = _PROPERTY_NET.predict(x)
        labels = _PROPERTY_NET.predict(x, labels=True)
    assert probabilities.shape == (x.shape[0], 4)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-12)
    assert labels.shape == (x.shape[0],)
    assert labels.dtype.kind == "i"
    assert ((labels >= 0) & (labels < 4)).all()
    np.testing.assert_array_equal(labels, probabilities.argmax(axis=1))
