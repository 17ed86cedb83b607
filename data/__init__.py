"""Datasets for MLP Studio: one registry shared by the dashboard and the benchmarks.

Imports NumPy, pandas, scikit-learn, ``mnist`` and the standard library only
(never Streamlit, Plotly or ``mlp``). pandas (for CSV files) and scikit-learn
(for its bundled sets) are imported when first needed, so a process that only
trains on arrays, such as a training worker, never loads them.
"""

from .california import find_california_dir, find_california_file, load_california_housing
from .download import (ChecksumError, DownloadError, default_data_dir, download_verified,
                       ensure_writable, fetch_verified, verify_file)
from .idx import IMAGES_MAGIC, LABELS_MAGIC, IdxError, parse_idx_bytes, read_idx
from .loaders import load_dataset
from .mnist_files import (MIRRORS, MNIST_FILES, IdxFile, ensure_mnist_files, find_mnist_dir,
                          load_mnist, mnist_mirrors)
from .prepare import PreparedData, auto_scaling, one_hot, prepare
from .preprocessing import METHODS as SCALING_METHODS
from .preprocessing import Preprocessing
from .registry import DATASETS, DEFAULT_DATASET, Dataset, DatasetInfo, get_info
from .splits import Splits, split_dataset
from .toy import TOY_DEFAULTS, TOY_GENERATORS

__all__ = [
    "CsvError", "ChecksumError", "DATASETS", "DEFAULT_DATASET", "Dataset", "DatasetInfo",
    "DownloadError", "IMAGES_MAGIC", "IdxError", "IdxFile", "LABELS_MAGIC", "MIRRORS",
    "MNIST_FILES", "PreparedData", "Preprocessing", "SCALING_METHODS", "Splits", "TOY_DEFAULTS",
    "TOY_GENERATORS", "auto_scaling", "dataset_from_table", "default_data_dir",
    "download_verified", "ensure_mnist_files", "ensure_writable", "fetch_verified",
    "find_california_dir", "find_california_file", "find_mnist_dir",
    "get_info", "infer_task", "load_california_housing", "load_csv", "load_dataset",
    "load_mnist", "mnist_mirrors", "one_hot", "parse_idx_bytes", "prepare", "read_csv_table",
    "read_idx", "split_dataset", "verify_file",
]

_CSV_NAMES = ("CsvError", "dataset_from_table", "infer_task", "load_csv", "read_csv_table")


def __getattr__(name):
    """The CSV names, imported (with pandas) on first use."""
    if name in _CSV_NAMES:
        from . import csv_upload
        return getattr(csv_upload, name)
    raise AttributeError(f"module 'data' has no attribute {name!r}")
