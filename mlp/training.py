"""The training loop behind :meth:`mlp.NeuralNetwork.fit`.

After each batch and each epoch, every callback receives a plain dict::

    {"event": "batch" | "epoch", "epoch": int, "epochs": int, "batch": int,
     "batches": int, "samples_seen": int, "loss": float, "metric": float | None,
     "metric_name": "accuracy" | None, "val_loss": float | None,
     "val_metric": float | None, "elapsed": float}

``epoch`` counts from 1 over the network's whole life, so a resumed ``fit``
continues the numbering; ``batch`` counts from 1 within the epoch. On a batch
event ``loss`` is that batch's mean loss; on an epoch event, the epoch's mean.
A callback that returns True asks training to stop after the current batch.

With ``fit(..., batch_events_every=seconds)`` the callbacks receive a batch
event only once that many seconds passed since the last one (a small batch
takes tens of microseconds, and building its event costs a tenth of that);
epoch events always arrive, and :meth:`mlp.NeuralNetwork.request_stop` is
still seen after every batch.
"""

import math
import time

import numpy as np

from mlp.divergence import Guard
from mlp.errors import TrainingDiverged
from mlp.optimizers import Optimizer
from mlp.step import LabelStep
from mlp.step import applies_to as step_applies_to
from mlp.utils import NOT_FINITE, check_inputs, check_labels, is_row_source


class EarlyStopping:
    """Stop when the validation loss has not improved by ``min_delta`` for ``patience`` epochs.

    With ``restore_best_weights`` the network ends with the weights of its best epoch.
    """

    def __init__(self, patience=5, min_delta=0.0, restore_best_weights=True):
        if isinstance(patience, bool) or not isinstance(patience, (int, np.integer)) or patience < 1:
            raise ValueError(f"patience must be a whole number >= 1. Received: {patience!r}")
        if not np.isfinite(min_delta) or min_delta < 0:
            raise ValueError(f"min_delta must be finite and non-negative. Received: {min_delta!r}")
        self.patience = int(patience)
        self.min_delta = float(min_delta)
        self.restore_best_weights = restore_best_weights
        self.best_loss = np.inf
        self.best_params = None
        self.best_epoch = None
        self.wait = 0

    def should_stop(self, network, epoch, val_loss):
        """Record epoch ``epoch``'s validation loss; return True when patience has run out."""
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.wait = val_loss, epoch, 0
            if self.restore_best_weights:
                self.best_params = network.params.copy()
            return False
        self.wait += 1
        return self.wait >= self.patience

    def restore(self, network):
        """Put the best weights back, if they were kept."""
        if self.restore_best_weights and self.best_params is not None:
            network.params[...] = self.best_params


def fit(network, x, y, batch_size=32, epochs=10, categorical=False, *, validation_data=None,
        callbacks=(), early_stopping=None, shuffle=True, batch_events_every=0.0):
    """Train ``network`` on ``(x, y)`` with mini-batch gradient descent.

    Parameters
    ----------
    x : ndarray of shape (n_samples, layers[0])
        Any numeric dtype; each batch is cast to the network's dtype, so uint8
        images stay uint8 in memory.
    y : ndarray of shape (n_samples,) class labels with ``categorical=True``,
        else (n_samples, layers[-1]) (or (n_samples,) for one output)
    batch_size : int >= 1
    epochs : int >= 0
        Epochs to run in this call.
    categorical : bool
        One-hot encode integer labels ``y`` batch by batch.
    validation_data : (x_val, y_val), optional
        Scored after every epoch (``y_val`` as class labels for classifiers).
    callbacks : sequence of callables receiving the progress dict (see module doc)
    early_stopping : int patience, :class:`EarlyStopping` or None
        Needs ``validation_data``.
    shuffle : bool
        Reshuffle the samples every epoch with the network's random generator.
    batch_events_every : float >= 0
        Seconds between the batch events the callbacks receive (0: after every
        batch). Epoch events always arrive.

    Returns
    -------
    ndarray of shape (n_epochs_completed,)
        Mean training loss of each epoch completed in this call.
    """
    x, y_train, labels = _check_training_data(network, x, y, categorical)
    batch_size, epochs = _check_counts(batch_size, epochs)
    validation = _check_validation(network, validation_data)
    stopper = _make_early_stopping(early_stopping, validation)
    callbacks = list(callbacks or ())
    every = _check_seconds(batch_events_every)
    network._stop_event.clear()
    loop = _Loop(network, x, y_train, labels, batch_size, callbacks, validation, every)
    losses = []
    first_epoch = len(network.history["loss"]) + 1
    start = _Snapshot(network) if loop.unchecked else None
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is detected below
            _run_epochs(network, loop, stopper, first_epoch, epochs, shuffle, losses)
    except _BadInput:
        start.restore(network)
        raise ValueError(NOT_FINITE) from None
    if stopper is not None:
        stopper.restore(network)
    return np.asarray(losses, dtype=np.float64)


def _check_seconds(value):
    """``batch_events_every`` as a float, or a ValueError that says what it must be."""
    try:
        seconds = float(value) if not isinstance(value, (bool, str)) else math.nan
    except (TypeError, ValueError):
        seconds = math.nan
    if not 0 <= seconds < math.inf:
        raise ValueError("batch_events_every must be a finite number of seconds >= 0. "
                         f"Received: {value!r}")
    return seconds


def _run_epochs(network, loop, stopper, first_epoch, epochs, shuffle, losses):
    for epoch in range(first_epoch, first_epoch + epochs):
        completed = loop.run_epoch(epoch, first_epoch + epochs - 1, shuffle)
        if not completed:
            break
        losses.append(network.history["loss"][-1])
        stop = loop.notify_epoch(epoch, first_epoch + epochs - 1)
        if stopper is not None and stopper.should_stop(network, epoch,
                                                      network.history["val_loss"][-1]):
            stop = True
        if stop:
            break


class _BadInput(Exception):
    """A batch of the training inputs holds NaN or infinite values."""


class _Snapshot:
    """The network's state at the start of ``fit``, to put back if the inputs turn out bad.

    Float inputs are not scanned up front (a pass over all of them on every call):
    a non-finite value makes its batch's loss non-finite, and only then is the batch
    looked at; if it is the input's fault, everything training changed is undone.
    """

    def __init__(self, network):
        self.params = network.params.copy()
        get_state = getattr(network.optimizer, "get_state", None)
        self.optimizer = ({k: np.array(v, copy=True) for k, v in get_state().items()}
                          if get_state else None)
        self.lengths = {k: len(v) for k, v in network.history.items() if isinstance(v, list)}
        self.samples_seen = network.history["samples_seen"]
        self.rng = network.rng.bit_generator.state

    def restore(self, network):
        np.copyto(network.params, self.params)
        if self.optimizer is not None:
            network.optimizer.set_state(self.optimizer)
        for key, n in self.lengths.items():
            del network.history[key][n:]
        network.history["samples_seen"] = self.samples_seen
        network.rng.bit_generator.state = self.rng


class _Loop:
    """One call's training state: data, timing, batch bookkeeping."""

    def __init__(self, network, x, y, labels, batch_size, callbacks, validation,
                 batch_events_every=0.0):
        self.net, self.x, self.y, self.labels = network, x, y, labels
        self.batch_size, self.callbacks, self.validation = batch_size, callbacks, validation
        self.n = x.shape[0]
        self.n_batches = -(-self.n // batch_size)
        # Float arrays are checked batch by batch, and only when a loss is not finite.
        self.unchecked = isinstance(x, np.ndarray) and x.dtype.kind == "f"
        self.start = time.perf_counter()
        self.batch_events_every, self.next_batch_event = batch_events_every, self.start
        self.classify = labels is not None and network.n_outputs > 1
        self.onehot = np.zeros((batch_size, network.n_outputs), dtype=network.dtype)
        # Integer labels with softmax + cross-entropy: loss and delta straight from the labels,
        # in reused buffers when every layer allows it (mlp.step).
        self.from_labels = y is None and network.fast_path == "softmax_crossentropy"
        self.step = LabelStep(network, batch_size) \
            if self.from_labels and step_applies_to(network) else None
        # Built-in optimizers update in place; the Guard keeps the weights finite cheaply.
        self.guard = Guard(network) if isinstance(network.optimizer, Optimizer) else None
        self.train_batch = self._train_batch_in_buffers if self.step is not None \
            else self._train_batch

    def _batch_targets(self, idx):
        if self.y is not None:
            return self.y[idx]
        onehot = self.onehot[:idx.shape[0]]
        onehot.fill(0)
        onehot[np.arange(idx.shape[0]), self.labels[idx]] = 1
        return onehot

    def run_epoch(self, epoch, last_epoch, shuffle):
        """Train one epoch; return False if a callback or ``request_stop`` ended it early."""
        net, history = self.net, self.net.history
        order = net.rng.permutation(self.n) if shuffle else np.arange(self.n)
        epoch_start = time.perf_counter()
        loss_sum, correct = 0.0, 0
        for b in range(self.n_batches):
            idx = order[b * self.batch_size:(b + 1) * self.batch_size]
            loss, n_correct = self.train_batch(epoch, b + 1, idx)
            loss_sum += loss * idx.shape[0]
            if n_correct is not None:
                correct += n_correct
            history["batch_loss"].append(loss)
            history["samples_seen"] += idx.shape[0]
            if self._stop_after_batch(epoch, last_epoch, b + 1, loss, n_correct, idx.shape[0]):
                self.check_weights()
                return False
        self.check_weights()
        val_loss, val_metric = self._validate()
        # Appended together, after validation, so a reader in another thread sees the
        # per-epoch lists grow (almost) at once; readers should still truncate to the shortest.
        history["loss"].append(loss_sum / self.n)
        history["metric"].append(correct / self.n if self.classify else None)
        history["val_loss"].append(val_loss)
        history["val_metric"].append(val_metric)
        history["epoch_seconds"].append(time.perf_counter() - epoch_start)
        return True

    def _stop_after_batch(self, epoch, last_epoch, batch, loss, n_correct, size):
        """Tell the callbacks about a finished batch; True if training should stop."""
        if not self.callbacks:  # nobody to tell: skip building the progress dict
            return self.net._stop_event.is_set()
        if self.batch_events_every:
            now = time.perf_counter()
            if now < self.next_batch_event:
                return self.net._stop_event.is_set()
            self.next_batch_event = now + self.batch_events_every
        return self._notify({"event": "batch", "epoch": epoch, "epochs": last_epoch,
                             "batch": batch, "batches": self.n_batches,
                             "samples_seen": self.net.history["samples_seen"], "loss": loss,
                             "metric": None if n_correct is None else n_correct / size,
                             "metric_name": "accuracy" if self.classify else None,
                             "val_loss": None, "val_metric": None,
                             "elapsed": time.perf_counter() - self.start})

    def _train_batch(self, epoch, batch, idx):
        net = self.net
        activations, pre_activations = net.forward(self.x[idx])
        y_pred = activations[-1]
        labels = self.labels[idx] if self.labels is not None else None
        if self.from_labels:
            loss, delta = net.label_loss_and_delta(y_pred, labels)
        else:
            y_true = self._batch_targets(idx)
            loss = float(np.mean(net.loss.function(y_pred, y_true)))
        if not math.isfinite(loss):
            self._diverged(epoch, batch, idx)
        if self.from_labels:
            gradient = net.backpropagate(delta, activations, pre_activations)
        else:
            gradient = net.backward(activations, pre_activations, y_true)
        self._update(gradient, epoch, batch)
        n_correct = None
        if self.classify:
            n_correct = int(np.count_nonzero(y_pred.argmax(axis=1) == labels))
        return loss, n_correct

    def _train_batch_in_buffers(self, epoch, batch, idx):
        """The same step as :meth:`_train_batch`, computed by :class:`mlp.step.LabelStep`."""
        labels = self.labels[idx]
        loss, predicted = self.step.forward(self.x[idx], labels)
        if not math.isfinite(loss):
            self._diverged(epoch, batch, idx)
        self.step.backward()
        self._update(self.net.gradient, epoch, batch)
        n_correct = int(np.count_nonzero(predicted == labels)) if self.classify else None
        return loss, n_correct

    def _diverged(self, epoch, batch, idx):
        """The loss of this batch is not finite: the inputs' fault, or divergence (raises)."""
        self._check_batch(idx)
        if self.guard is not None:
            self.guard.loss_not_finite(epoch, batch)
        raise TrainingDiverged(epoch, batch, "loss")

    def _update(self, gradient, epoch, batch):
        guard = self.guard
        if guard is None:
            _apply_custom_update(self.net, gradient, epoch, batch)
            return
        guard.before_update()
        self.net.optimizer.step(self.net.params, gradient)
        guard.updates += 1
        guard.last = (epoch, batch)

    def check_weights(self):
        """At the end of an epoch or of the call: raise if the last update broke the weights."""
        if self.guard is not None:
            self.guard.check_weights()

    def _check_batch(self, idx):
        """Raise :class:`_BadInput` if the batch's inputs are what made the loss non-finite."""
        if self.unchecked and not np.isfinite(self.x[idx]).all():
            raise _BadInput

    def _validate(self):
        if self.validation is None:
            return None, None
        x_val, y_val, val_labels = self.validation
        y_pred = self.net.predict(x_val)
        val_loss = float(np.mean(self.net.loss.function(y_pred, y_val)))
        if val_labels is not None and self.net.n_outputs > 1:
            return val_loss, float(np.mean(y_pred.argmax(axis=1) == val_labels))
        return val_loss, val_loss

    def notify_epoch(self, epoch, last_epoch):
        history = self.net.history
        return self._notify({
            "event": "epoch", "epoch": epoch, "epochs": last_epoch, "batch": self.n_batches,
            "batches": self.n_batches, "samples_seen": history["samples_seen"],
            "loss": history["loss"][-1], "metric": history["metric"][-1],
            "metric_name": "accuracy" if self.classify else None,
            "val_loss": history["val_loss"][-1], "val_metric": history["val_metric"][-1],
            "elapsed": time.perf_counter() - self.start})

    def _notify(self, info):
        stop = False
        for callback in self.callbacks:
            if callback(info) is True:
                stop = True
        return stop or self.net._stop_event.is_set()


def _apply_custom_update(net, gradient, epoch, batch):
    """Update with an optimizer of the user's own (``update(old_params, gradient)``).

    It gets copies; its result is checked before it replaces the parameters, so a
    non-finite result leaves them as they were.
    """
    if not np.isfinite(gradient.sum()):
        raise TrainingDiverged(epoch, batch, "gradient")
    new_params = np.asarray(net.optimizer.update(net.params.copy(), gradient.copy()))
    if new_params.shape != net.params.shape:
        raise ValueError(
            f"The optimizer returned parameters of shape {new_params.shape}; "
            f"expected {net.params.shape}.")
    if not np.isfinite(new_params).all():
        raise TrainingDiverged(epoch, batch, "weights")
    net.params[...] = new_params


def _check_training_data(network, x, y, categorical):
    # A row source knows whether it is finite; an array is checked as it is read (_Snapshot).
    x = check_inputs(x, network.n_inputs, finite=is_row_source(x))
    y = np.asarray(y)
    if y.shape[0] != x.shape[0]:
        raise ValueError(
            f"x and y have different numbers of samples: {x.shape[0]} and {y.shape[0]}.")
    if categorical:
        return x, None, check_labels(y, network.n_outputs)
    y = network.targets(y, categorical=False)
    labels = y.argmax(axis=1) if network.is_classifier and network.n_outputs > 1 else None
    return x, y, labels


def _check_counts(batch_size, epochs):
    for name, value, low in (("batch_size", batch_size, 1), ("epochs", epochs, 0)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"{name} must be a whole number. Received: {value!r}")
        if value < low:
            raise ValueError(f"{name} must be at least {low}. Received: {value}")
    return int(batch_size), int(epochs)


def _check_validation(network, validation_data):
    if validation_data is None:
        return None
    try:
        x_val, y_val = validation_data
    except (TypeError, ValueError):
        raise ValueError("validation_data must be a pair (x_val, y_val).") from None
    x_val = check_inputs(x_val, network.n_inputs)
    y_val = np.asarray(y_val)
    if y_val.shape[0] != x_val.shape[0]:
        raise ValueError(
            f"x_val and y_val have different numbers of samples: {x_val.shape[0]} and "
            f"{y_val.shape[0]}.")
    targets = network.targets(y_val)
    labels = targets.argmax(axis=1) if network.n_outputs > 1 else None
    return x_val, targets, labels


def _make_early_stopping(early_stopping, validation):
    if early_stopping is None or early_stopping is False:
        return None
    if validation is None:
        raise ValueError("early_stopping needs validation_data to watch the validation loss.")
    if isinstance(early_stopping, EarlyStopping):
        return early_stopping
    return EarlyStopping(patience=early_stopping)
