"""Toy sets: pure functions of (n_samples, noise, seed)."""

import numpy as np
import pytest

from data import DATASETS, TOY_DEFAULTS, TOY_GENERATORS, load_dataset
from data.toy import tutorial_two_lines, xor

TOY_KEYS = sorted(TOY_GENERATORS)


def test_every_toy_key_is_registered_with_defaults():
    assert set(TOY_GENERATORS) == set(TOY_DEFAULTS)
    assert set(TOY_GENERATORS) <= set(DATASETS)


@pytest.mark.parametrize("key", TOY_KEYS)
def test_same_seed_same_arrays(key):
    a = TOY_GENERATORS[key](n_samples=150, noise=0.2, seed=3)
    b = TOY_GENERATORS[key](n_samples=150, noise=0.2, seed=3)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.parametrize("key", TOY_KEYS)
def test_different_seed_different_arrays(key):
    a = TOY_GENERATORS[key](n_samples=150, noise=0.2, seed=3)
    b = TOY_GENERATORS[key](n_samples=150, noise=0.2, seed=4)
    assert not np.array_equal(a[0], b[0])


@pytest.mark.parametrize("key", TOY_KEYS)
def test_global_numpy_seed_is_not_used_or_changed(key):
    state = np.random.get_state()
    try:
        np.random.seed(0)
        a = TOY_GENERATORS[key](n_samples=50, noise=0.1, seed=1)
        after_a = np.random.get_state()
        np.random.seed(0)
        np.testing.assert_array_equal(after_a[1], np.random.get_state()[1])  # state untouched
        assert after_a[2] == np.random.get_state()[2]
        np.random.seed(99)
        b = TOY_GENERATORS[key](n_samples=50, noise=0.1, seed=1)
        np.testing.assert_array_equal(a[0], b[0])                           # and not used
    finally:
        np.random.set_state(state)


@pytest.mark.parametrize("key", TOY_KEYS)
def test_shapes_dtypes_and_labels_match_the_registry(key):
    info = DATASETS[key]
    ds = load_dataset(key, n_samples=120, noise=0.1, seed=0)
    assert ds.x.shape == (120, info.n_features) and ds.x.dtype == np.float64
    assert ds.y.shape == (120,)
    assert np.all(np.isfinite(ds.x))
    if info.task == "classification":
        assert ds.y.dtype == np.int64
        assert set(np.unique(ds.y)) == set(range(info.n_classes))
    else:
        assert ds.y.dtype == np.float64


@pytest.mark.parametrize("key", TOY_KEYS)
def test_noise_zero_and_defaults(key):
    ds = load_dataset(key)
    assert ds.n_samples == TOY_DEFAULTS[key]["n_samples"]
    x0, y0 = TOY_GENERATORS[key](n_samples=50, noise=0.0, seed=0)
    assert np.all(np.isfinite(x0))
    again, _ = TOY_GENERATORS[key](n_samples=50, noise=0.0, seed=0)
    np.testing.assert_array_equal(x0, again)
    noisy, y1 = TOY_GENERATORS[key](n_samples=50, noise=0.3, seed=0)
    if np.array_equal(y0, y1):  # the same samples: noise is what moves them
        assert not np.allclose(x0, noisy), "noise=0.3 should move the points"


@pytest.mark.parametrize("key", ["circles", "moons", "spirals", "blobs"])
def test_classes_are_balanced(key):
    _, y = TOY_GENERATORS[key](n_samples=301, noise=0.1, seed=0)
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1


def test_tutorial_two_lines_without_noise_is_the_band_between_two_lines():
    x, y = tutorial_two_lines(n_samples=2000, noise=0.0, seed=5)
    between = np.abs(x[:, 1] - x[:, 0]) < 2 - np.sqrt(2)
    np.testing.assert_array_equal(y, between.astype(np.int64))
    assert 0.4 < y.mean() < 0.6
    # no single line separates the classes: the best linear least-squares fit fails
    design = np.c_[x, np.ones(len(x))]
    w, *_ = np.linalg.lstsq(design, 2.0 * y - 1.0, rcond=None)
    assert np.mean((design @ w > 0) == y) < 0.75


def test_xor_without_noise():
    x, y = xor(n_samples=500, noise=0.0, seed=2)
    np.testing.assert_array_equal(y, ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(np.int64))


@pytest.mark.parametrize("kwargs, message", [
    ({"n_samples": 1}, "n_samples must be an integer >= 4. Received: 1"),
    ({"n_samples": 10.5}, "n_samples must be an integer"),
    ({"noise": -0.1}, "noise must be a finite number >= 0. Received: -0.1"),
    ({"noise": float("nan")}, "noise must be a finite number"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tutorial_two_lines(**{"n_samples": 100, "noise": 0.1, **kwargs})
