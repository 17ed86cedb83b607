"""What a sweep tries: a base configuration, one or two settings varied, and seeds.

A :class:`SweepSpec` is plain data, like :class:`studio.spec.ModelSpec`: it
checks itself (every point is a valid model configuration, the run count and
the estimated time within :mod:`studio.limits`), lists its points, and travels
as JSON (``python -m studio.sweep sweep.json``)::

    {"base": {...ModelSpec fields...},
     "vary": [{"setting": "learning_rate", "values": [0.001, 0.003, 0.01]}],
     "seeds": [0, 1]}
"""

import itertools
import math
import re
from dataclasses import dataclass, field, replace

from studio import estimate, limits
from studio.spec import HIDDEN_ACTIVATIONS, OPTIMIZER_SETTINGS, ModelSpec, SpecError


class SweepError(ValueError):
    """A sweep that cannot run; the message says which setting or limit and why."""


@dataclass(frozen=True)
class Setting:
    """A setting a sweep can vary: its label, value type and how it changes a spec."""

    name: str
    label: str
    kind: type                    # float, int or str
    choices: tuple = ()           # the allowed values of a str setting
    log: bool = False             # best spread on a log scale (learning rate, L2)


SETTINGS = {s.name: s for s in (
    Setting("learning_rate", "Learning rate", float, log=True),
    Setting("hidden_width", "Hidden width", int),
    Setting("depth", "Hidden layers", int),
    Setting("batch_size", "Batch size", int),
    Setting("optimizer", "Optimizer", str, tuple(OPTIMIZER_SETTINGS)),
    Setting("l2", "L2", float, log=True),
    Setting("activation", "Activation", str, HIDDEN_ACTIVATIONS),
)}
#: The order settings are applied in: depth first, so that a width or an activation
#: varied beside it reaches every layer.
APPLY_ORDER = ("depth", "hidden_width", "activation", "learning_rate", "batch_size",
               "optimizer", "l2")


def apply_setting(spec, name, value):
    """A copy of ``spec`` with setting ``name`` set to ``value`` (not yet validated)."""
    if name == "depth":
        width = spec.hidden_layers[0] if spec.hidden_layers else 64
        activation = spec.hidden_activations[0] if spec.hidden_activations else "relu"
        return replace(spec, hidden_layers=[width] * value,
                       hidden_activations=[activation] * value)
    if name == "hidden_width":
        if not spec.hidden_layers:
            raise SweepError("The base network has no hidden layer to widen: add one in "
                             "Build, or vary the hidden layers too.")
        return replace(spec, hidden_layers=[value] * len(spec.hidden_layers))
    if name == "activation":
        return replace(spec, hidden_activations=[value] * len(spec.hidden_layers))
    return replace(spec, **{name: value})


def coerce_value(name, value):
    """``value`` as setting ``name``'s type, or SweepError naming both."""
    setting = SETTINGS[name]
    if setting.kind is str:
        if value not in setting.choices:
            raise SweepError(f"{setting.label}: {value!r} is not one of "
                             f"{', '.join(setting.choices)}.")
        return value
    if isinstance(value, bool):
        raise SweepError(f"{setting.label}: {value!r} is not a number.")
    if setting.kind is int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int):
            raise SweepError(f"{setting.label} takes whole numbers. Received: {value!r}")
        return value
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SweepError(f"{setting.label}: {value!r} is not a finite number.")
    return float(value)


#: A log grid written out, for the settings best spread on a log scale (see :func:`log_grid`).
GRID_EXAMPLE = "0.0001 to 0.1, 7 values"
GRID = re.compile(r"^\s*(\S+)\s+to\s+(\S+?)\s*[,;]?\s+(\S+)\s+values?\s*$", re.IGNORECASE)


def parse_values(name, text):
    """Values typed as text ("0.001, 0.003 0.01"), coerced and checked for repeats.

    A setting spread on a log scale (learning rate, L2) also takes a grid,
    :data:`GRID_EXAMPLE` (see :func:`log_grid`).
    """
    setting = SETTINGS[name]
    grid = GRID.match(text) if setting.log else None
    if grid:
        low, high, count = grid.groups()
        try:
            low, high, count = float(low), float(high), int(count)
        except ValueError:
            raise SweepError(f"{setting.label}: a grid reads like \"{GRID_EXAMPLE}\". "
                             f"Received: {text.strip()!r}") from None
        try:
            return log_grid(low, high, count)
        except SweepError as exc:
            raise SweepError(f"{setting.label}: {exc}") from None
    parts = [p for p in text.replace(",", " ").split() if p]
    if not parts:
        raise SweepError(f"{setting.label}: give at least one value.")
    values = []
    for part in parts:
        if setting.kind is str:
            values.append(part)
            continue
        try:
            values.append(float(part) if setting.kind is float else int(part))
        except ValueError:
            hint = (f" For a grid, write \"{GRID_EXAMPLE}\"." if setting.log
                    and part.lower() in ("to", "values", "value") else "")
            raise SweepError(f"{setting.label}: {part!r} is not a "
                             f"{'number' if setting.kind is float else 'whole number'}."
                             + hint) from None
    return values


def log_grid(low, high, n):
    """``n`` values from ``low`` to ``high`` evenly spaced on a log scale, to 3 significant
    digits: ``log_grid(1e-4, 1e-1, 4)`` -> [0.0001, 0.001, 0.01, 0.1]."""
    if not (0 < low < math.inf and 0 < high < math.inf):
        raise SweepError(f"A log grid needs positive, finite ends. Received: {low} to {high}")
    if n < 1 or n > limits.MAX_SWEEP_VALUES:
        raise SweepError(f"A grid has 1 to {limits.MAX_SWEEP_VALUES} values. Received: {n}")
    if n == 1:
        return [float(f"{low:.3g}")]
    step = (math.log10(high) - math.log10(low)) / (n - 1)
    return [float(f"{10 ** (math.log10(low) + i * step):.3g}") for i in range(n)]


@dataclass(frozen=True)
class Axis:
    """One varied setting and the values it takes, in the order given."""

    setting: str
    values: tuple

    @property
    def label(self):
        return SETTINGS[self.setting].label


@dataclass(frozen=True)
class Point:
    """One run of a sweep: its place, the varied settings' values, the seed and the spec."""

    index: int
    values: dict
    seed: int
    spec: ModelSpec


@dataclass
class SweepSpec:
    """A base configuration, one or two settings varied over their values, and 1-3 seeds.

    Every combination of the axes' values is a point; each point runs once per
    seed (the seed of the split and of the initial weights, as in Build, so a
    point loaded into Build trains to the same weights).
    """

    base: ModelSpec
    axes: list = field(default_factory=list)
    seeds: list = field(default_factory=lambda: [0])

    def __post_init__(self):
        self.axes = [Axis(a.setting, tuple(a.values)) for a in self.axes]
        self.seeds = list(self.seeds)

    @property
    def n_points(self):
        return math.prod(len(a.values) for a in self.axes)

    @property
    def n_runs(self):
        return self.n_points * len(self.seeds)

    def validate(self, n_inputs=None, n_outputs=None, task=None):
        """Raise :class:`SweepError` naming the first problem; returns the points."""
        if not 1 <= len(self.axes) <= 2:
            raise SweepError(f"Vary one or two settings. Received: {len(self.axes)}")
        names = [a.setting for a in self.axes]
        for name in names:
            if name not in SETTINGS:
                raise SweepError(f"Unknown setting {name!r}; a sweep can vary "
                                 f"{', '.join(SETTINGS)}.")
        if len(set(names)) != len(names):
            raise SweepError(f"{SETTINGS[names[0]].label} is chosen twice: vary two different "
                             "settings.")
        for axis in self.axes:
            if not axis.values:
                raise SweepError(f"{axis.label}: give at least one value.")
            if len(axis.values) > limits.MAX_SWEEP_VALUES:
                raise SweepError(f"{axis.label}: at most {limits.MAX_SWEEP_VALUES} values. "
                                 f"Received: {len(axis.values)}")
            values = [coerce_value(axis.setting, v) for v in axis.values]
            if len(set(values)) != len(values):
                repeated = sorted({v for v in values if values.count(v) > 1}, key=str)
                raise SweepError(f"{axis.label}: {', '.join(map(str, repeated))} given twice.")
        if not self.base.val_fraction:
            raise SweepError("A sweep compares its runs on the validation split: set a "
                             "validation share above 0 in Build.")
        if not 1 <= len(self.seeds) <= limits.MAX_SWEEP_SEEDS:
            raise SweepError(f"Use 1 to {limits.MAX_SWEEP_SEEDS} seeds. Received: "
                             f"{len(self.seeds)}")
        if len(set(self.seeds)) != len(self.seeds):
            raise SweepError("Each seed may be given once.")
        if self.n_runs > limits.MAX_SWEEP_RUNS:
            seeds = f"{len(self.seeds)} seed{'s' if len(self.seeds) > 1 else ''}"
            raise SweepError(f"This sweep has {self.n_runs} runs ({self.n_points} points x "
                             f"{seeds}); the limit is {limits.MAX_SWEEP_RUNS}. Use fewer values "
                             "or seeds.")
        points = self.points()
        for point in points:
            try:
                point.spec.validate(n_inputs, n_outputs, task)
            except SpecError as exc:
                where = ", ".join(f"{SETTINGS[k].label} {v}" for k, v in point.values.items())
                raise SweepError(f"At {where}: {exc}") from None
        return points

    def points(self):
        """Every run, axis values varying fastest on the last axis, seeds innermost."""
        grids = [[coerce_value(a.setting, v) for v in a.values] for a in self.axes]
        out = []
        for combo in itertools.product(*grids):
            values = dict(zip((a.setting for a in self.axes), combo))
            spec = self.base
            for name in sorted(values, key=APPLY_ORDER.index):
                spec = apply_setting(spec, name, values[name])
            for seed in self.seeds:
                out.append(Point(len(out), values, int(seed), replace(spec, seed=int(seed))))
        return out

    def run_seconds(self, info, n_rows):
        """Estimated training seconds of each run, in run order (see :mod:`studio.estimate`).

        ``info`` is the data's :class:`data.DatasetInfo`, ``n_rows`` its row count (the
        splits follow the base's validation and test shares).
        """
        n_outputs = info.n_classes if info.task == "classification" else 1
        n_val = int(n_rows * self.base.val_fraction)
        n_train = max(1, n_rows - n_val - int(n_rows * self.base.test_fraction))
        return [estimate.training_seconds(p.spec.layer_sizes(info.n_features, n_outputs),
                                          n_train, p.spec.batch_size, p.spec.epochs, n_val)
                for p in self.points()]

    def to_dict(self):
        return {"base": self.base.to_dict(),
                "vary": [{"setting": a.setting, "values": list(a.values)} for a in self.axes],
                "seeds": list(self.seeds)}

    @classmethod
    def from_dict(cls, data):
        """A sweep from its JSON form; SweepError for a malformed one (then validated)."""
        if not isinstance(data, dict):
            raise SweepError("A sweep file holds a JSON object with base, vary and seeds.")
        unknown = set(data) - {"base", "vary", "seeds"}
        if unknown:
            raise SweepError(f"Unknown keys in the sweep: {sorted(unknown)}; expected base, "
                             "vary and seeds.")
        try:
            base = ModelSpec.from_dict(data.get("base", {}))
        except (SpecError, TypeError) as exc:
            raise SweepError(f"The base configuration: {exc}") from None
        vary = data.get("vary")
        if not isinstance(vary, list) or not all(
                isinstance(a, dict) and set(a) == {"setting", "values"}
                and isinstance(a["values"], list) for a in vary):
            raise SweepError('"vary" must be a list of {"setting": name, "values": [...]}.')
        seeds = data.get("seeds", [0])
        if not isinstance(seeds, list) or not all(
                isinstance(s, int) and not isinstance(s, bool) and 0 <= s <= limits.MAX_SEED
                for s in seeds):
            raise SweepError(f'"seeds" must be a list of whole numbers from 0 to '
                             f'{limits.MAX_SEED}.')
        sweep = cls(base, [Axis(a["setting"], tuple(a["values"])) for a in vary], seeds)
        sweep.validate()
        return sweep
