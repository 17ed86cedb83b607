"""A hand-fused NumPy training step for [784, h, 10] relu / softmax / cross-entropy.

It is the reference for how fast *any* NumPy implementation of the throughput
workloads can go on this machine: the same matrix products as ``mlp`` (and as
scikit-learn) with every buffer preallocated, every operation in place, no input
or divergence checks, no history and no callbacks. ``mlp`` does all of those, so
this step bounds what engine tuning could still gain.
"""

import numpy as np


class FusedNumpyRunner:
    """One epoch of SGD with momentum over ``(x, labels)`` with a hand-fused step.

    Parameters
    ----------
    hidden, batch_size : int
    x : float32 ndarray of shape (n_samples, 784)
    y : int ndarray of shape (n_samples,), labels in 0..9
    learning_rate, momentum : float
    """

    name, dtype = "NumPy, hand-fused step (reference)", "float32"

    def __init__(self, hidden, batch_size, x, y, learning_rate, momentum, seed=0):
        self.x, self.y, self.batch_size = x, y, batch_size
        self.learning_rate, self.momentum = learning_rate, momentum
        self.rng = np.random.default_rng(seed)
        n_in, n_out = x.shape[1], 10
        shapes = [(n_in, hidden), (1, hidden), (hidden, n_out), (1, n_out)]
        sizes = [a * b for a, b in shapes]
        self.params = np.zeros(sum(sizes), dtype=np.float32)
        self.gradient = np.zeros_like(self.params)
        self.velocity = np.zeros_like(self.params)
        self.work = np.zeros_like(self.params)
        offsets = np.cumsum([0] + sizes)
        self.w1, self.b1, self.w2, self.b2 = (
            self.params[a:b].reshape(shape) for a, b, shape in zip(offsets, offsets[1:], shapes))
        self.gw1, self.gb1, self.gw2, self.gb2 = (
            self.gradient[a:b].reshape(shape) for a, b, shape in zip(offsets, offsets[1:], shapes))
        for w in (self.w1, self.w2):
            w[...] = self.rng.normal(0.0, np.sqrt(1.0 / sum(w.shape)), size=w.shape)
        self.hidden = np.empty((batch_size, hidden), dtype=np.float32)
        self.delta_hidden = np.empty_like(self.hidden)
        self.rows = np.arange(batch_size)
        self.eps = np.finfo(np.float32).eps

    def epoch(self):
        """Train one epoch on a fresh permutation; return the mean training loss."""
        order = self.rng.permutation(len(self.x))
        total = 0.0
        for start in range(0, len(order), self.batch_size):
            total += self._step(order[start:start + self.batch_size])
        return total / len(order)

    def _step(self, idx):
        m = idx.shape[0]
        xb, labels, rows = self.x[idx], self.y[idx], self.rows[:m]
        a1, d1 = self.hidden[:m], self.delta_hidden[:m]
        np.matmul(xb, self.w1, out=a1)
        a1 += self.b1
        np.maximum(a1, 0, out=a1)
        p = a1 @ self.w2
        p += self.b2
        p -= p.max(axis=1, keepdims=True)
        np.exp(p, out=p)
        p /= p.sum(axis=1, keepdims=True)
        p_true = p[rows, labels]
        loss = -float(np.mean(np.log(np.maximum(p_true, self.eps))))
        p[rows, labels] -= 1                          # p becomes the output delta
        p *= (np.minimum(1, p_true / self.eps) / m)[:, None]
        np.matmul(a1.T, p, out=self.gw2)
        p.sum(axis=0, keepdims=True, out=self.gb2)
        np.matmul(p, self.w2.T, out=d1)
        np.multiply(d1, a1 > 0, out=d1)
        np.matmul(xb.T, d1, out=self.gw1)
        d1.sum(axis=0, keepdims=True, out=self.gb1)
        self.velocity *= self.momentum
        self.velocity -= np.multiply(self.gradient, self.learning_rate, out=self.work)
        self.params += self.velocity
        return loss * m

    def accuracy(self, x, y):
        hidden = np.maximum(x @ self.w1 + self.b1, 0)
        return float(np.mean((hidden @ self.w2 + self.b2).argmax(axis=1) == y))
