"""The registry: every key loads, and each info agrees with the arrays it describes."""

import subprocess
import sys
import joblib
import numpy as np
import pytest

import data
import data.california
import data.mnist_files
from data import DATASETS, DEFAULT_DATASET, DatasetInfo, DownloadError, get_info, load_dataset

EXPECTED_KEYS = ["digits", "mnist", "california_housing", "diabetes", "tutorial_two_lines",
                 "xor", "circles", "moons", "spirals", "blobs", "regression_curve"]


@pytest.fixture
def california_fixture(tmp_path):
    """A small cal_housing_py3.pkz in scikit-learn's own cache format (columns: target first)."""
    rng = np.random.default_rng(0)
    table = np.c_[rng.uniform(0.5e5, 5e5, 40), rng.uniform(1, 10, (40, 8)) + 1]
    directory = tmp_path / "cal"
    directory.mkdir()
    joblib.dump(table, directory / "cal_housing_py3.pkz", compress=6)
    return directory, table


@pytest.fixture
def data_dirs(tmp_path, mnist_fixture, california_fixture, monkeypatch):
    """key -> data_dir for the datasets that live on disk, filled with fixture files."""
    monkeypatch.setattr(data.mnist_files, "MNIST_FILES", mnist_fixture.files)
    return {"mnist": mnist_fixture.write(tmp_path / "mnist_dir"),
            "california_housing": california_fixture[0]}


def test_keys_and_default():
    assert list(DATASETS) == EXPECTED_KEYS
    assert DEFAULT_DATASET == "digits" and not DATASETS[DEFAULT_DATASET].needs_download
    assert all(info.key == key for key, info in DATASETS.items())


def test_unknown_key_lists_the_valid_ones():
    with pytest.raises(ValueError, match="Unknown dataset 'cifar'. Valid keys: digits, mnist, "
                                         "california_housing, diabetes"):
        get_info("cifar")
    with pytest.raises(ValueError, match="Unknown dataset 'csv'.*load_csv"):
        load_dataset("csv")


@pytest.mark.parametrize("key", EXPECTED_KEYS)
def test_every_key_loads_consistently_with_its_info(key, data_dirs):
    info = get_info(key)
    ds = load_dataset(key, data_dir=data_dirs.get(key), allow_download=False)
    assert ds.info is info
    assert ds.x.ndim == 2 and ds.x.shape[1] == info.n_features
    assert ds.y.shape == (ds.x.shape[0],)
    if info.task == "classification":
        assert ds.y.dtype == np.int64 and len(info.class_names) == info.n_classes
        assert 0 <= ds.y.min() and ds.y.max() < info.n_classes
    else:
        assert ds.y.dtype == np.float64 and info.n_classes is None and info.class_names == ()
    if info.image_shape is not None:
        assert np.prod(info.image_shape) == info.n_features
        assert ds.x.dtype == np.uint8 and ds.x.max() <= info.pixel_max
    else:
        assert info.pixel_max is None and ds.x.dtype == np.float64
    if ds.feature_names is not None:
        assert len(ds.feature_names) == info.n_features


def test_digits_is_uint8_in_0_to_16():
    ds = load_dataset("digits")
    assert ds.x.shape == (1797, 64) and ds.x.dtype == np.uint8 and ds.x.max() == 16


def test_california_from_a_cache_file_converts_like_scikit_learn(california_fixture):
    directory, table = california_fixture
    ds = load_dataset("california_housing", data_dir=directory, allow_download=False)
    np.testing.assert_allclose(ds.y, table[:, 0] / 100000)
    np.testing.assert_allclose(ds.x[:, 0], table[:, 1])  # MedInc
    assert ds.feature_names[0] == "MedInc" and ds.target_name == "MedHouseVal"


def test_california_offline_names_the_files_and_the_directory(tmp_path):
    with pytest.raises(DownloadError, match=f"place the StatLib file cal_housing.data "
                                            rf"\(or scikit-learn's cache cal_housing_py3.pkz\) "
                                            f"in {tmp_path}"):
        load_dataset("california_housing", data_dir=tmp_path, allow_download=False)


def test_noise_and_n_samples_only_for_toy_sets():
    with pytest.raises(ValueError, match="toy datasets only, not 'digits'. Received: noise=0.1"):
        load_dataset("digits", noise=0.1)


@pytest.mark.parametrize("kwargs, message", [
    ({"task": "clustering"}, "task must be one of"),
    ({"n_classes": None}, "needs n_classes >= 2 and one name per class"),
    ({"class_names": ("a",)}, "needs n_classes >= 2 and one name per class"),
    ({"image_shape": (3, 3)}, r"image_shape \(3, 3\) does not match n_features=4"),
    ({"n_features": 0, "image_shape": None}, "n_features must be >= 1"),
])
def test_dataset_info_validates(kwargs, message):
    base = dict(key="k", name="K", task="classification", n_features=4, n_classes=2,
                class_names=("a", "b"), image_shape=(2, 2), pixel_max=1, description="")
    with pytest.raises(ValueError, match=message):
        DatasetInfo(**{**base, **kwargs})


def test_dataset_checks_shapes_against_its_info():
    info = get_info("moons")
    with pytest.raises(ValueError, match=r"x must have shape \(n_samples, 2\) for 'moons'. "
                                         r"Received: x.shape=\(5, 3\)"):
        data.Dataset(info, np.zeros((5, 3)), np.zeros(5, dtype=np.int64))
    with pytest.raises(ValueError, match=r"integer labels in 0..1. Received dtype int64, range 0..5"):
        data.Dataset(info, np.zeros((6, 2)), np.arange(6))


def test_data_imports_no_streamlit_plotly_or_mlp():
    code = ("import sys, data; bad = [m for m in ('streamlit', 'plotly', 'mlp') if m in sys.modules];"
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=data.__path__[0] + "/..")
    assert out.stdout.strip() == "[]"
