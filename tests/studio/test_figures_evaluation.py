"""Evaluation figures: confusion matrix, confidence, regression errors, probabilities, mistakes."""

import numpy as np
import pytest

from studio.figures import style
from studio.figures.evaluation import (confidence_histogram, confusion_matrix_figure,
                                       mistakes_gallery, predicted_vs_actual, probability_bars,
                                       residual_histogram)

CM = np.array([[5, 1, 0], [2, 7, 1], [0, 0, 4]])


def test_confusion_heatmap_shows_counts_with_class_0_on_top():
    fig = confusion_matrix_figure(CM, ["cat", "dog", "eel"])
    heatmap = fig.data[0]
    assert heatmap.type == "heatmap"
    np.testing.assert_array_equal(heatmap.z, CM)
    assert np.asarray(heatmap.text).tolist() == [["5", "1", "0"], ["2", "7", "1"],
                                                 ["0", "0", "4"]]
    assert heatmap.texttemplate == "%{text}"
    assert fig.layout.yaxis.autorange == "reversed"
    assert list(fig.layout.xaxis.ticktext) == ["cat", "dog", "eel"]
    assert list(fig.layout.yaxis.tickvals) == [0, 1, 2]
    assert fig.layout.xaxis.title.text == "Predicted" and fig.layout.yaxis.title.text == "True"
    assert "80.0% correct" in fig.layout.title.text


def test_normalized_confusion_shows_row_percentages_and_counts_in_hover():
    cm = np.array([[3, 1], [0, 0]])
    fig = confusion_matrix_figure(cm, None, normalize=True)
    z = np.asarray(fig.data[0].z, dtype=float)
    np.testing.assert_allclose(z[0], [75.0, 25.0])
    assert np.isnan(z[1]).all()
    assert np.asarray(fig.data[0].text)[0].tolist() == ["75.0%", "25.0%"]
    assert np.asarray(fig.data[0].customdata)[0, 1, 0] == "1"
    assert "customdata[0]" in fig.data[0].hovertemplate
    assert list(fig.layout.xaxis.ticktext) == ["0", "1"]


def test_confusion_matrix_of_one_class_of_empty_rows_and_of_no_classes():
    single = confusion_matrix_figure(np.array([[4]]), ["only"])
    np.testing.assert_array_equal(single.data[0].z, [[4]])
    assert list(single.layout.xaxis.ticktext) == ["only"]
    assert single.layout.title.text.endswith("100.0% correct")
    no_samples = confusion_matrix_figure(np.zeros((2, 2), dtype=int), ["a", "b"], normalize=True)
    assert np.isnan(np.asarray(no_samples.data[0].z, dtype=float)).all()
    assert np.asarray(no_samples.data[0].text).tolist() == [["", ""], ["", ""]]
    assert (no_samples.data[0].zmin, no_samples.data[0].zmax) == (0, 100)
    assert no_samples.layout.title.text == "Confusion matrix (% of each true class)"
    empty = confusion_matrix_figure(np.zeros((0, 0)), [])
    assert empty.data == () and empty.layout.annotations[0].text == "No predictions yet"
    assert empty.layout.xaxis.title.text == "Predicted" and empty.layout.yaxis.title.text == "True"


def test_confusion_matrix_checks_shapes():
    with pytest.raises(ValueError, match=r"square.*Received shape \(2, 3\)"):
        confusion_matrix_figure(np.zeros((2, 3)), ["a", "b"])
    with pytest.raises(ValueError, match="class_names needs 3 names"):
        confusion_matrix_figure(CM, ["a", "b", "c", "d"])


def test_confidence_histograms_for_right_and_wrong_with_counts():
    fig = confidence_histogram([0.9, 0.95, 0.4, 1.0, np.nan], [True, True, False, True, False])
    right, wrong = fig.data
    assert (right.name, wrong.name) == ("right (3)", "wrong (1)")
    np.testing.assert_allclose(wrong.x, [0.4])
    assert right.x.max() < 1.0
    assert (right.xbins.start, right.xbins.end, right.xbins.size) == (0.0, 1.0, 0.05)
    assert fig.layout.barmode == "overlay"
    assert [right.marker.color, wrong.marker.color] == [style.RIGHT, style.WRONG]
    assert fig.layout.xaxis.title.text.startswith("confidence")
    assert fig.layout.yaxis.title.text == "samples"


def test_confidence_histogram_empty_and_mismatched():
    assert [t.name for t in confidence_histogram([], []).data] == ["right (0)", "wrong (0)"]
    with pytest.raises(ValueError, match="confidence has 2, correct has 1"):
        confidence_histogram([0.5, 0.6], [True])


def test_predicted_vs_actual_line_spans_the_joint_range():
    fig = predicted_vs_actual([1.0, 2.0, 3.0], [0.5, 2.5, 4.0], unit="°C")
    points, line = fig.data
    assert line.name == "y = x"
    assert list(line.x) == [0.5, 4.0] and list(line.y) == [0.5, 4.0]
    np.testing.assert_allclose(points.x, [1, 2, 3])
    assert fig.layout.xaxis.title.text == "actual (°C)"
    assert fig.layout.yaxis.title.text == "predicted (°C)"
    assert "RMSE" in fig.layout.title.text and "R²" in fig.layout.title.text


def test_predicted_vs_actual_subsamples_but_keeps_the_full_range():
    true = np.arange(20_000, dtype=float)
    fig = predicted_vs_actual(true, true + 1, max_points=5000)
    assert len(fig.data[0].x) == 5000
    assert list(fig.data[1].x) == [0.0, 20_000.0]
    np.testing.assert_allclose(fig.data[0].y - fig.data[0].x, 1.0)


def test_predicted_vs_actual_edge_cases():
    single = predicted_vs_actual([2.0], [[2.5]])
    assert list(single.data[1].x) == [2.0, 2.5] and "R²" not in single.layout.title.text
    nan = predicted_vs_actual([1.0, np.nan], [1.0, 5.0])
    assert list(nan.data[1].x) == [1.0, 1.0]
    assert len(predicted_vs_actual([], []).data) == 1
    with pytest.raises(ValueError, match=r"Received shapes \(3,\) and \(2,\)"):
        predicted_vs_actual([1, 2, 3], [1, 2])


def test_residual_histogram_has_a_line_at_zero():
    fig = residual_histogram([-1.0, 0.5, np.nan, 0.5], unit="m")
    np.testing.assert_allclose(fig.data[0].x, [-1.0, 0.5, 0.5])
    shape = fig.layout.shapes[0]
    assert shape.type == "line" and shape.x0 == 0 and shape.x1 == 0
    assert fig.layout.xaxis.title.text == "residual (m)"
    assert residual_histogram([]).layout.annotations


def test_probability_bars_highlight_the_argmax():
    fig = probability_bars([0.1, 0.7, 0.2], ["a", "b", "c"])
    bars = fig.data[0]
    assert list(bars.marker.color) == [style.NEUTRAL, style.ACCENT, style.NEUTRAL]
    assert list(bars.text) == ["10.0%", "70.0%", "20.0%"]
    assert list(fig.layout.yaxis.range) == [0, 1]
    assert fig.layout.title.text == "Prediction: b (70%)"
    assert list(probability_bars([[0.6, 0.4]], None).data[0].x) == ["0", "1"]


def test_probability_bars_edge_cases_and_shapes():
    nan = probability_bars([np.nan, np.nan], ["a", "b"])
    assert list(nan.data[0].marker.color) == [style.NEUTRAL] * 2
    with pytest.raises(ValueError, match=r"Received shape \(2, 2\)"):
        probability_bars(np.ones((2, 2)), ["a", "b"])
    with pytest.raises(ValueError, match="class_names needs 3 names"):
        probability_bars([0.2, 0.3, 0.5], ["a", "b", "c", "d"])


def test_mistakes_gallery_shows_only_mistakes_most_confident_first():
    images = np.arange(4 * 4, dtype=float).reshape(4, 4)
    fig = mistakes_gallery(images, [3, 1, 2, 0], [8, 1, 5, 0], [0.6, 0.9, 0.97, 0.99], (2, 2),
                           [str(i) for i in range(10)])
    texts = [a.text for a in fig.layout.annotations]
    assert texts == ["true 2 → 5 (97%)", "true 3 → 8 (60%)"]
    z = np.asarray(fig.data[0].z)
    np.testing.assert_array_equal(z[-2:, :2], images[2].reshape(2, 2))
    assert set(np.unique(fig.data[0].customdata)) == {-1, 0, 2}
    assert "2 of 2 mistakes" in fig.layout.title.text


def test_mistakes_gallery_without_mistakes_and_bad_shapes():
    none = mistakes_gallery(np.zeros((2, 4)), [0, 1], [0, 1], [0.5, 0.5], (2, 2), None)
    assert none.data == () and "No misclassified" in none.layout.annotations[0].text
    with pytest.raises(ValueError, match="confidences has 1"):
        mistakes_gallery(np.zeros((2, 4)), [0, 1], [1, 0], [0.5], (2, 2), None)
