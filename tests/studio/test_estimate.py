"""The training-time estimate a link's arrival checks against the server's job limit."""

import pytest

from studio.estimate import describe_seconds, n_params, training_seconds


def test_parameters_are_weights_and_biases():
    assert n_params([784, 256, 10]) == 784 * 256 + 256 + 256 * 10 + 10


def test_the_estimate_grows_with_epochs_rows_and_width():
    base = training_seconds([64, 32, 10], 1400, 32, 10)
    assert training_seconds([64, 32, 10], 1400, 32, 20) == pytest.approx(2 * base)
    assert training_seconds([64, 32, 10], 2800, 32, 10) > 1.9 * base
    assert training_seconds([64, 512, 10], 1400, 32, 10) > base


def test_small_batches_cost_their_overhead():
    # The same samples in batches of 1 cost a fixed overhead per batch: far more.
    assert training_seconds([2, 8, 2], 1000, 1, 1) > 10 * training_seconds([2, 8, 2], 1000, 100, 1)


def test_the_estimate_errs_long_for_the_recommended_mnist():
    # Measured: about 1.5 s an epoch with one BLAS thread on an idle 2-core Xeon.
    seconds = training_seconds([784, 256, 10], 56_000, 128, 15)
    assert 15 * 1.5 <= seconds <= 15 * 1.5 * 5


@pytest.mark.parametrize("seconds, text", [(0.2, "about 1 s"), (42.4, "about 42 s"),
                                           (150, "about 2 min"), (7200, "about 2.0 h")])
def test_durations_read_naturally(seconds, text):
    assert describe_seconds(seconds) == text
