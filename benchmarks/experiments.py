"""The experiments the benchmarks run, defined once.

* The tutorial's two experiments, built with the tutorial's own API (function pairs
  and ``SGD()``: learning rate 0.01, no momentum, float64), and the numbers it reports.
* The recommended presets, read from :data:`studio.presets.PRESETS` so that the
  dashboard and the benchmarks cannot drift apart, and their targets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmarks.common import time_call
from data import prepare
from mlp import NeuralNetwork
from mlp.activations import d_identity, d_relu, d_softmax, identity, relu, softmax
from mlp.losses import (categorical_crossentropy, d_categorical_crossentropy,
                        d_mean_squared_error, mean_squared_error)
from mlp.optimizers import SGD
from studio.presets import preset

# What the tutorial reports for its NumPy network (100 epochs, batch 512, SGD()).
TUTORIAL_EPOCHS = 100
TUTORIAL_BATCH_SIZE = 512
TUTORIAL_MNIST = {"train accuracy": 0.998, "test accuracy": 0.959}
TUTORIAL_HOUSING = {"train MSE": 0.368, "test MSE": 0.364}
TUTORIAL_MNIST_SECONDS_PER_EPOCH = 1.3  # the tutorial's implementation on this machine
HOUSING_TEST_FRACTION = 0.33

# The recommended presets and what they must reach.
RECOMMENDED_MNIST = "Recommended MNIST (98% in under a minute)"
RECOMMENDED_HOUSING = "Recommended housing"
MNIST_TARGET_ACCURACY = 0.98
MNIST_TARGET_SECONDS = 60.0
MNIST_STRETCH_SECONDS = 3.0   # the same accuracy in this much training: the stretch target
HOUSING_TARGET_MSE = 0.30


@dataclass
class Run:
    """One trained network: training wall time, epochs run and its train / test metric.

    The metric is accuracy for classification and mean squared error for regression.
    """

    network: NeuralNetwork
    seconds: float
    epochs: int
    train_metric: float
    test_metric: float

    @property
    def epoch_seconds(self) -> list[float]:
        """Wall time of each epoch, as the training loop recorded it."""
        return list(self.network.history["epoch_seconds"])


def tutorial_mnist_network(seed: int, jacobian: bool = False) -> NeuralNetwork:
    """[784, 100, 10], relu / softmax / cross-entropy, ``SGD()``, float64 (the default).

    With ``jacobian=True`` the output gradient is computed the tutorial's way,
    ``d_categorical_crossentropy(p, y) @ d_softmax(z)`` (``use_fast_path = False``),
    instead of the network's shortcut ``p - y``. The two differ when a true-class
    probability is below the clipping floor eps: the tutorial's product then nearly
    vanishes, the shortcut does not. With raw 0-255 pixels that happens a lot.
    """
    network = NeuralNetwork([784, 100, 10], (relu, d_relu), (softmax, d_softmax),
                            (categorical_crossentropy, d_categorical_crossentropy), SGD(),
                            seed=seed)
    network.use_fast_path = not jacobian
    return network


def tutorial_housing_network(seed: int) -> NeuralNetwork:
    """[8, 100, 20, 1], relu / identity / MSE, ``SGD()``, float64 (the default)."""
    return NeuralNetwork([8, 100, 20, 1], (relu, d_relu), (identity, d_identity),
                         (mean_squared_error, d_mean_squared_error), SGD(), seed=seed)


def run_tutorial_mnist(dataset, seed: int, epochs: int = TUTORIAL_EPOCHS,
                       jacobian: bool = False) -> Run:
    """Train on raw 0-255 pixels, fed as uint8 (the network casts each batch to float64).

    Parameters
    ----------
    dataset : data.Dataset
        MNIST from :func:`data.load_mnist`: ``x`` uint8 of shape (n, 784), the official
        test split in ``x_test``.
    jacobian : bool
        Use the tutorial's Jacobian output gradient (see :func:`tutorial_mnist_network`).
    """
    network = tutorial_mnist_network(seed, jacobian)
    seconds = time_call(lambda: network.fit(dataset.x, dataset.y, batch_size=TUTORIAL_BATCH_SIZE,
                                            epochs=epochs, categorical=True))
    return Run(network, seconds, epochs, network.score(dataset.x, dataset.y, accuracy=True),
               network.score(dataset.x_test, dataset.y_test, accuracy=True))


def tutorial_housing_data(dataset, seed: int):
    """33% test split, features standardised with the training statistics, float64."""
    return prepare(dataset, scaling="standard", val_fraction=0.0,
                   test_fraction=HOUSING_TEST_FRACTION, seed=seed, dtype=np.float64)


def run_tutorial_housing(dataset, seed: int, epochs: int = TUTORIAL_EPOCHS) -> Run:
    """Split with ``seed``, train a network initialised with ``seed``; MSE in ($100,000)^2."""
    d = tutorial_housing_data(dataset, seed)
    network = tutorial_housing_network(seed)
    seconds = time_call(lambda: network.fit(d.x_train, d.y_train, batch_size=TUTORIAL_BATCH_SIZE,
                                            epochs=epochs))
    return Run(network, seconds, epochs, network.score(d.x_train, d.y_train),
               network.score(d.x_test, d.y_test))


def preset_spec(name: str):
    """A fresh copy of the dashboard's preset ``name`` (from :data:`studio.presets.PRESETS`)."""
    return preset(name)


def prepare_for_spec(spec, dataset):
    """The splits the dashboard trains ``spec`` on: its scaling, fractions, seed and dtype."""
    return prepare(dataset, scaling=spec.scaling, val_fraction=spec.val_fraction,
                   test_fraction=spec.test_fraction, seed=spec.seed, dtype=spec.dtype)


def build_for_spec(spec, prepared) -> NeuralNetwork:
    """``spec.build`` sized for ``prepared``'s inputs and outputs."""
    info = prepared.info
    n_outputs = info.n_classes if info.task == "classification" else 1
    return spec.build(info.n_features, n_outputs, len(prepared.x_train))


def train_spec(spec, prepared, epochs: int | None = None) -> Run:
    """Train as the dashboard does: batch size, epochs, validation and early stopping of ``spec``.

    ``epochs`` overrides ``spec.epochs`` (smoke tests). The wall time covers ``fit``
    only, not loading or scaling the data.
    """
    network = build_for_spec(spec, prepared)
    classify = prepared.info.task == "classification"
    validation = (prepared.x_val, prepared.y_val) if len(prepared.x_val) else None
    early_stopping = (spec.early_stopping or None) if validation is not None else None
    seconds = time_call(lambda: network.fit(
        prepared.x_train, prepared.y_train, spec.batch_size, epochs or spec.epochs,
        categorical=classify, validation_data=validation, early_stopping=early_stopping))
    return Run(network, seconds, len(network.history["loss"]),
               network.score(prepared.x_train, prepared.y_train, accuracy=classify),
               network.score(prepared.x_test, prepared.y_test, accuracy=classify))


def describe_spec(spec) -> str:
    """A short summary, e.g. ``[256] relu, sgd lr 0.1 nesterov 0.9, batch 128, 15 epochs``."""
    optimizer = f"{spec.optimizer} lr {spec.learning_rate:g}"
    if spec.lr_schedule != "constant":
        optimizer += f" ({spec.lr_schedule} to zero)"
    if spec.optimizer == "sgd" and spec.momentum:
        optimizer += f" {'nesterov' if spec.nesterov else 'momentum'} {spec.momentum:g}"
    text = (f"{spec.hidden_layers} {'/'.join(sorted(set(spec.hidden_activations)))}, "
            f"{optimizer}, batch {spec.batch_size}, {spec.epochs} epochs, {spec.dtype}")
    if spec.early_stopping:
        text += f", early stopping {spec.early_stopping}"
    return text

