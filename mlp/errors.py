"""Exceptions raised by the engine."""


class TrainingDiverged(ArithmeticError):
    """The loss, the gradient or the weights became NaN or infinite during ``fit``.

    The network is rolled back to finite weights: those of the last checkpoint,
    at most :data:`mlp.divergence.CHECKPOINT_EVERY` updates before the failure
    (see :mod:`mlp.divergence`). ``epoch`` and ``batch`` (both counted from 1) say
    which update or batch it was; ``what`` is "loss", "gradient" or "weights".
    """

    def __init__(self, epoch, batch, what):
        self.epoch = epoch
        self.batch = batch
        self.what = what
        super().__init__(
            f"Training diverged at epoch {epoch}, batch {batch}: the {what} became NaN or "
            "infinite. The network is back to finite weights from just before. Try a lower "
            "learning rate "
            "(for example a tenth of the current one), scale the inputs (standardise features "
            "or divide pixels by 255), or add L2 weight decay.")


class ModelFileError(ValueError):
    """A model file could not be read: truncated, not a model file, or inconsistent."""
