"""A standalone script, in the tutorial's API, that rebuilds and trains a :class:`ModelSpec`.

:func:`export_script` returns the text of the script; it does not run anything.
The script loads its data with the ``data`` package exactly as the dashboard
does (``load_dataset`` then ``prepare`` with the spec's scaling, fractions, seed
and dtype), builds the :class:`mlp.NeuralNetwork` from ``(function, derivative)``
pairs imported by name, trains it with ``fit`` and prints the test score. It
defines ``dataset``, ``data``, ``network`` and ``losses`` at module level.

The output is deterministic (same spec, same text), PEP 8 (lines <= 79
characters) and imports only what it uses.
"""

import re

from data import DATASETS, TOY_GENERATORS
from data.tabular import DEFAULT_MAX_LEVELS
from studio.spec import OPTIMIZER_SETTINGS

CSV_KEY = "csv"
LINE_LENGTH = 79
INDENT = "    "

# Hidden activation name -> (module function, derivative) importable from mlp.activations.
# ``(identity, d_identity)`` is the tutorial's pair; mlp maps it to the element-wise
# derivative when it is used in a hidden layer.
HIDDEN_PAIRS = {
    "relu": ("relu", "d_relu"),
    "tanh": ("tanh", "d_tanh"),
    "sigmoid": ("sigmoid", "d_sigmoid"),
    "leaky_relu": ("leaky_relu", "d_leaky_relu"),
    "identity": ("identity", "d_identity"),
}
# Output activations whose Jacobian derivative is a function of mlp.activations; the
# others (sigmoid, tanh) are given by name and mlp.registry supplies their Jacobian.
OUTPUT_PAIRS = {"softmax": ("softmax", "d_softmax"), "identity": ("identity", "d_identity")}
LOSS_PAIRS = {
    "categorical_crossentropy": ("categorical_crossentropy", "d_categorical_crossentropy"),
    "mean_squared_error": ("mean_squared_error", "d_mean_squared_error"),
}
OPTIMIZER_CLASSES = {"sgd": "SGD", "adam": "Adam", "rmsprop": "RMSprop", "adagrad": "Adagrad"}


def export_script(spec, csv_dataset=None, csv_file="data.csv"):
    """Python source that rebuilds and trains ``spec`` with ``mlp`` and the ``data`` package.

    Parameters
    ----------
    spec : studio.spec.ModelSpec
        Validated configuration.
    csv_dataset : data.Dataset, optional
        The uploaded dataset, needed when ``spec.dataset == "csv"`` (for its task,
        sizes and target column).
    csv_file : str
        File name the script reads the CSV from (``spec.dataset == "csv"`` only).

    Returns
    -------
    str
        The script, ending with a newline.

    Raises
    ------
    ValueError
        For an unknown dataset key, a ``"csv"`` spec without ``csv_dataset``, or a
        spec that does not validate.
    """
    spec.validate()
    info, load_lines, data_imports = _data_source(spec, csv_dataset, csv_file)
    spec.validate(info.n_features, _n_outputs(info), info.task)
    imports = _Imports()
    for name in data_imports:
        imports.add("data", name)
    predicts = spec.dataset == CSV_KEY and csv_dataset.encoder is not None
    scaled_target = predicts and info.task == "regression"  # prepare standardises it
    if predicts:
        imports.add("data", "read_csv_table")
        imports.add("data.tabular", "TableEncoder")
    imports.add("mlp", "NeuralNetwork")
    network_lines = _network_lines(spec, info, imports)
    lines = [
        '"""' + f"Train a multilayer perceptron on {_title(info.name)} with mlp.",
        "",
        "Run it from the folder that holds the mlp and data packages.",
        '"""',
        "",
        *imports.lines(),
        "",
        "# Data: train / validation / test splits, scaled on the training set.",
        *load_lines,
        *_call("data = prepare", ["dataset", f"scaling={_literal(spec.scaling)}",
                                  f"val_fraction={spec.val_fraction!r}",
                                  f"test_fraction={spec.test_fraction!r}",
                                  f"seed={spec.seed!r}", f"dtype={_literal(spec.dtype)}"]),
        "",
        *network_lines,
        "",
        *_fit_lines(spec, info, scaled_target),
        "",
        *_score_lines(info, scaled_target),
    ]
    if predicts:
        lines += ["", *_predict_lines(csv_file)]
    return "\n".join(lines) + "\n"


def _predict_lines(csv_file):
    """A function that predicts raw rows of a CSV file, shown on the data's own file."""
    return [
        "",
        "def predict_rows(path):",
        '    """Predictions for the rows of a CSV file with the same columns."""',
        "    rows = read_csv_table(path, min_columns=1)",
        "    encoder = TableEncoder.from_dict(dataset.encoder)",
        "    rows = rows.loc[~encoder.rows_to_drop(rows)]",
        "    x = data.preprocessing.transform(encoder.transform(rows))",
        "    return data.preprocessing.unscale_target(network.predict(x))",
        "",
        "",
        "# New rows are read and encoded as the training file was (here: that file).",
        *_call("new_predictions = predict_rows", [_literal(str(csv_file))]),
        "print(new_predictions[:5])",
    ]


# ------------------------------------------------------------------- data
def _data_source(spec, csv_dataset, csv_file):
    """(DatasetInfo, lines that set ``dataset``, names imported from ``data``)."""
    if spec.dataset == CSV_KEY:
        if csv_dataset is None:
            raise ValueError("A 'csv' spec needs the uploaded dataset (csv_dataset) to export.")
        info = csv_dataset.info
        args = [_literal(str(csv_file))]
        if csv_dataset.target_name is not None:
            args.append(f"target={_literal(str(csv_dataset.target_name))}")
        args.append(f"task={_literal(info.task)}")
        lines = []
        encoder = csv_dataset.encoder
        if encoder is not None:
            lines = ["# Each column's role, as set on the Build page.",
                     *_call("roles = ", [f"{_literal(str(name))}: {_literal(role)}"
                                         for name, role in encoder["roles"].items()],
                            brackets="{}")]
            args.append("roles=roles")
            if encoder["max_levels"] != DEFAULT_MAX_LEVELS:
                args.append(f"max_levels={encoder['max_levels']!r}")
            if encoder["missing"] != "impute":
                args.append(f"missing={_literal(encoder['missing'])}")
        return info, lines + _call("dataset = load_csv", args), ("load_csv", "prepare")
    if spec.dataset not in DATASETS:
        raise ValueError(f"Unknown dataset {spec.dataset!r}. Valid keys: "
                         f"{', '.join(DATASETS)}, {CSV_KEY}.")
    info = DATASETS[spec.dataset]
    args = [_literal(spec.dataset)]
    if spec.dataset in TOY_GENERATORS:
        args += [f"seed={spec.seed!r}", f"noise={spec.noise!r}",
                 f"n_samples={spec.n_samples!r}"]
    return info, _call("dataset = load_dataset", args), ("load_dataset", "prepare")


def _n_outputs(info):
    return info.n_classes if info.task == "classification" else 1


# ---------------------------------------------------------------- network
def _network_lines(spec, info, imports):
    """Lines that build ``network``, registering the names they use in ``imports``."""
    layers = spec.layer_sizes(info.n_features, _n_outputs(info))
    hidden = [_pair(imports, "mlp.activations", HIDDEN_PAIRS[name])
              for name in spec.hidden_activations]
    lines = [*_schedule_lines(spec),
             "# Network: layer sizes (inputs, hidden..., outputs), hidden activation,",
             "# output activation, loss and optimizer, as in the tutorial."]
    if len(set(hidden)) == 1:
        hidden_arg = hidden[0]
    else:
        lines += _call("hidden_activations = ", hidden, brackets="[]")
        hidden_arg = "hidden_activations"
    if spec.output_activation in OUTPUT_PAIRS:
        output = (_pair(imports, "mlp.activations", OUTPUT_PAIRS[spec.output_activation]), "")
    else:
        output = (_literal(spec.output_activation), "  # by name: mlp adds its Jacobian")
    args = [(repr(layers), ""), (hidden_arg, ""), output,
            (_pair(imports, "mlp.losses", LOSS_PAIRS[spec.loss]), ""),
            (_optimizer(spec, imports), ""), (f"seed={spec.seed!r}", ""),
            (f"dtype={_literal(spec.dtype)}", "")]
    if spec.l2:
        args.append((f"l2={spec.l2!r}", ""))
    body = [f"{INDENT}{arg},{comment}" for arg, comment in args]
    return lines + ["network = NeuralNetwork(", *body, ")"]


def _pair(imports, module, names):
    for name in names:
        imports.add(module, name)
    return f"({names[0]}, {names[1]})"


def _optimizer(spec, imports):
    """The optimizer argument: the constructor, or ``optimizer`` (see :func:`_schedule_lines`)."""
    class_name = OPTIMIZER_CLASSES[spec.optimizer]
    imports.add("mlp.optimizers", class_name)
    if spec.lr_schedule == "linear":
        return "optimizer"
    return f"{class_name}({', '.join(_optimizer_settings(spec))})"


def _optimizer_settings(spec):
    return [f"{key}={getattr(spec, key)!r}" for key in OPTIMIZER_SETTINGS[spec.optimizer]]


def _schedule_lines(spec):
    """With a linear schedule, the optimizer on lines of its own: its rate falls to zero over
    every update of the planned epochs."""
    if spec.lr_schedule != "linear":
        return []
    return ["# The learning rate falls linearly to zero over every update of the epochs.",
            f"decay_steps = {spec.epochs!r} * -(-len(data.x_train) // {spec.batch_size!r})",
            *_call(f"optimizer = {OPTIMIZER_CLASSES[spec.optimizer]}",
                   [*_optimizer_settings(spec), "decay_steps=decay_steps"]), ""]


# --------------------------------------------------------------- training
def _fit_lines(spec, info, scaled_target=False):
    """The fit call; a table's regression target is learnt standardised."""
    y_train, y_val, lines = "data.y_train", "data.y_val", []
    if scaled_target:
        lines = ["# The target is learnt standardised (mean 0, spread 1).",
                 "target = data.preprocessing.scale_target"]
        y_train, y_val = "target(data.y_train)", "target(data.y_val)"
    args = ["data.x_train", y_train, f"batch_size={spec.batch_size!r}",
            f"epochs={spec.epochs!r}", f"categorical={info.task == 'classification'!r}"]
    if spec.val_fraction > 0:
        args.append(f"validation_data=(data.x_val, {y_val})")
        if spec.early_stopping:
            args.append(f"early_stopping={spec.early_stopping!r}")
    return [*lines, *_call("losses = network.fit", args),
            'print(f"Trained {len(losses)} epochs; '
            'final training loss {losses[-1]:.4f}")']


def _score_lines(info, scaled_target=False):
    if info.task == "classification":
        return ["accuracy = network.score(data.x_test, data.y_test, accuracy=True)",
                'print(f"Test accuracy: {accuracy:.4f}")']
    if scaled_target:
        return ["outputs = network.predict(data.x_test)[:, 0]",
                "predicted = data.preprocessing.unscale_target(outputs)",
                "mse = ((predicted - data.y_test) ** 2).mean()",
                'print(f"Test mean squared error: {mse:.4f} '
                '(root: {mse ** 0.5:.4f})")']
    return ["mse = network.score(data.x_test, data.y_test)",
            'print(f"Test mean squared error: {mse:.4f} '
            '(root: {mse ** 0.5:.4f})")']


# ---------------------------------------------------------------- layout
def _call(head, args, brackets="()"):
    """``head(arg, ...)`` on one line if it fits, else arguments packed on indented lines."""
    opening, closing = brackets
    one_line = f"{head}{opening}{', '.join(args)}{closing}"
    if len(one_line) <= LINE_LENGTH:
        return [one_line]
    lines, current = [f"{head}{opening}"], INDENT
    for arg in args:
        if current != INDENT and len(current) + len(arg) + 1 > LINE_LENGTH:
            lines.append(current.rstrip())
            current = INDENT
        current += arg + ", "
    return lines + [current.rstrip(), closing]


def _literal(text):
    """A Python string literal for ``text``, in double quotes when that needs no escaping."""
    literal = repr(text)
    if literal.startswith("'") and '"' not in text and "\\" not in literal:
        return f'"{literal[1:-1]}"'
    return literal


def _title(name):
    """``name`` reduced to characters that are safe inside the script's docstring."""
    cleaned = re.sub(r"[^\w .,()+-]", "", re.sub(r"\s+", " ", str(name))).strip()[:32]
    return cleaned or "your data"


class _Imports:
    """``from module import name, ...`` statements, in a deterministic order."""

    def __init__(self):
        self._names = {}

    def add(self, module, name):
        names = self._names.setdefault(module, [])
        if name not in names:
            names.append(name)

    def lines(self):
        out = []
        for module in sorted(self._names):
            head, names = f"from {module} import ", self._names[module]
            line = head + ", ".join(names)
            out += [line] if len(line) <= LINE_LENGTH else _call(head, names)
        return out
