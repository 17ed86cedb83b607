"""California housing through scikit-learn's ``fetch_california_housing``.

scikit-learn keeps its own cache file, ``cal_housing_py3.pkz``, in the data
directory; it is looked for in ``data_dir``, ``data_dir/sklearn_data`` and the
cache directory before anything is downloaded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .download import DownloadError, default_data_dir
from .registry import Dataset, get_info

CACHE_FILE = "cal_housing_py3.pkz"


def find_california_dir(data_dir=None) -> Path | None:
    """First directory holding scikit-learn's ``cal_housing_py3.pkz``, or None."""
    roots = ([Path(data_dir).expanduser()] if data_dir is not None else []) + [default_data_dir()]
    for root in roots:
        for d in (root, root / "sklearn_data"):
            if (d / CACHE_FILE).is_file():
                return d
    return None


def load_california_housing(data_dir=None, *, allow_download: bool = True) -> Dataset:
    """Load California housing: 20,640 districts, 8 features, target in $100,000.

    Returns
    -------
    Dataset
        ``x`` float64 of shape (20640, 8), ``y`` float64 of shape (20640,).

    Raises
    ------
    DownloadError
        The cache file is missing and could not (or may not) be downloaded;
        the message names ``cal_housing_py3.pkz`` and where to put it.
    """
    found = find_california_dir(data_dir)
    home = found or (Path(data_dir).expanduser() if data_dir is not None else default_data_dir())
    if found is None and not allow_download:
        raise DownloadError(_missing_message(home, "downloading is off"))
    from sklearn.datasets import fetch_california_housing  # imported on use: it is heavy
    try:
        bunch = fetch_california_housing(data_home=str(home),
                                         download_if_missing=allow_download)
    except OSError as exc:  # URLError, timeouts, unwritable directory
        raise DownloadError(_missing_message(home, f"the download failed: {exc}")) from exc
    x = np.asarray(bunch.data, dtype=np.float64)
    y = np.asarray(bunch.target, dtype=np.float64)
    return Dataset(get_info("california_housing"), x, y,
                   feature_names=tuple(bunch.feature_names), target_name="MedHouseVal")


def _missing_message(home: Path, why: str) -> str:
    return (f"California housing is not cached and {why}. To work offline, place "
            f"scikit-learn's cache file {CACHE_FILE} (written by "
            f"sklearn.datasets.fetch_california_housing) in {home}, "
            "or set MLP_STUDIO_DATA to a directory that holds it.")
