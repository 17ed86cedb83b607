"""Real MNIST and California housing (see tests/real_data.py); skipped when they are absent."""

import numpy as np
import pytest
from real_data import real_datasets_dir

from data import load_dataset, prepare

SHARED_DATASETS = real_datasets_dir()  # $MLP_STUDIO_DATA or ../shared/datasets, read-only

MNIST_DIR = SHARED_DATASETS / "mnist"
SKLEARN_DIR = SHARED_DATASETS / "sklearn_data"

needs_mnist = pytest.mark.skipif(not (MNIST_DIR / "train-images-idx3-ubyte.gz").is_file(),
                                 reason=f"real MNIST not found in {MNIST_DIR}")
needs_california = pytest.mark.skipif(not (SKLEARN_DIR / "cal_housing_py3.pkz").is_file(),
                                      reason=f"cal_housing_py3.pkz not found in {SKLEARN_DIR}")


@pytest.fixture(scope="module")
def mnist():
    return load_dataset("mnist", data_dir=MNIST_DIR, allow_download=False)


@needs_mnist
def test_mnist_shapes_dtypes_and_label_histograms(mnist):
    assert mnist.x.shape == (60000, 784) and mnist.x.dtype == np.uint8
    assert mnist.x_test.shape == (10000, 784) and mnist.x_test.dtype == np.uint8
    assert np.bincount(mnist.y).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265,
                                             5851, 5949]
    assert np.bincount(mnist.y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028,
                                                  974, 1009]
    assert round(float(mnist.x.mean()) / 255, 4) == 0.1307


@needs_mnist
def test_mnist_prepared_uses_the_official_test_set(mnist):
    p = prepare(mnist, val_fraction=0.1, seed=0)
    assert (len(p.x_train), len(p.x_val), len(p.x_test)) == (54000, 6000, 10000)
    assert p.x_train.dtype == np.float32 and np.asarray(p.x_train).max() == 1.0
    assert p.x_train.base is mnist.x and p.x_test.base is mnist.x_test  # views, no copies
    assert p.preprocessing.to_dict()["image_shape"] == [28, 28]


@needs_mnist
def test_mnist_found_in_the_mnist_subfolder_of_a_data_dir():
    ds = load_dataset("mnist", data_dir=SHARED_DATASETS, allow_download=False)
    assert ds.x.shape == (60000, 784)


@needs_california
def test_california_housing():
    ds = load_dataset("california_housing", data_dir=SKLEARN_DIR, allow_download=False)
    assert ds.x.shape == (20640, 8) and ds.x.dtype == np.float64
    assert ds.y.shape == (20640,)
    assert round(float(ds.y.mean()), 6) == 2.068558  # $100,000 units
    assert 0.14 < ds.y.min() and ds.y.max() < 5.1
    np.testing.assert_allclose(ds.x.mean(axis=0)[:2], [3.870671, 28.639486], atol=1e-6)
    p = prepare(ds, seed=0)
    np.testing.assert_allclose(np.asarray(p.x_train).mean(axis=0), 0, atol=1e-4)
    assert round(float(np.r_[p.y_train, p.y_val, p.y_test].mean()), 4) == 2.0686


@needs_mnist
def test_the_real_mnist_files_match_the_published_checksums():
    from data import MNIST_FILES
    from data.download import file_digest
    for f in MNIST_FILES.values():
        assert file_digest(MNIST_DIR / f.name, "md5") == f.md5, f.name


@pytest.mark.skipif(not (SHARED_DATASETS / "california_housing" / "cal_housing.data").is_file(),
                    reason="no cal_housing.data in the real datasets folder")
def test_the_real_california_file_matches_the_published_checksum():
    from data.california import ARRAY_SHA256, _array_sha256, _read_local
    raw = _read_local(SHARED_DATASETS / "california_housing" / "cal_housing.data", ARRAY_SHA256)
    assert raw.shape == (20640, 9) and _array_sha256(raw) == ARRAY_SHA256
