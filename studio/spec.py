"""What a user builds: the dataset and the whole training configuration, validated.

A :class:`ModelSpec` is plain data. It checks itself against :mod:`studio.limits`,
builds the :class:`mlp.NeuralNetwork` it describes, and travels as a dict (for
presets, model metadata and the exported script); :mod:`studio.share` turns it
into a query string and back.
"""

from dataclasses import asdict, dataclass, field, fields

from mlp import NeuralNetwork, registry
from studio import limits

HIDDEN_ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "identity")
OUTPUT_CHOICES = {
    "classification": (("softmax", "categorical_crossentropy"), ("softmax", "mean_squared_error"),
                       ("sigmoid", "mean_squared_error")),
    "regression": (("identity", "mean_squared_error"), ("tanh", "mean_squared_error")),
}
OPTIMIZER_SETTINGS = {
    "sgd": ("learning_rate", "momentum", "nesterov"),
    "adam": ("learning_rate", "beta_1", "beta_2"),
    "rmsprop": ("learning_rate", "rho"),
    "adagrad": ("learning_rate",),
}
SCALINGS = ("auto", "standard", "minmax", "scale", "none")
#: How the learning rate moves during training: "constant", or "linear": from the learning
#: rate down to zero over the planned epochs (the optimizer's ``decay_steps``).
LR_SCHEDULES = ("constant", "linear")


class SpecError(ValueError):
    """A configuration outside what the app allows; the message says which field and why."""


@dataclass
class ModelSpec:
    """A network and how to train it.

    ``hidden_layers`` and ``hidden_activations`` have one entry per hidden layer;
    input and output sizes come from the dataset.
    """

    dataset: str = "digits"
    hidden_layers: list = field(default_factory=lambda: [64])
    hidden_activations: list = field(default_factory=lambda: ["relu"])
    output_activation: str = "softmax"
    loss: str = "categorical_crossentropy"
    optimizer: str = "adam"
    learning_rate: float = 0.003
    momentum: float = 0.9
    nesterov: bool = False
    beta_1: float = 0.9
    beta_2: float = 0.999
    rho: float = 0.9
    lr_schedule: str = "constant"
    batch_size: int = 32
    epochs: int = 30
    l2: float = 0.0
    val_fraction: float = 0.1
    test_fraction: float = 0.2
    early_stopping: int = 0
    seed: int = 0
    scaling: str = "auto"
    noise: float = 0.2
    n_samples: int = 1000
    dtype: str = "float32"

    def to_dict(self):
        """A JSON-able copy."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        """Build and validate a spec from a dict; unknown keys raise SpecError."""
        names = {f.name for f in fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise SpecError(f"Unknown settings: {sorted(unknown)}")
        spec = cls(**{key: value for key, value in data.items()})
        spec.validate()
        return spec

    def optimizer_config(self, n_train=None):
        """The optimizer as an ``mlp.registry.get_optimizer`` config dict.

        A linear schedule takes ``n_train``, the number of training samples: the rate
        reaches zero after ``epochs`` epochs of ``ceil(n_train / batch_size)`` updates.
        Without it the schedule is left out, for whoever attaches the data to set
        (:func:`studio.model_record.fit_schedule`).
        """
        config = {"name": self.optimizer,
                  **{key: getattr(self, key) for key in OPTIMIZER_SETTINGS[self.optimizer]}}
        if self.lr_schedule == "linear" and n_train is not None:
            config["decay_steps"] = self.decay_steps(n_train)
        return config

    def decay_steps(self, n_train, epochs=None):
        """Updates in ``epochs`` (default: this spec's) epochs over ``n_train`` samples."""
        return (self.epochs if epochs is None else epochs) * -(-int(n_train) // self.batch_size)

    def layer_sizes(self, n_inputs, n_outputs):
        """Full layer list: input, hidden..., output."""
        return [int(n_inputs), *map(int, self.hidden_layers), int(n_outputs)]

    def n_params(self, n_inputs, n_outputs):
        """Number of weights and biases of the network for this data shape."""
        sizes = self.layer_sizes(n_inputs, n_outputs)
        return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))

    def build(self, n_inputs, n_outputs, n_train=None):
        """A freshly initialised :class:`mlp.NeuralNetwork` for this data shape (``n_train``,
        the number of training samples, is needed by a linear learning-rate schedule)."""
        self.validate(n_inputs, n_outputs)
        return NeuralNetwork(self.layer_sizes(n_inputs, n_outputs), list(self.hidden_activations),
                             self.output_activation, self.loss, self.optimizer_config(n_train),
                             seed=self.seed, dtype=self.dtype, l2=self.l2)

    def validate(self, n_inputs=None, n_outputs=None, task=None):
        """Raise :class:`SpecError` naming the first setting out of bounds."""
        _check_layers(self.hidden_layers, self.hidden_activations)
        if self.optimizer not in OPTIMIZER_SETTINGS:
            raise SpecError(f"Unknown optimizer {self.optimizer!r}; choose one of "
                            f"{', '.join(OPTIMIZER_SETTINGS)}.")
        _check_number("learning_rate", self.learning_rate, 0, limits.MAX_LEARNING_RATE, open_low=True)
        _check_number("momentum", self.momentum, 0, 1, open_high=True)
        _check_number("beta_1", self.beta_1, 0, 1, open_high=True)
        _check_number("beta_2", self.beta_2, 0, 1, open_high=True)
        _check_number("rho", self.rho, 0, 1, open_high=True)
        if not isinstance(self.nesterov, bool):
            raise SpecError(f"nesterov must be true or false. Received: {self.nesterov!r}")
        if self.lr_schedule not in LR_SCHEDULES:
            raise SpecError(f"lr_schedule must be one of {', '.join(LR_SCHEDULES)}. "
                            f"Received: {self.lr_schedule!r}")
        _check_int("batch_size", self.batch_size, 1, limits.MAX_BATCH_SIZE)
        _check_int("epochs", self.epochs, 1, limits.MAX_EPOCHS)
        _check_int("early_stopping", self.early_stopping, 0, limits.MAX_PATIENCE)
        _check_int("seed", self.seed, 0, limits.MAX_SEED)
        _check_int("n_samples", self.n_samples, 50, limits.MAX_TOY_SAMPLES)
        _check_number("l2", self.l2, 0, limits.MAX_L2)
        _check_number("noise", self.noise, 0, 1)
        _check_number("val_fraction", self.val_fraction, 0, 0.5)
        _check_number("test_fraction", self.test_fraction, 0.05, 0.5)
        if self.early_stopping and not self.val_fraction:
            raise SpecError("Early stopping watches the validation loss: set a validation share.")
        if self.scaling not in SCALINGS:
            raise SpecError(f"scaling must be one of {', '.join(SCALINGS)}. Received: {self.scaling!r}")
        if self.dtype not in ("float32", "float64"):
            raise SpecError(f"dtype must be float32 or float64. Received: {self.dtype!r}")
        _check_output(self.output_activation, self.loss, task)
        if n_inputs is not None and n_outputs is not None:
            n_params = self.n_params(n_inputs, n_outputs)
            if n_params > limits.MAX_PARAMS:
                raise SpecError(
                    f"This network has {n_params:,} parameters; the limit is "
                    f"{limits.MAX_PARAMS:,}. Use fewer or smaller hidden layers.")


def default_output(task):
    """The output activation and loss a task starts with."""
    return OUTPUT_CHOICES[task][0]


def _check_layers(sizes, activations):
    if not isinstance(sizes, list) or not isinstance(activations, list):
        raise SpecError("hidden_layers and hidden_activations must be lists.")
    if len(sizes) > limits.MAX_HIDDEN_LAYERS:
        raise SpecError(f"At most {limits.MAX_HIDDEN_LAYERS} hidden layers are allowed. "
                        f"Received: {len(sizes)}")
    if len(sizes) != len(activations):
        raise SpecError(f"{len(sizes)} hidden layers but {len(activations)} activations.")
    for i, size in enumerate(sizes, start=1):
        _check_int(f"hidden layer {i} size", size, 1, limits.MAX_UNITS)
    for i, name in enumerate(activations, start=1):
        if name not in HIDDEN_ACTIVATIONS:
            raise SpecError(f"Hidden layer {i}: unknown activation {name!r}; choose one of "
                            f"{', '.join(HIDDEN_ACTIVATIONS)}.")


def _check_output(activation, loss, task):
    if activation not in registry.OUTPUT_ACTIVATIONS:
        raise SpecError(f"Unknown output activation {activation!r}.")
    if loss not in registry.LOSSES:
        raise SpecError(f"Unknown loss {loss!r}.")
    allowed = OUTPUT_CHOICES[task] if task else sum(OUTPUT_CHOICES.values(), ())
    if (activation, loss) not in allowed:
        raise SpecError(
            f"Output {activation} with loss {loss} does not fit "
            f"{'a ' + task + ' task' if task else 'any task'}; choose one of "
            + "; ".join(f"{a} + {lo}" for a, lo in allowed) + ".")


def _check_int(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecError(f"{name} must be a whole number. Received: {value!r}")
    if not low <= value <= high:
        raise SpecError(f"{name} must be between {low:,} and {high:,}. Received: {value:,}")


def _check_number(name, value, low, high, open_low=False, open_high=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise SpecError(f"{name} must be a number. Received: {value!r}")
    too_low = value <= low if open_low else value < low
    too_high = value >= high if open_high else value > high
    if too_low or too_high:
        lo, hi = ("(" if open_low else "["), (")" if open_high else "]")
        raise SpecError(f"{name} must be in {lo}{low}, {high}{hi}. Received: {value}")
