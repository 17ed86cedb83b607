"""California housing: the StatLib data, verified, cached as one array, downloaded with progress.

The data is looked for, in each of ``data_dir``, ``data_dir/california_housing``,
``data_dir/sklearn_data`` and the same under the cache directory:

1. ``cal_housing.npy`` -- this module's own cache: the 9 raw columns, float64;
2. ``cal_housing.data`` -- the StatLib text file (as in scikit-learn's archive);
3. ``cal_housing_py3.pkz`` -- scikit-learn's own cache of ``fetch_california_housing``.

Both of the first two are checked against the published content: the SHA-256 of the
parsed (20640, 9) array saved with :func:`numpy.save`, so a copy with other line
endings still counts. When none is found, the archive scikit-learn uses is
downloaded (SHA-256 checked, progress reported), its data file is parsed and
checked, and ``cal_housing.npy`` is written atomically; the archive is removed.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tarfile
import tempfile
from pathlib import Path

import numpy as np

from .download import (DownloadError, ProgressCallback, default_data_dir, ensure_writable,
                       fetch_verified)
from .registry import Dataset, get_info

ENV_URLS = "MLP_STUDIO_CALIFORNIA_URLS"
#: Where scikit-learn downloads the archive from (``sklearn.datasets._california_housing``).
URLS = ("https://ndownloader.figshare.com/files/5976036",)
ARCHIVE = "cal_housing.tgz"
ARCHIVE_SHA256 = "aaa5c9a6afe2225cc2aed2723682ae403280c4a3695a2ddda4ffb5d8215ea681"
ARCHIVE_MEMBER = "CaliforniaHousing/cal_housing.data"
RAW_FILE = "cal_housing.data"
CACHE_FILE = "cal_housing.npy"
SKLEARN_CACHE_FILE = "cal_housing_py3.pkz"
#: SHA-256 of ``np.save(parsed cal_housing.data)``: shape (20640, 9), float64, C order.
ARRAY_SHA256 = "2369257940c3000966d3cc1785f80996235f9b78e1e5415346819b420cae1c8d"
SHAPE = (20640, 9)
FEATURE_NAMES = ("MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup",
                 "Latitude", "Longitude")
_SUBFOLDERS = ("", "california_housing", "sklearn_data")
_SOURCES = (CACHE_FILE, RAW_FILE, SKLEARN_CACHE_FILE)


def california_urls() -> list[str]:
    """Archive addresses from ``$MLP_STUDIO_CALIFORNIA_URLS`` when set, else :data:`URLS`."""
    env = os.environ.get(ENV_URLS, "").strip()
    return re.split(r"[\s,]+", env) if env else list(URLS)


def _candidate_dirs(data_dir) -> list[Path]:
    roots = ([Path(data_dir).expanduser()] if data_dir is not None else []) + [default_data_dir()]
    dirs = []
    for root in roots:
        for sub in _SUBFOLDERS:
            d = root / sub if sub else root
            if d not in dirs:
                dirs.append(d)
    return dirs


def find_california_file(data_dir=None) -> Path | None:
    """The first usable local copy (see the module docstring for the order), or None."""
    for d in _candidate_dirs(data_dir):
        for name in _SOURCES:
            if (d / name).is_file():
                return d / name
    return None


def find_california_dir(data_dir=None) -> Path | None:
    """The folder holding the first usable local copy, or None."""
    found = find_california_file(data_dir)
    return None if found is None else found.parent


def load_california_housing(data_dir=None, *, allow_download: bool = True,
                            progress: ProgressCallback | None = None, urls=None,
                            archive_sha256: str | None = None, array_sha256: str | None = None,
                            timeout: float = 30.0) -> Dataset:
    """Load California housing: 20,640 districts, 8 features, target in $100,000.

    Parameters
    ----------
    data_dir : path-like, optional
        Looked in first, and downloaded into when given (else the cache directory).
    allow_download : bool
    progress : callable, optional
        ``progress(filename, bytes_done, bytes_total_or_None)`` while downloading.
    urls : sequence of str, optional
        Archive addresses; default :func:`california_urls`.
    archive_sha256, array_sha256 : str, optional
        The published checksums (:data:`ARCHIVE_SHA256`, :data:`ARRAY_SHA256`);
        overridable for tests with a small archive.

    Returns
    -------
    Dataset
        ``x`` float64 of shape (20640, 8), ``y`` float64 of shape (20640,), the same
        numbers as ``sklearn.datasets.fetch_california_housing``.

    Raises
    ------
    DownloadError
        The data is missing and could not (or may not) be downloaded; the message
        names the files to place and where.
    """
    archive_sha256 = archive_sha256 or ARCHIVE_SHA256
    array_sha256 = array_sha256 or ARRAY_SHA256
    found = find_california_file(data_dir)
    home = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    if found is None:
        if not allow_download:
            raise DownloadError(_missing_message(home, "downloading is off"))
        raw = _download(home, progress, california_urls() if urls is None else list(urls),
                        archive_sha256, array_sha256, timeout)
    elif found.name == SKLEARN_CACHE_FILE:
        return _from_sklearn_cache(found.parent)
    else:
        raw = _read_local(found, array_sha256)
    return _dataset(raw)


def features_and_target(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's features and target from the 9 StatLib columns.

    Parameters
    ----------
    raw : ndarray of shape (n, 9)
        longitude, latitude, housingMedianAge, totalRooms, totalBedrooms, population,
        households, medianIncome, medianHouseValue (the file's order).

    Returns
    -------
    x : ndarray of shape (n, 8), :data:`FEATURE_NAMES`
    y : ndarray of shape (n,), the median house value in units of $100,000
    """
    households = raw[:, 6]
    x = np.column_stack([raw[:, 7], raw[:, 2], raw[:, 3] / households, raw[:, 4] / households,
                         raw[:, 5], raw[:, 5] / households, raw[:, 1], raw[:, 0]])
    return x, raw[:, 8] / 100000.0


def _dataset(raw):
    x, y = features_and_target(raw)
    return Dataset(get_info("california_housing"), x, y, feature_names=FEATURE_NAMES,
                   target_name="MedHouseVal")


def _array_sha256(array):
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array, dtype=np.float64))
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def _check(array, expected, where):
    if array.ndim != 2 or array.shape[1] != SHAPE[1]:
        raise DownloadError(f"{where} holds an array of shape {array.shape}, not the "
                            f"{SHAPE} of California housing. Delete it to download a fresh copy.")
    found = _array_sha256(array)
    if found != expected:
        raise DownloadError(
            f"{where} does not match the published California housing data (SHA-256 of the "
            f"parsed array expected {expected}, found {found}). It is damaged or another "
            "file; delete it to download a fresh copy.")


def _read_local(path, array_sha256):
    try:
        raw = (np.load(path, allow_pickle=False) if path.suffix == ".npy"
               else np.loadtxt(path, delimiter=",", ndmin=2))
    except (OSError, ValueError) as exc:
        raise DownloadError(f"{path} cannot be read as California housing data ({exc}). "
                            "Delete it to download a fresh copy.") from exc
    _check(raw, array_sha256, str(path))
    return raw


def _from_sklearn_cache(folder):
    from sklearn.datasets import fetch_california_housing  # imported on use: it is heavy
    try:
        bunch = fetch_california_housing(data_home=str(folder), download_if_missing=False)
    except OSError as exc:
        raise DownloadError(f"scikit-learn's cache {folder / SKLEARN_CACHE_FILE} cannot be read "
                            f"({exc}).") from exc
    return Dataset(get_info("california_housing"), np.asarray(bunch.data, dtype=np.float64),
                   np.asarray(bunch.target, dtype=np.float64), feature_names=FEATURE_NAMES,
                   target_name="MedHouseVal")


def _download(home, progress, urls, archive_sha256, array_sha256, timeout):
    ensure_writable(home)
    try:
        archive = fetch_verified(urls, ARCHIVE, home, sha256=archive_sha256, progress=progress,
                                 timeout=timeout)
    except DownloadError as exc:
        raise DownloadError(f"{exc}\n\n{_missing_message(home, 'the download failed')}",
                            exc.failures) from exc
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            member = tar.extractfile(ARCHIVE_MEMBER)
            if member is None:
                raise KeyError(ARCHIVE_MEMBER)
            raw = np.loadtxt(member, delimiter=",", ndmin=2)
    except (KeyError, OSError, ValueError, tarfile.TarError) as exc:
        raise DownloadError(f"The downloaded {ARCHIVE} has no readable {ARCHIVE_MEMBER} "
                            f"({exc}).") from exc
    finally:
        archive.unlink(missing_ok=True)
    _check(raw, array_sha256, f"The downloaded {ARCHIVE}")
    _save_atomically(raw, home / CACHE_FILE)
    return raw


def _save_atomically(array, target):
    tmp = tempfile.NamedTemporaryFile(delete=False, dir=target.parent, prefix=f".{target.name}.",
                                      suffix=".part")
    try:
        with tmp:
            np.save(tmp, array)
        os.replace(tmp.name, target)
    finally:
        if os.path.exists(tmp.name):
            os.unlink(tmp.name)


def _missing_message(home: Path, why: str) -> str:
    return (f"California housing is not on this machine and {why}. To work offline, place "
            f"the StatLib file {RAW_FILE} (or scikit-learn's cache {SKLEARN_CACHE_FILE}) in "
            f"{home}, or set MLP_STUDIO_DATA to a folder that holds it.")
