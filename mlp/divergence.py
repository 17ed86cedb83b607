"""Keeping the weights finite while training, at no cost per batch.

A non-finite weight makes the next batch's loss non-finite: a NaN or an infinity
in a weight matrix reaches every output through the product (``0 * inf`` is NaN).
So the loss, which training computes anyway, is the check; the weights themselves
are looked at only when a loss is not finite, at the end of every epoch and at
the end of ``fit``. To go back to finite weights, a copy of the weights is kept
every :data:`CHECKPOINT_EVERY` updates -- the only cost, a fraction of a pass
over the parameters per batch -- and a divergence rolls back to it: weights at
most that many updates before the one that broke them, every one of which gave
a finite loss. The optimizer's state, built from the updates being undone, is
reset.
"""

import numpy as np

from mlp.errors import TrainingDiverged

CHECKPOINT_EVERY = 8


class Guard:
    """Divergence bookkeeping for one call of ``fit`` with a built-in optimizer."""

    def __init__(self, network):
        self.net = network
        self.updates = 0
        self.last = None   # (epoch, batch) of the last update

    def before_update(self):
        """Keep a checkpoint of the weights every :data:`CHECKPOINT_EVERY` updates."""
        if self.updates % CHECKPOINT_EVERY == 0:
            self.net.backup_params()

    def after_update(self, epoch, batch):
        self.updates += 1
        self.last = (epoch, batch)

    def loss_not_finite(self, epoch, batch):
        """Raise :class:`TrainingDiverged` for a non-finite loss at (``epoch``, ``batch``).

        If the last update left non-finite weights, that update is named (with what
        went non-finite first); otherwise the loss itself is.
        """
        if self.updates and not np.isfinite(self.net.params.sum()):
            raise self._roll_back_and_name(*self.last)
        if self.updates:
            self._roll_back()
        raise TrainingDiverged(epoch, batch, "loss")

    def check_weights(self):
        """Raise :class:`TrainingDiverged` if the last update left non-finite weights."""
        if self.updates and not np.isfinite(self.net.params.sum()):
            raise self._roll_back_and_name(*self.last)

    def _roll_back_and_name(self, epoch, batch):
        gradient = self.net.gradient  # still the last update's: nothing has overwritten it
        cause = "weights" if np.isfinite(gradient).all() else "gradient"
        self._roll_back()
        return TrainingDiverged(epoch, batch, cause)

    def _roll_back(self):
        roll_back(self.net)


def roll_back(net):
    """Restore the weights of the last checkpoint and forget the optimizer's state.

    The optimizer's state (momentum, moments) was built from the steps being
    undone, so it is reset rather than kept inconsistent with the weights.
    """
    np.copyto(net.params, net._backup)
    reset = getattr(net.optimizer, "reset", None)
    if reset is not None:
        reset()
