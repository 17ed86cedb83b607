"""Input scaling fitted on training data only, and the JSON that carries it.

A :class:`Preprocessing` maps raw inputs to network inputs as
``(x - offset) / scale`` per feature:

- ``"standard"``: offset = training mean, scale = training std (1 where std is 0);
- ``"minmax"``: offset = training min, scale = max - min (1 where that is 0) -> [0, 1];
- ``"scale"``: offset = 0, scale = one constant (255 for MNIST, 16 for Digits);
- ``"none"``: only a cast to the output dtype.

A regression target may be standardised too (:meth:`fit_target`): the network
then learns ``(y - target_offset) / target_scale``, and :meth:`unscale_target`
brings its outputs back to the target's own units.

It also records what the model was trained on (dataset key, task, class
names, image shape, pixel_max, feature names), so :meth:`to_dict` gives the
small JSON block a model file carries, and the Draw page and later
predictions apply exactly the same transform.
"""

from __future__ import annotations

import math

import numpy as np

from .views import ScaledRows

METHODS = ("standard", "minmax", "scale", "none")
FORMAT = "mlp-studio.preprocessing"
VERSION = 1
_CHUNK_ROWS = 1024
_META = ("dataset_key", "task", "class_names", "image_shape", "pixel_max", "feature_names",
         "target_name", "table")


class Preprocessing:
    """Per-feature affine scaling, fitted on training inputs only.

    Parameters
    ----------
    method : {"standard", "minmax", "scale", "none"}
    constant : float, optional
        Divisor for ``"scale"``; defaults to ``pixel_max``.
    dataset_key, task, class_names, image_shape, pixel_max, feature_names, target_name
        What the model was trained on; stored, not used by the transform.
    table : dict, optional
        For a model of a table: the fitted :class:`data.tabular.TableEncoder` (JSON)
        that turns raw rows into the inputs this scaling applies to.
    """

    def __init__(self, method: str = "standard", *, constant: float | None = None,
                 dataset_key: str | None = None, task: str | None = None,
                 class_names=None, image_shape=None, pixel_max: float | None = None,
                 feature_names=None, target_name: str | None = None, table: dict | None = None):
        if method not in METHODS:
            raise ValueError(f"Unknown scaling method {method!r}. Valid: {', '.join(METHODS)}")
        if method == "scale":
            constant = pixel_max if constant is None else constant
            if constant is None or not math.isfinite(constant) or constant <= 0:
                raise ValueError("'scale' needs a finite constant > 0 (or pixel_max). "
                                 f"Received: constant={constant!r}, pixel_max={pixel_max!r}")
        self.method = method
        self.constant = None if constant is None else float(constant)
        self.dataset_key, self.task, self.target_name = dataset_key, task, target_name
        self.class_names = None if class_names is None else [str(c) for c in class_names]
        self.image_shape = None if image_shape is None else [int(d) for d in image_shape]
        self.pixel_max = pixel_max
        self.feature_names = None if feature_names is None else [str(f) for f in feature_names]
        self.table = table
        self.target_offset: float | None = None  # set by fit_target (regression only)
        self.target_scale: float | None = None
        self.n_features: int | None = None
        self.offset: np.ndarray | None = None  # shape (n_features,), float64
        self.scale: np.ndarray | None = None   # shape (n_features,), float64

    @classmethod
    def for_dataset(cls, info, method: str = "standard", *, feature_names=None,
                    target_name=None, table=None) -> "Preprocessing":
        """An unfitted :class:`Preprocessing` recording a :class:`DatasetInfo`."""
        return cls(method, dataset_key=info.key, task=info.task, class_names=info.class_names,
                   image_shape=info.image_shape, pixel_max=info.pixel_max,
                   feature_names=feature_names, target_name=target_name, table=table)

    @property
    def is_fitted(self) -> bool:
        return self.n_features is not None

    def fit(self, x_train) -> "Preprocessing":
        """Learn offset and scale from ``x_train`` of shape (n_samples, n_features).

        ``x_train`` is an ndarray or a :class:`data.views.ScaledRows` (a split of a
        shared array). It is read chunk-wise: nothing the size of the data is copied.
        """
        if not isinstance(x_train, ScaledRows):
            x_train = np.asarray(x_train)
        if x_train.ndim != 2 or x_train.shape[0] == 0:
            raise ValueError("fit expects x_train of shape (n_samples, n_features) with "
                             f"n_samples >= 1. Received: shape {x_train.shape}")
        n_samples, n_features = x_train.shape
        if self.method in ("scale", "none"):
            offset = np.zeros(n_features)
            scale = np.full(n_features, self.constant if self.method == "scale" else 1.0)
        elif self.method == "standard":
            offset = np.zeros(n_features)
            for block in _blocks(x_train):
                offset += block.sum(axis=0, dtype=np.float64)
            offset /= n_samples
            sq = np.zeros(n_features)
            for block in _blocks(x_train):
                sq += ((block - offset) ** 2).sum(axis=0)
            scale = np.sqrt(sq / n_samples)
        else:
            offset = np.min([b.min(axis=0) for b in _blocks(x_train)], axis=0).astype(np.float64)
            scale = np.max([b.max(axis=0) for b in _blocks(x_train)], axis=0).astype(np.float64)
            scale -= offset
        if not (np.all(np.isfinite(offset)) and np.all(np.isfinite(scale))):
            raise ValueError("x_train contains NaN or infinite values")
        scale[scale == 0] = 1.0  # constant features: centre them, do not divide by 0
        self.n_features, self.offset, self.scale = n_features, offset, scale
        return self

    def fit_target(self, y_train) -> "Preprocessing":
        """Standardise a regression target: learn its training mean and spread.

        ``y_train`` is float of shape (n_samples,) or (n_samples, 1).
        """
        y = np.asarray(y_train, dtype=np.float64).reshape(-1)
        if len(y) == 0 or not np.all(np.isfinite(y)):
            raise ValueError("fit_target needs a non-empty, finite y_train")
        spread = float(np.std(y))
        self.target_offset = float(np.mean(y))
        self.target_scale = spread if spread > 0 else 1.0
        return self

    @property
    def scales_target(self) -> bool:
        return self.target_scale is not None

    def scale_target(self, y, dtype=None):
        """Targets as the network learns them (standardised when :meth:`fit_target` ran)."""
        y = np.asarray(y)
        if not self.scales_target:
            return y if dtype is None else y.astype(dtype)
        out = (y.astype(np.float64) - self.target_offset) / self.target_scale
        if dtype is None:
            dtype = y.dtype if y.dtype.kind == "f" else np.float64
        return out.astype(dtype)

    def unscale_target(self, outputs):
        """Network outputs back in the target's own units (unchanged without target scaling)."""
        outputs = np.asarray(outputs)
        if not self.scales_target:
            return outputs
        return outputs.astype(np.float64) * self.target_scale + self.target_offset

    def rows(self, base, rows=None, dtype=np.float32) -> ScaledRows:
        """The scaled view of ``base[rows]``: shape (len(rows), n_features), nothing copied.

        Parameters
        ----------
        base : ndarray of shape (n_base, n_features), raw inputs
        rows : int ndarray of shape (n_rows,), optional (all rows when None)
        dtype : numpy float dtype of the rows read from the view
        """
        if not self.is_fitted:
            raise ValueError("Preprocessing is not fitted: call fit(x_train) first")
        base = np.asarray(base)
        if base.ndim != 2 or base.shape[1] != self.n_features:
            raise ValueError(f"expected x of shape (n_samples, {self.n_features}). Received: "
                             f"shape {base.shape} (use x.reshape(1, -1) for a single sample)")
        if self.method == "none":
            return ScaledRows(base, rows, dtype=dtype)
        return ScaledRows(base, rows, self.offset, self.scale, dtype=dtype)

    def transform(self, x: np.ndarray, dtype=np.float32) -> np.ndarray:
        """Apply the fitted scaling.

        Parameters
        ----------
        x : ndarray of shape (n_samples, n_features)
        dtype : numpy float dtype
            Output dtype; each chunk is cast straight to it (no float64 copy of
            uint8 input when ``dtype`` is float32).

        Returns
        -------
        ndarray of shape (n_samples, n_features), ``dtype``
        """
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise ValueError(f"dtype must be a float dtype. Received: {dtype}")
        return np.asarray(self.rows(x, dtype=dtype))

    def fit_transform(self, x_train: np.ndarray, dtype=np.float32) -> np.ndarray:
        """``fit(x_train)`` then ``transform(x_train, dtype)``."""
        return self.fit(x_train).transform(x_train, dtype)

    def to_dict(self) -> dict:
        """Plain JSON-able data (lists, floats, strings) describing the fitted transform."""
        if not self.is_fitted:
            raise ValueError("Preprocessing is not fitted: call fit(x_train) first")
        d = {"format": FORMAT, "version": VERSION, "method": self.method,
             "constant": self.constant, "n_features": self.n_features,
             "offset": [float(v) for v in self.offset], "scale": [float(v) for v in self.scale]}
        if self.scales_target:
            d["target_offset"], d["target_scale"] = self.target_offset, self.target_scale
        meta = {k: getattr(self, k) for k in _META}
        if meta["pixel_max"] is not None:
            meta["pixel_max"] = float(meta["pixel_max"])
        return {**d, **meta}

    @classmethod
    def from_dict(cls, d: dict) -> "Preprocessing":
        """Rebuild from :meth:`to_dict` output, validating it.

        Raises
        ------
        ValueError
            Naming the field that is missing or wrong.
        """
        _validate(d)
        p = cls(d["method"], constant=d.get("constant"),
                **{k: d.get(k) for k in _META})
        if d.get("target_scale") is not None:
            p.target_offset = float(d["target_offset"])
            p.target_scale = float(d["target_scale"])
        p.n_features = int(d["n_features"])
        p.offset = np.asarray(d["offset"], dtype=np.float64)
        p.scale = np.asarray(d["scale"], dtype=np.float64)
        return p

    def __repr__(self):
        state = f"n_features={self.n_features}" if self.is_fitted else "unfitted"
        return f"Preprocessing({self.method!r}, dataset_key={self.dataset_key!r}, {state})"


def _blocks(x):
    """Consecutive row blocks of an ndarray or a ScaledRows, as ndarrays."""
    for start in range(0, len(x), _CHUNK_ROWS):
        yield x[start:start + _CHUNK_ROWS]


def _validate(d) -> None:
    """Raise ValueError unless ``d`` is a well-formed :meth:`Preprocessing.to_dict` block."""
    if not isinstance(d, dict):
        raise ValueError(f"preprocessing must be a dict. Received: {type(d).__name__}")
    if d.get("format") != FORMAT:
        raise ValueError(f"not a preprocessing block: format is {d.get('format')!r}, "
                         f"expected {FORMAT!r}")
    if d.get("version") != VERSION:
        raise ValueError(f"unsupported preprocessing version {d.get('version')!r} "
                         f"(this code reads version {VERSION})")
    if d.get("method") not in METHODS:
        raise ValueError(f"unknown method {d.get('method')!r}; valid: {', '.join(METHODS)}")
    n = d.get("n_features")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n_features must be an integer >= 1. Received: {n!r}")
    for key in ("offset", "scale"):
        values = d.get(key)
        if not isinstance(values, list) or len(values) != n:
            got = len(values) if isinstance(values, list) else type(values).__name__
            raise ValueError(f"{key} must be a list of {n} numbers. Received: {got}")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                   for v in values):
            raise ValueError(f"{key} must hold finite numbers only")
    if any(v <= 0 for v in d["scale"]):
        raise ValueError("scale values must be > 0")
    for key in ("class_names", "feature_names", "image_shape"):
        if d.get(key) is not None and not isinstance(d[key], list):
            raise ValueError(f"{key} must be a list or null. Received: {type(d[key]).__name__}")
    if d.get("feature_names") is not None and len(d["feature_names"]) != n:
        raise ValueError(f"{len(d['feature_names'])} feature_names for n_features={n}")
    if d.get("image_shape") is not None and math.prod(d["image_shape"]) != n:
        raise ValueError(f"image_shape {d['image_shape']} does not match n_features={n}")
    if (d.get("target_scale") is None) != (d.get("target_offset") is None):
        raise ValueError("target_offset and target_scale go together")
    if d.get("target_scale") is not None:
        for key in ("target_offset", "target_scale"):
            value = d[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not math.isfinite(value):
                raise ValueError(f"{key} must be a finite number. Received: {value!r}")
        if d["target_scale"] <= 0:
            raise ValueError("target_scale must be > 0")
    if d.get("table") is not None:
        from .tabular import TableEncoder  # pandas: only for models of tables
        encoder = TableEncoder.from_dict(d["table"])
        if encoder.feature_names != d.get("feature_names"):
            raise ValueError("the table encoding's columns do not match feature_names")
    if d.get("task") not in (None, "classification", "regression"):
        raise ValueError(f"task must be 'classification' or 'regression'. Received: {d['task']!r}")
