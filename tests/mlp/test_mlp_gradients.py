"""Backpropagation against finite differences, the fast paths against the generic path,
and ``mlp.gradcheck`` itself.

All checks run in float64 (STYLE.md, rule 6): relative error < 1e-6 per layer.
Inputs are standard normal, so no pre-activation sits on relu's kink.
"""

import numpy as np
import pytest

import mlp
from mlp import NeuralNetwork
from mlp import activations as A
from mlp import losses as L

TOLERANCE = 1e-6
HIDDEN = ["relu", "tanh", "sigmoid", "leaky_relu", "identity"]
# Every (output activation, loss) pair the registry offers whose loss is defined on the
# output's range. identity/tanh with cross-entropy are refused (see the test below).
PAIRS = [
    ("softmax", "categorical_crossentropy"),     # fast path
    ("identity", "mean_squared_error"),          # fast path
    ("sigmoid", "mean_squared_error"),
    ("softmax", "mean_squared_error"),
    ("tanh", "mean_squared_error"),
    ("sigmoid", "categorical_crossentropy"),
]


def batch_for(loss, n_outputs=3, n_samples=7, n_features=4, seed=0):
    """x of shape (n_samples, n_features) and targets suited to ``loss``."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_samples, n_features))
    if loss == "categorical_crossentropy":
        return x, rng.integers(0, n_outputs, n_samples)
    return x, rng.normal(size=(n_samples, n_outputs))


def assert_gradcheck_passes(net, x, y, **kwargs):
    results = mlp.gradcheck(net, x, y, **kwargs)
    assert len(results) == len(net.layers) - 1
    for result in results:
        assert result["max_relative_error"] < TOLERANCE, result
    return results


# ------------------------------------------------------- registered pairs
@pytest.mark.parametrize("output, loss", PAIRS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_gradcheck_every_hidden_activation_with_every_output_loss_pair(hidden, output, loss):
    x, y = batch_for(loss)
    net = NeuralNetwork([4, 5, 3], hidden, output, loss, seed=1)
    for use_fast_path in (True, False):
        net.use_fast_path = use_fast_path
        results = assert_gradcheck_passes(net, x, y)
        assert [r["checked"] for r in results] == [4 * 5 + 5, 5 * 3 + 3]
        assert [r["shape"] for r in results] == [(4, 5), (5, 3)]


@pytest.mark.parametrize("output, loss", PAIRS)
def test_gradcheck_with_l2_weight_decay(output, loss):
    x, y = batch_for(loss, seed=2)
    net = NeuralNetwork([4, 6, 3], "tanh", output, loss, seed=2, l2=0.3)
    for use_fast_path in (True, False):
        net.use_fast_path = use_fast_path
        assert_gradcheck_passes(net, x, y)


@pytest.mark.parametrize("output, loss", [PAIRS[0], PAIRS[1], PAIRS[2]])
@pytest.mark.parametrize("l2", [0.0, 0.05])
def test_gradcheck_deep_network_with_a_different_activation_per_layer(output, loss, l2):
    x, y = batch_for(loss, seed=3)
    net = NeuralNetwork([4, 6, 5, 5, 4, 4, 3], HIDDEN, output, loss, seed=3, l2=l2)
    assert [p.name for p in net.hidden] == HIDDEN
    assert_gradcheck_passes(net, x, y)


# ----------------------------------------------- custom output/loss pairs
def softplus_normalised(z):
    """a_i = softplus(z_i) / sum_j softplus(z_j): positive rows summing to one. (n, m) -> (n, m)."""
    s = np.logaddexp(0.0, z)
    return s / s.sum(axis=1, keepdims=True)


def d_softplus_normalised(z):
    """J[k, i, j] = sigmoid(z_j) (delta_ij - a_i) / S. (n, m) -> (n, m, m)."""
    s = np.logaddexp(0.0, z)
    total = s.sum(axis=1, keepdims=True)
    a = s / total
    sig = A.sigmoid(z)
    m = z.shape[1]
    return (np.eye(m)[None, :, :] - a[:, :, None]) * sig[:, None, :] / total[:, :, None]


def hellinger(y_pred, y_true):
    """Squared Hellinger distance per sample, 0.5 * sum (sqrt(p) - sqrt(y))^2. -> (n, 1)."""
    diff = np.sqrt(y_pred) - np.sqrt(y_true)
    return 0.5 * np.sum(diff * diff, axis=1, keepdims=True)


def d_hellinger(y_pred, y_true):
    """0.5 (1 - sqrt(y / p)) as row vectors. -> (n, 1, m)."""
    return (0.5 * (1.0 - np.sqrt(y_true / y_pred)))[:, None, :]


SCALE, SLOPE = 1.7159, 2.0 / 3.0


def scaled_tanh(z):
    """LeCun's 1.7159 tanh(2 z / 3). (n, m) -> (n, m)."""
    return SCALE * np.tanh(SLOPE * z)


def d_scaled_tanh(z):
    """Diagonal Jacobian stack of scaled_tanh. (n, m) -> (n, m, m)."""
    d = SCALE * SLOPE * (1.0 - np.tanh(SLOPE * z) ** 2)
    n, m = z.shape
    jac = np.zeros((n, m, m))
    jac[:, np.arange(m), np.arange(m)] = d
    return jac


def log_cosh(y_pred, y_true):
    """Mean over outputs of log(cosh(p - y)), computed stably. -> (n, 1)."""
    d = np.abs(y_pred - y_true)
    return np.mean(d + np.log1p(np.exp(-2.0 * d)) - np.log(2.0), axis=1, keepdims=True)


def d_log_cosh(y_pred, y_true):
    """tanh(p - y) / m as row vectors. -> (n, 1, m)."""
    return (np.tanh(y_pred - y_true) / y_pred.shape[1])[:, None, :]


CUSTOM = {
    "softplus_normalised+hellinger": ((softplus_normalised, d_softplus_normalised),
                                      (hellinger, d_hellinger), "labels"),
    "scaled_tanh+log_cosh": ((scaled_tanh, d_scaled_tanh), (log_cosh, d_log_cosh), "values"),
}


@pytest.mark.parametrize("name", sorted(CUSTOM))
def test_custom_pair_helpers_are_right(name):
    """The test's own Jacobian and loss derivative, checked by central differences."""
    (function, jacobian), (loss, d_loss), _ = CUSTOM[name]
    rng = np.random.default_rng(4)
    z = rng.normal(size=(3, 4))
    h = 1e-6
    numeric = np.stack([(function(z + h * np.eye(4)[j]) - function(z - h * np.eye(4)[j])) / (2 * h)
                        for j in range(4)], axis=2)
    np.testing.assert_allclose(jacobian(z), numeric, rtol=1e-7, atol=1e-10)
    p, y = softplus_normalised(z), softplus_normalised(rng.normal(size=(3, 4)))
    numeric = np.stack([(loss(p + h * np.eye(4)[j], y) - loss(p - h * np.eye(4)[j], y)) / (2 * h)
                        for j in range(4)], axis=2)
    np.testing.assert_allclose(d_loss(p, y), numeric, rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("name", sorted(CUSTOM))
@pytest.mark.parametrize("hidden", HIDDEN)
def test_gradcheck_custom_output_pair_only_the_generic_path_handles(name, hidden):
    output, loss, kind = CUSTOM[name]
    rng = np.random.default_rng(5)
    x = rng.normal(size=(6, 4))
    if kind == "labels":
        y = softplus_normalised(rng.normal(size=(6, 3)) * 2)      # probability targets
    else:
        y = rng.normal(size=(6, 3))
    net = NeuralNetwork([4, 5, 3], hidden, output, loss, seed=5, l2=0.01)
    assert net.fast_path is None
    assert net.output.name is None and net.loss.name is None
    assert_gradcheck_passes(net, x, y)


def test_custom_output_pair_trains():
    output, loss, _ = CUSTOM["scaled_tanh+log_cosh"]
    rng = np.random.default_rng(6)
    x = rng.normal(size=(80, 3))
    y = np.sin(x[:, :2])
    net = NeuralNetwork([3, 8, 2], "tanh", output, loss, optimizer=mlp.optimizers.Adam(0.02),
                        seed=6)
    losses = net.fit(x, y, batch_size=16, epochs=30)
    assert losses[-1] < 0.5 * losses[0]


# ---------------------------------------- gradcheck verified independently
def manual_objective(net, x, y_onehot):
    """Mean cross-entropy plus l2 / 2 * sum W^2 of a tanh-sigmoid-softmax net, by hand."""
    (w0, w1, w2), (b0, b1, b2) = net.weights, net.biases
    h1 = np.tanh(x @ w0 + b0)
    h2 = 1.0 / (1.0 + np.exp(-(h1 @ w1 + b1)))
    logits = h2 @ w2 + b2
    logits = logits - logits.max(axis=1, keepdims=True)
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    data_term = -np.mean(np.sum(y_onehot * log_p, axis=1))
    return data_term + 0.5 * net.l2 * sum(np.sum(w * w) for w in net.weights)


@pytest.mark.parametrize("use_fast_path", [True, False])
def test_backprop_matches_hand_written_central_differences(use_fast_path):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(8, 3))
    labels = rng.integers(0, 3, 8)
    y = np.eye(3)[labels]
    net = NeuralNetwork([3, 5, 4, 3], ["tanh", "sigmoid"], "softmax",
                        "categorical_crossentropy", seed=7, l2=0.05)
    net.use_fast_path = use_fast_path
    analytic = net.backward(*net.forward(x), y).copy()
    numeric = np.zeros(net.n_params)
    h = 1e-5
    for k in range(net.n_params):
        original = net.params[k]
        net.params[k] = original + h
        plus = manual_objective(net, x, y)
        net.params[k] = original - h
        minus = manual_objective(net, x, y)
        net.params[k] = original
        numeric[k] = (plus - minus) / (2 * h)
    error = np.max(np.abs(analytic - numeric)) / np.max(np.abs(analytic))
    assert error < TOLERANCE, "backward pass disagrees with central differences"
    # gradcheck agrees on the same network and objective.
    assert_gradcheck_passes(net, x, labels)


def test_gradcheck_catches_a_wrong_hidden_derivative():
    x, y = batch_for("mean_squared_error", seed=8)
    wrong = (A.tanh, lambda z: np.ones_like(z))
    net = NeuralNetwork([4, 5, 3], wrong, "identity", "mean_squared_error", seed=8)
    results = mlp.gradcheck(net, x, y)
    assert results[0]["max_relative_error"] > 1e-2
    assert results[1]["max_relative_error"] < TOLERANCE     # the output layer is still right


def test_gradcheck_catches_a_wrong_output_jacobian():
    x, y = batch_for("categorical_crossentropy", seed=9)
    net = NeuralNetwork([4, 5, 3], "tanh", (A.softmax, A.d_identity),
                        (L.categorical_crossentropy, L.d_categorical_crossentropy), seed=9)
    assert net.fast_path is None
    results = mlp.gradcheck(net, x, y)
    assert min(r["max_relative_error"] for r in results) > 1e-2


# ------------------------------------------------ fast paths vs generic
@pytest.mark.parametrize("output, loss, expected_path", [
    ("softmax", "categorical_crossentropy", "softmax_crossentropy"),
    ("identity", "mean_squared_error", "identity_mse"),
])
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("l2", [0.0, 0.1])
def test_fast_path_equals_generic_jacobian_path(output, loss, expected_path, hidden, l2):
    x, y = batch_for(loss, n_outputs=4, n_samples=9, seed=10)
    net = NeuralNetwork([4, 6, 4], hidden, output, loss, seed=10, l2=l2)
    targets = net.targets(y)
    assert net.fast_path == expected_path
    fast = net.backward(*net.forward(x), targets).copy()
    net.use_fast_path = False
    assert net.fast_path is None
    generic = net.backward(*net.forward(x), targets).copy()
    np.testing.assert_allclose(fast, generic, rtol=1e-10, atol=1e-12)
    assert not np.array_equal(fast, 0)


def test_softmax_crossentropy_fast_path_with_soft_targets():
    """Targets that are probability rows (label smoothing) give the same gradient on both paths."""
    rng = np.random.default_rng(11)
    x = rng.normal(size=(5, 4))
    y = np.eye(3)[rng.integers(0, 3, 5)] * 0.9 + 0.1 / 3
    net = NeuralNetwork([4, 5, 3], "relu", "softmax", "categorical_crossentropy", seed=11)
    fast = net.backward(*net.forward(x), y).copy()
    net.use_fast_path = False
    generic = net.backward(*net.forward(x), y).copy()
    np.testing.assert_allclose(fast, generic, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("output, loss", [("sigmoid", "mean_squared_error"),
                                          ("softmax", "mean_squared_error"),
                                          ("sigmoid", "categorical_crossentropy")])
def test_other_pairs_use_the_generic_path(output, loss):
    assert NeuralNetwork([2, 3], output_activation=output, loss=loss).fast_path is None


def test_tutorial_pairs_take_the_fast_path():
    net = NeuralNetwork([4, 3], (A.relu, A.d_relu), (A.softmax, A.d_softmax),
                        (L.categorical_crossentropy, L.d_categorical_crossentropy))
    assert net.fast_path == "softmax_crossentropy"
    net = NeuralNetwork([4, 1], (A.relu, A.d_relu), (A.identity, A.d_identity),
                        (L.mean_squared_error, L.d_mean_squared_error))
    assert net.fast_path == "identity_mse"


# --------------------------------------------------------- gradcheck API
def test_gradcheck_on_float32_network_runs_in_float64_and_leaves_it_unchanged(make_data):
    x, labels = make_data.classification(n_samples=20, n_features=4, n_classes=3, seed=12)
    net = NeuralNetwork([4, 6, 3], "tanh", seed=12, dtype="float32")
    net.fit(x, labels, batch_size=5, epochs=1, categorical=True)
    params, gradient, predictions = net.params.copy(), net.gradient.copy(), net.predict(x)
    history = {key: list(value) if isinstance(value, list) else value
               for key, value in net.history.items()}
    results = assert_gradcheck_passes(net, x, labels)   # < 1e-6 is out of float32's reach
    assert len(results) == 2
    assert net.params.dtype == np.float32 and net.gradient.dtype == np.float32
    np.testing.assert_array_equal(net.params, params)
    np.testing.assert_array_equal(net.gradient, gradient)
    assert net.history == history
    assert np.shares_memory(net.weights[0], net.params)
    np.testing.assert_array_equal(net.predict(x), predictions)


def test_gradcheck_max_checks_per_layer_limits_the_checks():
    calls = []

    def counting_mse(y_pred, y_true):
        calls.append(1)
        return L.mean_squared_error(y_pred, y_true)

    x, y = batch_for("mean_squared_error", n_features=6, seed=13)
    net = NeuralNetwork([6, 8, 3], "tanh", "identity", (counting_mse, L.d_mean_squared_error),
                        seed=13)
    results = assert_gradcheck_passes(net, x, y, max_checks_per_layer=5)
    assert [r["checked"] for r in results] == [5, 5]
    assert len(calls) == 2 * 10, "two loss evaluations per checked parameter"
    results = mlp.gradcheck(net, x, y, max_checks_per_layer=30)
    assert [r["checked"] for r in results] == [30, 27]       # 27 < 30: the whole layer
    results = assert_gradcheck_passes(net, x, y, max_checks_per_layer=5, seed=1)
    assert [r["checked"] for r in results] == [5, 5]


@pytest.mark.parametrize("output", ["identity", "tanh"])
def test_crossentropy_with_an_unbounded_output_is_refused(output):
    # Outside (0, 1] the loss is clipped flat while -y/p is not: the pair has no true gradient.
    with pytest.raises(ValueError, match="categorical_crossentropy needs outputs in"):
        NeuralNetwork([4, 5, 3], "relu", output, "categorical_crossentropy", seed=14)


def test_softmax_crossentropy_fast_path_matches_the_jacobian_path_when_probabilities_underflow():
    # Raw 0-255 pixels saturate the softmax: true-class probabilities fall below the clipping
    # floor, where the loss is flat. Both paths must then give the same (damped) gradient.
    rng = np.random.default_rng(3)
    x = rng.integers(0, 256, size=(16, 6)).astype(np.float64)
    y = np.eye(4)[rng.integers(0, 4, 16)]
    net = NeuralNetwork([6, 8, 4], "relu", "softmax", "categorical_crossentropy", seed=3)
    net.weights[0][...] *= 40
    probabilities = net.forward(x)[0][-1]
    assert (probabilities[y == 1] < np.finfo(np.float64).eps).any(), "the case needs underflow"
    fast = net.backward(*net.forward(x), y).copy()
    net.use_fast_path = False
    generic = net.backward(*net.forward(x), y).copy()
    np.testing.assert_allclose(fast, generic, rtol=1e-10, atol=1e-12)
