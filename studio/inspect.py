"""Looking inside a trained network: grids over 2-D inputs, hidden outputs, the activation demo.

Pure NumPy over :mod:`mlp`; the Inside page turns the arrays into figures.
"""

import numpy as np

from data import load_dataset, prepare
from mlp import NeuralNetwork

GRID_RESOLUTION = 80
DEMO_ACTIVATIONS = ("identity", "relu", "tanh")


def grid(x, resolution=GRID_RESOLUTION, margin=0.15):
    """A regular grid covering 2-D inputs with a margin.

    Parameters
    ----------
    x : ndarray of shape (n_samples, 2)

    Returns
    -------
    xx : ndarray of shape (resolution,)
    yy : ndarray of shape (resolution,)
    points : ndarray of shape (resolution * resolution, 2), row-major over (yy, xx)
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2 or len(x) == 0:
        raise ValueError(f"grid needs inputs of shape (n_samples, 2). Received: {x.shape}")
    low, high = x.min(axis=0), x.max(axis=0)
    pad = (high - low) * margin + 1e-9
    xx = np.linspace(low[0] - pad[0], high[0] + pad[0], resolution)
    yy = np.linspace(low[1] - pad[1], high[1] + pad[1], resolution)
    gx, gy = np.meshgrid(xx, yy)
    return xx, yy, np.column_stack([gx.ravel(), gy.ravel()])


def decision_values(network, points, shape, task):
    """What the network predicts over a grid, shaped like the grid.

    Two classes: the probability of class 1; more classes: the predicted class;
    regression: the prediction. ``points`` has shape (gh * gw, 2); returns (gh, gw).
    """
    out = network.predict(points)
    if task == "regression":
        values = out[:, 0]
    elif out.shape[1] == 2:
        values = out[:, 1]
    else:
        values = out.argmax(axis=1).astype(np.float64)
    return values.reshape(shape)


def neuron_outputs(network, points, shape, layer):
    """Each unit of hidden ``layer`` (1-based) over the grid: shape (n_units, gh, gw)."""
    hidden = network.hidden_outputs(points, layer)
    return hidden.T.reshape(hidden.shape[1], *shape)


def hidden_space(network, x, layer=1):
    """The first two units of hidden ``layer`` before and after the activation.

    Returns ``(before, after)``, each of shape (n_samples, 2) (a layer with one
    unit is padded with zeros).
    """
    before = network.hidden_outputs(x, layer, before_activation=True)
    after = network.hidden_outputs(x, layer)
    return _two_columns(before), _two_columns(after)


def _two_columns(values):
    values = np.asarray(values, dtype=np.float64)
    if values.shape[1] >= 2:
        return values[:, :2]
    return np.column_stack([values[:, 0], np.zeros(len(values))])


def activation_demo(seed=0, epochs=300, n_samples=400, restarts=4):
    """The tutorial's demonstration: the same 2-unit hidden layer with three activations.

    Trains ``[2, 2, 2]`` networks on the tutorial's two-lines data with an
    identity, a ReLU and a tanh hidden layer. A linear hidden layer leaves the
    classes tangled; a non-linear one bends the space until a line separates
    them. A layer of two units can get stuck from a bad start, so each
    activation keeps the best of ``restarts`` random initialisations (judged on
    training accuracy).

    Returns
    -------
    dict mapping activation name to a dict with ``x`` (n, 2) inputs, ``y`` (n,)
    labels, ``before`` and ``after`` (n, 2) hidden values and test ``accuracy``.
    """
    dataset = load_dataset("tutorial_two_lines", seed=seed, n_samples=n_samples)
    data = prepare(dataset, scaling="standard", val_fraction=0.0, test_fraction=0.2, seed=seed,
                   dtype=np.float64)
    results = {}
    for name in DEMO_ACTIVATIONS:
        candidates = []
        for start in range(restarts):
            network = NeuralNetwork([2, 2, 2], name, "softmax", "categorical_crossentropy",
                                    {"name": "adam", "learning_rate": 0.05}, seed=seed + start)
            network.fit(data.x_train, data.y_train, 32, epochs, categorical=True)
            candidates.append((network.score(data.x_train, data.y_train, accuracy=True), start,
                               network))
        network = max(candidates, key=lambda c: (c[0], -c[1]))[2]
        before, after = hidden_space(network, data.x_train)
        results[name] = {"x": data.x_train, "y": data.y_train, "before": before, "after": after,
                         "accuracy": network.score(data.x_test, data.y_test, accuracy=True)}
    return results
