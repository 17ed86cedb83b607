"""How long a training run will take, estimated before it starts.

A batch costs a fixed overhead (Python, allocation, small-matrix calls) plus
about six floating-point operations per parameter and sample (forward, and the
backward pass's two products). The constants are deliberately on the slow side
of what one CPU does: measured on a 2-core Xeon with one BLAS thread, the
estimate is 1.0-2.5x the real time (Digits [64, 64, 10] at batch 32: 274 µs a
batch measured; MNIST [784, 256, 10] at batch 128: 3.2 ms; [784, 1024, 1024, 10]
at batch 64: 29 ms). A link that would train past the server's per-job limit
is told so before it starts, so erring long is the safe side.
"""

import math

BATCH_OVERHEAD_SECONDS = 4e-4
FLOPS_PER_SECOND = 2e10
FLOPS_PER_PARAMETER_AND_SAMPLE = 6


def n_params(layers):
    """Weights and biases of a network with ``layers`` sizes, e.g. [784, 256, 10]."""
    return sum(a * b + b for a, b in zip(layers[:-1], layers[1:]))


def training_seconds(layers, n_train, batch_size, epochs, n_val=0):
    """Estimated seconds to train ``epochs`` epochs (validation passes included).

    Parameters
    ----------
    layers : list of int, the layer sizes, inputs first
    n_train, n_val : int, rows in the training and validation splits
    batch_size, epochs : int
    """
    params = n_params(layers)
    batches = math.ceil(n_train / batch_size)
    per_epoch = (batches * BATCH_OVERHEAD_SECONDS
                 + FLOPS_PER_PARAMETER_AND_SAMPLE * params * n_train / FLOPS_PER_SECOND
                 + 2 * params * (n_train + n_val) / FLOPS_PER_SECOND)  # the epoch's metrics
    return epochs * per_epoch


def describe_seconds(seconds):
    """"about 40 s", "about 3 min", "about 1.5 h"."""
    if seconds < 90:
        return f"about {max(1, round(seconds))} s"
    if seconds < 5400:
        return f"about {round(seconds / 60)} min"
    return f"about {seconds / 3600:.1f} h"
