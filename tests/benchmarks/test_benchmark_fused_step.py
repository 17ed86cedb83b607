"""The hand-fused reference step computes the same gradient as ``mlp`` and learns."""

import numpy as np

from benchmarks.fused_step import FusedNumpyRunner
from mlp import NeuralNetwork
from mlp.utils import to_categorical


def _data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    centres = rng.normal(0.0, 1.0, size=(10, 784))
    x = (centres[labels] + rng.normal(0.0, 0.5, size=(n, 784))).astype(np.float32)
    return x, labels


def test_fused_step_gradient_equals_mlp_backpropagation():
    x, labels = _data()
    runner = FusedNumpyRunner(6, 32, x, labels, learning_rate=0.01, momentum=0.9)
    runner.b1[...] = 0.1          # non-zero biases, so their layout is checked too
    runner.b2[...] = -0.2
    net = NeuralNetwork([784, 6, 10], "relu", "softmax", "categorical_crossentropy",
                        dtype="float32")
    net.params[...] = runner.params
    idx = np.arange(5, 37)
    activations, pre_activations = net.forward(x[idx])
    expected = net.backward(activations, pre_activations, to_categorical(labels[idx], 10))
    before = runner.params.copy()
    loss = runner._step(idx) / idx.size
    np.testing.assert_allclose(runner.gradient, expected, rtol=1e-4, atol=1e-6)
    assert np.isclose(loss, net.score(x[idx], labels[idx]), rtol=1e-5)
    np.testing.assert_allclose(runner.params, before - 0.01 * expected, rtol=1e-5, atol=1e-7)


def test_fused_runner_learns():
    x, labels = _data(n=400, seed=1)
    runner = FusedNumpyRunner(16, 32, x, labels, learning_rate=0.05, momentum=0.9)
    first = runner.epoch()
    for _ in range(4):
        last = runner.epoch()
    assert last < first / 2
    assert runner.accuracy(x, labels) > 0.9
