"""MNIST: the four IDX files, their published checksums, mirrors, cache and loading.

Files are looked for in the given data directory (and its ``mnist/``
subfolder), then in the cache directory (see
:func:`data.download.default_data_dir`); gzipped or already decompressed
files both count. Only missing files are downloaded, through
:func:`data.download.download_verified`, from :data:`MIRRORS` in order (or
from the whitespace/comma separated list in ``$MLP_STUDIO_MNIST_MIRRORS``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .download import (ChecksumError, DownloadError, ProgressCallback, default_data_dir,
                       download_verified, file_digest)
from .idx import IMAGES_MAGIC, LABELS_MAGIC, IdxError, read_idx
from .registry import Dataset, get_info

ENV_MIRRORS = "MLP_STUDIO_MNIST_MIRRORS"

#: Base URLs tried in order: the address the tutorial and the ``mnist``
#: package use (long unreliable), then the well-known public mirrors.
MIRRORS = (
    "http://yann.lecun.com/exdb/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)


@dataclass(frozen=True)
class IdxFile:
    """One MNIST file: its gzip name, content, and published checksums.

    ``count`` is the number of items the header must declare (None: any);
    ``raw_md5`` checks the decompressed file when that is what is on disk.
    """

    name: str
    kind: str  # "images" or "labels"
    count: int | None
    md5: str
    sha256: str
    raw_md5: str | None = None

    @property
    def raw_name(self) -> str:
        """The decompressed file name (``name`` without ``.gz``)."""
        return self.name[:-3] if self.name.endswith(".gz") else self.name


#: Role -> file. Checksums as published (gz md5s are the official ones).
MNIST_FILES: dict[str, IdxFile] = {
    "train_images": IdxFile(
        "train-images-idx3-ubyte.gz", "images", 60000, "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "6bbc9ace898e44ae57da46a324031adb"),
    "train_labels": IdxFile(
        "train-labels-idx1-ubyte.gz", "labels", 60000, "d53e105ee54ea40749a09fcbcd1e9432",
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "a25bea736e30d166cdddb491f175f624"),
    "test_images": IdxFile(
        "t10k-images-idx3-ubyte.gz", "images", 10000, "9fb629c4189551a2d022fa330f9573f3",
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "2646ac647ad5339dbf082846283269ea"),
    "test_labels": IdxFile(
        "t10k-labels-idx1-ubyte.gz", "labels", 10000, "ec29112dd5afa0611ce80d1b7f02629c",
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        "27ae3e4e09519cfbb04c329615203637"),
}


def mnist_mirrors() -> list[str]:
    """Mirrors from ``$MLP_STUDIO_MNIST_MIRRORS`` when set, else :data:`MIRRORS`."""
    env = os.environ.get(ENV_MIRRORS, "").strip()
    return re.split(r"[\s,]+", env) if env else list(MIRRORS)


def _candidates(data_dir) -> list[Path]:
    roots = ([Path(data_dir).expanduser()] if data_dir is not None else []) + [default_data_dir()]
    dirs = []
    for root in roots:
        for d in (root, root / "mnist"):
            if d not in dirs:
                dirs.append(d)
    return dirs


def _local(directory: Path, f: IdxFile) -> Path | None:
    for name in (f.name, f.raw_name):
        if (directory / name).is_file():
            return directory / name
    return None


def find_mnist_dir(data_dir=None, *, files: dict[str, IdxFile] | None = None) -> Path | None:
    """First directory holding all four files: ``data_dir``, ``data_dir/mnist``, the cache.

    Returns None when no candidate has all four (nothing is downloaded here).
    """
    files = MNIST_FILES if files is None else files
    for d in _candidates(data_dir):
        if all(_local(d, f) is not None for f in files.values()):
            return d
    return None


def _verify_local(path: Path, f: IdxFile) -> None:
    expected = f.md5 if path.name == f.name else f.raw_md5
    if expected is None:
        return
    found = file_digest(path, "md5")
    if found != expected:
        raise ChecksumError(
            f"{path} does not match the published MNIST checksum (md5 expected {expected}, "
            f"found {found}). It is damaged or a different dataset (Fashion-MNIST uses the same "
            "file names). Delete it to download a fresh copy, or replace it with the original.")


def _offline_message(files, target, searched) -> str:
    names = "\n".join(f"  {f.name}" for f in files.values())
    where = ", ".join(str(d) for d in searched)
    return (f"MNIST files not found (looked in {where}). To work offline, place these four "
            f"files (or their decompressed versions without .gz) in {target}:\n{names}\n"
            "or set MLP_STUDIO_DATA to a directory that holds them.")


def ensure_mnist_files(data_dir=None, *, allow_download: bool = True,
                       progress: ProgressCallback | None = None, mirrors=None,
                       files: dict[str, IdxFile] | None = None,
                       timeout: float = 30.0) -> dict[str, Path]:
    """Return role -> path of the four files, downloading only what is missing.

    Local files are checked against their published md5. Downloads go to
    ``data_dir`` when given, else to the cache directory.

    Raises
    ------
    DownloadError
        Files are missing and ``allow_download`` is False, or every mirror failed.
        The message names the files and the directory to place them in.
    ChecksumError
        A local file does not match its published checksum.
    """
    files = MNIST_FILES if files is None else files
    found = find_mnist_dir(data_dir, files=files)
    target = found or (Path(data_dir).expanduser() if data_dir is not None else default_data_dir())
    paths = {role: _local(target, f) for role, f in files.items()}
    missing = [role for role, p in paths.items() if p is None]
    if missing and not allow_download:
        raise DownloadError(_offline_message(files, target, _candidates(data_dir)))
    for role, path in paths.items():
        if path is not None:
            _verify_local(path, files[role])
    mirrors = mnist_mirrors() if mirrors is None else list(mirrors)
    for role in missing:
        f = files[role]
        try:
            paths[role] = download_verified(f.name, mirrors, target, md5=f.md5, sha256=f.sha256,
                                            progress=progress, timeout=timeout)
        except DownloadError as exc:
            raise DownloadError(f"{exc}\n\n{_offline_message(files, target, [target])}",
                                exc.failures) from exc
    return paths


def load_mnist(data_dir=None, *, allow_download: bool = True,
               progress: ProgressCallback | None = None, mirrors=None,
               files: dict[str, IdxFile] | None = None, timeout: float = 30.0) -> Dataset:
    """Load MNIST as uint8 pixels, downloading the files once if needed.

    Returns
    -------
    Dataset
        ``x`` uint8 of shape (60000, 784), ``y`` int64 of shape (60000,), and
        the official test split ``x_test`` (10000, 784), ``y_test`` (10000,).
        Pixels stay uint8 (47 MB); scale them per batch or once to float32.
    """
    files = MNIST_FILES if files is None else files
    paths = ensure_mnist_files(data_dir, allow_download=allow_download, progress=progress,
                               mirrors=mirrors, files=files, timeout=timeout)
    x, y = _read_pair(paths, files, "train")
    x_test, y_test = _read_pair(paths, files, "test")
    return Dataset(get_info("mnist"), x, y, x_test, y_test,
                   feature_names=None, target_name="digit")


def _read_pair(paths, files, split):
    fi, fl = files[f"{split}_images"], files[f"{split}_labels"]
    images = read_idx(paths[f"{split}_images"], expected_magic=IMAGES_MAGIC,
                      expected_count=fi.count, expected_dims=(28, 28))
    labels = read_idx(paths[f"{split}_labels"], expected_magic=LABELS_MAGIC,
                      expected_count=fl.count)
    if len(images) != len(labels):
        raise IdxError(f"wrong item count: {fi.name} holds {len(images)} images but "
                       f"{fl.name} holds {len(labels)} labels")
    if labels.size and labels.max() > 9:
        raise IdxError(f"{fl.name}: labels must be digits 0..9, found {labels.max()}")
    return images.reshape(len(images), -1), labels.astype(np.int64)
