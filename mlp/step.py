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
    """

    def __init__(self, network, batch_size):
        self.net = network
        dtype = network.dtype
        widths = network.layers[1:]
        self.outputs = [np.empty((batch_size, w), dtype=dtype) for w in widths]
        self.deltas = [np.empty((batch_size, w), dtype=dtype) for w in widths[:-1]]
        self.masks = [np.empty((batch_size, w), dtype=bool) for w in widths[:-1]]
        self.rows = np.arange(batch_size)
        self.eps = np.finfo(dtype).eps
        self.activate = [IN_PLACE[pair.name][0] for pair in network.hidden]
        self.apply_derivative = [IN_PLACE[pair.name][1] for pair in network.hidden]

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
        net, m = self.net, labels.shape[0]
        a = np.asarray(xb, dtype=net.dtype)
        activations = [a]
        last = len(net.weights) - 1
        for i, (w, b) in enumerate(zip(net.weights, net.biases)):
            z = self.outputs[i][:m]
            np.matmul(a, w, out=z)
            z += b
            if i == last:
                _softmax_in_place(z)
            else:
                self._activate(i, z)
            activations.append(z)
            a = z
        probabilities = activations[-1]
        predicted = probabilities.argmax(axis=1)
        loss = self._loss_and_delta(probabilities, labels)
        self._activations = activations
        return loss, predicted

    def backward(self):
        """Fill the network's gradient from the last :meth:`forward` (its delta and outputs)."""
        activations = self._activations
        self._backpropagate(activations[-1], activations, activations[0].shape[0])

    def run(self, xb, labels):
        """:meth:`forward` then :meth:`backward`; returns ``(loss, predicted)``."""
        result = self.forward(xb, labels)
        self.backward()
        return result

    def _activate(self, i, z):
        in_place = self.activate[i]
        if in_place is not None:
            in_place(z)
        else:
            z[...] = self.net.hidden[i].function(z)

    def _loss_and_delta(self, p, labels):
        """The loss, and the output delta written over the probabilities ``p``."""
        n = labels.shape[0]
        rows = self.rows[:n]
        p_true = p[rows, labels]
        loss = -float(np.mean(np.log(np.maximum(p_true, self.eps))))
        if np.minimum.reduce(p_true) >= self.eps:
            p[rows, labels] -= 1
        else:  # as NeuralNetwork.label_loss_and_delta: rows scaled by min(1, p_true / eps)
            ratio = np.minimum(1.0, p_true / self.eps).astype(p.dtype)
            p *= ratio[:, None]
            p[rows, labels] -= ratio
        p /= n
        return loss

    def _backpropagate(self, delta, activations, m):
        net = self.net
        for i in range(len(net.weights) - 1, -1, -1):
            np.matmul(activations[i].T, delta, out=net._grad_weights[i])
            np.add.reduce(delta, axis=0, keepdims=True, out=net._grad_biases[i])  # np.sum's own
            if net.l2:
                net._grad_weights[i] += net.l2 * net.weights[i]
            if i > 0:
                incoming = self.deltas[i - 1][:m]
                np.matmul(delta, net.weights[i].T, out=incoming)
                apply = self.apply_derivative[i - 1]
                if apply is not None:
                    apply(incoming, activations[i], self.masks[i - 1][:m])
                else:
                    incoming *= net.hidden[i - 1].output_derivative(activations[i])
                delta = incoming


def _softmax_in_place(z):
    """``mlp.activations.softmax`` computed over ``z`` itself (the same operations)."""
    z -= np.maximum.reduce(z, axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= np.add.reduce(z, axis=1, keepdims=True)
