"""The tutorial's two scripts, written its way (only the imports point at ``mlp``), on
small data: synthetic always, the real MNIST and California housing files when the
shared dataset folder is present.

Each test seeds the network (``seed=0``), the one addition to the tutorial's lines, so
that a run is reproducible.
"""

import gzip

import numpy as np
import pytest
from real_data import real_datasets_dir

from mlp import NeuralNetwork
from mlp.activations import d_identity, d_relu, d_softmax, identity, relu, softmax
from mlp.losses import (
    categorical_crossentropy,
    d_categorical_crossentropy,
    d_mean_squared_error,
    mean_squared_error,
)
from mlp.optimizers import SGD

DATASETS = real_datasets_dir()  # $MLP_STUDIO_DATA or ../shared/datasets
MNIST = DATASETS / "mnist"
HOUSING = DATASETS / "california_housing" / "cal_housing.data"


# --------------------------------------------------------------------- data
def synthetic_digits(n_samples, seed=0):
    """uint8 "images" of shape (n_samples, 784): dim noise plus one bright 10x4 block per class."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n_samples)
    images = rng.integers(0, 40, size=(n_samples, 28, 28))
    for digit in range(10):
        row, col = divmod(digit, 5)
        rows, cols = slice(2 + 12 * row, 12 + 12 * row), slice(1 + 5 * col, 5 + 5 * col)
        mask = labels == digit
        images[mask, rows, cols] += rng.integers(150, 216, size=(mask.sum(), 10, 4))
    return images.reshape(n_samples, 784).astype(np.uint8), labels.astype(np.uint8)


def read_idx(path, offset, count, row_size):
    """The first ``count`` records of a gzipped IDX file, as uint8 of shape (count, row_size)."""
    with gzip.open(path, "rb") as fh:
        raw = fh.read(offset + count * row_size)
    return np.frombuffer(raw, dtype=np.uint8, offset=offset).reshape(count, row_size)


def real_mnist(n_train=2000, n_test=1000):
    x_train = read_idx(MNIST / "train-images-idx3-ubyte.gz", 16, n_train, 784)
    y_train = read_idx(MNIST / "train-labels-idx1-ubyte.gz", 8, n_train, 1)[:, 0]
    x_test = read_idx(MNIST / "t10k-images-idx3-ubyte.gz", 16, n_test, 784)
    y_test = read_idx(MNIST / "t10k-labels-idx1-ubyte.gz", 8, n_test, 1)[:, 0]
    return x_train, y_train, x_test, y_test


def synthetic_housing(n_samples, seed=0):
    """8 standardised features and a positive smooth target like a price in $100,000s."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_samples, 8))
    w = rng.normal(size=8) / 3
    y = 2 + np.tanh(x @ w) + 0.3 * np.sin(2 * x[:, 0]) + 0.1 * rng.normal(size=n_samples)
    return x, y[:, None]


def standardise(x_train, x_test):
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    return (x_train - mean) / std, (x_test - mean) / std


needs_mnist = pytest.mark.skipif(not (MNIST / "t10k-labels-idx1-ubyte.gz").exists(),
                                 reason=f"no MNIST files in {MNIST}")
needs_housing = pytest.mark.skipif(not HOUSING.exists(), reason=f"no {HOUSING}")


# ------------------------------------------------------------- tutorial 1
def test_mnist_tutorial_on_synthetic_digits():
    x, y = synthetic_digits(1200)
    x_train, y_train, x_test, y_test = x[:1000], y[:1000], x[1000:], y[1000:]

    def tutorial_network():
        return NeuralNetwork([784, 100, 10], (relu, d_relu), (softmax, d_softmax),
                             (categorical_crossentropy, d_categorical_crossentropy), SGD(),
                             seed=0)

    # The tutorial's exact recipe on raw 0-255 pixels: on a thousand images its softmax
    # saturates (the clipped loss is flat there), so it only has to run and not get worse;
    # the full 60,000-image run is reproduced by benchmarks/reproduce_tutorial.py.
    nn = tutorial_network()
    losses = nn.fit(x_train, y_train, batch_size=512, epochs=3, categorical=True)
    assert losses.shape == (3,)
    assert np.isfinite(losses).all() and losses[-1] <= losses[0]
    np.testing.assert_allclose(nn.predict(x_test).sum(axis=1), 1.0)
    assert set(np.unique(nn.predict(x_test, labels=True))) <= set(range(10))

    # The same script with pixels scaled to [0, 1] (and smaller batches) learns the classes.
    nn = tutorial_network()
    losses = nn.fit(x_train / 255.0, y_train, batch_size=32, epochs=10, categorical=True)
    assert losses[-1] < losses[0] / 2, f"loss did not fall: {losses}"
    accuracy = nn.score(x_test / 255.0, y_test, accuracy=True)
    assert accuracy > 0.6, f"accuracy {accuracy} is not clearly above chance (0.1)"


@pytest.mark.slow
@needs_mnist
def test_mnist_tutorial_script_runs_on_real_raw_pixels():
    """The tutorial's exact recipe (raw 0-255 pixels, SGD(), batch 512) on 2000 real images."""
    x_train, y_train, x_test, y_test = real_mnist()

    nn = NeuralNetwork([784, 100, 10], (relu, d_relu), (softmax, d_softmax),
                       (categorical_crossentropy, d_categorical_crossentropy), SGD(), seed=0)
    losses = nn.fit(x_train, y_train, batch_size=512, epochs=5, categorical=True)
    accuracy = nn.score(x_test, y_test, accuracy=True)

    assert losses.shape == (5,)
    assert np.isfinite(losses).all() and losses[-1] <= losses[0]
    # Raw 0-255 pixels saturate the softmax: the recipe learns, but little (0.21 here), above
    # the most common digit's share and far below what scaled inputs reach.
    most_common = np.bincount(y_test).max() / len(y_test)
    assert most_common + 0.05 < accuracy < 0.6, (accuracy, most_common)


@pytest.mark.slow
@needs_mnist
def test_mnist_tutorial_on_real_images_learns():
    """2000 real training images, pixels / 255, a few epochs: > 80 % on 1000 test images."""
    x_train, y_train, x_test, y_test = real_mnist()
    x_train, x_test = x_train / 255.0, x_test / 255.0

    nn = NeuralNetwork([784, 100, 10], (relu, d_relu), (softmax, d_softmax),
                       (categorical_crossentropy, d_categorical_crossentropy), SGD(0.1), seed=0)
    losses = nn.fit(x_train, y_train, batch_size=32, epochs=8, categorical=True)
    accuracy = nn.score(x_test, y_test, accuracy=True)

    assert losses.shape == (8,)
    assert np.all(np.diff(losses) < 0), f"loss did not fall every epoch: {losses}"
    assert accuracy > 0.8, f"test accuracy {accuracy}"


# ------------------------------------------------------------- tutorial 2
def check_housing_run(nn, losses, x_test, y_test, epochs):
    assert losses.shape == (epochs,)
    assert np.all(np.diff(losses) < 0), f"MSE did not fall every epoch: {losses}"
    mse = nn.score(x_test, y_test)
    assert mse == pytest.approx(float(np.mean((nn.predict(x_test) - y_test) ** 2)), rel=1e-12)
    assert mse == pytest.approx(float(np.mean(mean_squared_error(nn.predict(x_test), y_test))),
                                rel=1e-12)
    assert mse < 0.6 * y_test.var(), "no better than predicting the mean"


def test_housing_tutorial_on_synthetic_data():
    x, y = synthetic_housing(3000)
    x_train, x_test = standardise(x[:2000], x[2000:])
    y_train, y_test = y[:2000], y[2000:]

    nn = NeuralNetwork([8, 100, 20, 1], (relu, d_relu), (identity, d_identity),
                       (mean_squared_error, d_mean_squared_error), SGD(), seed=0)
    losses = nn.fit(x_train, y_train, batch_size=512, epochs=30)

    check_housing_run(nn, losses, x_test, y_test, 30)


@pytest.mark.slow
@needs_housing
def test_housing_tutorial_on_real_data():
    data = np.loadtxt(HOUSING, delimiter=",")
    order = np.random.default_rng(0).permutation(data.shape[0])
    train, test = data[order[:8000]], data[order[8000:10000]]
    x_train, x_test = standardise(train[:, :8], test[:, :8])
    y_train, y_test = train[:, 8:] / 100000, test[:, 8:] / 100000

    nn = NeuralNetwork([8, 100, 20, 1], (relu, d_relu), (identity, d_identity),
                       (mean_squared_error, d_mean_squared_error), SGD(), seed=0)
    losses = nn.fit(x_train, y_train, batch_size=512, epochs=10)

    check_housing_run(nn, losses, x_test, y_test, 10)
