"""Central finite differences against backpropagation."""

import numpy as np

from mlp.network import NeuralNetwork


def objective(network, x, y):
    """Mean per-sample loss plus the L2 term, for targets ``y`` of shape (n_samples, n_outputs)."""
    y_pred = network._predict_batch(x)
    return float(np.mean(network.loss.function(y_pred, y))) + network.penalty()


def gradcheck(network, x, y, epsilon=1e-5, max_checks_per_layer=None, seed=0):
    """Compare the backpropagated gradient with central finite differences, layer by layer.

    The check runs on a float64 copy of ``network`` (a float32 check proves
    nothing), so the network itself is untouched.

    Parameters
    ----------
    network : NeuralNetwork
    x : ndarray of shape (n_samples, layers[0])
    y : ndarray of shape (n_samples,) class labels or (n_samples, layers[-1])
    epsilon : float
        Finite-difference step.
    max_checks_per_layer : int, optional
        Check only this many randomly chosen parameters per layer (all when None).
    seed : int
        Chooses those parameters.

    Returns
    -------
    list of dict, one per layer
        ``{"layer": i, "shape": (fan_in, fan_out), "checked": k,
        "max_relative_error": e}``, where ``e`` is the largest
        ``|analytic - numeric|`` over the checked entries divided by the largest
        absolute gradient entry of the layer (so near-zero entries do not blow up).
    """
    net = _float64_copy(network)
    x = np.asarray(x, dtype=np.float64)
    y = net.targets(y)
    activations, pre_activations = net.forward(x)
    analytic = net.backward(activations, pre_activations, y).copy()
    rng = np.random.default_rng(seed)
    results, offset = [], 0
    for i, (w, b) in enumerate(zip(net.weights, net.biases)):
        size = w.size + b.size
        indices = np.arange(offset, offset + size)
        if max_checks_per_layer is not None and size > max_checks_per_layer:
            indices = rng.choice(indices, size=max_checks_per_layer, replace=False)
        numeric = np.array([_numeric_derivative(net, x, y, k, epsilon) for k in indices])
        scale = max(np.max(np.abs(analytic[offset:offset + size])), np.max(np.abs(numeric)), 1e-12)
        error = float(np.max(np.abs(analytic[indices] - numeric)) / scale)
        results.append({"layer": i + 1, "shape": tuple(w.shape), "checked": int(indices.size),
                        "max_relative_error": error})
        offset += size
    return results


def _numeric_derivative(net, x, y, k, epsilon):
    original = net.params[k]
    net.params[k] = original + epsilon
    plus = objective(net, x, y)
    net.params[k] = original - epsilon
    minus = objective(net, x, y)
    net.params[k] = original
    return (plus - minus) / (2 * epsilon)


def _float64_copy(network):
    copy = NeuralNetwork.__new__(NeuralNetwork)
    copy.__dict__.update(network.__dict__)
    copy.dtype = np.float64
    copy.optimizer = None
    copy._allocate()
    copy.params[...] = network.params
    return copy
