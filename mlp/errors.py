"""Exceptions raised by the engine."""


class TrainingDiverged(ArithmeticError):
    """The loss or the gradient became NaN or infinite during ``fit``.

    The network keeps the last finite weights it had. ``epoch`` and ``batch``
    (both counted from 1) say where it happened.
    """

    def __init__(self, epoch, batch, what):
        self.epoch = epoch
        self.batch = batch
        self.what = what
        super().__init__(
            f"Training diverged at epoch {epoch}, batch {batch}: the {what} became NaN or "
            "infinite. The network keeps its last finite weights. Try a lower learning rate "
            "(for example a tenth of the current one), scale the inputs (standardise features "
            "or divide pixels by 255), or add L2 weight decay.")


class ModelFileError(ValueError):
    """A model file could not be read: truncated, not a model file, or inconsistent."""
