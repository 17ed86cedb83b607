"""The shortcuts training takes must give exactly the numbers of the general code.

* integer labels with softmax + cross-entropy: loss and delta straight from the labels;
* hidden derivatives computed from the activation's output instead of its input;
* the SGD work buffer;
* the batch loss's mean taken without np.mean's wrapper;
* divergence is looked for after the update, and still names its cause.
"""

import numpy as np
import pytest

from mlp import NeuralNetwork, TrainingDiverged
from mlp import activations as A
from mlp import losses as L
from mlp import registry
from mlp.optimizers import SGD
from mlp.utils import to_categorical


HIDDEN = ("relu", "tanh", "sigmoid", "leaky_relu", "identity")


# ------------------------------------------------ derivatives from the output
@pytest.mark.parametrize("name", HIDDEN)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_output_derivative_equals_the_derivative_of_the_input(name, dtype):
    pair = registry.get_hidden_activation(name)
    z = np.concatenate([np.linspace(-30, 30, 121), [0.0, -0.0, 1e-30, -1e-30, 1e30, -1e30]])
    z = z.astype(dtype).reshape(-1, 1)
    with np.errstate(over="ignore"):
        expected = pair.derivative(z)
        got = pair.output_derivative(pair.function(z))
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


def _without_output_derivative(name):
    """The same activation as a custom pair: backpropagation must use derivative(z)."""
    pair = registry.get_hidden_activation(name)
    return (pair.function, lambda z: pair.derivative(z))


@pytest.mark.parametrize("name", HIDDEN)
def test_backpropagation_through_outputs_equals_through_inputs(name, make_data):
    x, labels = make_data.classification(n_samples=40, n_features=5, n_classes=3, seed=4)
    y = to_categorical(labels, 3)
    nets = [NeuralNetwork([5, 7, 6, 3], hidden, "softmax", "categorical_crossentropy", seed=1)
            for hidden in (name, _without_output_derivative(name))]
    assert nets[0].hidden[0].output_derivative is not None
    assert nets[1].hidden[0].output_derivative is None
    gradients = []
    for net in nets:
        activations, pre_activations = net.forward(x)
        gradients.append(net.backward(activations, pre_activations, y).copy())
    np.testing.assert_array_equal(gradients[0], gradients[1])


# ------------------------------------------------------------ integer labels
def _softmax_outputs(dtype, scale, n=50, m=4, seed=0):
    rng = np.random.default_rng(seed)
    z = (rng.normal(size=(n, m)) * scale).astype(dtype)
    return A.softmax(z), rng.integers(0, m, n)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [1.0, 200.0], ids=["ordinary", "underflowing"])
def test_label_loss_and_delta_equal_the_one_hot_computation(dtype, scale):
    net = NeuralNetwork([3, 4], "relu", "softmax", "categorical_crossentropy", dtype=dtype)
    y_pred, labels = _softmax_outputs(dtype, scale)
    onehot = to_categorical(labels, 4, dtype=dtype)
    p_true = y_pred[np.arange(len(labels)), labels]
    if scale > 1:
        assert (p_true < np.finfo(dtype).eps).any(), "the case needs true classes below eps"
    loss, delta = net.label_loss_and_delta(y_pred, labels)
    assert loss == float(np.mean(L.categorical_crossentropy(y_pred, onehot)))
    np.testing.assert_array_equal(delta, net.output_delta(y_pred, None, onehot))
    assert delta.dtype == dtype


def test_label_loss_and_delta_refuses_other_outputs():
    net = NeuralNetwork([3, 2], "relu", "sigmoid", "categorical_crossentropy")
    with pytest.raises(ValueError, match="softmax output with categorical_crossentropy"):
        net.label_loss_and_delta(np.full((2, 2), 0.5), np.array([0, 1]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("scale", [1.0, 300.0], ids=["scaled", "raw-like"])
def test_fit_on_labels_equals_fit_on_one_hot_targets(dtype, scale, make_data):
    x, labels = make_data.classification(n_samples=96, n_features=6, n_classes=4, seed=3)
    x = x * scale
    y = to_categorical(labels, 4)
    runs = []
    for targets, categorical in ((labels, True), (y, False)):
        net = NeuralNetwork([6, 9, 4], "relu", "softmax", "categorical_crossentropy",
                            SGD(0.05, momentum=0.9), seed=7, dtype=dtype)
        losses = net.fit(x, targets, batch_size=20, epochs=4, categorical=categorical)
        runs.append((losses, net.history["batch_loss"], net.history["metric"], net.params))
    for from_labels, from_one_hot in zip(*runs):
        np.testing.assert_array_equal(np.asarray(from_labels), np.asarray(from_one_hot))


# -------------------------------------------------------------------- SGD
@pytest.mark.parametrize("momentum, nesterov", [(0.0, False), (0.9, False), (0.9, True)])
def test_sgd_in_place_update_follows_its_formula(momentum, nesterov):
    rng = np.random.default_rng(0)
    params, velocity = rng.normal(size=50), np.zeros(50)
    optimizer = SGD(0.1, momentum=momentum, nesterov=nesterov)
    for _ in range(3):
        gradient = rng.normal(size=50)
        expected = params.copy()
        if momentum:
            velocity = momentum * velocity - 0.1 * gradient
            expected = expected + (momentum * velocity - 0.1 * gradient if nesterov else velocity)
        else:
            expected = expected - 0.1 * gradient
        optimizer.step(params, gradient)
        np.testing.assert_allclose(params, expected, rtol=0, atol=1e-15)


def test_sgd_work_buffer_follows_the_parameters_it_is_given():
    optimizer = SGD(0.5)
    small = optimizer.update(np.ones(3, dtype=np.float32), np.ones(3, dtype=np.float32))
    large = optimizer.update(np.ones(5), np.full(5, 2.0))
    np.testing.assert_array_equal(small, np.full(3, 0.5, dtype=np.float32))
    assert small.dtype == np.float32
    np.testing.assert_array_equal(large, np.zeros(5))
    assert set(optimizer.get_state()) == {"iterations"}, "the buffer is not state"


# ------------------------------------------------------------- divergence
def test_non_finite_gradient_from_a_finite_loss_is_named_and_rolled_back(make_data):
    def loss(y_pred, y_true):
        return np.mean((y_pred - y_true) ** 2, axis=1, keepdims=True)

    def broken_derivative(y_pred, y_true):
        d = 2 * (y_pred - y_true)
        d[0] = np.inf
        return d[:, None, :]

    x, labels = make_data.classification(n_samples=20, n_features=3, n_classes=2, seed=1)
    net = NeuralNetwork([3, 4, 2], "relu", "identity", (loss, broken_derivative),
                        SGD(0.1, momentum=0.5), seed=0)
    start = net.params.copy()
    with np.errstate(all="ignore"), pytest.raises(TrainingDiverged) as info:
        net.fit(x, to_categorical(labels, 2), batch_size=10, epochs=1)
    assert (info.value.epoch, info.value.batch, info.value.what) == (1, 1, "gradient")
    np.testing.assert_array_equal(net.params, start)
    assert net.optimizer.velocity is None, "the optimizer state built from it is dropped"


def test_request_stop_is_honoured_without_callbacks(classification_data):
    x, labels = classification_data
    net = NeuralNetwork([4, 5, 3], seed=0)

    class StopAfterFirstUpdate:
        def update(self, old_params, gradient):
            net.request_stop()
            return old_params - 0.1 * gradient

    net.optimizer = StopAfterFirstUpdate()
    losses = net.fit(x, labels, batch_size=10, epochs=3, categorical=True)
    assert len(losses) == 0 and len(net.history["batch_loss"]) == 1


@pytest.mark.parametrize("hidden", [["relu", "relu"], ["tanh", "sigmoid"], ["leaky_relu",
                                                                           "identity"]])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_buffered_step_gives_the_general_steps_numbers_bit_for_bit(make_data, monkeypatch,
                                                                       hidden, dtype):
    import mlp.training
    x, labels = make_data.classification(n_samples=90, n_features=5, n_classes=4, seed=3)

    def train(buffered):
        monkeypatch.setattr(mlp.training, "step_applies_to", lambda net: buffered)
        net = NeuralNetwork([5, 7, 6, 4], hidden, "softmax", "categorical_crossentropy",
                            SGD(0.1, momentum=0.9), seed=4, dtype=dtype, l2=0.01)
        events = []
        net.fit(x, labels, batch_size=16, epochs=3, categorical=True,
                callbacks=[lambda info: events.append(info["metric"])])
        return net, events

    (buffered, metrics_b), (general, metrics_g) = train(True), train(False)
    np.testing.assert_array_equal(buffered.params, general.params)
    assert buffered.history["batch_loss"] == general.history["batch_loss"]
    assert metrics_b == metrics_g, "the same samples counted as correct"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_steps_mean_is_np_mean_bit_for_bit(dtype):
    from mlp.step import mean
    rng = np.random.default_rng(5)
    for _ in range(2000):
        n = int(rng.integers(1, 600))
        values = (rng.standard_normal(n) * 10.0 ** rng.uniform(-6, 6)).astype(dtype)
        assert mean(values) == float(np.mean(values)), (n, values[:5])


@pytest.mark.parametrize("output, loss", [("softmax", "categorical_crossentropy"),
                                          ("identity", "mean_squared_error")])
def test_a_nan_found_late_in_the_inputs_undoes_everything_the_call_did(make_data, output, loss):
    x, labels = make_data.classification(n_samples=200, n_features=4, n_classes=3, seed=5)
    net = NeuralNetwork([4, 6, 3], "relu", output, loss, SGD(0.05, momentum=0.9), seed=1)
    y = labels if output == "softmax" else np.eye(3)[labels]
    net.fit(x, y, batch_size=20, epochs=2, categorical=output == "softmax")
    before = (net.params.copy(), net.optimizer.velocity.copy(), dict(net.history),
              {k: list(v) for k, v in net.history.items() if isinstance(v, list)},
              net.rng.bit_generator.state)
    bad = x.copy()
    bad[-3, 2] = np.inf                      # found only when its batch is trained
    with pytest.raises(ValueError, match="x contains NaN or infinite values"):
        net.fit(bad, y, batch_size=20, epochs=3, categorical=output == "softmax",
                shuffle=False)
    np.testing.assert_array_equal(net.params, before[0])
    np.testing.assert_array_equal(net.optimizer.velocity, before[1])
    assert net.history["samples_seen"] == before[2]["samples_seen"]
    assert {k: list(v) for k, v in net.history.items() if isinstance(v, list)} == before[3]
    assert net.rng.bit_generator.state == before[4]
