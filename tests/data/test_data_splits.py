"""split_dataset: sizes, disjointness, stratification, seeds, bad fractions."""

import numpy as np
import pytest

from data import Dataset, DatasetInfo, split_dataset

CLS = DatasetInfo("t", "t", "classification", 2, 3, ("a", "b", "c"), None, None, "")
REG = DatasetInfo("r", "r", "regression", 2, None, (), None, None, "")


def _dataset(n=1000, info=CLS, weights=(0.6, 0.3, 0.1), with_test=False):
    """x[:, 0] is the row index, so each sample can be identified after the split."""
    rng = np.random.default_rng(0)
    x = np.c_[np.arange(n), rng.normal(size=n)].astype(np.float64)
    y = rng.choice(3, size=n, p=weights).astype(np.int64) if info is CLS else rng.normal(size=n)
    extra = {}
    if with_test:
        extra = {"x_test": np.c_[-np.arange(1, 51), np.zeros(50)].astype(float),
                 "y_test": np.zeros(50, dtype=np.int64)}
    return Dataset(info, x, y, **extra)


def test_sizes_and_disjoint_cover():
    s = split_dataset(_dataset(), val_fraction=0.1, test_fraction=0.2, seed=0)
    assert (len(s.x_train), len(s.x_val), len(s.x_test)) == (700, 100, 200)
    ids = [set(part[:, 0].astype(int)) for part in (s.x_train, s.x_val, s.x_test)]
    assert not (ids[0] & ids[1] or ids[0] & ids[2] or ids[1] & ids[2])
    assert ids[0] | ids[1] | ids[2] == set(range(1000))


def test_labels_stay_with_their_rows():
    ds = _dataset()
    s = split_dataset(ds, seed=1)
    for x, y in ((s.x_train, s.y_train), (s.x_val, s.y_val), (s.x_test, s.y_test)):
        np.testing.assert_array_equal(ds.y[x[:, 0].astype(int)], y)


def test_stratified_proportions_within_two_samples():
    ds = _dataset(n=997)
    overall = np.bincount(ds.y, minlength=3) / len(ds.y)
    s = split_dataset(ds, val_fraction=0.15, test_fraction=0.25, seed=2)
    for y in (s.y_train, s.y_val, s.y_test):
        assert np.all(np.abs(np.bincount(y, minlength=3) - overall * len(y)) <= 2)


def test_rare_class_reaches_every_split_when_stratified():
    ds = _dataset(n=200, weights=(0.9, 0.07, 0.03))
    s = split_dataset(ds, val_fraction=0.2, test_fraction=0.2, seed=0)
    for y in (s.y_train, s.y_val, s.y_test):
        assert set(np.unique(y)) == {0, 1, 2}


def test_same_seed_same_split_different_seed_different_split():
    ds = _dataset()
    a, b, c = (split_dataset(ds, seed=s) for s in (5, 5, 6))
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.x_test, b.x_test)
    assert not np.array_equal(a.x_test, c.x_test)


def test_official_test_split_is_used_and_validation_comes_from_train():
    ds = _dataset(n=500, with_test=True)
    s = split_dataset(ds, val_fraction=0.2, test_fraction=0.3, seed=0)
    np.testing.assert_array_equal(s.x_test, ds.x_test)
    assert (len(s.x_train), len(s.x_val)) == (400, 100)


def test_regression_and_unstratified():
    for ds, stratify in ((_dataset(info=REG), True), (_dataset(), False)):
        s = split_dataset(ds, val_fraction=0.1, test_fraction=0.1, seed=0, stratify=stratify)
        assert (len(s.y_train), len(s.y_val), len(s.y_test)) == (800, 100, 100)


def test_zero_validation_gives_empty_arrays_with_the_right_width():
    s = split_dataset(_dataset(), val_fraction=0.0, test_fraction=0.2)
    assert s.x_val.shape == (0, 2) and s.y_val.shape == (0,)
    assert len(s.x_train) == 800


def test_tiny_fractions_still_get_one_sample():
    s = split_dataset(_dataset(n=20), val_fraction=0.01, test_fraction=0.01)
    assert (len(s.y_val), len(s.y_test)) == (1, 1)


@pytest.mark.parametrize("kwargs, message", [
    ({"val_fraction": -0.1}, r"val_fraction must be a number in \[0, 1\). Received: val_fraction=-0.1"),
    ({"test_fraction": 1.0}, r"test_fraction must be a number in \[0, 1\)"),
    ({"val_fraction": "0.1"}, "val_fraction must be a number"),
    ({"val_fraction": 0.5, "test_fraction": 0.5}, "must be < 1 to leave training data"),
])
def test_bad_fractions(kwargs, message):
    with pytest.raises(ValueError, match=message):
        split_dataset(_dataset(), **kwargs)


def test_too_few_samples_for_the_fractions():
    with pytest.raises(ValueError, match="2 samples leave no training data after 1 test and "
                                         "1 validation samples"):
        split_dataset(_dataset(n=2), val_fraction=0.4, test_fraction=0.4)
