"""One registry of names for activation pairs, loss pairs and optimizers.

The network, saved model files and the dashboard refer to functions by these
names; a ``(function, derivative)`` pair that is registered is recognised as its
name, so a model built from the tutorial's pairs can still be saved by name.
An unknown name raises ``ValueError`` listing the valid ones.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np

from mlp import activations as A
from mlp import losses as L
from mlp import optimizers as O


@dataclass(frozen=True)
class Pair:
    """A resolved ``(function, derivative)`` pair and its registered name (None if custom).

    ``output_derivative``, when set, gives the derivative's values from the
    activation's output ``a = function(z)`` (used by backpropagation to avoid
    evaluating the activation again); custom pairs leave it None.
    """

    function: Callable
    derivative: Callable
    name: str | None = None
    output_derivative: Callable | None = None


HIDDEN_ACTIVATIONS = {
    "relu": Pair(A.relu, A.d_relu, "relu", A.d_relu_from_output),
    "tanh": Pair(A.tanh, A.d_tanh, "tanh", A.d_tanh_from_output),
    "sigmoid": Pair(A.sigmoid, A.d_sigmoid, "sigmoid", A.d_sigmoid_from_output),
    "leaky_relu": Pair(A.leaky_relu, A.d_leaky_relu, "leaky_relu", A.d_leaky_relu_from_output),
    "identity": Pair(A.identity, A.d_identity_elementwise, "identity", A.d_identity_from_output),
}

OUTPUT_ACTIVATIONS = {
    "identity": Pair(A.identity, A.d_identity, "identity"),
    "softmax": Pair(A.softmax, A.d_softmax, "softmax"),
    "sigmoid": Pair(A.sigmoid, None, "sigmoid"),
    "tanh": Pair(A.tanh, None, "tanh"),
}

LOSSES = {
    "mean_squared_error": Pair(L.mean_squared_error, L.d_mean_squared_error, "mean_squared_error"),
    "categorical_crossentropy": Pair(
        L.categorical_crossentropy, L.d_categorical_crossentropy, "categorical_crossentropy"),
}

OPTIMIZERS = {
    "sgd": O.SGD,
    "adam": O.Adam,
    "rmsprop": O.RMSprop,
    "adagrad": O.Adagrad,
}

ALIASES = {"mse": "mean_squared_error", "crossentropy": "categorical_crossentropy",
           "cross_entropy": "categorical_crossentropy", "linear": "identity"}


def _elementwise_jacobian(derivative):
    """Turn an element-wise derivative (n, m) -> (n, m) into a Jacobian stack (n, m, m)."""
    def jacobian(z):
        d = derivative(z)
        n, m = d.shape
        jac = np.zeros((n, m, m), dtype=d.dtype)
        idx = np.arange(m)
        jac[:, idx, idx] = d
        return jac
    jacobian.__name__ = f"jacobian_of_{derivative.__name__}"
    return jacobian


# Element-wise activations used at the output get their derivative as a diagonal Jacobian stack.
for _name in ("sigmoid", "tanh"):
    _pair = HIDDEN_ACTIVATIONS[_name]
    OUTPUT_ACTIVATIONS[_name] = Pair(_pair.function, _elementwise_jacobian(_pair.derivative), _name)


def _lookup(table, identifier, kind):
    key = ALIASES.get(identifier.lower(), identifier.lower()) if isinstance(identifier, str) else None
    if key not in table:
        raise ValueError(
            f"Could not interpret {kind} identifier {identifier!r}. "
            f"Valid names: {', '.join(sorted(table))}.")
    return table[key]


def _resolve_pair(table, identifier, kind):
    if isinstance(identifier, Pair):
        return identifier
    if isinstance(identifier, str):
        return _lookup(table, identifier, kind)
    if (isinstance(identifier, (tuple, list)) and len(identifier) == 2
            and all(callable(f) for f in identifier)):
        function, derivative = identifier
        for pair in table.values():
            if pair.function is function and pair.derivative is derivative:
                return pair
        return Pair(function, derivative, None)
    raise ValueError(
        f"Could not interpret {kind} identifier {identifier!r}: expected a name "
        f"({', '.join(sorted(table))}) or a (function, derivative) pair.")


def get_hidden_activation(identifier):
    """Resolve a hidden activation given by name or ``(function, derivative)`` pair.

    The tutorial's output pair ``(identity, d_identity)`` is accepted here too and
    mapped to the element-wise identity derivative.
    """
    if (isinstance(identifier, (tuple, list)) and len(identifier) == 2
            and identifier[0] is A.identity and identifier[1] is A.d_identity):
        return HIDDEN_ACTIVATIONS["identity"]
    return _resolve_pair(HIDDEN_ACTIVATIONS, identifier, "hidden activation")


def get_output_activation(identifier):
    """Resolve an output activation given by name or ``(function, jacobian_derivative)`` pair."""
    return _resolve_pair(OUTPUT_ACTIVATIONS, identifier, "output activation")


def get_loss(identifier):
    """Resolve a loss given by name or ``(function, derivative)`` pair."""
    return _resolve_pair(LOSSES, identifier, "loss")


def get_optimizer(identifier):
    """Resolve an optimizer from a name, a config dict or an object with ``update``.

    ``"adam"`` gives ``Adam()``; ``{"name": "sgd", "learning_rate": 0.1,
    "momentum": 0.9}`` gives that SGD; an object with an ``update`` method is
    returned as it is.
    """
    if isinstance(identifier, str):
        return _lookup(OPTIMIZERS, identifier, "optimizer")()
    if isinstance(identifier, dict):
        settings = dict(identifier)
        cls = _lookup(OPTIMIZERS, settings.pop("name", None) or "", "optimizer")
        allowed = set(cls._settings)
        unknown = set(settings) - allowed
        if unknown:
            raise ValueError(
                f"Unknown settings for optimizer {cls.name!r}: {sorted(unknown)}. "
                f"Valid settings: {sorted(allowed)}.")
        return cls(**settings)
    if callable(getattr(identifier, "update", None)):
        return identifier
    raise ValueError(
        f"Could not interpret optimizer identifier {identifier!r}: expected a name "
        f"({', '.join(sorted(OPTIMIZERS))}), a config dict or an object with an "
        "update(old_params, gradient) method.")


def register_activation(name, function, derivative, *, output=False):
    """Register a custom activation pair under ``name`` so models using it can be saved."""
    table = OUTPUT_ACTIVATIONS if output else HIDDEN_ACTIVATIONS
    table[name] = Pair(function, derivative, name)


def register_loss(name, function, derivative):
    """Register a custom loss pair under ``name`` so models using it can be saved."""
    LOSSES[name] = Pair(function, derivative, name)
