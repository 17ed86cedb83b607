"""Share links: a :class:`ModelSpec` as a query string and back, and what opens on arrival.

A link holds a configuration and, optionally, what happens when it is opened
(``open=``): just the settings (the default), or the model built and trained and
then a page (see :data:`ARRIVALS`). Decoding never raises. Every value is parsed on its own, bounded by the same
limits as the Build form, and anything garbled, hostile or out of range is
dropped with a warning that says which setting was ignored and why.
"""

from dataclasses import dataclass, field, fields
from urllib.parse import urlencode

from data import DATASETS
from studio import limits
from studio.spec import ModelSpec, SpecError, default_output

MAX_VALUE_LENGTH = 200

# query key -> (spec field, parser)
_INT, _FLOAT, _STR, _BOOL, _INTS, _STRS = "int", "float", "str", "bool", "ints", "strs"
KEYS = {
    "ds": ("dataset", _STR), "h": ("hidden_layers", _INTS), "act": ("hidden_activations", _STRS),
    "out": ("output_activation", _STR), "loss": ("loss", _STR), "opt": ("optimizer", _STR),
    "lr": ("learning_rate", _FLOAT), "mom": ("momentum", _FLOAT), "nest": ("nesterov", _BOOL),
    "b1": ("beta_1", _FLOAT), "b2": ("beta_2", _FLOAT), "rho": ("rho", _FLOAT),
    "bs": ("batch_size", _INT), "ep": ("epochs", _INT), "l2": ("l2", _FLOAT),
    "val": ("val_fraction", _FLOAT), "test": ("test_fraction", _FLOAT),
    "es": ("early_stopping", _INT), "seed": ("seed", _INT), "scale": ("scaling", _STR),
    "noise": ("noise", _FLOAT), "n": ("n_samples", _INT), "dt": ("dtype", _STR),
    "sched": ("lr_schedule", _STR),
}
_FIELD_TO_KEY = {name: key for key, (name, _) in KEYS.items()}
SHAREABLE_DATASETS = tuple(key for key in DATASETS)

OPEN_KEY = "open"
#: What a link does on arrival -> how the Build page offers it.
ARRIVALS = {
    "settings": "Show these settings",
    "draw": "Train it, then open Draw",
    "evaluate": "Train it, then open Evaluate",
    "train": "Train it and watch it learn",
}


@dataclass
class SharedLink:
    """A decoded link: the configuration, what opens on arrival, and what was ignored."""

    spec: ModelSpec
    open: str = "settings"
    warnings: list = field(default_factory=list)

    @property
    def trains(self):
        return self.open != "settings"


def arrivals_for(dataset):
    """The arrival choices that make sense for ``dataset`` (Draw needs digit images)."""
    return [key for key in ARRIVALS
            if key != "draw" or (dataset in DATASETS and DATASETS[dataset].image_shape)]


def spec_to_query(spec, open="settings"):
    """The query parameters (dict of str) that describe ``spec`` and what opens on arrival."""
    if open not in ARRIVALS:
        raise ValueError(f"Unknown arrival {open!r}. Choose one of: {', '.join(ARRIVALS)}.")
    query = {}
    for f in fields(spec):
        value = getattr(spec, f.name)
        if isinstance(value, bool):
            text = "1" if value else "0"
        elif isinstance(value, list):
            text = ",".join(str(v) for v in value)
        else:
            text = repr(value) if isinstance(value, float) else str(value)
        query[_FIELD_TO_KEY[f.name]] = text
    if open != "settings":
        query[OPEN_KEY] = open
    return query


def spec_to_query_string(spec, open="settings"):
    """``spec`` (and what opens on arrival) as an URL query string, without the ``?``."""
    return urlencode(spec_to_query(spec, open), safe=",")


def parse_link(query):
    """Decode a whole link: :func:`query_to_spec` plus its arrival (:class:`SharedLink`)."""
    query = dict(query)
    raw = query.pop(OPEN_KEY, None)
    spec, warnings = query_to_spec(query)
    if raw is None:
        return SharedLink(spec, "settings", warnings)
    if isinstance(raw, (list, tuple)):
        raw = raw[-1] if raw else ""
    raw = str(raw)
    if raw not in ARRIVALS:
        warnings.append(f"Ignored what to open on arrival: {_clip(raw)!r} is not one of "
                        f"{', '.join(ARRIVALS)}; the link shows the settings only.")
        return SharedLink(spec, "settings", warnings)
    if raw not in arrivals_for(spec.dataset):
        warnings.append(f"Draw needs a dataset of digit images, and this link's is "
                        f"{DATASETS[spec.dataset].name}: it opens Evaluate instead.")
        raw = "evaluate"
    return SharedLink(spec, raw, warnings)


def query_to_spec(query):
    """Rebuild a spec from query parameters; return ``(spec, warnings)``.

    Parameters
    ----------
    query : mapping of str to str (or to a list of str, the last one counting)

    Returns
    -------
    spec : ModelSpec
        Valid; settings that could not be used keep their defaults.
    warnings : list of str
    """
    warnings = []
    values = {}
    for key, raw in dict(query).items():
        if key not in KEYS:
            warnings.append(f"Ignored unknown setting {_clip(key)!r}.")
            continue
        if isinstance(raw, (list, tuple)):
            raw = raw[-1] if raw else ""
        name, kind = KEYS[key]
        try:
            values[name] = _parse(str(raw), kind)
        except ValueError as exc:
            warnings.append(f"Ignored {name.replace('_', ' ')}: {exc}")
    spec = _dataset_spec(values.pop("dataset", None), warnings)
    _apply_layers(spec, values, warnings)
    _apply_output(spec, values, warnings)
    for name, value in values.items():
        _try_set(spec, name, value, warnings)
    return spec, warnings


def _dataset_spec(dataset, warnings):
    spec = ModelSpec()
    if dataset is None:
        return spec
    if dataset not in SHAREABLE_DATASETS:
        warnings.append(f"Ignored dataset {_clip(dataset)!r}: not one of the built-in datasets "
                        "(an uploaded CSV cannot travel in a link).")
        return spec
    spec.dataset = dataset
    spec.output_activation, spec.loss = default_output(DATASETS[dataset].task)
    return spec


def _apply_layers(spec, values, warnings):
    sizes = values.pop("hidden_layers", None)
    activations = values.pop("hidden_activations", None)
    if sizes is None and activations is None:
        return
    sizes = spec.hidden_layers if sizes is None else sizes
    if activations is None:
        activations = [spec.hidden_activations[0] if spec.hidden_activations else "relu"] * len(sizes)
    _try_set_many(spec, {"hidden_layers": sizes, "hidden_activations": activations}, warnings,
                  "hidden layers")


def _apply_output(spec, values, warnings):
    activation = values.pop("output_activation", spec.output_activation)
    loss = values.pop("loss", spec.loss)
    task = DATASETS[spec.dataset].task
    candidate = ModelSpec(**{**spec.to_dict(), "output_activation": activation, "loss": loss})
    try:
        candidate.validate(task=task)
    except SpecError as exc:
        warnings.append(f"Ignored output settings: {exc}")
        return
    spec.output_activation, spec.loss = activation, loss


def _try_set(spec, name, value, warnings):
    _try_set_many(spec, {name: value}, warnings, name.replace("_", " "))


def _try_set_many(spec, changes, warnings, label):
    candidate = ModelSpec(**{**spec.to_dict(), **changes})
    try:
        candidate.validate(task=DATASETS[spec.dataset].task)
    except SpecError as exc:
        warnings.append(f"Ignored {label}: {exc}")
        return
    for name, value in changes.items():
        setattr(spec, name, value)


def _parse(raw, kind):
    if len(raw) > MAX_VALUE_LENGTH:
        raise ValueError(f"the value is longer than {MAX_VALUE_LENGTH} characters.")
    if kind == _STR:
        if not raw.replace("_", "").isalnum():
            raise ValueError(f"{_clip(raw)!r} is not a valid name.")
        return raw
    if kind == _BOOL:
        if raw not in ("0", "1", "true", "false"):
            raise ValueError(f"{_clip(raw)!r} is not 0 or 1.")
        return raw in ("1", "true")
    if kind in (_INTS, _STRS):
        parts = [part.strip() for part in raw.split(",")] if raw.strip() else []
        if len(parts) > limits.MAX_HIDDEN_LAYERS:
            raise ValueError(f"more than {limits.MAX_HIDDEN_LAYERS} layers.")
        return [_parse(part, _INT if kind == _INTS else _STR) for part in parts]
    if kind == _INT:
        if not raw.strip().lstrip("-").isdigit() or len(raw.strip()) > 12:
            raise ValueError(f"{_clip(raw)!r} is not a whole number.")
        return int(raw)
    try:
        number = float(raw)
    except ValueError:
        raise ValueError(f"{_clip(raw)!r} is not a number.") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{_clip(raw)!r} is not a finite number.")
    return number


def _clip(text, n=40):
    text = str(text)
    return text if len(text) <= n else text[:n] + "…"
