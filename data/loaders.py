"""``load_dataset``: one entry point from a registry key to a :class:`Dataset`."""

from __future__ import annotations

import numpy as np

from .california import load_california_housing
from .download import ProgressCallback
from .mnist_files import load_mnist
from .registry import Dataset, get_info
from .toy import TOY_DEFAULTS, TOY_GENERATORS


def load_dataset(key: str, *, data_dir=None, seed: int = 0, noise: float | None = None,
                 n_samples: int | None = None, progress: ProgressCallback | None = None,
                 allow_download: bool = True) -> Dataset:
    """Load the dataset registered under ``key``.

    Parameters
    ----------
    key : str
        A key of :data:`data.registry.DATASETS`.
    data_dir : path-like, optional
        Where downloaded data lives (MNIST, California housing); defaults to
        ``$MLP_STUDIO_DATA`` or the user cache directory.
    seed : int
        Seed of the toy generators (ignored by real datasets).
    noise, n_samples : optional
        Toy sets only; None takes the generator's default.
    progress : callable, optional
        ``progress(filename, bytes_done, bytes_total_or_None)`` during downloads.
    allow_download : bool
        False: never touch the network; missing data raises ``DownloadError``.

    Returns
    -------
    Dataset
        ``x`` of shape (n_samples, n_features), ``y`` of shape (n_samples,).
    """
    info = get_info(key)
    if key in TOY_GENERATORS:
        defaults = TOY_DEFAULTS[key]
        n = defaults["n_samples"] if n_samples is None else n_samples
        sigma = defaults["noise"] if noise is None else noise
        x, y = TOY_GENERATORS[key](n_samples=n, noise=sigma, seed=seed)
        names = ("x",) if info.n_features == 1 else ("x1", "x2")
        return Dataset(info, x, y, feature_names=names, target_name="y")
    if noise is not None or n_samples is not None:
        raise ValueError(f"noise and n_samples apply to toy datasets only, not {key!r}. "
                         f"Received: noise={noise!r}, n_samples={n_samples!r}")
    if key == "digits":
        from sklearn.datasets import load_digits  # imported on use: scikit-learn is heavy
        bunch = load_digits()
        return Dataset(info, bunch.data.astype(np.uint8), bunch.target.astype(np.int64),
                       target_name="digit")
    if key == "diabetes":
        from sklearn.datasets import load_diabetes
        bunch = load_diabetes()
        return Dataset(info, bunch.data.astype(np.float64), bunch.target.astype(np.float64),
                       feature_names=tuple(bunch.feature_names), target_name="progression")
    if key == "mnist":
        return load_mnist(data_dir, allow_download=allow_download, progress=progress)
    if key == "california_housing":
        return load_california_housing(data_dir, allow_download=allow_download,
                                       progress=progress)
    raise ValueError(f"No loader for dataset {key!r}")  # a registry entry without a loader
