"""The model a session works with: network, the spec it was built from, its data and its job."""

from dataclasses import dataclass, field
from itertools import count

from data import DatasetInfo, PreparedData, Preprocessing
from mlp import NeuralNetwork
from studio.jobs import TrainingData, TrainingJob
from studio.spec import ModelSpec

_run_ids = count(1)


@dataclass
class ModelRecord:
    """Everything that belongs to one built, loaded or uploaded model.

    ``info`` and ``preprocessing`` say what the model reads (enough to draw on it).
    ``prepared`` holds the scaled train / validation / test splits (views into the
    server's shared data); it is None for a model loaded before its data (a trained
    preset of MNIST before the download), until :func:`attach_data`. ``job``
    trains ``network`` in place; ``evaluation`` keeps the Evaluate page's results
    for the weights they were computed from.
    """

    network: NeuralNetwork
    spec: ModelSpec
    info: DatasetInfo
    preprocessing: Preprocessing
    job: TrainingJob
    prepared: PreparedData | None = None
    run_id: int = field(default_factory=lambda: next(_run_ids))
    evaluation: tuple | None = field(default=None, repr=False)  # (samples_seen, results)

    @property
    def task(self):
        return self.info.task

    @property
    def has_data(self):
        return self.prepared is not None

    @property
    def is_trained(self):
        """True once at least one batch has been trained (or the model came trained)."""
        return self.network.history["samples_seen"] > 0

    @property
    def label(self):
        hidden = "-".join(str(h) for h in self.spec.hidden_layers) or "no hidden"
        return f"Run {self.run_id}: {self.info.name}, {hidden}, {self.spec.optimizer}"


def training_data(prepared):
    """The job's arrays: labels for classifiers (one-hot per batch), targets otherwise."""
    categorical = prepared.info.task == "classification"
    x_val = prepared.x_val if len(prepared.x_val) else None
    target = prepared.preprocessing.scale_target  # identity unless the target is standardised
    y_val = target(prepared.y_val) if x_val is not None else None
    return TrainingData(prepared.x_train, target(prepared.y_train), x_val, y_val,
                        categorical=categorical)


def build_record(spec, prepared, scheduler, *, network=None, owner_alive=None, time_limit=900.0):
    """A fresh record: the network described by ``spec`` (or the given one) and an idle job."""
    record = model_record(spec, prepared.info, prepared.preprocessing, scheduler,
                          network=network, owner_alive=owner_alive, time_limit=time_limit)
    attach_data(record, prepared)
    return record


def model_record(spec, info, preprocessing, scheduler, *, network=None, owner_alive=None,
                 time_limit=900.0):
    """A record without data yet: its job cannot train until :func:`attach_data` (which
    also sets a linear schedule's length, see :func:`fit_schedule`)."""
    n_outputs = info.n_classes if info.task == "classification" else 1
    if network is None:
        network = spec.build(info.n_features, n_outputs)
    network.metadata = {**(network.metadata or {}), "spec": spec.to_dict(),
                        "preprocessing": preprocessing.to_dict()}
    job = TrainingJob(network, None, spec.batch_size, spec.epochs, scheduler,
                      owner_alive=owner_alive, time_limit=time_limit,
                      early_stopping=spec.early_stopping)
    return ModelRecord(network, spec, info, preprocessing, job)


def check_scaling(preprocessing, prepared):
    """ValueError unless ``prepared`` was scaled exactly as a model with ``preprocessing`` was."""
    if prepared.preprocessing.to_dict() != preprocessing.to_dict():
        raise ValueError("The model was trained with a different input scaling than this "
                         "server's copy of the data gives; it cannot be evaluated here.")


def attach_data(record, prepared):
    """Give ``record`` its splits; the preprocessing must be the one it was trained with."""
    check_scaling(record.preprocessing, prepared)
    record.prepared = prepared
    record.job.data = training_data(prepared)
    record.evaluation = None
    fit_schedule(record)


def fit_schedule(record):
    """Make a linear learning-rate schedule reach zero at the job's target epochs.

    Called when the data is attached and when the target changes: the number of
    updates it spans depends on both. The rate follows the updates made so far, so
    a target raised after training continues from a rate above zero again.
    """
    optimizer = record.network.optimizer
    if record.spec.lr_schedule == "linear" and record.job.data is not None \
            and hasattr(optimizer, "decay_steps"):
        optimizer.decay_steps = record.spec.decay_steps(len(record.job.data.x_train),
                                                        record.job.target_epochs)


def run_summary(record):
    """A row for the runs table and the overlaid curves: config, final metrics, curves."""
    history = record.job.snapshot().history
    last = lambda key: next((v for v in reversed(history[key]) if v is not None), None)  # noqa: E731
    spec = record.spec
    return {"run_id": record.run_id, "label": record.label, "dataset": record.info.name,
            "hidden": ", ".join(f"{u} {a}" for u, a in zip(spec.hidden_layers,
                                                           spec.hidden_activations)),
            "optimizer": spec.optimizer, "learning_rate": spec.learning_rate,
            "batch_size": spec.batch_size, "epochs": len(history["loss"]),
            "loss": list(history["loss"]), "val_loss": list(history["val_loss"]),
            "final_loss": last("loss"), "final_val_loss": last("val_loss"),
            "final_val_metric": last("val_metric"), "params": int(record.network.n_params),
            "task": record.task}


def matches_dataset(network, info):
    """Whether ``network``'s input and output sizes fit dataset ``info``."""
    n_outputs = info.n_classes if info.task == "classification" else 1
    return network.n_inputs == info.n_features and network.n_outputs == n_outputs

