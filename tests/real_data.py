"""Where the tests find the real datasets: one rule for every test folder.

``MLP_STUDIO_REAL_DATA`` if set, else ``../shared/datasets`` beside the project
(read only: tests never write there). It holds ``mnist/`` (the four IDX .gz
files) and ``california_housing/``. Tests that need a dataset skip when it is
absent. (``MLP_STUDIO_DATA`` is not used here: the tests point it at their own
empty folders.)
"""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MNIST_NAMES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def real_datasets_dir():
    """The folder of real datasets (it may not exist)."""
    override = os.environ.get("MLP_STUDIO_REAL_DATA")
    return Path(override) if override else PROJECT_ROOT.parent / "shared" / "datasets"


def real_mnist_dir():
    """The folder with the four real MNIST files, or None."""
    folder = real_datasets_dir() / "mnist"
    return folder if all((folder / name).is_file() for name in MNIST_NAMES) else None


def real_california_dir():
    """The folder with the real California housing files, or None."""
    folder = real_datasets_dir() / "california_housing"
    return folder if folder.is_dir() and any(folder.iterdir()) else None
