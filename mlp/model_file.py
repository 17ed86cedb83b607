"""Whole-model files: one ``.npz`` archive with a JSON header, never pickle.

Layout of the archive:

* ``header`` -- uint8 array holding UTF-8 JSON: format name and version, the
  network's config (layers, activation / loss / optimizer names and settings,
  dtype, L2, seed), the random generator's state, the per-epoch history and
  ``metadata`` (for example the preprocessing the model was trained with).
* ``params`` -- the flat parameter vector, shape (n_params,).
* ``optimizer.<slot>`` -- the optimizer's state arrays (momentum, moments, step count).
* ``batch_loss`` -- the per-batch training losses, shape (n_batches_seen,).

Reading uses ``allow_pickle=False`` and checks every name and shape; any problem
raises :class:`mlp.errors.ModelFileError` saying what is wrong.
"""

import io
import json
import os
import tempfile
import zipfile

import numpy as np

from mlp.errors import ModelFileError

FORMAT = "mlp-studio-model"
VERSION = 1
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
_HISTORY_EPOCH_KEYS = ("loss", "metric", "val_loss", "val_metric", "epoch_seconds")


def save_model(network, path):
    """Write ``network`` to ``path`` (a filename, written atomically, or a binary file object)."""
    config = network.get_config()
    history = network.history
    header = {
        "format": FORMAT, "version": VERSION, "config": config,
        "rng_state": _jsonable(network.rng.bit_generator.state),
        "history": {key: list(history[key]) for key in _HISTORY_EPOCH_KEYS},
        "samples_seen": int(history["samples_seen"]),
        "metadata": network.metadata,
    }
    try:
        header_bytes = json.dumps(header, allow_nan=True).encode("utf-8")
    except TypeError as exc:
        raise ValueError(f"Model metadata must be JSON-serialisable: {exc}") from None
    arrays = {"header": np.frombuffer(header_bytes, dtype=np.uint8), "params": network.params,
              "batch_loss": np.asarray(history["batch_loss"], dtype=np.float64)}
    get_state = getattr(network.optimizer, "get_state", None)
    for slot, value in (get_state() if get_state else {}).items():
        arrays[f"optimizer.{slot}"] = np.asarray(value)
    if hasattr(path, "write"):
        np.savez(path, **arrays)
        return
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def model_to_bytes(network):
    """The model file as bytes (for a download button)."""
    buffer = io.BytesIO()
    save_model(network, buffer)
    return buffer.getvalue()


def read_arrays(source, max_bytes=None):
    """Read every array of an ``.npz`` archive without pickle, as a dict of ndarrays.

    ``source`` is a path, bytes or a binary file object. Each member's ``.npy``
    header is checked before any data is read, so a tiny file that claims a huge
    shape is refused instead of allocated. Raises ModelFileError for a file that
    is not an npz archive, is truncated, holds object arrays or would unpack to
    more than ``max_bytes``.
    """
    max_bytes = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    if isinstance(source, (bytes, bytearray, memoryview)):
        source = io.BytesIO(bytes(source))
    try:
        if hasattr(source, "seek"):
            source.seek(0)
        with zipfile.ZipFile(source) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            total = sum(info.file_size for info in members)
            if total > max_bytes:
                raise ModelFileError(
                    f"The model file would unpack to {total:,} bytes, over the limit of "
                    f"{max_bytes:,} bytes.")
            return {_array_name(info): _read_member(archive, info) for info in members}
    except ModelFileError:
        raise
    except FileNotFoundError:
        raise ModelFileError(f"No such model file: {source!r}") from None
    except zipfile.BadZipFile:
        raise ModelFileError(
            "This is not a model file, or it is truncated: expected an .npz archive "
            "saved by MLP Studio.") from None
    except (ValueError, OSError, EOFError, zipfile.LargeZipFile, KeyError, MemoryError) as exc:
        raise ModelFileError(f"The model file is truncated or corrupted: {exc}") from None


def _array_name(info):
    if not info.filename.endswith(".npy"):
        raise ModelFileError(f"The archive holds {info.filename!r}, which is not an array.")
    return info.filename[:-4]


def _read_member(archive, info):
    """One ``.npy`` member, its header checked against the member's real size first."""
    with archive.open(info) as fh:
        version = np.lib.format.read_magic(fh)
        reader = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                  else np.lib.format.read_array_header_2_0)
        shape, fortran_order, dtype = reader(fh)
        if dtype.hasobject:
            raise ModelFileError(
                "The model file contains object arrays, which could run code when loaded; "
                "it is refused.")
        n_bytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
        if n_bytes > info.file_size:
            raise ModelFileError(
                f"Array {info.filename!r} claims {n_bytes:,} bytes but holds {info.file_size:,}; "
                "the file is truncated or corrupted.")
        data = fh.read(n_bytes)
    if len(data) != n_bytes:
        raise ModelFileError(f"Array {info.filename!r} is truncated.")
    array = np.frombuffer(data, dtype=dtype)
    order = "F" if fortran_order else "C"
    return array.reshape(shape, order=order).copy(order="C")


def load_model(source, max_bytes=None):
    """Read a model written by :func:`save_model` and return a ready :class:`NeuralNetwork`."""
    from mlp.network import NeuralNetwork

    arrays = read_arrays(source, max_bytes)
    header = _read_header(arrays)
    config = header["config"]
    try:
        network = NeuralNetwork.from_config(config)
    except (ValueError, TypeError, KeyError) as exc:
        raise ModelFileError(f"The model file describes an invalid network: {exc}") from None
    params = _require(arrays, "params")
    if params.shape != network.params.shape or params.dtype.kind != "f":
        raise ModelFileError(
            f"The parameter array has shape {params.shape} and dtype {params.dtype}; layers "
            f"{network.layers} need a float vector of shape {network.params.shape}.")
    if not np.isfinite(params).all():
        raise ModelFileError("The parameter array contains NaN or infinite values.")
    network.params[...] = params
    _restore_optimizer(network, arrays)
    _restore_history(network, header, arrays)
    try:
        network.rng.bit_generator.state = header["rng_state"]
    except (TypeError, ValueError, KeyError, OverflowError) as exc:
        raise ModelFileError(f"The model file has an invalid random-generator state: {exc}") from None
    network.metadata = header.get("metadata") or {}
    return network


def _read_header(arrays):
    raw = _require(arrays, "header")
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise ModelFileError("The model file's header is not a UTF-8 byte array.")
    try:
        header = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"The model file's header is not valid JSON: {exc}") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelFileError("This .npz archive is not an MLP Studio model file.")
    if header.get("version") != VERSION:
        raise ModelFileError(
            f"Model file version {header.get('version')!r} is not supported (expected {VERSION}).")
    if not isinstance(header.get("config"), dict):
        raise ModelFileError("The model file's header has no network config.")
    if not isinstance(header.get("metadata", {}), dict):
        raise ModelFileError("The model file's metadata must be a JSON object.")
    return header


def _require(arrays, name):
    if name not in arrays:
        raise ModelFileError(f"The model file has no {name!r} array; it is incomplete.")
    return arrays[name]


def _restore_optimizer(network, arrays):
    state = {key.split(".", 1)[1]: value for key, value in arrays.items()
             if key.startswith("optimizer.")}
    for slot, value in state.items():
        if slot == "iterations":
            if value.shape != () or value.dtype.kind not in "iu" or int(value) < 0:
                raise ModelFileError("The optimizer's step count must be a non-negative integer.")
            continue
        if value.shape != network.params.shape:
            raise ModelFileError(
                f"Optimizer state {slot!r} has shape {value.shape}; expected "
                f"{network.params.shape}.")
        if value.dtype.kind != "f" or not np.isfinite(value).all():
            raise ModelFileError(
                f"The optimizer state {slot!r} must hold finite floating-point numbers.")
    try:
        network.optimizer.set_state(state)
    except (ValueError, TypeError) as exc:
        raise ModelFileError(f"The model file's optimizer state is invalid: {exc}") from None


def _restore_history(network, header, arrays):
    history = header.get("history", {})
    if not isinstance(history, dict):
        raise ModelFileError("The model file's history must be a JSON object.")
    lengths = set()
    for key in _HISTORY_EPOCH_KEYS:
        values = history.get(key, [])
        if not isinstance(values, list):
            raise ModelFileError(f"History entry {key!r} must be a list.")
        if not all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
                   for v in values):
            raise ModelFileError(f"History entry {key!r} must hold numbers.")
        network.history[key] = list(values)
        lengths.add(len(values))
    if len(lengths) > 1:
        raise ModelFileError("The model file's history lists have different lengths.")
    batch_loss = arrays.get("batch_loss", np.zeros(0))
    if batch_loss.ndim != 1 or batch_loss.dtype.kind not in "fiu":
        raise ModelFileError("The model file's batch losses must be a 1-D array of numbers.")
    samples_seen = header.get("samples_seen", 0)
    if isinstance(samples_seen, bool) or not isinstance(samples_seen, int) or samples_seen < 0:
        raise ModelFileError("The model file's sample count must be a non-negative integer.")
    network.history["batch_loss"] = batch_loss.astype(float).tolist()
    network.history["samples_seen"] = samples_seen


def _jsonable(value):
    """Convert numpy scalars inside nested dicts to plain Python values."""
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value
