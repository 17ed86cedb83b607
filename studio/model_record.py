"""The model a session works with: network, the spec it was built from, its data and its job."""

from dataclasses import dataclass, field
from itertools import count

from data import PreparedData
from mlp import NeuralNetwork
from studio.jobs import TrainingData, TrainingJob
from studio.spec import ModelSpec

_run_ids = count(1)


@dataclass
class ModelRecord:
    """Everything that belongs to one built (or uploaded) model.

    ``prepared`` holds the scaled train / validation / test splits (views into the
    server's shared data); ``job`` trains ``network`` in place; ``evaluation``
    keeps the Evaluate page's results for the weights they were computed from.
    """

    network: NeuralNetwork
    spec: ModelSpec
    prepared: PreparedData
    job: TrainingJob
    run_id: int = field(default_factory=lambda: next(_run_ids))
    evaluation: tuple | None = field(default=None, repr=False)  # (samples_seen, results)

    @property
    def task(self):
        return self.prepared.info.task

    @property
    def is_trained(self):
        """True once at least one batch has been trained (or the model came trained)."""
        return self.network.history["samples_seen"] > 0

    @property
    def label(self):
        hidden = "-".join(str(h) for h in self.spec.hidden_layers) or "no hidden"
        return f"Run {self.run_id}: {self.prepared.info.name}, {hidden}, {self.spec.optimizer}"


def training_data(prepared, network):
    """The job's arrays: labels for classifiers (one-hot per batch), targets otherwise."""
    categorical = prepared.info.task == "classification"
    x_val = prepared.x_val if len(prepared.x_val) else None
    y_val = prepared.y_val if x_val is not None else None
    return TrainingData(prepared.x_train, prepared.y_train, x_val, y_val, categorical=categorical)


def build_record(spec, prepared, scheduler, *, network=None, owner_alive=None, time_limit=900.0):
    """A fresh record: the network described by ``spec`` (or the given one) and an idle job."""
    info = prepared.info
    n_outputs = info.n_classes if info.task == "classification" else 1
    if network is None:
        network = spec.build(info.n_features, n_outputs)
    network.metadata = {"spec": spec.to_dict(), "preprocessing": prepared.preprocessing.to_dict()}
    job = TrainingJob(network, training_data(prepared, network), spec.batch_size, spec.epochs,
                      scheduler, owner_alive=owner_alive, time_limit=time_limit,
                      early_stopping=spec.early_stopping)
    return ModelRecord(network, spec, prepared, job)


def run_summary(record):
    """A row for the runs table and the overlaid curves: config, final metrics, curves."""
    history = record.job.snapshot().history
    last = lambda key: next((v for v in reversed(history[key]) if v is not None), None)  # noqa: E731
    spec = record.spec
    return {"run_id": record.run_id, "label": record.label, "dataset": record.prepared.info.name,
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

