"""What the buttons do: build, reset, load and download models, and load their data.

Plain functions over :mod:`studio.state`; the pages bind them to buttons. A
failed action raises ``ValueError`` with a message for the user and leaves the
session's current model as it was.
"""

import io

from data import DATASETS, Preprocessing
from mlp import ModelFileError, NeuralNetwork
from mlp.model_file import model_to_bytes
from studio import limits
from studio.model_record import (attach_data, build_record, check_scaling, matches_dataset,
                                 model_record)
from studio.spec import ModelSpec, SpecError
from studio.trained import load_trained as load_trained_preset
from studio.ui import datasets, state

MAX_MODEL_BYTES = 64_000_000  # 64 MB, in the decimal megabytes the uploader shows


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
    if record.has_data:
        return _make_current(record.spec, record.prepared)
    return _make_current_without_data(record.spec, record.info, record.preprocessing)


def _new_record(spec, prepared=None, network=None, info=None, preprocessing=None):
    """A record for this session (its job bound to the session and the server's limits)."""
    options = {"network": network, "owner_alive": state.owner_alive_check(),
               "time_limit": limits.max_job_seconds()}
    if prepared is not None:
        return build_record(spec, prepared, state.scheduler(), **options)
    return model_record(spec, info, preprocessing, state.scheduler(), **options)


def _make_current(spec, prepared, network=None):
    """A new record for ``spec`` on ``prepared``, made current (the previous job stops)."""
    return _replace_current(_new_record(spec, prepared, network))


def _make_current_without_data(spec, info, preprocessing, network=None):
    """A new record whose data is not loaded yet (see :func:`ensure_data`), made current."""
    return _replace_current(_new_record(spec, network=network, info=info,
                                        preprocessing=preprocessing))


def _replace_current(record):
    current = state.get("model")
    if current is not None:
        current.job.stop()
    state.set_model(record)
    return record


def ensure_data(record, progress=None):
    """Load ``record``'s data if it has none yet (downloading it if need be); return record."""
    if not record.has_data:
        attach_data(record, datasets.prepared(record.spec, state.get("csv_dataset"), progress))
    return record


def load_trained(name, progress=None):
    """Make the trained preset ``name`` the current model; its data comes along if it is here.

    Raises ValueError when the preset has no usable file.
    """
    try:
        trained = load_trained_preset(name)
    except ModelFileError as exc:
        raise ValueError(str(exc)) from None
    return _load_network(trained.spec, trained.preprocessing, trained.network, progress)


def _load_network(spec, preprocessing, network, progress=None):
    """Make ``network`` current, with its data when it is available without a download."""
    csv = state.get("csv_dataset")
    info = datasets.dataset_info(spec, csv)
    if datasets.available_locally(spec, csv):
        prepared = datasets.prepared(spec, csv, progress)
        check_scaling(preprocessing, prepared)
        return _make_current(spec, prepared, network)
    return _make_current_without_data(spec, info, preprocessing, network)


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
        raise ValueError(f"The file is {len(data) / 1e6:.1f} MB; model files are limited to "
                         f"{MAX_MODEL_BYTES / 1e6:.0f} MB.")
    try:
        network = NeuralNetwork.load(io.BytesIO(data), max_bytes=4 * MAX_MODEL_BYTES)
    except ModelFileError as exc:
        raise ValueError(f"This file cannot be used as a model: {exc}") from None
    spec, preprocessing = _read_metadata(network)
    csv = state.get("csv_dataset")
    table_model = spec.dataset == datasets.CSV_KEY
    if table_model and not datasets.same_table(csv, preprocessing):
        csv = None  # its training file is not here: it predicts new rows, and draws nothing
    info = (datasets.dataset_info(spec, csv) if csv is not None or not table_model
            else datasets.info_from_preprocessing(preprocessing))
    if not matches_dataset(network, info):
        raise ValueError(f"The model's layers {network.layers} do not fit the dataset "
                         f"{info.name} ({info.n_features} inputs).")
    if network.n_params > limits.MAX_PARAMS:
        raise ValueError(f"The model has {network.n_params:,} parameters; this server allows "
                         f"{limits.MAX_PARAMS:,}.")
    if table_model and csv is None:
        return _make_current_without_data(spec, info, preprocessing, network)
    return _load_network(spec, preprocessing, network, progress)


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
