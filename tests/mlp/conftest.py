"""Shared fixtures for the tests of the ``mlp`` engine.

Test modules in this folder are named ``test_mlp_*.py`` so that their basenames
cannot collide with test modules of other folders (the suite runs without
``__init__.py`` files, so pytest imports each test module by its basename).
"""

from types import SimpleNamespace

import numpy as np
import pytest

from mlp import NeuralNetwork
from mlp.optimizers import SGD, Adagrad, Adam, RMSprop


def make_classification(n_samples=60, n_features=4, n_classes=3, seed=0):
    """Separable-ish blobs: x of shape (n_samples, n_features), int labels of shape (n_samples,)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, n_classes, n_samples)
    centres = rng.normal(0.0, 2.0, size=(n_classes, n_features))
    x = centres[labels] + rng.normal(0.0, 1.0, size=(n_samples, n_features))
    return x, labels


def make_regression(n_samples=60, n_features=3, n_outputs=1, seed=0):
    """Smooth targets: x of shape (n_samples, n_features), y of shape (n_samples, n_outputs)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_samples, n_features))
    w = rng.normal(size=(n_features, n_outputs))
    y = np.tanh(x @ w) + 0.1 * rng.normal(size=(n_samples, n_outputs))
    return x, y


def optimizer_factories():
    """One zero-argument factory per built-in optimizer configuration, keyed by a readable id."""
    return {
        "sgd": lambda: SGD(0.1),
        "momentum": lambda: SGD(0.1, momentum=0.9),
        "nesterov": lambda: SGD(0.1, momentum=0.9, nesterov=True),
        "adam": lambda: Adam(0.01),
        "rmsprop": lambda: RMSprop(0.01),
        "adagrad": lambda: Adagrad(0.1),
    }


@pytest.fixture
def make_data():
    """The data makers above, for tests that need other sizes or seeds."""
    return SimpleNamespace(classification=make_classification, regression=make_regression)


@pytest.fixture
def classification_data():
    """(x, labels): x of shape (60, 4), labels in 0..2."""
    return make_classification()


@pytest.fixture
def regression_data():
    """(x, y): x of shape (60, 3), y of shape (60, 1)."""
    return make_regression()


@pytest.fixture
def classifier():
    """A small seeded classifier: layers [4, 6, 3], relu, softmax, cross-entropy, SGD(0.1)."""
    return NeuralNetwork([4, 6, 3], "relu", "softmax", "categorical_crossentropy", SGD(0.1),
                         seed=0)


@pytest.fixture
def regressor():
    """A small seeded regressor: layers [3, 5, 1], tanh, identity, MSE, SGD(0.05)."""
    return NeuralNetwork([3, 5, 1], "tanh", "identity", "mean_squared_error", SGD(0.05), seed=0)


@pytest.fixture(params=sorted(optimizer_factories()))
def optimizer_factory(request):
    """Each built-in optimizer configuration in turn, as a zero-argument factory."""
    return optimizer_factories()[request.param]
