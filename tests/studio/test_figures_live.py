"""The Train page's live charts (Vega-Lite): their points, axes, markers and messages."""

import json

import numpy as np
import pytest

from studio.figures import style
from studio.figures.live import loss_chart, metric_chart
from studio.figures.training import ema_smooth


def series(data, name):
    """(x, y) of the series ``name`` in a chart's long table."""
    rows = data[data["series"] == name]
    assert len(rows), f"no series {name!r} among {sorted(set(data['series']))}"
    return rows["epoch"].to_numpy(), rows["value"].to_numpy()


def names(data):
    return list(dict.fromkeys(data["series"]))


def y_scale(spec):
    return spec["layer"][0]["encoding"]["y"]["scale"]


def test_smoothed_series_is_the_ema_of_the_batch_losses():
    data, _ = loss_chart([1.0, 2.0, 3.0], [], [], 3, smoothing=0.5)
    np.testing.assert_allclose(series(data, "smoothed")[1], [1.0, 1.25 / 0.75, 2.125 / 0.875])
    np.testing.assert_allclose(series(data, "batch loss")[1], [1.0, 2.0, 3.0])


def test_batches_sit_at_fractions_of_an_epoch():
    data, _ = loss_chart([5, 4, 3, 2, 1], [4.5, 2.5], [], 2)
    np.testing.assert_allclose(series(data, "batch loss")[0], [0.5, 1.0, 1.5, 2.0, 2.5])
    np.testing.assert_allclose(series(data, "train (epoch mean)")[0], [1, 2])


def test_validation_skips_none_epochs():
    data, _ = loss_chart([], [1.0, 0.8, 0.6], [0.9, None, 0.7], 10)
    x, y = series(data, "validation")
    np.testing.assert_allclose(x, [1, 3])
    np.testing.assert_allclose(y, [0.9, 0.7])
    assert names(data) == ["train (epoch mean)", "validation"]


def test_no_validation_series_when_all_none():
    data, _ = loss_chart([1.0], [1.0], [None], 1)
    assert "validation" not in names(data)


def test_long_runs_are_thinned_but_smoothed_on_all_points():
    losses = np.random.default_rng(0).random(12_001)
    data, _ = loss_chart(losses, [], [], 1000, smoothing=0.9, max_points=5000)
    (x, raw), (_, smooth) = series(data, "batch loss"), series(data, "smoothed")
    assert 2500 < len(x) <= 5001
    assert x[-1] == pytest.approx(12.001)
    assert smooth[-1] == pytest.approx(ema_smooth(losses, 0.9)[-1])
    np.testing.assert_allclose(raw, losses[np.searchsorted(np.arange(1, 12_002) / 1000, x)])


def test_titles_legend_and_log_axis():
    data, spec = loss_chart([1.0, 0.5, 0.0], [0.75], [0.8], 2, log_y=True)
    assert spec["title"]["text"] == "Loss during training"
    encoding = spec["layer"][0]["encoding"]
    assert encoding["x"]["title"] == "epoch" and encoding["y"]["title"] == "loss (log scale)"
    assert y_scale(spec) == {"type": "log"}
    assert (data["value"] > 0).all(), "a zero loss has no place on a log axis"
    assert encoding["color"]["legend"]["orient"] == "bottom"
    json.dumps(spec)  # what st.vega_lite_chart sends


def test_each_series_keeps_its_house_colour_and_style():
    data, spec = loss_chart([1.0, 0.5], [0.75], [0.8], 2)
    encoding = spec["layer"][0]["encoding"]
    domain = encoding["color"]["scale"]["domain"]
    assert domain == ["batch loss", "smoothed", "train (epoch mean)", "validation"]
    colours = dict(zip(domain, encoding["color"]["scale"]["range"]))
    assert colours == {"batch loss": style.TRAIN, "smoothed": style.TRAIN,
                       "train (epoch mean)": style.TRAIN_EPOCH, "validation": style.VALIDATION}
    opacity = dict(zip(domain, encoding["opacity"]["scale"]["range"]))
    assert opacity["batch loss"] < 0.5 and opacity["smoothed"] == 1.0


def test_markers_only_where_epochs_are_few():
    few = loss_chart([], [1.0] * 10, [0.9] * 10, 1)[1]
    assert few["layer"][1]["mark"]["type"] == "point"
    assert few["layer"][1]["transform"][0]["filter"]["oneOf"] == ["train (epoch mean)",
                                                                  "validation"]
    many = loss_chart([], [1.0] * 200, [0.9] * 200, 1)[1]
    assert [layer["mark"]["type"] for layer in many["layer"]] == ["line"]


def test_empty_history_says_so_instead_of_an_empty_plot():
    data, spec = loss_chart([], [], [], 5)
    assert len(data) == 0 and list(data.columns) == ["epoch", "value", "series"]
    message = spec["layer"][-1]
    assert message["mark"]["type"] == "text"
    assert message["data"]["values"] == [{"text": "No training yet"}]


def test_validation_length_must_match_epochs():
    with pytest.raises(ValueError, match=r"val_loss.*Received shapes \(3,\) and \(2,\)"):
        loss_chart([], [1.0, 0.5], [1.0, 0.9, 0.8], 1)


def test_batch_loss_must_be_one_dimensional():
    with pytest.raises(ValueError, match=r"batch_loss.*\(2, 2\)"):
        loss_chart(np.ones((2, 2)), [], [], 1)


def test_one_loss_spike_does_not_stretch_the_linear_axis():
    batch = [0.3 + 0.01 * np.sin(i) for i in range(200)]
    batch[150] = 10.0                                     # one bad batch
    _, spec = loss_chart(batch, [0.3, 0.31], [], 100)
    low, high = y_scale(spec)["domain"]
    assert low == 0 and 0.31 < high < 1.0                 # the bulk, not 0..10
    assert spec["layer"][0]["mark"]["clip"] is True       # the spike is cut at the top
    assert y_scale(loss_chart(batch, [0.3, 0.31], [], 100, log_y=True)[1]) == {"type": "log"}


def test_an_even_loss_keeps_its_whole_range():
    _, spec = loss_chart(list(np.linspace(2.3, 0.1, 200)), [1.0, 0.2], [], 100)
    assert y_scale(spec) == {"zero": True}


def test_accuracy_in_percent_on_a_0_100_axis():
    data, spec = metric_chart([0.5, 0.75], [None, 0.7], "accuracy")
    np.testing.assert_allclose(series(data, "train")[1], [50, 75])
    np.testing.assert_allclose(series(data, "validation")[0], [2])
    np.testing.assert_allclose(series(data, "validation")[1], [70])
    assert y_scale(spec) == {"domain": [0, 100]}
    assert spec["layer"][0]["encoding"]["y"]["title"] == "accuracy (%)"
    assert spec["title"]["text"] == "Accuracy (%) per epoch"


def test_mse_metric_keeps_its_values():
    data, spec = metric_chart([0.3, 0.2], [], "mse")
    np.testing.assert_allclose(series(data, "train")[1], [0.3, 0.2])
    assert spec["layer"][0]["encoding"]["y"]["title"] == "mean squared error"
    assert y_scale(spec) == {"zero": False}


def test_metric_of_none_only_shows_a_message():
    data, spec = metric_chart([None, None], [None, None], "accuracy")
    assert len(data) == 0
    assert spec["layer"][-1]["data"]["values"] == [{"text": "No accuracy recorded yet"}]
