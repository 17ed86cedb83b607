"""Where the tests find the real datasets: one rule for every test folder.

The first of these folders that holds real data (``mnist/`` with the four IDX .gz
files, or ``california_housing/``): ``$MLP_STUDIO_DATA`` as it was when the test
run started (the app's own data folder), then ``../shared/datasets`` beside the
project. Tests only read there, never write, and skip when no folder has the
dataset they need. (Tests that exercise downloads point ``MLP_STUDIO_DATA`` at
folders of their own while they run; that does not change this rule, which is
read once, at import.)
"""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MNIST_NAMES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
_CANDIDATES = [Path(p) for p in (os.environ.get("MLP_STUDIO_DATA"),) if p] + \
    [PROJECT_ROOT.parent / "shared" / "datasets"]


def _has_mnist(folder):
    return all((folder / "mnist" / name).is_file() for name in MNIST_NAMES)


def _has_california(folder):
    folder = folder / "california_housing"
    return folder.is_dir() and any(folder.iterdir())


def real_datasets_dir():
    """The folder of real datasets (the last candidate when none has any: it may not exist)."""
    for folder in _CANDIDATES:
        if _has_mnist(folder) or _has_california(folder):
            return folder
    return _CANDIDATES[-1]


def real_mnist_dir():
    """The folder with the four real MNIST files, or None."""
    folder = next((f for f in _CANDIDATES if _has_mnist(f)), None)
    return None if folder is None else folder / "mnist"


def real_california_dir():
    """The folder with the real California housing files, or None."""
    folder = next((f for f in _CANDIDATES if _has_california(f)), None)
    return None if folder is None else folder / "california_housing"
