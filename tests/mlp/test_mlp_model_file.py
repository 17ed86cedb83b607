"""Model files: round trips (predictions, optimizer state, rng, history, metadata), the
tutorial's parameter files, and every kind of bad file raising ``ModelFileError``."""

import io
import json
import os
import zipfile

import numpy as np
import pytest

import mlp
from mlp import ModelFileError, NeuralNetwork, registry
from mlp.model_file import model_to_bytes, read_arrays
from mlp.optimizers import SGD

NOT_A_MODEL = "not a model file, or it is truncated"
N_PARAMS = 4 * 6 + 6 + 6 * 3 + 3     # layers [4, 6, 3]


def trained(x, labels, optimizer=None, dtype="float64", epochs=2, seed=3):
    net = NeuralNetwork([4, 6, 3], "tanh", optimizer=optimizer, seed=seed, dtype=dtype)
    net.fit(x, labels, batch_size=8, epochs=epochs, categorical=True)
    return net


def rewrite(raw, edit_header=None, drop=(), **arrays):
    """A copy of the model file ``raw`` with its JSON header edited and arrays replaced."""
    contents = read_arrays(raw)
    if edit_header is not None:
        header = json.loads(contents["header"].tobytes().decode("utf-8"))
        edit_header(header)
        contents["header"] = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
    contents.update(arrays)
    for name in drop:
        del contents[name]
    buffer = io.BytesIO()
    np.savez(buffer, **contents)
    return buffer.getvalue()


@pytest.fixture
def model_bytes(classification_data):
    x, labels = classification_data
    return model_to_bytes(trained(x, labels, optimizer="adam"))


# ------------------------------------------------------------ round trips
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_save_load_predicts_identically(tmp_path, classification_data, optimizer_factory, dtype):
    x, labels = classification_data
    net = trained(x, labels, optimizer_factory(), dtype=dtype)
    path = tmp_path / "model.npz"
    net.save(str(path))
    loaded = NeuralNetwork.load(str(path))
    assert loaded.params.dtype == np.dtype(dtype)
    assert np.array_equal(loaded.predict(x), net.predict(x))
    assert np.array_equal(loaded.params, net.params)
    assert loaded.get_config() == net.get_config()
    assert type(loaded.optimizer) is type(net.optimizer)
    assert [name for name in os.listdir(tmp_path)] == ["model.npz"], "no temporary file left"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_resumed_training_continues_the_same_trajectory(classification_data, optimizer_factory,
                                                        dtype):
    x, labels = classification_data
    a = trained(x, labels, optimizer_factory(), dtype=dtype, epochs=2)
    b = NeuralNetwork.load(model_to_bytes(a))
    for key, value in a.optimizer.get_state().items():
        np.testing.assert_array_equal(b.optimizer.get_state()[key], value)
    a.fit(x, labels, batch_size=8, epochs=2, categorical=True)
    b.fit(x, labels, batch_size=8, epochs=2, categorical=True)
    assert np.array_equal(a.params, b.params), "optimizer or rng state was not restored"
    assert a.history["loss"] == b.history["loss"]
    assert len(b.history["loss"]) == 4


def test_resume_needs_the_rng_state(classification_data):
    """Control for the test above: without the saved rng state the shuffles differ."""
    x, labels = classification_data
    a = trained(x, labels, SGD(0.1))
    b = NeuralNetwork.load(model_to_bytes(a))
    b.rng = np.random.default_rng(12345)
    a.fit(x, labels, batch_size=8, epochs=1, categorical=True)
    b.fit(x, labels, batch_size=8, epochs=1, categorical=True)
    assert not np.array_equal(a.params, b.params)


def test_history_and_metadata_round_trip(classification_data):
    x, labels = classification_data
    net = NeuralNetwork([4, 6, 3], "relu", seed=0)
    net.fit(x[:40], labels[:40], batch_size=16, epochs=2, categorical=True,
            validation_data=(x[40:], labels[40:]))
    net.metadata = {"preprocessing": {"mean": [0.5, 1.5], "scale": 255}, "dataset": "blobs",
                    "classes": ["a", "b", "c"], "nested": {"ok": True, "none": None}}
    loaded = NeuralNetwork.load(model_to_bytes(net))
    assert loaded.metadata == net.metadata
    assert loaded.history == net.history
    assert loaded.history["samples_seen"] == 80
    assert len(loaded.history["batch_loss"]) == 6


def test_metadata_must_be_json(classification_data):
    net = NeuralNetwork([4, 3], seed=0)
    net.metadata = {"mean": np.float32(1.0)}
    with pytest.raises(ValueError, match="JSON-serialisable"):
        model_to_bytes(net)


def test_save_to_file_objects_and_load_from_bytes(tmp_path, classification_data):
    x, labels = classification_data
    net = trained(x, labels, "rmsprop")
    buffer = io.BytesIO()
    net.save(buffer)
    raw = model_to_bytes(net)
    assert buffer.getvalue()[:2] == b"PK" and raw[:2] == b"PK"
    expected = net.predict(x)
    for source in (raw, bytearray(raw), memoryview(raw), io.BytesIO(raw), buffer):
        assert np.array_equal(NeuralNetwork.load(source).predict(x), expected)
    path = tmp_path / "pathlib.npz"
    net.save(path)
    assert np.array_equal(NeuralNetwork.load(path).predict(x), expected)
    arrays = read_arrays(raw)
    assert set(arrays) >= {"header", "params", "batch_loss", "optimizer.iterations",
                           "optimizer.s"}
    np.testing.assert_array_equal(arrays["params"], net.params)


def test_tutorial_pairs_are_saved_by_name(classification_data):
    from mlp.activations import d_relu, d_softmax, relu, softmax
    from mlp.losses import categorical_crossentropy, d_categorical_crossentropy
    net = NeuralNetwork([4, 5, 3], (relu, d_relu), (softmax, d_softmax),
                        (categorical_crossentropy, d_categorical_crossentropy), SGD())
    config = NeuralNetwork.load(model_to_bytes(net)).get_config()
    assert config["hidden_activation"] == ["relu"]
    assert (config["output_activation"], config["loss"]) == ("softmax", "categorical_crossentropy")


def test_unregistered_pairs_and_optimizers_cannot_be_saved():
    custom = (np.tanh, lambda z: 1 - np.tanh(z) ** 2)
    with pytest.raises(ValueError, match="register it with mlp.registry.register_activation"):
        model_to_bytes(NeuralNetwork([2, 3, 2], custom))

    class Plain:
        def update(self, old_params, gradient):
            return old_params

    with pytest.raises(ValueError, match="has no get_config"):
        model_to_bytes(NeuralNetwork([2, 2], optimizer=Plain()))


def test_registered_custom_activation_round_trips(monkeypatch, classification_data):
    monkeypatch.setattr(registry, "HIDDEN_ACTIVATIONS", dict(registry.HIDDEN_ACTIVATIONS))
    softsign = (lambda z: z / (1 + np.abs(z)), lambda z: 1 / (1 + np.abs(z)) ** 2)
    registry.register_activation("softsign", *softsign)
    x, _ = classification_data
    net = NeuralNetwork([4, 5, 3], "softsign", seed=0)
    loaded = NeuralNetwork.load(model_to_bytes(net))
    assert loaded.hidden[0].name == "softsign"
    assert np.array_equal(loaded.predict(x), net.predict(x))


# ------------------------------------------------- save_params / load_params
def test_save_params_load_params_round_trip(tmp_path, classification_data):
    x, labels = classification_data
    net = trained(x, labels)
    path = tmp_path / "params.npz"
    net.save_params(path)
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == ["W0", "W1", "b0", "b1"]
        assert archive["W0"].shape == (4, 6) and archive["b1"].shape == (1, 3)
    other = NeuralNetwork([4, 6, 3], "tanh", seed=99)
    assert not np.array_equal(other.params, net.params)
    other.load_params(path)
    assert np.array_equal(other.params, net.params)
    assert np.array_equal(other.predict(x), net.predict(x))
    assert np.shares_memory(other.weights[0], other.params), "views must survive loading"


def test_load_params_shape_mismatch(tmp_path):
    path = tmp_path / "params.npz"
    NeuralNetwork([4, 6, 3], seed=0).save_params(path)
    with pytest.raises(ModelFileError, match=r"Array W0 has shape \(4, 6\); this network needs "
                                             r"\(4, 7\) \(layers \[4, 7, 3\]\)"):
        NeuralNetwork([4, 7, 3]).load_params(path)
    with pytest.raises(ModelFileError, match="Parameter file has no array 'W2'"):
        NeuralNetwork([4, 6, 3, 2]).load_params(path)


def test_load_params_refuses_bad_files(tmp_path):
    path = tmp_path / "junk.npz"
    path.write_bytes(b"not an archive")
    with pytest.raises(ModelFileError, match=NOT_A_MODEL):
        NeuralNetwork([4, 6, 3]).load_params(path)


def test_failed_load_params_leaves_the_network_unchanged(tmp_path):
    path = tmp_path / "params.npz"
    NeuralNetwork([4, 6, 3], seed=0).save_params(path)
    net = NeuralNetwork([4, 6, 5], seed=1)
    before = net.params.copy()
    with pytest.raises(ModelFileError, match="Array W1 has shape"):
        net.load_params(path)
    np.testing.assert_array_equal(net.params, before)


# ---------------------------------------------------------------- bad files
def test_truncated_file(tmp_path, model_bytes):
    path = tmp_path / "half.npz"
    path.write_bytes(model_bytes[:len(model_bytes) // 2])
    with pytest.raises(ModelFileError, match=NOT_A_MODEL):
        NeuralNetwork.load(path)
    with pytest.raises(ModelFileError, match=NOT_A_MODEL):
        NeuralNetwork.load(model_bytes[:-10])


@pytest.mark.parametrize("raw", [
    b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(40),
    b"layers: 784, 100, 10\nthis is a text file\n",
    b"",
], ids=["png", "text", "empty"])
def test_not_an_npz_file(tmp_path, raw):
    path = tmp_path / "model.npz"
    path.write_bytes(raw)
    with pytest.raises(ModelFileError, match=NOT_A_MODEL):
        NeuralNetwork.load(path)
    with pytest.raises(ModelFileError, match=NOT_A_MODEL):
        NeuralNetwork.load(raw)


def test_a_plain_npy_file_is_not_a_model(tmp_path):
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(3))
    with pytest.raises(ModelFileError, match=NOT_A_MODEL):
        NeuralNetwork.load(buffer.getvalue())


def test_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="No such model file"):
        NeuralNetwork.load(tmp_path / "nowhere.npz")


class RunsCodeWhenUnpickled:
    def __reduce__(self):
        return exec, ("import os; os.environ['MLP_TEST_UNPICKLED'] = 'yes'",)


@pytest.mark.parametrize("key", ["header", "extra"])
def test_object_arrays_are_refused_without_unpickling(monkeypatch, model_bytes, key):
    monkeypatch.delenv("MLP_TEST_UNPICKLED", raising=False)
    evil = np.array([RunsCodeWhenUnpickled()], dtype=object)
    raw = rewrite(model_bytes, **{key: evil})
    with pytest.raises(ModelFileError, match="contains object arrays.*refused"):
        NeuralNetwork.load(raw)
    with pytest.raises(ModelFileError, match="object arrays"):
        read_arrays(raw)
    assert "MLP_TEST_UNPICKLED" not in os.environ, "the file's pickle was executed"


def test_params_of_the_wrong_length(model_bytes):
    params = read_arrays(model_bytes)["params"]
    for wrong in (params[:-1], np.concatenate([params, [0.0]]), params.reshape(1, -1)):
        with pytest.raises(ModelFileError,
                           match=r"parameter array has shape .* need a float vector of shape "
                                 rf"\({N_PARAMS},\)"):
            NeuralNetwork.load(rewrite(model_bytes, params=wrong))
    with pytest.raises(ModelFileError, match="dtype int64"):
        NeuralNetwork.load(rewrite(model_bytes, params=np.zeros(N_PARAMS, dtype=np.int64)))


@pytest.mark.parametrize("field, value, match", [
    ("hidden_activation", ["swish"], r"Could not interpret hidden activation identifier 'swish'"),
    ("output_activation", "softermax", r"Could not interpret output activation identifier"),
    ("loss", "hinge", r"Could not interpret loss identifier 'hinge'"),
    ("optimizer", {"name": "lion", "learning_rate": 0.1},
     r"Could not interpret optimizer identifier 'lion'"),
    ("optimizer", {"name": "sgd", "learning_rate": -5}, "learning_rate must be finite"),
    ("layers", [4, "six", 3], "Layer sizes must be whole numbers"),
    ("dtype", "float16", "dtype must be 'float32' or 'float64'"),
])
def test_unknown_names_in_the_header(model_bytes, field, value, match):
    def edit(header):
        header["config"][field] = value
    with pytest.raises(ModelFileError, match="describes an invalid network: " + match):
        NeuralNetwork.load(rewrite(model_bytes, edit))


@pytest.mark.parametrize("edit, match", [
    (lambda h: h.update(format="keras"), "not an MLP Studio model file"),
    (lambda h: h.pop("format"), "not an MLP Studio model file"),
    (lambda h: h.update(version=2), "Model file version 2 is not supported"),
    (lambda h: h.update(version="1"), "Model file version '1' is not supported"),
    (lambda h: h.pop("config"), "has no network config"),
    (lambda h: h.update(metadata=[1, 2]), "metadata must be a JSON object"),
    (lambda h: h.update(history={"loss": 3}), "History entry 'loss' must be a list"),
    (lambda h: h["history"].update(loss=[1.0]), "history lists have different lengths"),
    (lambda h: h.update(rng_state={"bit_generator": "PCG64"}), "invalid random-generator state"),
])
def test_bad_headers(model_bytes, edit, match):
    with pytest.raises(ModelFileError, match=match):
        NeuralNetwork.load(rewrite(model_bytes, edit))


@pytest.mark.parametrize("header, match", [
    (b"{not json", "header is not valid JSON"),
    (b"\xff\xfe\x00", "header is not valid JSON"),
    (b"[1, 2, 3]", "not an MLP Studio model file"),
])
def test_invalid_json_header(model_bytes, header, match):
    raw = rewrite(model_bytes, header=np.frombuffer(header, dtype=np.uint8))
    with pytest.raises(ModelFileError, match=match):
        NeuralNetwork.load(raw)


def test_header_of_the_wrong_dtype(model_bytes):
    header = read_arrays(model_bytes)["header"]
    with pytest.raises(ModelFileError, match="header is not a UTF-8 byte array"):
        NeuralNetwork.load(rewrite(model_bytes, header=header.astype(np.float64)))


@pytest.mark.parametrize("name", ["params", "header"])
def test_missing_arrays(model_bytes, name):
    with pytest.raises(ModelFileError, match=f"has no '{name}' array; it is incomplete"):
        NeuralNetwork.load(rewrite(model_bytes, drop=[name]))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_params(model_bytes, bad):
    params = read_arrays(model_bytes)["params"].copy()
    params[5] = bad
    with pytest.raises(ModelFileError, match="parameter array contains NaN or infinite"):
        NeuralNetwork.load(rewrite(model_bytes, params=params))


def test_bad_optimizer_state(model_bytes):
    with pytest.raises(ModelFileError, match=r"Optimizer state 'm' has shape \(3,\)"):
        NeuralNetwork.load(rewrite(model_bytes, **{"optimizer.m": np.zeros(3)}))
    with pytest.raises(ModelFileError, match=r"optimizer state is invalid: Unknown state"):
        NeuralNetwork.load(rewrite(model_bytes, **{"optimizer.velocity": np.zeros(N_PARAMS)}))


def test_archive_over_max_bytes(tmp_path, model_bytes):
    size = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(model_bytes)).infolist())
    path = tmp_path / "model.npz"
    path.write_bytes(model_bytes)
    with pytest.raises(ModelFileError, match=rf"would unpack to {size:,} bytes, over the limit "
                                             r"of 1,000 bytes"):
        NeuralNetwork.load(path, max_bytes=1000)
    with pytest.raises(ModelFileError, match="over the limit"):
        read_arrays(model_bytes, max_bytes=size - 1)
    assert NeuralNetwork.load(path, max_bytes=size).n_params == N_PARAMS


def test_zip_bomb_is_refused_before_unpacking(tmp_path):
    """A small file that deflates to 64 MiB of zeros is refused by its declared size."""
    path = tmp_path / "bomb.npz"
    with (zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
          archive.open("params.npy", "w", force_zip64=True) as member):
        np.lib.format.write_array_header_1_0(
            member, {"descr": "<f8", "fortran_order": False, "shape": (8 * 2 ** 20,)})
        chunk = bytes(2 ** 20)
        for _ in range(64):
            member.write(chunk)
    assert path.stat().st_size < 2 ** 20
    with pytest.raises(ModelFileError, match="over the limit of 16,777,216 bytes"):
        NeuralNetwork.load(path, max_bytes=16 * 2 ** 20)


# ------------------------------------------------------------------ bugs
def _npy_header_only(shape):
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": "<f8", "fortran_order": False, "shape": shape})
    return buffer.getvalue() + bytes(64)


def test_npy_header_claiming_a_huge_array_is_refused(model_bytes):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("header.npy", _npy_header_only((3,)))
        archive.writestr("params.npy", _npy_header_only((10 ** 15,)))
    with pytest.raises(ModelFileError):
        NeuralNetwork.load(buffer.getvalue())


@pytest.mark.parametrize("value", [-5, 2 ** 200], ids=["negative", "too_large"])
def test_rng_state_with_out_of_range_integers(model_bytes, value):
    def edit(header):
        header["rng_state"]["state"]["state"] = value
    with pytest.raises(ModelFileError, match="invalid random-generator state"):
        NeuralNetwork.load(rewrite(model_bytes, edit))


@pytest.mark.parametrize("case", ["samples_seen_text", "samples_seen_null", "batch_loss_text"])
def test_bad_history_arrays(model_bytes, case):
    if case == "batch_loss_text":
        raw = rewrite(model_bytes, batch_loss=np.array(["a", "b"]))
    else:
        value = "abc" if case == "samples_seen_text" else None
        raw = rewrite(model_bytes, lambda h: h.update(samples_seen=value))
    with pytest.raises(ModelFileError):
        NeuralNetwork.load(raw)


@pytest.mark.parametrize("value", [np.array(["x"] * N_PARAMS), np.full(N_PARAMS, np.nan)],
                         ids=["text", "nan"])
def test_optimizer_state_must_be_finite_floats(model_bytes, value):
    """A text or NaN momentum array would load and then break or poison training."""
    with pytest.raises(ModelFileError, match="(?i)optimizer state .m. must hold finite"):
        NeuralNetwork.load(rewrite(model_bytes, **{"optimizer.m": value}))


def test_numpy_integer_seed_can_be_saved():
    """Seeds often come from rng.integers(); a NumPy integer must not break the JSON header."""
    net = NeuralNetwork([3, 2], seed=np.int64(7))
    loaded = NeuralNetwork.load(model_to_bytes(net))
    assert loaded.seed == 7
    np.testing.assert_array_equal(loaded.params, net.params)


def test_model_file_error_is_a_value_error():
    assert issubclass(mlp.ModelFileError, ValueError)
