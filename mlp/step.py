"""The training step for integer labels with softmax + cross-entropy, in reused buffers.

:class:`LabelStep` computes exactly what :meth:`NeuralNetwork.forward`,
:meth:`NeuralNetwork.label_loss_and_delta` and :meth:`NeuralNetwork.backpropagate`
compute -- the same operations in the same order, so the same numbers -- but
into buffers kept from one batch to the next: each layer's output is computed in
place over its pre-activation (backpropagation takes the derivative from the
output), the softmax's output becomes the output delta, and every product writes
into its own array (the relu mask too). Nothing the size of a batch is allocated
per batch.

It applies when every hidden activation is a registered one with a derivative
from its output and the output is softmax with cross-entropy; the training loop
uses the general step otherwise.
"""

import numpy as np


def applies_to(network):
    """Whether :class:`LabelStep` can train ``network`` (labels given as integers)."""
    return network.fast_path == "softmax_crossentropy" and all(
        pair.name in IN_PLACE for pair in network.hidden)


def _relu(z):
    np.maximum(z, 0, out=z)


def _tanh(z):
    np.tanh(z, out=z)


def _identity(z):
    return None


def _relu_mask(delta, a, mask):
    np.greater(a, 0, out=mask)
    np.multiply(delta, mask, out=delta)


#: Hidden activations computed in place, and their derivatives (from the output) applied
#: in place to the incoming delta (given a boolean buffer of its shape to work in);
#: ``None`` means the registered pair's own functions.
IN_PLACE = {"relu": (_relu, _relu_mask), "tanh": (_tanh, None), "identity": (_identity, None),
            "sigmoid": (None, None), "leaky_relu": (None, None)}


class LabelStep:
    """Forward, loss, output delta and backpropagation for one batch, in reused buffers.

    Parameters
    ----------
    network : mlp.NeuralNetwork
        Must satisfy :func:`applies_to`. Its ``gradient`` is filled in place.
    batch_size : int
        The largest batch; a smaller last batch uses the first rows of each buffer.

    The layers' arrays are looked up once, here: a batch of 64 on [784, 128, 10]
    takes about half a millisecond, and every attribute lookup, Python call and
    NumPy wrapper on its path costs a share of that. ``fit`` builds a step per call,
    so the network cannot be rebuilt while it is in use.
    """

    def __init__(self, network, batch_size):
        self.net = network
        dtype = self.dtype = network.dtype
        widths = network.layers[1:]
        self.outputs = [np.empty((batch_size, w), dtype=dtype) for w in widths]
        self.deltas = [np.empty((batch_size, w), dtype=dtype) for w in widths[:-1]]
        self.masks = [np.empty((batch_size, w), dtype=bool) for w in widths[:-1]]
        self.rows = np.arange(batch_size)
        self.eps = np.finfo(dtype).eps
        activate = [IN_PLACE[pair.name][0] or _apply_function(pair)
                    for pair in network.hidden]
        derivative = [IN_PLACE[pair.name][1] or _multiply_by_derivative(pair)
                      for pair in network.hidden]
        weights, biases = network.weights, network.biases
        # Forward: (weights, biases, output buffer, activation in place) per hidden layer.
        self.hidden_layers = list(zip(weights[:-1], biases[:-1], self.outputs[:-1], activate))
        self.output_layer = (weights[-1], biases[-1], self.outputs[-1])
        # Backward, output layer first: (layer, gradient of weights and biases, weights,
        # delta buffer and mask buffer of the layer below and its derivative, or None).
        self.backward_layers = [
            (i, network._grad_weights[i], network._grad_biases[i], weights[i],
             *((self.deltas[i - 1], self.masks[i - 1], derivative[i - 1]) if i else
               (None, None, None)))
            for i in range(len(weights) - 1, -1, -1)]
        self._activations = None

    def forward(self, xb, labels):
        """Outputs, loss and output delta for the batch ``xb`` with integer ``labels``.

        The network's gradient is not touched until :meth:`backward`.

        Parameters
        ----------
        xb : ndarray of shape (m, layers[0]), any numeric dtype (cast like ``forward``)
        labels : int ndarray of shape (m,)

        Returns
        -------
        loss : float, the batch-mean cross-entropy
        predicted : int ndarray of shape (m,), the class each sample was given
        """
        m = labels.shape[0]
        a = np.asarray(xb, dtype=self.dtype)
        activations = [a]
        for w, b, out, activate in self.hidden_layers:
            z = out[:m]
            np.matmul(a, w, out=z)
            z += b
            activate(z)
            activations.append(z)
            a = z
        w, b, out = self.output_layer
        p = out[:m]
        np.matmul(a, w, out=p)
        p += b
        _softmax_in_place(p)
        activations.append(p)
        self._activations = activations
        predicted = p.argmax(axis=1)
        return self._loss_and_delta(p, labels), predicted

    def backward(self):
        """Fill the network's gradient from the last :meth:`forward` (its delta and outputs)."""
        activations = self._activations
        delta, m = activations[-1], activations[0].shape[0]
        l2 = self.net.l2
        for i, grad_w, grad_b, w, below, mask, derivative in self.backward_layers:
            np.matmul(activations[i].T, delta, out=grad_w)
            np.add.reduce(delta, axis=0, keepdims=True, out=grad_b)  # np.sum's own
            if l2:
                grad_w += l2 * w
            if below is not None:
                incoming = below[:m]
                np.matmul(delta, w.T, out=incoming)
                derivative(incoming, activations[i], mask[:m])
                delta = incoming

    def run(self, xb, labels):
        """:meth:`forward` then :meth:`backward`; returns ``(loss, predicted)``."""
        result = self.forward(xb, labels)
        self.backward()
        return result

    def _loss_and_delta(self, p, labels):
        """The loss, and the output delta written over the probabilities ``p``."""
        n = labels.shape[0]
        rows = self.rows[:n]
        p_true = p[rows, labels]
        loss = -mean(np.log(np.maximum(p_true, self.eps)))
        if np.minimum.reduce(p_true) >= self.eps:
            p[rows, labels] -= 1
        else:  # as NeuralNetwork.label_loss_and_delta: rows scaled by min(1, p_true / eps)
            ratio = np.minimum(1.0, p_true / self.eps).astype(p.dtype)
            p *= ratio[:, None]
            p[rows, labels] -= ratio
        p /= n
        return loss


def mean(values):
    """``float(np.mean(values))`` for a 1-D float array, bit for bit, without its wrapper.

    np.mean sums in the array's dtype and divides the sum, as a float64, by the count;
    the result is that quotient in the array's dtype. Its Python wrapper costs four
    times the sum itself on a batch-sized array.
    """
    total = np.add.reduce(values)
    return float(total.dtype.type(float(total) / values.shape[0]))


def _apply_function(pair):
    """A registered activation applied over ``z`` (its function returns a new array)."""
    def activate(z):
        z[...] = pair.function(z)
    return activate


def _multiply_by_derivative(pair):
    """A registered activation's derivative, from its output, applied to the incoming delta."""
    def apply(delta, a, mask):
        delta *= pair.output_derivative(a)
    return apply


def _softmax_in_place(z):
    """``mlp.activations.softmax`` computed over ``z`` itself (the same operations)."""
    z -= np.maximum.reduce(z, axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= np.add.reduce(z, axis=1, keepdims=True)
