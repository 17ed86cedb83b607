"""Network diagram, parameter and memory counts, weighted edges and first-layer weight images."""

import numpy as np
import pytest

from studio.figures import style
from studio.figures.architecture import (count_parameters, format_bytes, memory_estimate,
                                         weight_images, weighted_network)


def annotation_texts(fig):
    return [a.text for a in fig.layout.annotations]


def test_count_parameters_per_transition():
    assert count_parameters([784, 100, 10]) == [78_500, 1_010]
    assert count_parameters([2, 1]) == [3]


@pytest.mark.parametrize("layers", [[784], [], [3, 0], [2.5, 1], "abc", None])
def test_count_parameters_rejects_bad_layers(layers):
    with pytest.raises(ValueError, match="layers"):
        count_parameters(layers)


def test_memory_estimate_formula():
    params = 79_510
    expected = (params * (2 + 2) + (784 + 100 + 10) * 32 * 2) * 4
    assert memory_estimate([784, 100, 10], 32) == expected
    assert memory_estimate([2, 1], 1, dtype_bytes=8, optimizer_slots=0) == (3 * 2 + 3 * 2) * 8
    with pytest.raises(ValueError, match="batch_size"):
        memory_estimate([2, 1], 0)


@pytest.mark.parametrize("n, text", [(0, "0 B"), (999, "999 B"), (1_000, "1.0 KB"),
                                     (1_234_567, "1.2 MB"), (999_999, "1.0 MB"),
                                     (3.5e9, "3.5 GB")])
def test_format_bytes(n, text):
    assert format_bytes(n) == text


def test_format_bytes_rejects_negative():
    with pytest.raises(ValueError, match="byte count"):
        format_bytes(-1)


def one_layer_weights():
    return [np.array([[-1.0, -0.5, 0.2, 0.7, 1.0]])]


def edge_count(traces):
    return sum(len(t.x) // 3 for t in traces)


def test_weighted_network_colours_edges_by_sign():
    fig = weighted_network(one_layer_weights())
    lines = [t for t in fig.data if t.mode == "lines"]
    positive = [t for t in lines if t.line.color == style.POSITIVE]
    negative = [t for t in lines if t.line.color == style.NEGATIVE]
    assert edge_count(positive) == 3 and edge_count(negative) == 2
    assert {t.name for t in positive} == {"positive weight"}
    assert {t.name for t in negative} == {"negative weight"}
    assert sum(bool(t.showlegend) for t in lines) == 2


def test_weighted_network_edge_widths_follow_abs_weight():
    fig = weighted_network(one_layer_weights())
    widths = {t.line.width for t in fig.data if t.mode == "lines"}
    assert max(widths) == pytest.approx(6.0) and min(widths) >= 0.5
    strongest = [t for t in fig.data if t.mode == "lines" and t.line.width == max(widths)]
    assert {t.line.color for t in strongest} == {style.POSITIVE, style.NEGATIVE}


def test_weighted_network_uses_few_traces_and_colours_neurons_by_bias():
    rng = np.random.default_rng(1)
    weights = [rng.normal(size=(6, 5)), rng.normal(size=(5, 3))]
    biases = [rng.normal(size=(1, 5)), rng.normal(size=3)]
    fig = weighted_network(weights, biases)
    assert sum(t.mode == "lines" for t in fig.data) <= 10
    neurons = [t for t in fig.data if t.name == "neurons"][0]
    np.testing.assert_allclose(neurons.marker.color, np.r_[biases[0].ravel(), biases[1]])
    assert neurons.marker.cmin == -neurons.marker.cmax
    assert "first" not in fig.layout.title.text


def test_weighted_network_truncates_wide_layers_and_says_so():
    fig = weighted_network([np.ones((20, 3))], max_units=12)
    inputs = [t for t in fig.data if t.name == "inputs"][0]
    assert len(inputs.y) == 12
    assert edge_count([t for t in fig.data if t.mode == "lines"]) == 12 * 3
    assert "first 12 units" in fig.layout.title.text


def test_weighted_network_skips_nan_and_draws_all_zero_weights_thinnest():
    fig = weighted_network([np.array([[np.nan, 0.0]])])
    assert edge_count([t for t in fig.data if t.mode == "lines"]) == 1
    zero = [t for t in weighted_network([np.zeros((2, 2))]).data if t.mode == "lines"]
    assert edge_count(zero) == 4 and {t.line.width for t in zero} == {0.5}


def test_weighted_network_checks_shapes():
    with pytest.raises(ValueError, match=r"weights\[1\].*\[\(3, 4\), \(5, 2\)\]"):
        weighted_network([np.ones((3, 4)), np.ones((5, 2))])
    with pytest.raises(ValueError, match="biases"):
        weighted_network([np.ones((3, 4))], [np.ones(3)])
    with pytest.raises(ValueError, match="non-empty"):
        weighted_network([])


def test_weight_images_mosaic_with_symmetric_diverging_scale():
    rng = np.random.default_rng(2)
    w = rng.normal(size=(64, 5))
    fig = weight_images(w, (8, 8))
    heatmap = fig.data[0]
    z = np.asarray(heatmap.z)
    assert z.shape == (2 * 8 + 1, 3 * 8 + 2)
    np.testing.assert_allclose(z[:8, 9:17], w[:, 1].reshape(8, 8))
    assert np.isnan(z[8]).all() and np.isnan(z[:, 8]).all()
    assert heatmap.zmin == -heatmap.zmax == pytest.approx(-np.abs(w).max())
    assert [c for _, c in heatmap.colorscale] == [c for _, c in style.DIVERGING]
    assert fig.layout.title.text == "What the first-layer neurons look for"


def test_weight_images_limits_neurons_and_checks_pixels():
    fig = weight_images(np.zeros((4, 50)), (2, 2), max_neurons=36)
    assert np.asarray(fig.data[0].customdata).max() == 35
    assert "first 36 of 50" in fig.layout.title.subtitle.text
    with pytest.raises(ValueError, match=r"image_shape \(3, 3\) holds 9 pixels but each image has 4"):
        weight_images(np.zeros((4, 2)), (3, 3))
