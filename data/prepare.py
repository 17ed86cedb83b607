"""From a :class:`Dataset` to scaled float arrays ready for training, and one-hot labels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .preprocessing import Preprocessing
from .registry import Dataset, DatasetInfo
from .splits import split_indices
from .toy import TOY_GENERATORS
from .views import ScaledRows


@dataclass
class PreparedData:
    """Scaled splits plus the fitted preprocessing that produced them.

    ``x_*`` are :class:`data.views.ScaledRows` of shape (n_*, n_features) and the
    requested float dtype: views into the dataset's own arrays that scale rows as
    they are read, so preparing MNIST copies no pixels. ``y_*`` are ndarrays of
    shape (n_*,): int64 labels for classification, float targets (unscaled, in the
    dataset's own units) for regression; the network learns
    ``preprocessing.scale_target(y)``: standardised for a real table (housing,
    diabetes, an uploaded CSV), unchanged for a generated set.
    """

    info: DatasetInfo
    preprocessing: Preprocessing
    x_train: ScaledRows
    y_train: np.ndarray
    x_val: ScaledRows
    y_val: np.ndarray
    x_test: ScaledRows
    y_test: np.ndarray

    @property
    def nbytes(self):
        """Bytes held by this preparation itself (row indices and labels), not the dataset."""
        return sum(a.nbytes for a in (self.x_train, self.y_train, self.x_val, self.y_val,
                                      self.x_test, self.y_test))


def auto_scaling(info: DatasetInfo) -> str:
    """``"scale"`` (divide by pixel_max) for images, ``"standard"`` otherwise."""
    return "scale" if info.image_shape is not None and info.pixel_max else "standard"


def prepare(dataset: Dataset, *, scaling: str = "auto", val_fraction: float = 0.1,
            test_fraction: float = 0.2, seed: int = 0, dtype=np.float32,
            stratify: bool = True) -> PreparedData:
    """Split ``dataset``, fit scaling on the training inputs only, and view every split scaled.

    Parameters
    ----------
    dataset : Dataset
    scaling : {"auto", "standard", "minmax", "scale", "none"}
        ``"auto"``: ``"scale"`` by ``pixel_max`` for images, else ``"standard"``.
    val_fraction, test_fraction, seed, stratify
        See :func:`data.splits.split_dataset`.
    dtype : numpy float dtype
        Dtype of the scaled inputs (and of regression targets).

    Returns
    -------
    PreparedData
        Its inputs are views into ``dataset`` (see :class:`data.views.ScaledRows`).
    """
    info = dataset.info
    method = auto_scaling(info) if scaling == "auto" else scaling
    if method == "scale" and not info.pixel_max:
        raise ValueError(f"scaling='scale' divides by the pixel maximum, which only image datasets "
                         f"have; {info.key!r} has none. Use 'standard' or 'minmax'.")
    pre = Preprocessing.for_dataset(info, method, feature_names=dataset.feature_names,
                                    target_name=dataset.target_name, table=dataset.encoder)
    idx = split_indices(dataset, val_fraction=val_fraction, test_fraction=test_fraction,
                        seed=seed, stratify=stratify)
    pre.fit(ScaledRows(dataset.x, idx.train, dtype=np.float64))
    dtype = np.dtype(dtype)
    x_test, test_rows = (dataset.x_test, None) if idx.test is None else (dataset.x, idx.test)
    y_test = dataset.y_test if idx.test is None else dataset.y[idx.test]
    y_train = dataset.y if idx.train is None else dataset.y[idx.train]
    ys = [y_train, dataset.y[idx.val], y_test]
    if info.task == "regression":
        ys = [y.astype(dtype) for y in ys]
        if info.key not in TOY_GENERATORS:  # a real table: its target in any units trains alike
            pre.fit_target(ys[0])
    return PreparedData(info, pre, pre.rows(dataset.x, idx.train, dtype), ys[0],
                        pre.rows(dataset.x, idx.val, dtype), ys[1],
                        pre.rows(x_test, test_rows, dtype), ys[2])


def one_hot(labels: np.ndarray, n_classes: int, dtype=np.float32) -> np.ndarray:
    """One-hot encode integer labels.

    Parameters
    ----------
    labels : ndarray of shape (n_samples,)
        Integers in ``0 .. n_classes - 1``.
    n_classes : int
    dtype : numpy dtype

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
    """
    labels = np.asarray(labels)
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) \
            or n_classes < 1:
        raise ValueError(f"n_classes must be an integer >= 1. Received: {n_classes!r}")
    if labels.ndim != 1:
        raise ValueError(f"labels must have shape (n_samples,). Received: shape {labels.shape}")
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers. Received: dtype {labels.dtype}")
    bad = labels[(labels < 0) | (labels >= n_classes)]
    if bad.size:
        raise ValueError(f"labels must be in 0..{n_classes - 1}. Received values outside: "
                         f"{sorted(set(bad.tolist()))[:10]}")
    out = np.zeros((labels.size, n_classes), dtype=dtype)
    out[np.arange(labels.size), labels] = 1
    return out
