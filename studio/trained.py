"""Presets that come trained: model files in the repository, made from the presets themselves.

Each file in ``studio/trained/`` is an ordinary model file (``.npz`` with a JSON
header, no pickle) whose metadata holds the preset's spec, the fitted
preprocessing and the test metric it scored when it was made. :func:`train_all`
makes them -- the preset's own settings and seed, its dataset's own splits -- and
``python -m studio.presets --train`` runs it. Loading one takes a fraction of a
second and needs no data: the preprocessing travels in the file.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from data import DATASETS, Preprocessing, load_dataset, prepare
from data.toy import TOY_GENERATORS
from mlp import ModelFileError, NeuralNetwork
from mlp.model_file import save_model
from studio.metrics import evaluate_split
from studio.model_record import training_data
from studio.presets import TRAINED_PRESETS, preset
from studio.spec import ModelSpec

TRAINED_DIR = Path(__file__).resolve().parent / "trained"


@dataclass
class TrainedPreset:
    """A trained preset as loaded: the network and what it was made from."""

    name: str
    network: NeuralNetwork
    spec: ModelSpec
    preprocessing: Preprocessing
    metric_name: str     # "accuracy" or "mse"
    metric: float        # on the dataset's test split, when the file was made

    @property
    def info(self):
        return DATASETS[self.spec.dataset]

    def describe(self):
        """E.g. "test accuracy 97.8%" or "test MSE 0.271"."""
        if self.metric_name == "accuracy":
            return f"test accuracy {self.metric:.1%}"
        return f"test MSE {self.metric:.3f}"


def file_name(name):
    """The file a preset is kept in: its name in lower case, words joined by dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return f"{slug}.npz"


def path_of(name, directory=TRAINED_DIR):
    if name not in TRAINED_PRESETS:
        raise ValueError(f"{name!r} does not come trained. Trained presets: "
                         f"{', '.join(TRAINED_PRESETS)}.")
    return Path(directory) / file_name(name)


def load_trained(name, directory=TRAINED_DIR):
    """Load the trained preset ``name``; ``ModelFileError`` if its file is missing or wrong."""
    path = path_of(name, directory)
    if not path.is_file():
        raise ModelFileError(f"The trained preset {name!r} has no file ({path.name}); make it "
                             "with: python -m studio.presets --train")
    network = NeuralNetwork.load(path)
    meta = network.metadata or {}
    try:
        spec = ModelSpec.from_dict(meta["spec"])
        preprocessing = Preprocessing.from_dict(meta["preprocessing"])
        metric = meta["test_metric"]
        return TrainedPreset(name, network, spec, preprocessing, str(metric["name"]),
                             float(metric["value"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{path.name} is not a trained preset's file: {exc}") from None


def score(network, prepared):
    """``(metric name, value)`` of ``network`` on the test split (accuracy or MSE)."""
    info = prepared.info
    result = evaluate_split(network, prepared.x_test, prepared.y_test, info.task,
                            list(info.class_names) or None, prepared.preprocessing)
    if info.task == "classification":
        return "accuracy", float(result["accuracy"])
    return "mse", float(result["metrics"]["mse"])


def prepare_for(spec, data_dir=None):
    """The preset's data, split and scaled as the dashboard does for ``spec``."""
    options = ({"seed": spec.seed, "noise": spec.noise, "n_samples": spec.n_samples}
               if spec.dataset in TOY_GENERATORS else {})
    dataset = load_dataset(spec.dataset, data_dir=data_dir, **options)
    return prepare(dataset, scaling=spec.scaling, val_fraction=spec.val_fraction,
                   test_fraction=spec.test_fraction, seed=spec.seed, dtype=np.dtype(spec.dtype))


def train_one(name, data_dir=None):
    """Train preset ``name`` as the dashboard would; return ``(network, metric name, value)``."""
    spec = preset(name)
    prepared = prepare_for(spec, data_dir)
    info = prepared.info
    network = spec.build(info.n_features, info.n_classes if info.task == "classification" else 1,
                         len(prepared.x_train))
    data = training_data(prepared)  # the arrays a job of the dashboard trains on
    validation = (data.x_val, data.y_val) if data.x_val is not None else None
    network.fit(data.x_train, data.y_train, spec.batch_size, spec.epochs,
                categorical=data.categorical, validation_data=validation,
                early_stopping=(spec.early_stopping or None) if validation else None)
    metric_name, value = score(network, prepared)
    network.metadata = {"spec": spec.to_dict(), "preprocessing": prepared.preprocessing.to_dict(),
                        "test_metric": {"name": metric_name, "value": value, "split": "test"}}
    return network, metric_name, value


def train_all(data_dir=None, directory=TRAINED_DIR, names=None, report=print):
    """Make the file of every trained preset (or of ``names``) in ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name in names or TRAINED_PRESETS:
        network, metric_name, value = train_one(name, data_dir)
        path = path_of(name, directory)
        save_model(network, path)
        path.chmod(0o644)  # a file of the repository, readable by all
        report(f"{name}: test {metric_name} {value:.4f} -> {path_of(name, directory)}")
