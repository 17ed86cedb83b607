"""The Build page's form: widgets that edit a :class:`ModelSpec`.

Widget values live under ``build.*`` keys and start from the session's spec,
so a preset or a share link only has to replace the spec and clear those keys.
Every widget is bounded by :mod:`studio.limits`.
"""

import streamlit as st

from data import DATASETS
from studio import limits
from studio.spec import (
    HIDDEN_ACTIVATIONS,
    LR_SCHEDULES,
    OPTIMIZER_SETTINGS,
    OUTPUT_CHOICES,
    ModelSpec,
    default_output,
)
from studio.ui import state

PREFIX = "build."
CSV = "csv"
DATASET_LABELS = {key: info.name for key, info in DATASETS.items()} | {CSV: "Your own CSV file"}
SCHEDULE_LABELS = {"constant": "Constant", "linear": "Linear to zero over the epochs"}
OPTIMIZER_LABELS = {"sgd": "SGD (momentum / Nesterov)", "adam": "Adam", "rmsprop": "RMSprop",
                    "adagrad": "Adagrad"}
FIXED_TEST_SETS = {"mnist": "MNIST's own 10,000 test images"}
LOSS_LABELS = {"categorical_crossentropy": "cross-entropy", "mean_squared_error": "MSE"}


def reset_widgets(keep=()):
    """Forget the form's widget values so they start again from the session's spec.

    Also needed when a run stops before drawing the form: Streamlit drops such
    widgets' state but may leave their keys behind, and a key without its widget
    state brings the widget back at its minimum instead of the spec's value.
    """
    kept = {_key(name) for name in keep}
    for key in [k for k in st.session_state if str(k).startswith(PREFIX) and k not in kept]:
        del st.session_state[key]


def _key(name):
    return PREFIX + name


def _init(name, value):
    if _key(name) not in st.session_state:
        st.session_state[_key(name)] = value


def dataset_picker(spec):
    """Select box of datasets; returns the chosen key."""
    _init("dataset", spec.dataset)
    return st.selectbox("Dataset", list(DATASET_LABELS), format_func=DATASET_LABELS.get,
                        key=_key("dataset"))


def toy_settings(spec):
    """Noise and size of a generated 2-D set; returns ``(noise, n_samples)``."""
    _init("noise", float(spec.noise))
    _init("n_samples", int(spec.n_samples))
    left, right = st.columns(2)
    noise = left.slider("Noise", 0.0, 1.0, step=0.05, key=_key("noise"))
    n_samples = right.number_input("Samples", 50, limits.MAX_TOY_SAMPLES, step=50,
                                   key=_key("n_samples"))
    return float(noise), int(n_samples)


def architecture(spec, task):
    """Hidden layers, their activations and the output pair; returns a dict of spec fields."""
    _init("n_hidden", len(spec.hidden_layers))
    n_hidden = st.number_input("Hidden layers", 0, limits.MAX_HIDDEN_LAYERS, key=_key("n_hidden"))
    sizes, activations = [], []
    for i in range(int(n_hidden)):
        _init(f"units.{i}", spec.hidden_layers[i] if i < len(spec.hidden_layers) else 32)
        _init(f"act.{i}", spec.hidden_activations[i] if i < len(spec.hidden_activations)
              else "relu")
        left, right = st.columns([1, 1])
        sizes.append(int(left.number_input(f"Layer {i + 1}: neurons", 1, limits.MAX_UNITS,
                                           key=_key(f"units.{i}"))))
        activations.append(right.selectbox(f"Layer {i + 1}: activation", HIDDEN_ACTIVATIONS,
                                           key=_key(f"act.{i}")))
    choices = [f"{a}|{lo}" for a, lo in OUTPUT_CHOICES[task]]
    current = f"{spec.output_activation}|{spec.loss}"
    if st.session_state.get(_key("output")) not in choices:
        st.session_state[_key("output")] = current if current in choices else choices[0]
    output = st.selectbox("Output activation and loss", choices, key=_key("output"),
                          format_func=_output_label)
    output_activation, loss = output.split("|")
    return {"hidden_layers": sizes, "hidden_activations": activations,
            "output_activation": output_activation, "loss": loss}


def _output_label(choice):
    activation, loss = choice.split("|")
    return f"{activation} + {LOSS_LABELS.get(loss, loss)}"


def optimizer_settings(spec):
    """Optimizer and its settings; returns a dict of spec fields."""
    for name in ("optimizer", "learning_rate", "momentum", "nesterov", "beta_1", "beta_2", "rho",
                 "lr_schedule"):
        _init(name, getattr(spec, name))
    optimizer = st.selectbox("Optimizer", list(OPTIMIZER_SETTINGS), key=_key("optimizer"),
                             format_func=OPTIMIZER_LABELS.get)
    values = {"optimizer": optimizer}
    values["learning_rate"] = st.number_input(
        "Learning rate", min_value=1e-6, max_value=limits.MAX_LEARNING_RATE, step=0.001,
        format="%.6g", key=_key("learning_rate"))
    settings = OPTIMIZER_SETTINGS[optimizer]
    if "momentum" in settings:
        left, right = st.columns(2)
        values["momentum"] = left.number_input("Momentum", 0.0, 0.999, step=0.05,
                                               key=_key("momentum"))
        values["nesterov"] = right.checkbox("Nesterov", key=_key("nesterov"))
    if "beta_1" in settings:
        left, right = st.columns(2)
        values["beta_1"] = left.number_input("beta_1", 0.0, 0.9999, step=0.01, format="%.4f",
                                             key=_key("beta_1"))
        values["beta_2"] = right.number_input("beta_2", 0.0, 0.99999, step=0.001, format="%.5f",
                                              key=_key("beta_2"))
    if "rho" in settings:
        values["rho"] = st.number_input("rho", 0.0, 0.9999, step=0.01, key=_key("rho"))
    values["lr_schedule"] = st.selectbox(
        "Learning-rate schedule", LR_SCHEDULES, key=_key("lr_schedule"),
        format_func=SCHEDULE_LABELS.get,
        help="Linear: the rate falls from the learning rate above to zero over the planned "
             "epochs, update by update. Fewer epochs reach a given accuracy than at a "
             "constant rate.")
    return values


def training_settings(spec, info):
    """Batch size, epochs, regularisation, splits and seed; returns a dict of spec fields.

    Scaling by a constant is offered only for images (it divides by the largest pixel value).
    """
    scalings = ("auto", "standard", "minmax", "scale", "none") if info.pixel_max else \
        ("auto", "standard", "minmax", "none")
    for name in ("batch_size", "epochs", "l2", "val_fraction", "test_fraction", "early_stopping",
                 "seed", "scaling", "dtype"):
        _init(name, getattr(spec, name))
    if st.session_state[_key("scaling")] not in scalings:
        st.session_state[_key("scaling")] = "auto"
    left, right = st.columns(2)
    values = {
        "batch_size": int(left.number_input("Batch size", 1, limits.MAX_BATCH_SIZE,
                                            key=_key("batch_size"))),
        "epochs": int(right.number_input("Epochs", 1, limits.MAX_EPOCHS, key=_key("epochs"))),
        "l2": float(left.number_input("L2 weight decay", 0.0, limits.MAX_L2, step=0.0001,
                                      format="%.5f", key=_key("l2"))),
        "seed": int(right.number_input("Seed", 0, limits.MAX_SEED, key=_key("seed"))),
        "val_fraction": float(left.slider("Validation share", 0.0, 0.5, step=0.05,
                                          key=_key("val_fraction"))),
        "test_fraction": _test_share(right, info),
        "early_stopping": int(left.number_input(
            "Early stopping patience (0 = off)", 0, limits.MAX_PATIENCE,
            key=_key("early_stopping"))),
        "scaling": right.selectbox("Input scaling", scalings, key=_key("scaling")),
        "dtype": left.selectbox("Precision", ("float32", "float64"), key=_key("dtype")),
    }
    if values["scaling"] == "none" and info.pixel_max:
        st.warning(f"Unscaled inputs: pixels up to {info.pixel_max} go into the network as they "
                   "are, which saturates its output (softmax) from the first batch; training "
                   "then often stalls. 'auto' divides by the largest pixel value.")
    return values


def _test_share(container, info):
    """The test share slider; a dataset with its own test set says so instead."""
    fixed = FIXED_TEST_SETS.get(info.key)
    if fixed is not None:
        container.caption(f"Test set: {fixed}.")
        return float(st.session_state[_key("test_fraction")])
    return float(container.slider("Test share", 0.05, 0.5, step=0.01, key=_key("test_fraction")))


def adapt_to_task(spec, task):
    """``spec`` with its output pair replaced by the task's default when it does not fit."""
    if (spec.output_activation, spec.loss) in OUTPUT_CHOICES[task]:
        return spec
    output_activation, loss = default_output(task)
    return ModelSpec(**{**spec.to_dict(), "output_activation": output_activation, "loss": loss})


def load_spec(spec):
    """Replace the session's spec (a preset or a share link) and refresh the form."""
    state.put("spec", spec)
    reset_widgets()
