"""Seeded train / validation / test splits, stratified for classification.

Pure NumPy: one ``np.random.default_rng(seed)`` permutation. For a
stratified split each sample gets the key ``(rank within its class + u_c) /
n_c`` (``u_c`` a random offset per class, ranks from a random permutation),
and samples are ordered by that key: every prefix of the order then holds
each class in proportion to its size, within a sample or two. The test set is the
first prefix, validation the next, training the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .registry import Dataset


@dataclass
class Splits:
    """Arrays of a split; ``x_*`` of shape (n_*, n_features), ``y_*`` of shape (n_*,).

    A set whose fraction is 0 is empty (shape ``(0, n_features)``).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def _check_fraction(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) \
            or not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be a number in [0, 1). Received: {name}={value!r}")


def _count(fraction, n):
    return 0 if fraction == 0 else max(1, int(round(fraction * n)))


def stratified_order(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A permutation of ``range(len(y))`` whose every prefix is stratified by ``y``.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Class labels (any values that ``np.unique`` can compare).
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of shape (n_samples,), int64
    """
    _, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    perm = rng.permutation(len(y))
    by_class = perm[np.argsort(inverse[perm], kind="stable")]
    rank = np.empty(len(y), dtype=np.float64)
    rank[by_class] = np.arange(len(y)) - np.repeat(np.cumsum(counts) - counts, counts)
    key = (rank + rng.uniform(size=len(counts))[inverse]) / counts[inverse]
    return np.argsort(key, kind="stable")


def _order(y, stratify, rng):
    return stratified_order(y, rng) if stratify else rng.permutation(len(y))


@dataclass
class SplitIndices:
    """Which rows of a dataset each split holds.

    ``train`` / ``val`` index ``dataset.x``; ``test`` indexes ``dataset.x`` too,
    or is None when the test set is the dataset's official one (``dataset.x_test``,
    all of it). ``train`` is None when it is all of ``dataset.x`` in order.
    """

    train: np.ndarray | None
    val: np.ndarray
    test: np.ndarray | None


def split_indices(dataset: Dataset, *, val_fraction: float = 0.1, test_fraction: float = 0.2,
                  seed: int = 0, stratify: bool = True) -> SplitIndices:
    """The rows of a train / validation / test split; see :func:`split_dataset`."""
    _check_fraction("val_fraction", val_fraction)
    _check_fraction("test_fraction", test_fraction)
    has_test = dataset.x_test is not None
    if has_test and val_fraction == 0:
        # Nothing to carve out: the training set is all of x, in order (training
        # reshuffles every epoch anyway).
        return SplitIndices(None, np.zeros(0, dtype=np.int64), None)
    if not has_test and val_fraction + test_fraction >= 1.0:
        raise ValueError("val_fraction + test_fraction must be < 1 to leave training data. "
                         f"Received: {val_fraction} + {test_fraction}")
    y, n = dataset.y, dataset.n_samples
    n_test = 0 if has_test else _count(test_fraction, n)
    n_val = _count(val_fraction, n)
    if n - n_test - n_val < 1:
        raise ValueError(f"{n} samples leave no training data after {n_test} test and "
                         f"{n_val} validation samples; lower the fractions")
    rng = np.random.default_rng(seed)
    stratify = stratify and dataset.info.task == "classification"
    order = _order(y, stratify, rng)
    parts = np.split(order, [n_test, n_test + n_val])
    test_idx, val_idx, train_idx = (rng.permutation(p) for p in parts)
    return SplitIndices(train_idx, val_idx, None if has_test else test_idx)


def split_dataset(dataset: Dataset, *, val_fraction: float = 0.1, test_fraction: float = 0.2,
                  seed: int = 0, stratify: bool = True) -> Splits:
    """Split a dataset into train, validation and test sets.

    When the dataset has an official test split (MNIST) it is the test set and
    ``test_fraction`` is not used; validation is then ``val_fraction`` of the
    training data. Otherwise both fractions are of all samples. Stratification
    applies to classification only.

    Raises
    ------
    ValueError
        On a fraction outside [0, 1), fractions summing to 1 or more, or too few
        samples to leave a training set.
    """
    idx = split_indices(dataset, val_fraction=val_fraction, test_fraction=test_fraction,
                        seed=seed, stratify=stratify)
    x, y = dataset.x, dataset.y
    x_train, y_train = (x, y) if idx.train is None else (x[idx.train], y[idx.train])
    if idx.test is None:
        x_test, y_test = dataset.x_test, dataset.y_test
    else:
        x_test, y_test = x[idx.test], y[idx.test]
    return Splits(x_train, y_train, x[idx.val], y[idx.val], x_test, y_test)
