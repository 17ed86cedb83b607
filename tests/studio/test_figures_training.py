"""Training curves: smoothing, batch positions, decimation, metrics and run overlays."""

import numpy as np
import pytest

from studio.figures import style
from studio.figures.training import (batch_positions, ema_smooth, loss_curve, metric_curve,
                                     runs_overlay)


def trace(fig, name):
    matches = [t for t in fig.data if t.name == name]
    assert len(matches) == 1, f"expected one trace named {name!r}, got {[t.name for t in fig.data]}"
    return matches[0]


def test_ema_matches_hand_computed_debiased_average():
    # weight 0.5: m1 = 0.5 -> 0.5 / 0.5; m2 = 1.25 -> 1.25 / 0.75; m3 = 2.125 -> 2.125 / 0.875
    np.testing.assert_allclose(ema_smooth([1.0, 2.0, 3.0], 0.5), [1.0, 1.25 / 0.75, 2.125 / 0.875])


def test_ema_passes_nan_through_and_skips_it():
    np.testing.assert_allclose(ema_smooth([1.0, np.nan, 3.0], 0.5),
                               [1.0, np.nan, (0.25 + 1.5) / 0.75])


@pytest.mark.parametrize("weight", [1.0, -0.1, 2])
def test_ema_rejects_weight_outside_0_1(weight):
    with pytest.raises(ValueError, match="smoothing must be in"):
        ema_smooth([1.0], weight)


def test_smoothed_trace_is_the_ema_of_the_batch_losses():
    fig = loss_curve([1.0, 2.0, 3.0], [], [], 3, smoothing=0.5)
    np.testing.assert_allclose(trace(fig, "smoothed").y, [1.0, 1.25 / 0.75, 2.125 / 0.875])
    np.testing.assert_allclose(trace(fig, "batch loss").y, [1.0, 2.0, 3.0])


def test_batches_sit_at_fractions_of_an_epoch():
    fig = loss_curve([5, 4, 3, 2, 1], [4.5, 2.5], [], 2)
    np.testing.assert_allclose(trace(fig, "batch loss").x, [0.5, 1.0, 1.5, 2.0, 2.5])
    np.testing.assert_allclose(trace(fig, "train (epoch mean)").x, [1, 2])


def test_batch_positions_follow_a_changing_batch_count():
    np.testing.assert_allclose(batch_positions(6, [2, 4]), [0.5, 1.0, 1.25, 1.5, 1.75, 2.0])
    np.testing.assert_allclose(batch_positions(3, [1]), [1.0, 2.0, 3.0])
    assert batch_positions(0, 7).shape == (0,)


@pytest.mark.parametrize("bad", [0, -2, 1.5, [], [2, 0], "two"])
def test_batch_positions_reject_bad_counts(bad):
    with pytest.raises(ValueError, match="batches_per_epoch"):
        batch_positions(4, bad)


def test_validation_skips_none_epochs():
    fig = loss_curve([], [1.0, 0.8, 0.6], [0.9, None, 0.7], 10)
    val = trace(fig, "validation")
    np.testing.assert_allclose(val.x, [1, 3])
    np.testing.assert_allclose(val.y, [0.9, 0.7])
    assert [t.name for t in fig.data] == ["train (epoch mean)", "validation"]


def test_no_validation_trace_when_all_none():
    fig = loss_curve([1.0], [1.0], [None], 1)
    assert "validation" not in [t.name for t in fig.data]


def test_long_runs_are_decimated_but_smoothed_on_all_points():
    rng = np.random.default_rng(0)
    losses = rng.random(12_001)
    fig = loss_curve(losses, [], [], 1000, smoothing=0.9, max_points=5000)
    raw, smooth = trace(fig, "batch loss"), trace(fig, "smoothed")
    assert len(raw.x) <= 5001 and len(raw.x) > 2500
    assert raw.x[-1] == pytest.approx(12.001)
    assert smooth.y[-1] == pytest.approx(ema_smooth(losses, 0.9)[-1])
    np.testing.assert_allclose(raw.y, losses[np.searchsorted(np.arange(1, 12_002) / 1000, raw.x)])


def test_layout_titles_and_log_axis():
    fig = loss_curve([1.0, 0.5], [0.75], [0.8], 2, log_y=True)
    assert fig.layout.title.text == "Loss during training"
    assert fig.layout.xaxis.title.text == "epoch"
    assert fig.layout.yaxis.title.text.startswith("loss")
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.legend.bgcolor == "rgba(0,0,0,0)"  # readable on a light or dark page


def test_empty_history_draws_a_message_not_an_error():
    fig = loss_curve([], [], [], 5)
    assert fig.data == ()
    assert "No training yet" in fig.layout.annotations[0].text


def test_validation_length_must_match_epochs():
    with pytest.raises(ValueError, match=r"val_loss.*Received shapes \(3,\) and \(2,\)"):
        loss_curve([], [1.0, 0.5], [1.0, 0.9, 0.8], 1)


def test_batch_loss_must_be_one_dimensional():
    with pytest.raises(ValueError, match=r"batch_loss.*\(2, 2\)"):
        loss_curve(np.ones((2, 2)), [], [], 1)


def test_accuracy_in_percent_on_a_0_100_axis():
    fig = metric_curve([0.5, 0.75], [None, 0.7], "accuracy")
    np.testing.assert_allclose(trace(fig, "train").y, [50, 75])
    np.testing.assert_allclose(trace(fig, "validation").x, [2])
    np.testing.assert_allclose(trace(fig, "validation").y, [70])
    assert list(fig.layout.yaxis.range) == [0, 100]
    assert fig.layout.yaxis.title.text == "accuracy (%)"
    assert fig.layout.xaxis.title.text == "epoch"


def test_mse_metric_keeps_its_values():
    fig = metric_curve([0.3, 0.2], [], "mse")
    np.testing.assert_allclose(trace(fig, "train").y, [0.3, 0.2])
    assert fig.layout.yaxis.title.text == "mean squared error"
    assert fig.layout.yaxis.range is None


def test_metric_of_none_only_shows_a_message():
    fig = metric_curve([None, None], [None, None], "accuracy")
    assert fig.data == () and fig.layout.annotations


def test_runs_share_a_colour_train_dashed_validation_solid():
    runs = [{"label": "adam", "loss": [1.0, 0.5], "val_loss": [1.1, 0.6]},
            {"label": "sgd", "loss": [1.0, 0.8], "val_loss": [1.2, 0.9]}]
    fig = runs_overlay(runs, which="both")
    assert [t.name for t in fig.data] == ["adam · train", "adam · validation",
                                          "sgd · train", "sgd · validation"]
    assert [t.line.dash for t in fig.data] == ["dash", "solid"] * 2
    assert fig.data[0].line.color == fig.data[1].line.color == style.PALETTE[0]
    assert fig.data[2].line.color == fig.data[3].line.color == style.PALETTE[1]
    np.testing.assert_allclose(fig.data[3].y, [1.2, 0.9])


def test_runs_without_validation_fall_back_to_training_loss():
    runs = [{"label": "a", "loss": [1.0], "val_loss": [0.9]},
            {"label": "b", "loss": [2.0], "val_loss": [None]}]
    fig = runs_overlay(runs)
    assert [t.name for t in fig.data] == ["a · validation", "b · train"]
    assert fig.layout.title.text == "Runs compared: validation loss"


def test_runs_overlay_checks_its_arguments():
    with pytest.raises(ValueError, match="which must be"):
        runs_overlay([], which="accuracy")
    with pytest.raises(ValueError, match="label"):
        runs_overlay([{"loss": [1.0]}])
    assert runs_overlay([]).data == ()


def test_one_loss_spike_does_not_stretch_the_linear_axis():
    from studio.figures.training import loss_curve
    batch = [0.3 + 0.01 * np.sin(i) for i in range(200)]
    batch[150] = 10.0                                     # one bad batch
    fig = loss_curve(batch, [0.3, 0.31], [], 100)
    low, high = fig.layout.yaxis.range
    assert low == 0 and 0.31 < high < 1.0                 # the bulk, not 0..10
    log = loss_curve(batch, [0.3, 0.31], [], 100, log_y=True)
    assert log.layout.yaxis.type == "log" and log.layout.yaxis.range is None


def test_an_even_loss_keeps_its_whole_range():
    from studio.figures.training import loss_curve
    batch = list(np.linspace(2.3, 0.1, 200))
    assert loss_curve(batch, [1.0, 0.2], [], 100).layout.yaxis.range is None
