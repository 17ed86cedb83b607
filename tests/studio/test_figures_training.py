"""Training curves: smoothing, batch positions and run overlays (the live charts: test_figures_live)."""

import numpy as np
import pytest

from studio.figures import style
from studio.figures.training import batch_positions, ema_smooth, runs_overlay


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


def test_batch_positions_follow_a_changing_batch_count():
    np.testing.assert_allclose(batch_positions(6, [2, 4]), [0.5, 1.0, 1.25, 1.5, 1.75, 2.0])
    np.testing.assert_allclose(batch_positions(3, [1]), [1.0, 2.0, 3.0])
    assert batch_positions(0, 7).shape == (0,)


@pytest.mark.parametrize("bad", [0, -2, 1.5, [], [2, 0], "two"])
def test_batch_positions_reject_bad_counts(bad):
    with pytest.raises(ValueError, match="batches_per_epoch"):
        batch_positions(4, bad)


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
