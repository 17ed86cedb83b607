"""The presets that come trained: every committed file loads, is small, holds no pickle,
was made from its preset and still scores what its header says; regenerating one gives
the same weights.

The toy and digits presets always run. MNIST and California housing come from the
real datasets folder (``tests/real_data.py``: ``$MLP_STUDIO_DATA`` or
``../shared/datasets``) and are skipped when it lacks them. The whole module runs
offline: sockets refuse anything but loopback, and the data cache
(``MLP_STUDIO_DATA``) is an empty temporary folder, so nothing is downloaded.
"""

import socket

import numpy as np
import pytest
from real_data import real_california_dir, real_datasets_dir, real_mnist_dir

from data import DATASETS
from mlp import ModelFileError, NeuralNetwork
from mlp.model_file import save_model
from studio.presets import TRAINED_PRESETS, preset
from studio.trained import TRAINED_DIR, file_name, load_trained, path_of, prepare_for, score
from studio.trained import train_all

REAL_DATA_FOUND = {"mnist": real_mnist_dir, "california_housing": real_california_dir}
MAX_FILE_BYTES = 2 * 2**20
MSE_RTOL = 1e-4
XOR = "XOR: two layers where one line fails"
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def preset_param(name):
    """``name`` as a test parameter, skipped when its real dataset is not here."""
    dataset = preset(name).dataset
    marks = []
    if dataset in REAL_DATA_FOUND:
        marks.append(pytest.mark.skipif(REAL_DATA_FOUND[dataset]() is None,
                                        reason=f"no real {dataset} in {real_datasets_dir()}"))
    return pytest.param(name, marks=marks, id=file_name(name)[:-4])


EVERY_PRESET = [pytest.param(name, id=file_name(name)[:-4]) for name in TRAINED_PRESETS]
ALL_PRESETS = [preset_param(name) for name in TRAINED_PRESETS]  # real data may be absent


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    """No network and an empty data cache for the whole module (nothing is downloaded)."""
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def guarded_connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if host not in _LOOPBACK:
            raise OSError(f"network access blocked in tests: {address!r}")
        return real_connect(self, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if host not in _LOOPBACK:
            raise socket.gaierror(f"name lookup blocked in tests: {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", guarded_connect)
        patch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
        patch.setenv("MLP_STUDIO_DATA", str(tmp_path_factory.mktemp("empty_cache")))
        patch.delenv("MLP_STUDIO_MNIST_MIRRORS", raising=False)
        yield


@pytest.fixture(scope="module")
def prepared(offline):
    """``prepared(spec)``: the spec's splits as :func:`prepare_for` makes them (cached)."""
    cache = {}

    def get(spec):
        key = repr(spec.to_dict())
        if key not in cache:
            data_dir = real_datasets_dir() if spec.dataset in REAL_DATA_FOUND else None
            cache[key] = prepare_for(spec, data_dir)
        return cache[key]

    return get


@pytest.fixture(scope="module")
def trained():
    """``trained(name)``: the committed file of preset ``name``, loaded once."""
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = load_trained(name)
        return cache[name]

    return get


# ------------------------------------------------------------------ the committed files
@pytest.mark.parametrize("name", EVERY_PRESET)
def test_file_is_small_and_holds_no_pickle(name):
    path = path_of(name)
    assert path.parent == TRAINED_DIR and path.is_file(), f"{path} is missing"
    assert path.stat().st_size < MAX_FILE_BYTES, f"{path.name}: {path.stat().st_size:,} bytes"
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}  # reading refuses object arrays
    assert {"header", "params"} <= set(arrays)
    assert not any(a.dtype.hasobject for a in arrays.values())


@pytest.mark.parametrize("name", EVERY_PRESET)
def test_file_was_made_from_its_preset(name, trained):
    loaded = trained(name)
    spec = preset(name)
    assert loaded.name == name
    assert loaded.spec.to_dict() == spec.to_dict(), "the preset changed since its file was made"
    info = DATASETS[spec.dataset]
    n_outputs = info.n_classes if info.task == "classification" else 1
    assert loaded.network.layers == [info.n_features, *spec.hidden_layers, n_outputs]
    history = loaded.network.history
    n_train = history["samples_seen"] // len(history["loss"])   # samples an epoch
    built = spec.build(info.n_features, n_outputs, n_train)
    assert loaded.network.get_config() == built.get_config()   # a schedule's length included
    expected_metric = "accuracy" if info.task == "classification" else "mse"
    assert loaded.metric_name == expected_metric
    assert loaded.network.history["samples_seen"] > 0


@pytest.mark.parametrize("name", ALL_PRESETS)
def test_file_scores_the_metric_in_its_header(name, trained, prepared):
    loaded = trained(name)
    data = prepared(loaded.spec)
    metric_name, value = score(loaded.network, data)
    assert metric_name == loaded.metric_name
    if metric_name == "accuracy":
        n_test = len(data.y_test)
        assert abs(value - loaded.metric) <= 1 / n_test + 1e-12, \
            f"{value} vs {loaded.metric} stored: more than one of {n_test} test samples flipped"
    else:
        assert value == pytest.approx(loaded.metric, rel=MSE_RTOL)


@pytest.mark.parametrize("name", ALL_PRESETS)
def test_file_holds_the_preprocessing_prepare_for_computes(name, trained, prepared):
    loaded = trained(name)
    assert loaded.preprocessing.to_dict() == prepared(loaded.spec).preprocessing.to_dict()


# ------------------------------------------------------------------ errors
def test_unknown_preset_raises_value_error_naming_the_trained_ones():
    with pytest.raises(ValueError) as caught:
        load_trained("nope")
    assert not isinstance(caught.value, ModelFileError)
    message = str(caught.value)
    assert "'nope'" in message
    for name in TRAINED_PRESETS:
        assert name in message


def test_missing_file_says_how_to_make_it(tmp_path):
    with pytest.raises(ModelFileError) as caught:
        load_trained(XOR, tmp_path)
    message = str(caught.value)
    assert file_name(XOR) in message
    assert "python -m studio.presets --train" in message


@pytest.mark.parametrize("drop", [("spec", "preprocessing", "test_metric"), ("spec",),
                                  ("preprocessing",), ("test_metric",)],
                         ids=["no-metadata", "no-spec", "no-preprocessing", "no-test-metric"])
def test_model_file_without_the_trained_header_keys_is_refused(drop, tmp_path):
    network = NeuralNetwork.load(path_of(XOR))
    network.metadata = {k: v for k, v in network.metadata.items() if k not in drop}
    save_model(network, tmp_path / file_name(XOR))
    assert NeuralNetwork.load(tmp_path / file_name(XOR)).n_params == network.n_params  # valid
    with pytest.raises(ModelFileError, match="is not a trained preset's file") as caught:
        load_trained(XOR, tmp_path)
    assert file_name(XOR) in str(caught.value)


def test_model_file_with_a_malformed_metric_is_refused(tmp_path):
    network = NeuralNetwork.load(path_of(XOR))
    network.metadata = {**network.metadata, "test_metric": {"name": "accuracy", "value": "high"}}
    save_model(network, tmp_path / file_name(XOR))
    with pytest.raises(ModelFileError, match="is not a trained preset's file"):
        load_trained(XOR, tmp_path)


# ------------------------------------------------------------------ regeneration
def test_regenerating_a_file_gives_the_committed_weights(tmp_path, trained, offline):
    lines = []
    train_all(directory=tmp_path, names=[XOR], report=lines.append)
    assert len(lines) == 1 and lines[0].startswith(f"{XOR}: test accuracy ")
    assert str(tmp_path / file_name(XOR)) in lines[0]
    committed, fresh = trained(XOR), load_trained(XOR, tmp_path)
    np.testing.assert_allclose(fresh.network.params, committed.network.params, rtol=1e-5,
                               atol=1e-7, err_msg="training the preset again moved its weights")
    assert fresh.metric_name == committed.metric_name
    assert fresh.metric == committed.metric
    assert fresh.spec.to_dict() == committed.spec.to_dict()
    assert fresh.preprocessing.to_dict() == committed.preprocessing.to_dict()
    assert fresh.network.history["samples_seen"] == committed.network.history["samples_seen"]
