"""What the buttons do: build, reset, upload and download models.

Plain functions over :mod:`studio.state`; the pages bind them to buttons. A
failed action raises ``ValueError`` with a message for the user and leaves the
session's current model as it was.
"""

import io

from data import DATASETS, Preprocessing
from mlp import ModelFileError, NeuralNetwork
from mlp.model_file import model_to_bytes
from studio import limits
from studio.model_record import build_record, matches_dataset
from studio.spec import ModelSpec, SpecError
from studio.ui import datasets, state

MAX_MODEL_BYTES = 64 * 1024 * 1024


def build(spec, progress=None):
    """Build a fresh model for ``spec``, make it current and return it.

    The previous model's job is stopped; the model itself stays in the session's
    runs for comparison.
    """
    csv = state.get("csv_dataset")
    info = datasets.dataset_info(spec, csv)
    spec.validate(info.n_features, info.n_classes or 1, info.task)
    return _make_current(spec, datasets.prepared(spec, csv, progress))


def reset():
    """Replace the current model by a freshly initialised one with the same spec."""
    record = state.get("model")
    if record is None:
        return None
    return _make_current(record.spec, record.prepared)


def _make_current(spec, prepared, network=None):
    """A new record for this session (its job bound to the session and the server's limits),
    made current; the previous model's job is stopped."""
    record = build_record(spec, prepared, state.scheduler(), network=network,
                          owner_alive=state.owner_alive_check(),
                          time_limit=limits.max_job_seconds())
    current = state.get("model")
    if current is not None:
        current.job.stop()
    state.set_model(record)
    return record


def model_bytes(record):
    """The current model as a downloadable file (weights, optimizer, history, preprocessing).

    While the job trains, the worker's current state (weights and optimizer) is saved.
    """
    return model_to_bytes(record.job.network_copy(full=True))


def upload(data, progress=None):
    """Load an uploaded model file and make it current; raise ValueError on any problem.

    The file must be an MLP Studio model carrying the spec and preprocessing it
    was trained with; the data it names must be available (an uploaded CSV
    must be loaded first).
    """
    if len(data) > MAX_MODEL_BYTES:
        raise ValueError(f"The file is {len(data):,} bytes; model files are limited to "
                         f"{MAX_MODEL_BYTES:,} bytes.")
    try:
        network = NeuralNetwork.load(io.BytesIO(data), max_bytes=4 * MAX_MODEL_BYTES)
    except ModelFileError as exc:
        raise ValueError(f"This file cannot be used as a model: {exc}") from None
    spec, preprocessing = _read_metadata(network)
    csv = state.get("csv_dataset")
    try:
        info = datasets.dataset_info(spec, csv)
    except ValueError:
        raise ValueError("This model was trained on an uploaded CSV file: upload that file on "
                         "the Build page first, then the model.") from None
    if not matches_dataset(network, info):
        raise ValueError(f"The model's layers {network.layers} do not fit the dataset "
                         f"{info.name} ({info.n_features} inputs).")
    if network.n_params > limits.MAX_PARAMS:
        raise ValueError(f"The model has {network.n_params:,} parameters; this server allows "
                         f"{limits.MAX_PARAMS:,}.")
    prepared = datasets.prepared(spec, csv, progress)
    if preprocessing.to_dict() != prepared.preprocessing.to_dict():
        raise ValueError("The model was trained with a different input scaling than this "
                         "server's copy of the data gives; it cannot be evaluated here.")
    return _make_current(spec, prepared, network)


def _read_metadata(network):
    metadata = network.metadata or {}
    if "spec" not in metadata or "preprocessing" not in metadata:
        raise ValueError("This model file has no training settings or preprocessing; only "
                         "models saved by MLP Studio's dashboard can be loaded here.")
    try:
        spec = ModelSpec.from_dict(metadata["spec"])
        preprocessing = Preprocessing.from_dict(metadata["preprocessing"])
    except (SpecError, ValueError, TypeError) as exc:
        raise ValueError(f"The model file's settings are invalid: {exc}") from None
    if spec.dataset not in DATASETS and spec.dataset != datasets.CSV_KEY:
        raise ValueError(f"The model file names a dataset this app does not have: "
                         f"{str(spec.dataset)[:80]!r}.")
    return spec, preprocessing
