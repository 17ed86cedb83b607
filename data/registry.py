"""The registry of datasets that the dashboard and the benchmarks share.

Each :class:`DatasetInfo` says what a model trained on the data needs to know:
the task, the number of input features and classes, the class names and, for
images, the image shape and the largest pixel value (the Draw page maps a
drawing into ``[0, pixel_max]``). :class:`Dataset` pairs an info with arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

TASKS = ("classification", "regression")
DEFAULT_DATASET = "digits"


@dataclass(frozen=True)
class DatasetInfo:
    """What the app needs to know about a dataset to build a model for it.

    Parameters
    ----------
    key : str
        Registry key, e.g. ``"mnist"``; ``"csv"`` for an uploaded file.
    name : str
        Human-readable name.
    task : {"classification", "regression"}
    n_features : int
        Number of input features (columns of ``x``).
    n_classes : int or None
        Number of classes; None for regression.
    class_names : tuple of str
        One name per class, in label order; empty for regression.
    image_shape : tuple of int or None
        ``(height, width)`` when each sample is an image flattened row-major.
    pixel_max : int or None
        Largest raw pixel value (255 for MNIST, 16 for Digits); None if not images.
    description : str
        One or two sentences for the UI.
    needs_download : bool
        True when the data may have to be fetched from the network.
    """

    key: str
    name: str
    task: str
    n_features: int
    n_classes: int | None
    class_names: tuple[str, ...]
    image_shape: tuple[int, int] | None
    pixel_max: int | None
    description: str
    needs_download: bool = False

    def __post_init__(self):
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}. Received: task={self.task!r}")
        if self.n_features < 1:
            raise ValueError(f"n_features must be >= 1. Received: {self.n_features}")
        if self.task == "regression":
            if self.n_classes is not None or self.class_names:
                raise ValueError(
                    "a regression dataset has n_classes=None and no class_names. "
                    f"Received: n_classes={self.n_classes}, class_names={self.class_names}"
                )
        elif (self.n_classes is None or self.n_classes < 2
              or len(self.class_names) != self.n_classes):
            raise ValueError(
                "a classification dataset needs n_classes >= 2 and one name per class. "
                f"Received: n_classes={self.n_classes}, {len(self.class_names)} class_names"
            )
        if self.image_shape is not None and int(np.prod(self.image_shape)) != self.n_features:
            raise ValueError(
                f"image_shape {self.image_shape} does not match n_features={self.n_features}"
            )


@dataclass
class Dataset:
    """A dataset in memory.

    Parameters
    ----------
    info : DatasetInfo
    x : ndarray of shape (n_samples, n_features)
        Inputs: uint8 for MNIST and Digits, float64 for the rest.
    y : ndarray of shape (n_samples,)
        int64 labels in ``0 .. n_classes - 1`` for classification, float64
        targets for regression.
    x_test : ndarray of shape (n_test, n_features) or None
        The source's official test split, when it has one (MNIST).
    y_test : ndarray of shape (n_test,) or None
    feature_names : tuple of str or None
        Column names, when known.
    target_name : str or None
        Name of the target column, when known.
    notes : list of str
        What happened while loading that the user should read (e.g. rows
        dropped for missing values, columns one-hot encoded).
    encoder : dict or None
        For a table (a CSV upload): the fitted :class:`data.tabular.TableEncoder`
        as JSON, which turns new raw rows into ``x``'s columns.
    source_rows : ndarray of shape (n_samples,) or None
        For a table: each sample's line in the file (the header is line 1).
    """

    info: DatasetInfo
    x: np.ndarray
    y: np.ndarray
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    feature_names: tuple[str, ...] | None = None
    target_name: str | None = None
    notes: list[str] = field(default_factory=list)
    encoder: dict | None = None
    source_rows: np.ndarray | None = None

    def __post_init__(self):
        _check_xy(self.info, self.x, self.y, "x", "y")
        if (self.x_test is None) != (self.y_test is None):
            raise ValueError("x_test and y_test must be given together")
        if self.x_test is not None:
            _check_xy(self.info, self.x_test, self.y_test, "x_test", "y_test")
        if self.feature_names is not None and len(self.feature_names) != self.info.n_features:
            raise ValueError(
                f"{len(self.feature_names)} feature_names for {self.info.n_features} features"
            )

    @property
    def n_samples(self) -> int:
        """Number of samples in ``x`` (not counting ``x_test``)."""
        return self.x.shape[0]


def _check_xy(info, x, y, x_name, y_name):
    if x.ndim != 2 or x.shape[1] != info.n_features:
        raise ValueError(
            f"{x_name} must have shape (n_samples, {info.n_features}) for {info.key!r}. "
            f"Received: {x_name}.shape={x.shape}"
        )
    if y.ndim != 1 or y.shape[0] != x.shape[0]:
        raise ValueError(
            f"{y_name} must have shape ({x.shape[0]},). Received: {y_name}.shape={y.shape}"
        )
    if info.task == "classification" and y.size:
        if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= info.n_classes:
            raise ValueError(
                f"{y_name} must hold integer labels in 0..{info.n_classes - 1}. "
                f"Received dtype {y.dtype}, range {y.min()}..{y.max()}"
            )


_DIGIT_NAMES = tuple(str(d) for d in range(10))


def _toy(key, name, class_names, description):
    return DatasetInfo(key, name, "classification", 2, len(class_names), class_names,
                       None, None, description)


DATASETS: dict[str, DatasetInfo] = {
    info.key: info
    for info in (
        DatasetInfo("digits", "Digits (8x8)", "classification", 64, 10, _DIGIT_NAMES, (8, 8), 16,
                    "scikit-learn's bundled 1,797 handwritten digits, 8x8 pixels in 0..16. "
                    "Works offline and trains in seconds."),
        DatasetInfo("mnist", "MNIST (28x28)", "classification", 784, 10, _DIGIT_NAMES, (28, 28),
                    255, "70,000 handwritten digits (60,000 train / 10,000 test), 28x28 pixels "
                    "in 0..255. Downloaded once (about 11 MB) and cached.", needs_download=True),
        DatasetInfo("california_housing", "California housing", "regression", 8, None, (), None,
                    None, "20,640 California districts (1990 census); predict the median house "
                    "value in units of $100,000. Downloaded once and cached.",
                    needs_download=True),
        DatasetInfo("diabetes", "Diabetes", "regression", 10, None, (), None, None,
                    "scikit-learn's bundled 442 diabetes patients; predict disease progression "
                    "one year later. Works offline."),
        _toy("tutorial_two_lines", "Two lines (tutorial)", ("outside", "between the lines"),
             "The tutorial's example: points between two parallel lines versus outside. "
             "No single line separates the classes, two lines do."),
        _toy("xor", "XOR", ("0", "1"), "Four quadrants labelled like XOR of the signs."),
        _toy("circles", "Circles", ("outer", "inner"), "A small circle inside a large one."),
        _toy("moons", "Moons", ("upper", "lower"), "Two interleaving half circles."),
        _toy("spirals", "Two spirals", ("spiral A", "spiral B"), "Two interleaved spirals."),
        _toy("blobs", "Blobs", ("A", "B", "C"), "Three Gaussian blobs."),
        DatasetInfo("regression_curve", "1-D curve", "regression", 1, None, (), None, None,
                    "A noisy sine-like curve y = f(x): regression with one input."),
    )
}


def get_info(key: str) -> DatasetInfo:
    """Return the :class:`DatasetInfo` registered under ``key``.

    Raises
    ------
    ValueError
        If ``key`` is unknown; the message lists the valid keys.
    """
    if key not in DATASETS:
        raise ValueError(
            f"Unknown dataset {key!r}. Valid keys: {', '.join(DATASETS)} "
            "(an uploaded CSV is loaded with load_csv, not by key)."
        )
    return DATASETS[key]
