"""The multilayer perceptron: parameters, forward pass, backpropagation, prediction."""

import threading

import numpy as np

from mlp import registry
from mlp.errors import ModelFileError
from mlp.utils import check_inputs, check_labels

DTYPES = {"float32": np.float32, "float64": np.float64}
PREDICT_CHUNK = 8192


class NeuralNetwork:
    """A fully connected feed-forward network trained by mini-batch gradient descent.

    Parameters
    ----------
    layers : list of int
        Units per layer, input first and output last, e.g. ``[784, 100, 10]``.
    hidden_activation : name or (function, derivative) pair, or a list of them
        One for every hidden layer, or a list with one per hidden layer.
    output_activation : name or (function, jacobian_derivative) pair
    loss : name or (function, derivative) pair
    optimizer : object with ``update(old_params, gradient)``, a name or a config dict
    seed : int, optional
        Seeds initialisation and shuffling; ``None`` draws fresh entropy.
    dtype : {"float64", "float32"}
        Precision of weights and computation.
    l2 : float
        L2 weight decay: adds ``l2 / 2 * sum(W**2)`` over weight matrices to the objective.

    Weights of layer ``i`` have shape ``(layers[i], layers[i+1])`` and biases
    ``(1, layers[i+1])``; both start from N(0, sqrt(1 / (fan_in + fan_out))).
    All of them are views into one flat vector ``params`` of shape ``(n_params,)``,
    and the gradient likewise, so the optimizer sees flat vectors at no cost.
    """

    def __init__(self, layers, hidden_activation="relu", output_activation="softmax",
                 loss="categorical_crossentropy", optimizer=None, *, seed=None,
                 dtype="float64", l2=0.0):
        self.layers = _check_layers(layers)
        self.dtype = _check_dtype(dtype)
        self.hidden = _resolve_hidden(hidden_activation, len(self.layers) - 2)
        self.output = registry.get_output_activation(output_activation)
        self.loss = registry.get_loss(loss)
        if self.output.derivative is None:
            raise ValueError(f"Output activation {output_activation!r} has no Jacobian derivative.")
        if self.loss.name == "categorical_crossentropy" and self.output.name not in (
                None, "softmax", "sigmoid"):
            raise ValueError(
                f"categorical_crossentropy needs outputs in (0, 1]: use a softmax (or sigmoid) "
                f"output, not {self.output.name!r}.")
        self.optimizer = registry.get_optimizer(optimizer if optimizer is not None else "sgd")
        self.l2 = _check_l2(l2)
        self.seed = _check_seed(seed)
        self.rng = np.random.default_rng(seed)
        self.metadata = {}
        self.history = new_history()
        self._stop_event = threading.Event()
        self.use_fast_path = True
        self._allocate()
        self._initialise()

    # ----------------------------------------------------------------- layout
    def _allocate(self):
        sizes = [(a * b, b) for a, b in zip(self.layers[:-1], self.layers[1:])]
        n_params = sum(w + b for w, b in sizes)
        self.params = np.zeros(n_params, dtype=self.dtype)
        self.gradient = np.zeros(n_params, dtype=self.dtype)
        self._backup = np.zeros(n_params, dtype=self.dtype)
        self.weights, self.biases = _views(self.params, self.layers)
        self._grad_weights, self._grad_biases = _views(self.gradient, self.layers)

    def _initialise(self):
        for w, b in zip(self.weights, self.biases):
            std = np.sqrt(1.0 / (w.shape[0] + w.shape[1]))
            w[...] = self.rng.normal(0.0, std, size=w.shape)
            b[...] = self.rng.normal(0.0, std, size=b.shape)

    @property
    def n_params(self):
        """Total number of weights and biases."""
        return self.params.size

    @property
    def n_inputs(self):
        return self.layers[0]

    @property
    def n_outputs(self):
        return self.layers[-1]

    @property
    def fast_path(self):
        """``"softmax_crossentropy"``, ``"identity_mse"`` or None (generic Jacobian path)."""
        if not self.use_fast_path:
            return None
        pair = (self.output.name, self.loss.name)
        if pair == ("softmax", "categorical_crossentropy"):
            return "softmax_crossentropy"
        if pair == ("identity", "mean_squared_error"):
            return "identity_mse"
        return None

    @property
    def is_classifier(self):
        """True when the output is a probability vector trained with cross-entropy."""
        return self.output.name == "softmax" or self.loss.name == "categorical_crossentropy"

    # ---------------------------------------------------------- forward/back
    def forward(self, x):
        """Run the network, keeping what backpropagation needs.

        Parameters
        ----------
        x : ndarray of shape (n_samples, layers[0])

        Returns
        -------
        activations : list of ndarrays, ``activations[i]`` of shape (n_samples, layers[i])
            The input (cast to the network's dtype) first, the output last.
        pre_activations : list of ndarrays, ``pre_activations[i]`` of shape (n_samples, layers[i+1])
        """
        a = np.asarray(x, dtype=self.dtype)
        activations, pre_activations = [a], []
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = a @ w
            z += b
            pre_activations.append(z)
            a = self.output.function(z) if i == last else self.hidden[i].function(z)
            activations.append(a)
        return activations, pre_activations

    def output_delta(self, y_pred, z_out, y_true):
        """Gradient of the batch-mean loss with respect to the output pre-activation.

        Parameters
        ----------
        y_pred, z_out, y_true : ndarrays of shape (n_samples, n_outputs)

        Returns
        -------
        ndarray of shape (n_samples, n_outputs)
        """
        n = y_pred.shape[0]
        path = self.fast_path
        if path == "softmax_crossentropy":
            eps = np.finfo(y_pred.dtype).eps
            if y_pred.min() >= eps:
                return (y_pred - y_true) / n
            # The loss clips p to eps, so its derivative -y / max(p, eps) scales each term by
            # min(1, p / eps); multiplied by d_softmax that gives p * sum(y r) - y r, which
            # matches the generic Jacobian path exactly when probabilities underflow.
            ratio = y_true * np.minimum(1.0, y_pred / eps)
            return (y_pred * ratio.sum(axis=1, keepdims=True) - ratio) / n
        if path == "identity_mse":
            return (2.0 / (n * y_pred.shape[1])) * (y_pred - y_true)
        d_loss = self.loss.derivative(y_pred, y_true)          # (n, 1, m)
        jacobian = self.output.derivative(z_out)                # (n, m, m)
        return np.matmul(d_loss, jacobian)[:, 0, :] / n

    def label_loss_and_delta(self, y_pred, labels):
        """Mean loss and output delta for integer class labels (softmax + cross-entropy only).

        The same numbers as ``loss.function`` and :meth:`output_delta` with one-hot
        targets, without building them: only the true class's probability enters
        the loss, and the clipping correction is needed only where it falls below eps.

        Parameters
        ----------
        y_pred : ndarray of shape (n_samples, n_outputs), the softmax outputs
        labels : int ndarray of shape (n_samples,)

        Returns
        -------
        loss : float, the batch-mean cross-entropy
        delta : ndarray of shape (n_samples, n_outputs)
        """
        if self.fast_path != "softmax_crossentropy":
            raise ValueError("label_loss_and_delta needs a softmax output with "
                             "categorical_crossentropy (and the fast path enabled).")
        n = labels.shape[0]
        rows = np.arange(n)
        p_true = y_pred[rows, labels]
        eps = np.finfo(y_pred.dtype).eps
        loss = -float(np.mean(np.log(np.maximum(p_true, eps))))
        if p_true.min() >= eps:
            delta = y_pred.copy()
            delta[rows, labels] -= 1
        else:  # see output_delta: each row is scaled by min(1, p_true / eps)
            ratio = np.minimum(1.0, p_true / eps).astype(y_pred.dtype)
            delta = y_pred * ratio[:, None]
            delta[rows, labels] -= ratio
        delta /= n
        return loss, delta

    def backward(self, activations, pre_activations, y_true):
        """Fill ``self.gradient`` with the gradient of the batch objective.

        The objective is the mean per-sample loss plus ``l2 / 2 * sum(W**2)``.

        Parameters
        ----------
        activations, pre_activations : lists from :meth:`forward`
        y_true : ndarray of shape (n_samples, n_outputs)
        """
        delta = self.output_delta(activations[-1], pre_activations[-1], y_true)
        return self.backpropagate(delta, activations, pre_activations)

    def backpropagate(self, delta, activations, pre_activations):
        """Fill ``self.gradient`` given the output delta and return it.

        Parameters
        ----------
        delta : ndarray of shape (n_samples, n_outputs)
            Gradient of the batch objective with respect to the output pre-activation
            (from :meth:`output_delta` or :meth:`label_loss_and_delta`).
        activations, pre_activations : lists from :meth:`forward`

        Returns
        -------
        ndarray of shape (n_params,): ``self.gradient``
        """
        delta = delta.astype(self.dtype, copy=False)
        for i in range(len(self.weights) - 1, -1, -1):
            np.matmul(activations[i].T, delta, out=self._grad_weights[i])
            np.sum(delta, axis=0, keepdims=True, out=self._grad_biases[i])
            if self.l2:
                self._grad_weights[i] += self.l2 * self.weights[i]
            if i > 0:
                delta = delta @ self.weights[i].T
                pair = self.hidden[i - 1]
                if pair.output_derivative is not None:
                    delta *= pair.output_derivative(activations[i])
                else:
                    delta *= pair.derivative(pre_activations[i - 1])
        return self.gradient

    def penalty(self):
        """The L2 term ``l2 / 2 * sum(W**2)`` over all weight matrices (0 without decay)."""
        if not self.l2:
            return 0.0
        return 0.5 * self.l2 * sum(float(np.vdot(w, w)) for w in self.weights)

    # ------------------------------------------------------------ inference
    def predict(self, x, labels=False):
        """Network outputs for ``x``, computed in chunks to bound memory.

        Parameters
        ----------
        x : ndarray of shape (n_samples, layers[0])
        labels : bool
            Return the index of the largest output (class labels) instead.

        Returns
        -------
        ndarray of shape (n_samples, layers[-1]), or (n_samples,) int64 labels
        """
        x = check_inputs(x, self.n_inputs)
        out = np.empty((x.shape[0], self.n_outputs), dtype=self.dtype)
        for start in range(0, x.shape[0], PREDICT_CHUNK):
            out[start:start + PREDICT_CHUNK] = self._predict_batch(x[start:start + PREDICT_CHUNK])
        return out.argmax(axis=1) if labels else out

    def _predict_batch(self, x):
        a = np.asarray(x, dtype=self.dtype)
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = a @ w
            z += b
            a = self.output.function(z) if i == last else self.hidden[i].function(z)
        return a

    def hidden_outputs(self, x, layer, before_activation=False):
        """Outputs of hidden layer ``layer`` (1-based) for ``x``: shape (n_samples, layers[layer])."""
        if not 1 <= layer <= len(self.layers) - 2:
            raise ValueError(f"layer must be in 1..{len(self.layers) - 2}. Received: {layer}")
        activations, pre_activations = self.forward(check_inputs(x, self.n_inputs))
        return pre_activations[layer - 1] if before_activation else activations[layer]

    def targets(self, y, categorical=None):
        """Return ``y`` as an array of shape (n_samples, n_outputs) in the network's dtype.

        Class labels of shape (n_samples,) are one-hot encoded when ``categorical``
        is true, or, with ``categorical=None``, when the network has more than one
        output and ``y`` is 1-D.
        """
        y = np.asarray(y)
        if categorical is None:
            categorical = y.ndim == 1 and self.n_outputs > 1
        if categorical:
            labels = check_labels(y, self.n_outputs)
            onehot = np.zeros((labels.shape[0], self.n_outputs), dtype=self.dtype)
            onehot[np.arange(labels.shape[0]), labels] = 1
            return onehot
        if y.ndim == 1 and self.n_outputs == 1:
            y = y[:, None]
        if y.ndim != 2 or y.shape[1] != self.n_outputs:
            raise ValueError(
                f"y must have shape (n_samples, {self.n_outputs}) to match the output layer "
                f"(or class labels with categorical=True). Received: y.shape={y.shape}")
        if y.dtype.kind not in "iufb":
            raise ValueError(f"y must be numeric. Received: dtype={y.dtype}")
        y = y.astype(self.dtype, copy=False)
        if not np.isfinite(y).all():
            raise ValueError("y contains NaN or infinite values.")
        return y

    def score(self, x, y, accuracy=False):
        """Mean loss on ``(x, y)``, or the fraction of correct labels with ``accuracy=True``.

        Parameters
        ----------
        x : ndarray of shape (n_samples, layers[0])
        y : ndarray of shape (n_samples,) class labels, or (n_samples, layers[-1])
        """
        x = check_inputs(x, self.n_inputs)
        y = np.asarray(y)
        if y.shape[0] != x.shape[0]:
            raise ValueError(
                f"x and y have different numbers of samples: {x.shape[0]} and {y.shape[0]}.")
        if accuracy:
            predicted = self.predict(x, labels=True)
            truth = y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else check_labels(y)
            return float(np.mean(predicted == truth))
        return float(np.mean(self.loss.function(self.predict(x), self.targets(y))))

    # ---------------------------------------------------------- training
    def fit(self, x, y, batch_size=32, epochs=10, categorical=False, **options):
        """Train with mini-batches; see :func:`mlp.training.fit` for all options.

        Returns
        -------
        ndarray of shape (n_epochs_completed,)
            The mean training loss of each epoch this call completed.
        """
        from mlp.training import fit
        return fit(self, x, y, batch_size=batch_size, epochs=epochs,
                   categorical=categorical, **options)

    def copy(self):
        """An independent deep copy: parameters, optimizer state, history, random state."""
        import copy as copy_module
        clone = NeuralNetwork.__new__(NeuralNetwork)
        shared = {"_stop_event", "params", "gradient", "_backup", "weights", "biases",
                  "_grad_weights", "_grad_biases"}
        for key, value in self.__dict__.items():
            if key not in shared:
                clone.__dict__[key] = copy_module.deepcopy(value)
        clone._stop_event = threading.Event()
        clone._allocate()
        clone.params[...] = self.params
        return clone

    def load_state(self, other):
        """Take ``other``'s parameters, optimizer, history and random state, in place.

        For a copy of this network trained elsewhere (another thread or process,
        e.g. loaded from :func:`mlp.model_file.model_to_bytes`): the parameter views
        stay the same objects, so references to ``weights`` and ``params`` remain valid.
        """
        if other.layers != self.layers or other.params.shape != self.params.shape \
                or other.dtype != self.dtype:
            raise ValueError(
                f"load_state needs the same layers and dtype: this network has {self.layers} "
                f"({np.dtype(self.dtype).name}), the other {other.layers} "
                f"({np.dtype(other.dtype).name}).")
        np.copyto(self.params, other.params)
        self.optimizer = other.optimizer
        self.history = other.history
        self.rng = other.rng

    def backup_params(self):
        """Copy the parameters into a reusable buffer of shape (n_params,) and return it."""
        np.copyto(self._backup, self.params)
        return self._backup

    def request_stop(self):
        """Ask a running ``fit`` (in another thread) to stop after its current batch."""
        self._stop_event.set()

    # ------------------------------------------------------------- files
    def save_params(self, filename):
        """Save weights and biases only (the tutorial's format): an ``.npz`` of W0, b0, W1, ..."""
        arrays = {f"W{i}": w for i, w in enumerate(self.weights)}
        arrays.update({f"b{i}": b for i, b in enumerate(self.biases)})
        with open(filename, "wb") as fh:
            np.savez(fh, **arrays)

    def load_params(self, filename):
        """Load weights and biases written by :meth:`save_params`, checking every array first.

        Nothing is changed unless every array is present, of the right shape and finite.
        """
        from mlp.model_file import read_arrays
        arrays = read_arrays(filename)
        targets = [(f"{kind}{i}", target) for i, (w, b) in enumerate(zip(self.weights, self.biases))
                   for kind, target in (("W", w), ("b", b))]
        for name, target in targets:
            if name not in arrays:
                raise ModelFileError(f"Parameter file has no array {name!r}.")
            if arrays[name].shape != target.shape:
                raise ModelFileError(
                    f"Array {name} has shape {arrays[name].shape}; this network needs "
                    f"{target.shape} (layers {self.layers}).")
            if arrays[name].dtype.kind not in "fiu" or not np.isfinite(arrays[name]).all():
                raise ModelFileError(f"Array {name} must hold finite numbers.")
        for name, target in targets:
            target[...] = arrays[name]

    def save(self, path):
        """Save the whole model (see :mod:`mlp.model_file`)."""
        from mlp.model_file import save_model
        save_model(self, path)

    @classmethod
    def load(cls, path, max_bytes=None):
        """Load a whole model saved by :meth:`save`; raises ``ModelFileError`` on a bad file."""
        from mlp.model_file import load_model
        return load_model(path, max_bytes=max_bytes)

    def get_config(self):
        """The construction settings as a JSON-able dict (needs registered names)."""
        names = [pair.name for pair in self.hidden] + [self.output.name, self.loss.name]
        if any(name is None for name in names):
            raise ValueError(
                "This network uses a custom (function, derivative) pair that has no registered "
                "name; register it with mlp.registry.register_activation / register_loss first.")
        get_config = getattr(self.optimizer, "get_config", None)
        if get_config is None:
            raise ValueError(
                f"The optimizer {type(self.optimizer).__name__} has no get_config(); only "
                "optimizers from mlp.optimizers can be saved.")
        return {"layers": list(self.layers), "hidden_activation": [p.name for p in self.hidden],
                "output_activation": self.output.name, "loss": self.loss.name,
                "optimizer": get_config(), "dtype": np.dtype(self.dtype).name, "l2": self.l2,
                "seed": self.seed}

    @classmethod
    def from_config(cls, config):
        """Build a freshly initialised network from :meth:`get_config` output."""
        return cls(config["layers"], config["hidden_activation"], config["output_activation"],
                   config["loss"], config["optimizer"], seed=config.get("seed"),
                   dtype=config.get("dtype", "float64"), l2=config.get("l2", 0.0))

    def __repr__(self):
        hidden = ",".join(p.name or "custom" for p in self.hidden)
        return (f"NeuralNetwork(layers={self.layers}, hidden=[{hidden}], "
                f"output={self.output.name or 'custom'}, loss={self.loss.name or 'custom'}, "
                f"optimizer={self.optimizer!r})")


def new_history():
    """An empty training history: per-epoch and per-batch lists."""
    return {"loss": [], "metric": [], "val_loss": [], "val_metric": [], "epoch_seconds": [],
            "batch_loss": [], "samples_seen": 0}


def _views(flat, layers):
    """Split ``flat`` into weight (fan_in, fan_out) and bias (1, fan_out) views."""
    weights, biases, offset = [], [], 0
    for fan_in, fan_out in zip(layers[:-1], layers[1:]):
        weights.append(flat[offset:offset + fan_in * fan_out].reshape(fan_in, fan_out))
        offset += fan_in * fan_out
        biases.append(flat[offset:offset + fan_out].reshape(1, fan_out))
        offset += fan_out
    return weights, biases


def _check_layers(layers):
    try:
        layers = list(layers)
    except TypeError:
        raise ValueError(f"layers must be a list of layer sizes. Received: {layers!r}") from None
    if len(layers) < 2:
        raise ValueError(
            f"A network needs at least two layers (input and output). Received: {layers}")
    for size in layers:
        if isinstance(size, (bool, np.bool_)) or not isinstance(size, (int, np.integer)):
            raise ValueError(f"Layer sizes must be whole numbers. Received: {layers}")
        if size < 1:
            raise ValueError(f"Layer sizes must be positive. Received: {layers}")
    return [int(size) for size in layers]


def _check_seed(seed):
    if seed is None:
        return None
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number or None. Received: {seed!r}")
    return int(seed)


def _check_dtype(dtype):
    name = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    if name not in DTYPES:
        raise ValueError(f"dtype must be 'float32' or 'float64'. Received: {dtype!r}")
    return DTYPES[name]


def _check_l2(l2):
    try:
        l2 = float(l2)
    except (TypeError, ValueError):
        raise ValueError(f"l2 must be a number. Received: {l2!r}") from None
    if not np.isfinite(l2) or l2 < 0:
        raise ValueError(f"l2 must be finite and non-negative. Received: {l2}")
    return l2


def _resolve_hidden(hidden_activation, n_hidden):
    is_pair = (isinstance(hidden_activation, (tuple, list)) and len(hidden_activation) == 2
               and all(callable(f) for f in hidden_activation))
    if isinstance(hidden_activation, (list, tuple)) and not is_pair:
        if len(hidden_activation) != n_hidden:
            raise ValueError(
                f"Got {len(hidden_activation)} hidden activations for {n_hidden} hidden layers.")
        return [registry.get_hidden_activation(h) for h in hidden_activation]
    return [registry.get_hidden_activation(hidden_activation)] * n_hidden
